// The rules every installation starts with, derived from the bottleneck thresholds:
// the service levels (API p95, DB p95, page load) held for a minute, and sustained
// host and network trouble. Ids are fixed ("builtin-api-p95", ...).
#pragma once

#include <vector>

#include "alerts/rule.h"
#include "bottleneck/thresholds.h"

namespace hs::alerts {

std::vector<AlertRule> builtin_rules(const bottleneck::Thresholds& t);

}  // namespace hs::alerts
