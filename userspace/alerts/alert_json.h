// Alerts as JSON (the API's object and the stored document) and the request bodies
// of POST alerts and PUT alerts/:id/{acknowledge,resolve,dismiss} (SPEC §5 Conventions).
#pragma once

#include <map>
#include <string>

#include <boost/json/value.hpp>

#include "alerts/alert.h"
#include "bottleneck/engine_error.h"

namespace hs::alerts {

boost::json::object to_json(const Alert& a);
boost::json::object to_json(const notify::DeliveryAttempt& d);
Outcome<Alert> alert_from_json(const boost::json::value& v);

// POST alerts: {title, message, severity, source?, labels?}
struct CustomAlertRequest {
  std::string title, message;
  Severity severity = Severity::medium;
  std::string source = "custom";
  std::map<std::string, std::string> labels;
};
Outcome<CustomAlertRequest> custom_alert_from_json(const boost::json::value& v);

// {"user": ...} (required), {"notes": ...}, {"reason": ...} (optional): the one text field
// `key` of a lifecycle body; an empty body object is fine for optional ones.
Outcome<std::string> lifecycle_text_from_json(const boost::json::value& v, std::string_view key, bool required);

}  // namespace hs::alerts
