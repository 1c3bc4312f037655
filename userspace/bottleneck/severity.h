// Severities shared by bottlenecks and alerts (SPEC §5: critical|high|medium|low), ordered.
#pragma once

#include <optional>
#include <string_view>

namespace hs {

enum class Severity { low = 0, medium = 1, high = 2, critical = 3 };

inline std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::critical: return "critical";
    case Severity::high: return "high";
    case Severity::medium: return "medium";
    case Severity::low: return "low";
  }
  return "low";
}

inline std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "critical") return Severity::critical;
  if (s == "high") return Severity::high;
  if (s == "medium") return Severity::medium;
  if (s == "low") return Severity::low;
  return std::nullopt;
}

}  // namespace hs
