// TCP snapshots rendered as the API's JSON objects (SPEC §5.1 "network" fields first).
#pragma once

#include <boost/json/object.hpp>

#include "monitoring/monitoring_engine.h"

namespace hs::web {

boost::json::object to_json(const monitoring::NetworkEntry& e);
boost::json::object to_json(const monitoring::NetworkTotals& t);
boost::json::object to_json(const monitoring::ConnectionEntry& c);

}  // namespace hs::web
