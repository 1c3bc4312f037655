// Whether a capture layer's numbers are current: its probe must be attached.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "monitoring/monitoring_engine.h"

namespace hs::web {

// Why the numbers of probe `probe` may be missing or stale (it is not attached),
// or nullopt. `capture` names the layer in the reason ("network capture").
std::optional<std::string> probe_unavailable(const monitoring::MonitoringEngine& engine, std::string_view probe,
                                             std::string_view capture);

// "available": false and "reason" when `reason` is set; "available": true otherwise
// only when `always` (lists leave it out when all is well).
void set_availability(boost::json::object& o, const std::optional<std::string>& reason, bool always);

}  // namespace hs::web
