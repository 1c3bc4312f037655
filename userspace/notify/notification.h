// One message about one alert, as the channels render it.
#pragma once

#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

namespace hs::notify {

struct Notification {
  std::string event;     // raised | escalated | resolved | ... (what happened to the alert)
  std::string alert_id;
  std::string title, message, severity, status, source;
  std::int64_t ts_ms = 0;
  boost::json::object alert;  // the alert as the API shows it (webhook bodies carry it whole)
};

}  // namespace hs::notify
