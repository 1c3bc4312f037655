// What a rule's selector sees in one metrics snapshot: one value per subject (an
// endpoint, a statement, a remote, a (command, syscall), a page, or "host"), aggregated
// across the processes that match the filters.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "alerts/rule.h"
#include "bottleneck/layer_metrics.h"

namespace hs::alerts {

struct Observation {
  double value = 0;  // in the condition's terms: ms for latencies, per second for rates
  std::vector<std::string> processes;
};

// subject -> observation. Subjects are named as the bottleneck engine names them.
std::map<std::string, Observation> observe(const bottleneck::MetricsSnapshot& m, const AlertRule& rule);

}  // namespace hs::alerts
