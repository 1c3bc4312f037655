// Builders of synthetic network probe readings for the engine and route tests.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>

#include "common/net_reading.h"

namespace hs::test {

// A cumulative aggregate of `tgid` with an IPv4 (or IPv6 when `ip` contains ':') remote.
inline NetReading net_reading(std::uint32_t tgid, std::uint8_t role, const char* ip, std::uint16_t port) {
  NetReading r;
  r.key.tgid = tgid;
  r.key.role = role;
  r.key.port = port;
  bool v6 = std::strchr(ip, ':') != nullptr;
  r.key.family = v6 ? HS_AF_INET6 : HS_AF_INET;
  inet_pton(v6 ? AF_INET6 : AF_INET, ip, r.key.addr);
  return r;
}

// `n` more completed connects of `each_ns`.
inline void add_connects(NetReading& r, std::uint32_t n, std::uint64_t each_ns) {
  r.val.connects += n;
  r.val.connect_total_ns += n * each_ns;
  r.val.connect_slots[hs_hist_slot(each_ns)] += n;
}

// `n` more request -> response round trips of `each_ns`.
inline void add_round_trips(NetReading& r, std::uint32_t n, std::uint64_t each_ns) {
  r.val.round_trips += n;
  r.val.rtt_total_ns += n * each_ns;
  if (each_ns > r.val.rtt_max_ns) r.val.rtt_max_ns = each_ns;
  r.val.rtt_slots[hs_hist_slot(each_ns)] += n;
}

// `n` more smoothed-RTT samples of `srtt_us` with mean deviation `mdev_us`.
inline void add_srtt(NetReading& r, std::uint32_t n, std::uint64_t srtt_us, std::uint64_t mdev_us) {
  r.val.srtt_samples += n;
  r.val.srtt_total_us += n * srtt_us;
  r.val.mdev_total_us += n * mdev_us;
  r.val.srtt_slots[hs_hist_slot(srtt_us * 1000)] += n;
}

inline void add_bytes(NetReading& r, std::uint64_t sent, std::uint64_t received) {
  r.val.bytes_sent += sent;
  r.val.bytes_received += received;
}

inline ConnectionReading connection(std::uint32_t tgid, std::uint8_t state, std::uint8_t role, const char* local_ip,
                                    std::uint16_t local_port, const char* remote_ip, std::uint16_t remote_port) {
  ConnectionReading c{};
  c.tgid = tgid;
  c.state = state;
  c.role = role;
  bool v6 = std::strchr(local_ip, ':') != nullptr;
  c.family = v6 ? HS_AF_INET6 : HS_AF_INET;
  inet_pton(v6 ? AF_INET6 : AF_INET, local_ip, c.local_addr);
  inet_pton(v6 ? AF_INET6 : AF_INET, remote_ip, c.remote_addr);
  c.local_port = local_port;
  c.remote_port = remote_port;
  return c;
}

}  // namespace hs::test
