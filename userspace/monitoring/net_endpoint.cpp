#include "monitoring/net_endpoint.h"

#include <arpa/inet.h>

#include <algorithm>

namespace hs::monitoring {
namespace {

bool ipv4_mapped(std::uint16_t family, AddrBytes addr) {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return family == HS_AF_INET6 && std::equal(std::begin(kPrefix), std::end(kPrefix), addr.begin());
}

// Dotted quad of the four bytes starting at `v4`.
std::string dotted(const std::uint8_t* v4) {
  char buf[INET_ADDRSTRLEN];
  return inet_ntop(AF_INET, v4, buf, sizeof buf) ? std::string(buf) : std::string("?");
}

// IPv6 literals are bracketed so the port separator stays unambiguous.
std::string with_port(std::uint16_t family, AddrBytes addr, const std::string& port) {
  std::string ip = format_ip(family, addr);
  if (ip == "?") return ip;
  if (family_name(family, addr) == "ipv6") return "[" + ip + "]:" + port;
  return ip + ":" + port;
}

}  // namespace

std::string format_ip(std::uint16_t family, AddrBytes addr) {
  if (family == HS_AF_INET) return dotted(addr.data());
  if (ipv4_mapped(family, addr)) return dotted(addr.data() + 12);
  if (family != HS_AF_INET6) return "?";
  char buf[INET6_ADDRSTRLEN];
  return inet_ntop(AF_INET6, addr.data(), buf, sizeof buf) ? std::string(buf) : std::string("?");
}

std::string format_endpoint(std::uint16_t family, AddrBytes addr, std::uint16_t port) {
  return with_port(family, addr, std::to_string(port));
}

std::string format_remote(std::uint8_t role, std::uint16_t family, AddrBytes addr, std::uint16_t port) {
  if (role == HS_NET_ROLE_SERVER) return with_port(family, addr, "*");
  return format_endpoint(family, addr, port);
}

std::string_view family_name(std::uint16_t family, AddrBytes addr) {
  if (family == HS_AF_INET || ipv4_mapped(family, addr)) return "ipv4";
  if (family == HS_AF_INET6) return "ipv6";
  return "unknown";
}

std::string_view direction_name(std::uint8_t role) {
  if (role == HS_NET_ROLE_CLIENT) return "outbound";
  if (role == HS_NET_ROLE_SERVER) return "inbound";
  return "unknown";
}

std::string_view tcp_state_name(std::uint8_t state) {
  if (state == 0 || state > kTcpStateNames.size()) return "UNKNOWN";
  return kTcpStateNames[state - 1];
}

std::optional<std::uint8_t> tcp_state_number(std::string_view name) {
  auto it = std::find(kTcpStateNames.begin(), kTcpStateNames.end(), name);
  if (it == kTcpStateNames.end()) return std::nullopt;
  return static_cast<std::uint8_t>(it - kTcpStateNames.begin() + 1);
}

}  // namespace hs::monitoring
