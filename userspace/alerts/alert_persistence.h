// Where the alert engine keeps rules, channels and alerts across restarts. Every
// call must be durable when it returns (the state DB implementation commits with
// synchronous=FULL).
#pragma once

#include <string>

#include "alerts/alert.h"
#include "alerts/rule.h"
#include "common/status.h"
#include "notify/channel.h"

namespace hs::alerts {

class AlertPersistence {
 public:
  virtual ~AlertPersistence() = default;
  virtual Status save_rule(const AlertRule& r) = 0;
  virtual Status remove_rule(const std::string& id) = 0;
  virtual Status save_channel(const notify::Channel& c) = 0;
  virtual Status remove_channel(const std::string& id) = 0;
  virtual Status save_alert(const Alert& a) = 0;
  virtual Status remove_alert(const std::string& id) = 0;
};

}  // namespace hs::alerts
