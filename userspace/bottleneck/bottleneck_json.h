// Bottlenecks as JSON: the API's object shape (GET bottlenecks, bottlenecks/:id) and
// the document the state DB keeps (read back with bottleneck_from_json at start).
#pragma once

#include <boost/json/value.hpp>

#include "bottleneck/bottleneck.h"
#include "bottleneck/bottleneck_engine.h"
#include "bottleneck/engine_error.h"

namespace hs::bottleneck {

boost::json::object to_json(const Bottleneck& b);
Outcome<Bottleneck> bottleneck_from_json(const boost::json::value& v);
// {"type": "opened", "bottleneck": {...}}: what the dashboard's live stream carries.
boost::json::object to_json(const BottleneckEvent& e);

}  // namespace hs::bottleneck
