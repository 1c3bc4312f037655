// L7 snapshots rendered as the API's JSON objects (SPEC §5.1 "database" and
// "http" fields first).
#pragma once

#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "monitoring/monitoring_engine.h"

namespace hs::web {

boost::json::object to_json(const monitoring::DatabaseEntry& e);
boost::json::object to_json(const monitoring::HttpEntry& e);
boost::json::object to_json(const monitoring::QueryStats& q);
boost::json::object to_json(const monitoring::EndpointStats& e);
boost::json::object to_json(const monitoring::SlowQuery& s);
// Host totals of one layer; `requests` names the operation count for HTTP ("ops" for databases).
boost::json::object to_json(const monitoring::L7Totals& t, bool http);

template <typename T>
boost::json::array to_json_array(const std::vector<T>& items) {
  boost::json::array a;
  a.reserve(items.size());
  for (const auto& item : items) a.push_back(to_json(item));
  return a;
}

}  // namespace hs::web
