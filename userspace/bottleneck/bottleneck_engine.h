// The bottleneck engine: each evaluation window's findings become bottlenecks with a
// stable id, a score, evidence, a trend and a status people can change. Plain C++,
// single-threaded (the daemon calls it from its one executor), driven by an injectable clock.
//
// Lifecycle: a new finding opens a bottleneck; while it keeps being detected it stays
// (open or investigating) and its evidence follows the data; once undetected for
// resolve_hold_ms it is resolved by the engine; detected again after being resolved
// (by the engine or by someone) it reopens. Ignored bottlenecks are tracked silently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "bottleneck/bottleneck.h"
#include "bottleneck/detectors.h"
#include "bottleneck/engine_error.h"
#include "bottleneck/layer_metrics.h"
#include "bottleneck/thresholds.h"
#include "common/clock.h"
#include "common/status.h"

namespace hs::bottleneck {

struct BottleneckSettings {
  std::int64_t resolve_hold_ms = 60'000;  // undetected this long: resolved by the engine
  std::size_t max_bottlenecks = 500;      // kept in memory and in the store; resolved/ignored evicted first
  std::size_t max_history = 50;           // status changes kept per bottleneck
  std::size_t trend_window = 6;           // recent values the trend is computed from
  std::size_t max_note_bytes = 4096;
};

enum class EventKind { opened, reopened, resolved, ignored };
std::string_view event_kind_name(EventKind k);

struct BottleneckEvent {
  EventKind kind = EventKind::opened;
  Bottleneck bottleneck;  // as it is after the change
};

// Where bottlenecks and thresholds are kept across restarts. save() must be durable
// when it returns.
class BottleneckStore {
 public:
  virtual ~BottleneckStore() = default;
  virtual Status save(const Bottleneck& b) = 0;
  virtual Status remove(const std::string& id) = 0;
  virtual Status save_thresholds(const Thresholds& t) = 0;
};

struct BottleneckFilter {
  std::optional<Layer> layer;
  std::optional<BottleneckStatus> status;
  std::optional<Severity> severity;
  std::size_t limit = 100, offset = 0;
};

struct BottleneckPage {
  std::vector<Bottleneck> bottlenecks;  // highest score first, then most recently seen
  std::size_t total = 0;                // matching the filter, before limit/offset
};

struct BottleneckCounters {
  std::uint64_t evaluations = 0;
  std::uint64_t findings_dropped = 0;  // new findings refused because max_bottlenecks were all active
  std::uint64_t evicted = 0;
  std::uint64_t store_errors = 0;      // failed saves during evaluation (API calls return theirs)
};

class BottleneckEngine {
 public:
  explicit BottleneckEngine(const Clock& clock, Thresholds thresholds = {}, BottleneckSettings settings = {});

  // Optional: persistence (not owned; must outlive the engine).
  void set_store(BottleneckStore* store) { store_ = store; }
  // Receives every event as evaluate() produces it, and the events of status changes.
  void set_listener(std::function<void(const BottleneckEvent&)> f) { listener_ = std::move(f); }
  // At start: what the store held (bottlenecks past max_bottlenecks are dropped).
  void restore(std::vector<Bottleneck> saved);

  // One evaluation window. Returns the events it caused (also given to the listener).
  std::vector<BottleneckEvent> evaluate(const MetricsSnapshot& m);

  // PUT bottlenecks/:id/status. Errors: invalid (field "status"/"notes"), not_found, unavailable (store).
  Outcome<Bottleneck> set_status(const std::string& id, std::string_view status, std::string_view notes,
                                 std::string_view by = "api");
  std::optional<Bottleneck> get(const std::string& id) const;
  BottleneckPage list(const BottleneckFilter& f) const;

  const Thresholds& thresholds() const { return thresholds_; }
  // PUT bottlenecks/thresholds: a partial JSON update, saved before it applies.
  Outcome<Thresholds> update_thresholds(const boost::json::value& body);
  void set_thresholds(const Thresholds& t) { thresholds_ = t; }  // at start, from config or store
  const BottleneckSettings& settings() const { return settings_; }
  const BottleneckCounters& counters() const { return counters_; }
  std::size_t size() const { return items_.size(); }

 private:
  void apply_finding(Finding& f, std::int64_t now, std::vector<BottleneckEvent>& events);
  Bottleneck* make_room_and_insert(const std::string& id);
  void change_status(Bottleneck& b, BottleneckStatus to, std::string by, std::string note, std::int64_t now);
  void save(const Bottleneck& b);
  void emit(EventKind kind, const Bottleneck& b, std::vector<BottleneckEvent>* events);

  const Clock& clock_;
  Thresholds thresholds_;
  BottleneckSettings settings_;
  BottleneckStore* store_ = nullptr;
  std::function<void(const BottleneckEvent&)> listener_;
  std::map<std::string, Bottleneck> items_;
  BottleneckCounters counters_;
};

}  // namespace hs::bottleneck
