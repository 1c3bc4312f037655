// One detected bottleneck and the vocabulary around it (layers, statuses, trends).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bottleneck/severity.h"

namespace hs::bottleneck {

enum class Layer { syscall, network, database, http, system, frontend };
enum class BottleneckStatus { open, investigating, resolved, ignored };
enum class Trend { worsening, stable, improving };

std::string_view layer_name(Layer l);
std::optional<Layer> parse_layer(std::string_view s);
std::string_view status_name(BottleneckStatus s);
std::optional<BottleneckStatus> parse_status(std::string_view s);
std::string_view trend_name(Trend t);
std::optional<Trend> parse_trend(std::string_view s);

// The numbers behind a finding: what was measured against what limit.
struct Evidence {
  std::string metric;  // "p95_ms", "connect_failure_ratio", ...
  double value = 0;
  double threshold = 0;  // 0 when the number is context, not a limit
  std::string unit;      // ms | ratio | per_s | percent | count
  bool operator==(const Evidence&) const = default;
};

struct StatusChange {
  std::int64_t ts_ms = 0;
  BottleneckStatus from = BottleneckStatus::open, to = BottleneckStatus::open;
  std::string by;    // "engine" for automatic changes, else "api"
  std::string note;
};

struct Bottleneck {
  std::string id;       // stable: derived from layer, kind and subject
  Layer layer = Layer::system;
  std::string kind;     // "http_latency", "fsync_latency", ...
  std::string subject;  // what it is about: "server GET /checkout", "10.0.0.5:5432", "host"
  std::string title;
  int score = 0;        // 1..100, higher first
  Severity severity = Severity::low;
  std::vector<Evidence> evidence;  // the first one triggered it
  std::vector<std::string> processes, endpoints, queries, remotes;
  std::int64_t first_seen_ms = 0, last_seen_ms = 0, resolved_ms = 0;
  std::uint64_t occurrences = 0;  // evaluations that detected it
  Trend trend = Trend::stable;
  std::vector<double> recent;     // the triggering value at recent detections, oldest first
  BottleneckStatus status = BottleneckStatus::open;
  std::string notes;              // the latest note given with a status change
  std::vector<StatusChange> history;
};

// "bn-" + 16 hex digits of a hash of layer, kind and subject.
std::string bottleneck_id(Layer layer, std::string_view kind, std::string_view subject);
// 1..100 from how far the value is past its limit (ratio = value / threshold >= 1) and a per-kind weight.
int severity_score(double ratio, double weight);
Severity severity_for_score(int score);
// Newer half of `recent` against the older half: +/- `tolerance` (relative) is stable.
Trend trend_of(const std::vector<double>& recent, double tolerance = 0.1);

}  // namespace hs::bottleneck
