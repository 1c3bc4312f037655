// libFuzzer entry for the configuration parsers: the same bytes go to the JSON
// MonitoringConfig validator, the TOML file parser and the listen-address parser.
// Beyond "no crash, no UB, no exception", it checks the invariants the daemon relies on:
// whatever is accepted is in range and survives a to_json round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "config/daemon_options.h"
#include "config/monitoring_config.h"

namespace {

using namespace hs::config;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_valid(const MonitoringConfig& c) {
  check(c.interval_ms >= 100 && c.interval_ms <= 60000);
  check(c.fine_retention_s >= 60 && c.fine_retention_s <= 86400);
  check(c.coarse_retention_s >= 3600 && c.coarse_retention_s <= 2592000);
  check(c.coarse_retention_s >= c.fine_retention_s);
  check(c.exited_retention_s <= 604800);
  check(c.max_syscall_entries >= 64 && c.max_syscall_entries <= 1048576);
  check(c.prometheus_max_series >= 1 && c.prometheus_max_series <= 100000);
  check(c.filters.pids.size() <= limits::kMaxPids);
  for (const auto p : c.filters.pids) check(p >= 1 && p <= limits::kMaxPid);
  check(c.filters.comms.size() <= limits::kMaxComms);
  for (const auto& s : c.filters.comms) check(!s.empty() && s.size() <= limits::kMaxCommBytes);
  check(c.filters.cgroups.size() <= limits::kMaxCgroups);
  for (const auto& s : c.filters.cgroups) check(!s.empty() && s.front() == '/');
  check(c.filters.min_latency_ns <= limits::kMaxMinLatencyNs);
}

void check_round_trip(const MonitoringConfig& c) {
  check_valid(c);
  // From a different base, so a field to_json forgot would show up as a difference.
  MonitoringConfig other;
  other.interval_ms = 777;
  other.filters.comms = {"sentinel"};
  auto r = monitoring_config_from_value(other, to_json(c));
  check(std::holds_alternative<MonitoringConfig>(r) && std::get<MonitoringConfig>(r) == c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const MonitoringConfig base;
  auto json = monitoring_config_from_json(base, text);
  if (const auto* c = std::get_if<MonitoringConfig>(&json)) {
    check_round_trip(*c);
  } else {
    check(!std::get<FieldError>(json).field.empty());
  }

  auto toml = apply_toml(DaemonOptions{}, text, "fuzz.toml");
  if (toml.ok()) {
    check_round_trip(toml->monitoring);
    check(toml->http.port != 0 && !toml->http.address.empty() && !toml->state_dir.empty());
    check(valid_log_level(toml->log_level));
  } else {
    check(toml.status().where() == "fuzz.toml" && !toml.status().message().empty());
  }

  if (size <= 64) {
    auto addr = parse_listen_address(text);
    if (addr.ok()) check(addr->second != 0 && !addr->first.empty());
  }
  return 0;
}
