// Readable forms of the kernel's socket addresses, roles and TCP states
// (pure functions over wire.h values).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "hostscope/wire.h"

namespace hs::monitoring {

using AddrBytes = std::span<const std::uint8_t, 16>;

// Linux TCP state names, index = state number - 1 (ESTABLISHED is 1).
inline constexpr std::array<std::string_view, 11> kTcpStateNames = {
    "ESTABLISHED", "SYN_SENT", "SYN_RECV",   "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
    "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING"};
inline constexpr std::uint8_t kTcpEstablished = 1;

// "1.2.3.4", "2001:db8::1" (RFC 5952 compressed form); an IPv4-mapped IPv6
// address is shown as IPv4; "?" for an unknown family.
std::string format_ip(std::uint16_t family, AddrBytes addr);
// "1.2.3.4:80", "[2001:db8::1]:443", "?" for an unknown family.
std::string format_endpoint(std::uint16_t family, AddrBytes addr, std::uint16_t port);
// The remote of a kernel aggregate: the server a client connected to, or for the
// server role the peer, whose ephemeral port was aggregated away ("10.0.0.7:*", "[::1]:*").
std::string format_remote(std::uint8_t role, std::uint16_t family, AddrBytes addr, std::uint16_t port);

std::string_view family_name(std::uint16_t family, AddrBytes addr);  // ipv4 | ipv6 | unknown
std::string_view direction_name(std::uint8_t role);                  // outbound | inbound | unknown
std::string_view tcp_state_name(std::uint8_t state);                 // ESTABLISHED ... | UNKNOWN
std::optional<std::uint8_t> tcp_state_number(std::string_view name);

}  // namespace hs::monitoring
