#include "alerts/builtin_rules.h"

namespace hs::alerts {

namespace {
AlertRule make(std::string id, std::string name, Layer layer, std::string metric, Condition c, std::int64_t for_s,
               Severity sev) {
  AlertRule r;
  r.id = std::move(id);
  r.name = std::move(name);
  r.builtin = true;
  r.selector.layer = layer;
  r.selector.metric = std::move(metric);
  r.condition = c;
  r.for_s = for_s;
  r.severity = sev;
  return r;
}

Condition above(ConditionType type, double value, int percentile = 95) {
  return Condition{type, Comparison::above, value, percentile};
}
}  // namespace

std::vector<AlertRule> builtin_rules(const bottleneck::Thresholds& t) {
  using CT = ConditionType;
  std::vector<AlertRule> rules = {
      make("builtin-api-p95", "API p95 over its service level", Layer::http, "latency",
           above(CT::percentile, t.api_p95_ms), 60, Severity::high),
      make("builtin-db-p95", "Database query p95 over its service level", Layer::database, "latency",
           above(CT::percentile, t.db_p95_ms), 60, Severity::high),
      make("builtin-page-load", "Page load over its service level", Layer::frontend, "load_p75_ms",
           above(CT::threshold, t.page_load_ms), 300, Severity::medium),
      make("builtin-fsync", "Slow disk syncs", Layer::syscall, "latency", above(CT::percentile, t.fsync_p95_ms), 60,
           Severity::medium),
      make("builtin-connect-failures", "TCP connects failing", Layer::network, "connect_failure_ratio",
           above(CT::threshold, t.connect_failure_ratio), 60, Severity::high),
      make("builtin-retransmits", "TCP retransmitting", Layer::network, "retransmits",
           above(CT::rate, t.retransmits_per_s), 120, Severity::medium),
      make("builtin-cpu", "CPU saturated", Layer::system, "cpu_percent", above(CT::threshold, t.cpu_percent), 300,
           Severity::medium),
      make("builtin-steal", "CPU stolen by the hypervisor", Layer::system, "steal_percent",
           above(CT::threshold, t.steal_percent), 300, Severity::medium),
      make("builtin-memory-pressure", "Memory pressure", Layer::system, "psi_mem_some",
           above(CT::threshold, t.psi_mem_some), 60, Severity::high),
      make("builtin-io-pressure", "I/O pressure", Layer::system, "psi_io_some", above(CT::threshold, t.psi_io_some),
           120, Severity::medium),
  };
  rules[3].selector.syscall = "fsync";
  return rules;
}

}  // namespace hs::alerts
