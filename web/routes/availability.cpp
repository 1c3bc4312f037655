#include "web/routes/availability.h"

namespace hs::web {

std::optional<std::string> probe_unavailable(const monitoring::MonitoringEngine& engine, std::string_view probe,
                                             std::string_view capture) {
  for (const auto& h : engine.probe_health()) {
    if (h.name != probe) continue;
    if (h.state == "attached") return std::nullopt;
    return h.reason.empty() ? "the " + std::string(probe) + " probe is " + h.state : h.reason;
  }
  return std::string(capture) + " is not running";
}

void set_availability(boost::json::object& o, const std::optional<std::string>& reason, bool always) {
  if (reason || always) o["available"] = !reason;
  if (reason) o["reason"] = *reason;
}

}  // namespace hs::web
