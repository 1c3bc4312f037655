// Engine snapshots rendered as the API's JSON objects (SPEC §5.1 field names).
#pragma once

#include <boost/json/object.hpp>

#include "monitoring/monitoring_engine.h"

namespace hs::web {

boost::json::object to_json(const monitoring::SyscallEntry& e);
boost::json::object to_json(const monitoring::ProcessSummary& p);
boost::json::object to_json(const monitoring::SystemPoint& s);
boost::json::object to_json(const monitoring::SeriesPoint& p);
boost::json::object to_json(const monitoring::ProbeHealth& h);
boost::json::object to_json(const monitoring::SyscallAggregate& a);

}  // namespace hs::web
