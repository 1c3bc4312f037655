// What the monitoring engine answers about TCP: per-(process, remote) entries
// (SPEC §5.1 "network"), host totals, Prometheus aggregates and live sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "monitoring/net_stats.h"

namespace hs::monitoring {

struct NetworkEntry {
  std::uint32_t pid = 0;
  std::string comm;
  std::string remote;     // "ip:port", "ip:*" (inbound) or "other"
  std::string direction;  // outbound | inbound | unknown | mixed (an "other" of both)
  std::string family;     // ipv4 | ipv6 | unknown | mixed
  std::uint16_t local_port = 0;  // inbound: our listening port; 0 otherwise
  std::uint64_t connects = 0, connect_failures = 0;
  std::uint64_t connect_p50_ns = 0, connect_p95_ns = 0, connect_p99_ns = 0;
  std::uint64_t srtt_p50_ns = 0, srtt_p99_ns = 0, srtt_avg_ns = 0, rttvar_avg_ns = 0;
  std::uint64_t retransmits = 0, resets = 0, resets_sent = 0, resets_received = 0;
  std::uint64_t round_trips = 0, rtt_p50_ns = 0, rtt_p95_ns = 0, rtt_p99_ns = 0, rtt_max_ns = 0;
  std::uint64_t bytes_sent = 0, bytes_received = 0;
  bool exited = false;
};

struct NetworkQuery {
  std::optional<std::uint32_t> pid = std::nullopt;
  std::optional<std::string> comm = std::nullopt;
  std::optional<std::string> remote = std::nullopt;     // exact, e.g. "10.0.0.5:5432" or "other"
  std::optional<std::string> direction = std::nullopt;  // outbound | inbound
  std::size_t limit = 1000;
};

// Host-wide KPIs: cumulative totals, latency over everything, live sockets,
// and rates over the last interval.
struct NetworkTotals {
  std::uint64_t connects = 0, connect_failures = 0, retransmits = 0, resets = 0, round_trips = 0;
  std::uint64_t bytes_sent = 0, bytes_received = 0;
  std::uint64_t rtt_p50_ns = 0, rtt_p95_ns = 0, rtt_p99_ns = 0, srtt_p50_ns = 0, srtt_p99_ns = 0;
  std::uint64_t connections = 0, established = 0;  // from the latest socket snapshot
  double connects_per_s = 0, connect_failures_per_s = 0, retransmits_per_s = 0, resets_per_s = 0;
  double round_trips_per_s = 0, bytes_sent_per_s = 0, bytes_received_per_s = 0;
};

// Totals of one (comm, remote) pair across processes, for Prometheus.
struct NetworkAggregate {
  std::string comm;
  std::string remote;
  std::string direction;  // outbound | inbound | unknown | mixed
  NetTotals totals;
};

struct ConnectionQuery {
  std::optional<std::uint32_t> pid = std::nullopt;
  std::optional<std::string> comm = std::nullopt;
  std::optional<std::string> state = std::nullopt;  // ESTABLISHED, LISTEN, ...
  std::optional<std::uint16_t> port = std::nullopt;  // local or remote
  std::size_t limit = 100, offset = 0;
};

struct ConnectionEntry {
  std::uint32_t pid = 0;
  std::string comm, local, remote, state, direction, family;
  std::uint32_t srtt_us = 0, rttvar_us = 0, retransmits = 0, cwnd = 0;
  std::uint64_t bytes_acked = 0, bytes_received = 0;
};

struct ConnectionPage {
  std::vector<ConnectionEntry> connections;
  std::size_t total = 0;  // matching the filters, before limit/offset
};

}  // namespace hs::monitoring
