// Remote-endpoint formatting and TCP state names (pure functions).
#include "monitoring/net_endpoint.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>

namespace hs::monitoring {
namespace {

std::array<std::uint8_t, 16> v4(const char* text) {
  std::array<std::uint8_t, 16> a{};
  EXPECT_EQ(inet_pton(AF_INET, text, a.data()), 1) << text;
  return a;
}

std::array<std::uint8_t, 16> v6(const char* text) {
  std::array<std::uint8_t, 16> a{};
  EXPECT_EQ(inet_pton(AF_INET6, text, a.data()), 1) << text;
  return a;
}

TEST(NetEndpoint, Ipv4) {
  EXPECT_EQ(format_ip(HS_AF_INET, v4("192.168.1.20")), "192.168.1.20");
  EXPECT_EQ(format_endpoint(HS_AF_INET, v4("1.2.3.4"), 80), "1.2.3.4:80");
  EXPECT_EQ(format_endpoint(HS_AF_INET, v4("0.0.0.0"), 0), "0.0.0.0:0");
  EXPECT_EQ(family_name(HS_AF_INET, v4("1.2.3.4")), "ipv4");
}

TEST(NetEndpoint, Ipv6IsCompressedAndBracketed) {
  EXPECT_EQ(format_ip(HS_AF_INET6, v6("2001:0db8:0000:0000:0000:0000:0000:0001")), "2001:db8::1");
  EXPECT_EQ(format_endpoint(HS_AF_INET6, v6("2001:db8::1"), 443), "[2001:db8::1]:443");
  EXPECT_EQ(format_endpoint(HS_AF_INET6, v6("::1"), 5432), "[::1]:5432");
  EXPECT_EQ(format_endpoint(HS_AF_INET6, v6("fe80::1:0:0:2"), 22), "[fe80::1:0:0:2]:22");
  EXPECT_EQ(family_name(HS_AF_INET6, v6("::1")), "ipv6");
}

TEST(NetEndpoint, Ipv4MappedIpv6IsShownAsIpv4) {
  auto mapped = v6("::ffff:10.1.2.3");
  EXPECT_EQ(format_ip(HS_AF_INET6, mapped), "10.1.2.3");
  EXPECT_EQ(format_endpoint(HS_AF_INET6, mapped, 6379), "10.1.2.3:6379");
  EXPECT_EQ(format_remote(HS_NET_ROLE_SERVER, HS_AF_INET6, mapped, 6379), "10.1.2.3:*");
  EXPECT_EQ(family_name(HS_AF_INET6, mapped), "ipv4");
}

TEST(NetEndpoint, ServerRoleHidesThePeerPort) {
  EXPECT_EQ(format_remote(HS_NET_ROLE_SERVER, HS_AF_INET, v4("10.0.0.7"), 8080), "10.0.0.7:*");
  EXPECT_EQ(format_remote(HS_NET_ROLE_SERVER, HS_AF_INET6, v6("::1"), 8080), "[::1]:*");
  EXPECT_EQ(format_remote(HS_NET_ROLE_CLIENT, HS_AF_INET, v4("10.0.0.7"), 5432), "10.0.0.7:5432");
  EXPECT_EQ(format_remote(HS_NET_ROLE_UNKNOWN, HS_AF_INET6, v6("::1"), 1), "[::1]:1");
}

TEST(NetEndpoint, UnknownFamily) {
  EXPECT_EQ(format_ip(1, v4("1.2.3.4")), "?");
  EXPECT_EQ(format_endpoint(0, v4("1.2.3.4"), 80), "?");
  EXPECT_EQ(format_remote(HS_NET_ROLE_SERVER, 0, v4("1.2.3.4"), 80), "?");
  EXPECT_EQ(family_name(0, v4("1.2.3.4")), "unknown");
}

TEST(NetEndpoint, DirectionsAndStates) {
  EXPECT_EQ(direction_name(HS_NET_ROLE_CLIENT), "outbound");
  EXPECT_EQ(direction_name(HS_NET_ROLE_SERVER), "inbound");
  EXPECT_EQ(direction_name(HS_NET_ROLE_UNKNOWN), "unknown");
  EXPECT_EQ(tcp_state_name(1), "ESTABLISHED");
  EXPECT_EQ(tcp_state_name(6), "TIME_WAIT");
  EXPECT_EQ(tcp_state_name(10), "LISTEN");
  EXPECT_EQ(tcp_state_name(11), "CLOSING");
  EXPECT_EQ(tcp_state_name(0), "UNKNOWN");
  EXPECT_EQ(tcp_state_name(12), "UNKNOWN");
  for (std::uint8_t s = 1; s <= 11; ++s) EXPECT_EQ(tcp_state_number(tcp_state_name(s)), s);
  EXPECT_FALSE(tcp_state_number("established").has_value());
}

}  // namespace
}  // namespace hs::monitoring
