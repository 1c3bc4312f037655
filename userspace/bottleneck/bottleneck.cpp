#include "bottleneck/bottleneck.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hs::bottleneck {

namespace {
template <typename E, std::size_t N>
std::optional<E> parse_from(const std::string_view (&names)[N], std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}
constexpr std::string_view kLayers[] = {"syscall", "network", "database", "http", "system", "frontend"};
constexpr std::string_view kStatuses[] = {"open", "investigating", "resolved", "ignored"};
constexpr std::string_view kTrends[] = {"worsening", "stable", "improving"};
}  // namespace

std::string_view layer_name(Layer l) { return kLayers[static_cast<int>(l)]; }
std::optional<Layer> parse_layer(std::string_view s) { return parse_from<Layer>(kLayers, s); }
std::string_view status_name(BottleneckStatus s) { return kStatuses[static_cast<int>(s)]; }
std::optional<BottleneckStatus> parse_status(std::string_view s) { return parse_from<BottleneckStatus>(kStatuses, s); }
std::string_view trend_name(Trend t) { return kTrends[static_cast<int>(t)]; }
std::optional<Trend> parse_trend(std::string_view s) { return parse_from<Trend>(kTrends, s); }

std::string bottleneck_id(Layer layer, std::string_view kind, std::string_view subject) {
  // FNV-1a 64: stable across builds and restarts (std::hash is not guaranteed to be).
  std::uint64_t h = 1469598103934665603ULL;
  const auto mix = [&h](std::string_view s) {
    for (const unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator, so ("ab","c") and ("a","bc") differ
    h *= 1099511628211ULL;
  };
  mix(layer_name(layer));
  mix(kind);
  mix(subject);
  char buf[24];
  std::snprintf(buf, sizeof buf, "bn-%016llx", static_cast<unsigned long long>(h));
  return buf;
}

int severity_score(double ratio, double weight) {
  // 40 at the limit, 70 at twice it, approaching 100: past the limit matters, how far matters less and less.
  const double excess = std::max(0.0, ratio - 1.0);
  const double raw = 40.0 + 60.0 * (1.0 - 1.0 / (1.0 + excess));
  return std::clamp(static_cast<int>(std::lround(raw * weight)), 1, 100);
}

Severity severity_for_score(int score) {
  if (score >= 80) return Severity::critical;
  if (score >= 60) return Severity::high;
  if (score >= 40) return Severity::medium;
  return Severity::low;
}

Trend trend_of(const std::vector<double>& recent, double tolerance) {
  if (recent.size() < 2) return Trend::stable;
  const std::size_t half = recent.size() / 2;
  double older = 0, newer = 0;
  for (std::size_t i = 0; i < half; ++i) older += recent[i];
  for (std::size_t i = recent.size() - half; i < recent.size(); ++i) newer += recent[i];
  older /= static_cast<double>(half);
  newer /= static_cast<double>(half);
  if (newer > older * (1 + tolerance)) return Trend::worsening;
  if (newer < older * (1 - tolerance)) return Trend::improving;
  return Trend::stable;
}

}  // namespace hs::bottleneck
