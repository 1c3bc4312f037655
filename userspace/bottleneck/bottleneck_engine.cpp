#include "bottleneck/bottleneck_engine.h"

#include <algorithm>
#include <set>

namespace hs::bottleneck {

std::string_view event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::opened: return "opened";
    case EventKind::reopened: return "reopened";
    case EventKind::resolved: return "resolved";
    case EventKind::ignored: return "ignored";
  }
  return "opened";
}

BottleneckEngine::BottleneckEngine(const Clock& clock, Thresholds thresholds, BottleneckSettings settings)
    : clock_(clock), thresholds_(thresholds), settings_(settings) {}

void BottleneckEngine::restore(std::vector<Bottleneck> saved) {
  for (auto& b : saved) {
    if (items_.size() >= settings_.max_bottlenecks) break;
    std::string id = b.id;
    items_[id] = std::move(b);
  }
}

void BottleneckEngine::save(const Bottleneck& b) {
  if (store_ != nullptr && !store_->save(b).ok()) ++counters_.store_errors;
}

void BottleneckEngine::emit(EventKind kind, const Bottleneck& b, std::vector<BottleneckEvent>* events) {
  BottleneckEvent e{kind, b};
  if (listener_) listener_(e);
  if (events != nullptr) events->push_back(std::move(e));
}

void BottleneckEngine::change_status(Bottleneck& b, BottleneckStatus to, std::string by, std::string note, std::int64_t now) {
  b.history.push_back({now, b.status, to, std::move(by), note});
  if (b.history.size() > settings_.max_history) {
    b.history.erase(b.history.begin(), b.history.begin() + static_cast<std::ptrdiff_t>(b.history.size() - settings_.max_history));
  }
  b.status = to;
  if (!note.empty()) b.notes = std::move(note);
  b.resolved_ms = to == BottleneckStatus::resolved ? now : 0;
}

Bottleneck* BottleneckEngine::make_room_and_insert(const std::string& id) {
  if (items_.size() >= settings_.max_bottlenecks) {
    // Evict the longest-unseen resolved or ignored one; active ones are never pushed out.
    auto victim = items_.end();
    for (auto it = items_.begin(); it != items_.end(); ++it) {
      const BottleneckStatus s = it->second.status;
      if (s != BottleneckStatus::resolved && s != BottleneckStatus::ignored) continue;
      if (victim == items_.end() || it->second.last_seen_ms < victim->second.last_seen_ms) victim = it;
    }
    if (victim == items_.end()) {
      ++counters_.findings_dropped;
      return nullptr;
    }
    if (store_ != nullptr && !store_->remove(victim->first).ok()) ++counters_.store_errors;
    items_.erase(victim);
    ++counters_.evicted;
  }
  return &items_[id];
}

void BottleneckEngine::apply_finding(Finding& f, std::int64_t now, std::vector<BottleneckEvent>& events) {
  const std::string id = bottleneck_id(f.layer, f.kind, f.subject);
  auto it = items_.find(id);
  const bool is_new = it == items_.end();
  Bottleneck* b = is_new ? make_room_and_insert(id) : &it->second;
  if (b == nullptr) return;
  if (is_new) {
    b->id = id;
    b->layer = f.layer;
    b->kind = f.kind;
    b->subject = f.subject;
    b->first_seen_ms = now;
    b->status = BottleneckStatus::open;
  }
  const double ratio = f.evidence[0].threshold > 0 ? f.evidence[0].value / f.evidence[0].threshold : 1;
  b->title = std::move(f.title);
  b->score = severity_score(ratio, f.weight);
  b->severity = severity_for_score(b->score);
  b->evidence = std::move(f.evidence);
  b->processes = std::move(f.processes);
  b->endpoints = std::move(f.endpoints);
  b->queries = std::move(f.queries);
  b->remotes = std::move(f.remotes);
  b->last_seen_ms = now;
  ++b->occurrences;
  b->recent.push_back(b->evidence[0].value);
  if (b->recent.size() > settings_.trend_window) b->recent.erase(b->recent.begin());
  b->trend = trend_of(b->recent);

  if (is_new) {
    save(*b);
    emit(EventKind::opened, *b, &events);
  } else if (b->status == BottleneckStatus::resolved) {
    change_status(*b, BottleneckStatus::open, "engine", "detected again", now);
    save(*b);
    emit(EventKind::reopened, *b, &events);
  }
}

std::vector<BottleneckEvent> BottleneckEngine::evaluate(const MetricsSnapshot& m) {
  const std::int64_t now = clock_.now_ms();
  ++counters_.evaluations;
  std::vector<BottleneckEvent> events;
  std::vector<Finding> findings = detect(m, thresholds_);
  std::set<std::string> seen;
  for (auto& f : findings) {
    seen.insert(bottleneck_id(f.layer, f.kind, f.subject));
    apply_finding(f, now, events);
  }
  for (auto& [id, b] : items_) {
    if (seen.contains(id)) continue;
    const bool active = b.status == BottleneckStatus::open || b.status == BottleneckStatus::investigating;
    if (active && now - b.last_seen_ms >= settings_.resolve_hold_ms) {
      change_status(b, BottleneckStatus::resolved, "engine", "no longer detected", now);
      save(b);
      emit(EventKind::resolved, b, &events);
    }
  }
  return events;
}

Outcome<Bottleneck> BottleneckEngine::set_status(const std::string& id, std::string_view status,
                                                 std::string_view notes, std::string_view by) {
  const auto to = parse_status(status);
  if (!to) return EngineError::invalid("status", "must be one of open, investigating, resolved, ignored");
  if (notes.size() > settings_.max_note_bytes) {
    return EngineError::invalid("notes", "must be at most " + std::to_string(settings_.max_note_bytes) + " bytes");
  }
  auto it = items_.find(id);
  if (it == items_.end()) return EngineError::not_found("no bottleneck " + id);
  // Saved before it applies: an answered change is a durable one.
  Bottleneck next = it->second;
  const BottleneckStatus from = next.status;
  change_status(next, *to, std::string(by), std::string(notes), clock_.now_ms());
  if (store_ != nullptr) {
    if (Status s = store_->save(next); !s.ok()) return EngineError::unavailable("state not saved: " + s.text());
  }
  it->second = std::move(next);
  if (*to != from && *to == BottleneckStatus::ignored) emit(EventKind::ignored, it->second, nullptr);
  if (*to != from && *to == BottleneckStatus::resolved) emit(EventKind::resolved, it->second, nullptr);
  return it->second;
}

std::optional<Bottleneck> BottleneckEngine::get(const std::string& id) const {
  auto it = items_.find(id);
  if (it == items_.end()) return std::nullopt;
  return it->second;
}

BottleneckPage BottleneckEngine::list(const BottleneckFilter& f) const {
  std::vector<const Bottleneck*> match;
  for (const auto& [id, b] : items_) {
    if (f.layer && b.layer != *f.layer) continue;
    if (f.status && b.status != *f.status) continue;
    if (f.severity && b.severity != *f.severity) continue;
    match.push_back(&b);
  }
  std::sort(match.begin(), match.end(), [](const Bottleneck* a, const Bottleneck* b) {
    if (a->score != b->score) return a->score > b->score;
    if (a->last_seen_ms != b->last_seen_ms) return a->last_seen_ms > b->last_seen_ms;
    return a->id < b->id;
  });
  BottleneckPage page;
  page.total = match.size();
  for (std::size_t i = f.offset; i < match.size() && page.bottlenecks.size() < f.limit; ++i) {
    page.bottlenecks.push_back(*match[i]);
  }
  return page;
}

Outcome<Thresholds> BottleneckEngine::update_thresholds(const boost::json::value& body) {
  auto next = apply_json(thresholds_, body);
  if (!next.ok()) return next;
  if (store_ != nullptr) {
    if (Status s = store_->save_thresholds(*next); !s.ok()) {
      return EngineError::unavailable("thresholds not saved: " + s.text());
    }
  }
  thresholds_ = *next;
  return next;
}

}  // namespace hs::bottleneck
