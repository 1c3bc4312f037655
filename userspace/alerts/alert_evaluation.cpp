// Raising, ending, escalating and notifying: the engine-driven half of AlertEngine.
#include <algorithm>
#include <cstdio>

#include "alerts/alert_engine.h"
#include "alerts/metric_source.h"

namespace hs::alerts {

namespace {
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

std::string describe(const AlertRule& r, double value) {
  const MetricInfo* m = find_metric(r.selector.layer, r.selector.metric);
  std::string what = r.selector.metric;
  if (r.condition.type == ConditionType::percentile) what = "p" + std::to_string(r.condition.percentile) + " " + what;
  if (r.condition.type == ConditionType::rate) what += " per second";
  const std::string unit = (m != nullptr && m->unit == "ms") ? " ms" : "";
  std::string text = what + " " + num(value) + unit + " " + std::string(comparison_symbol(r.condition.op)) + " " +
                     num(r.condition.value) + unit;
  if (r.for_s > 0) text += " for " + std::to_string(r.for_s) + " s";
  return text;
}
}  // namespace

void AlertEngine::add_history(Alert& a, std::string action, AlertStatus to, std::string by, std::string note,
                              std::int64_t now) {
  a.history.push_back({now, std::move(action), a.status, to, std::move(by), std::move(note)});
  if (a.history.size() > settings_.max_history_per_alert) a.history.erase(a.history.begin());
}

void AlertEngine::save(const Alert& a) {
  if (store_ != nullptr && !store_->save_alert(a).ok()) ++counters_.store_errors;
}

void AlertEngine::changed(std::string_view event, const Alert& a) {
  if (listener_) listener_(event, a);
}

bool AlertEngine::make_room() {
  if (alerts_.size() < settings_.max_alerts) return true;
  auto victim = alerts_.end();
  for (auto it = alerts_.begin(); it != alerts_.end(); ++it) {
    if (is_open(it->second.status)) continue;
    if (victim == alerts_.end() || it->second.updated_ms < victim->second.updated_ms) victim = it;
  }
  if (victim == alerts_.end()) return false;
  if (store_ != nullptr && !store_->remove_alert(victim->first).ok()) ++counters_.store_errors;
  alerts_.erase(victim);
  return true;
}

void AlertEngine::notify(Alert& a, const std::vector<std::string>& channel_ids, std::string_view event,
                         std::int64_t now) {
  if (dispatcher_ == nullptr) return;
  const boost::json::object view = to_json(a);
  for (const auto& id : channel_ids) {
    auto ch = channels_.find(id);
    if (ch == channels_.end() || !ch->second.enabled) continue;
    notify::Notification n{std::string(event), a.id, a.title, a.message, std::string(severity_name(a.severity)),
                           std::string(alert_status_name(a.status)), a.source, now, view};
    if (!dispatcher_->enqueue(ch->second, std::move(n))) {
      ++counters_.notifications_refused;
      a.deliveries.push_back({a.id, id, ch->second.name, std::string(notify::channel_kind_name(ch->second.kind)),
                              std::string(event), 0, now, false, 0, "delivery queue full", false, 0});
    }
    if (std::find(a.channels.begin(), a.channels.end(), id) == a.channels.end()) a.channels.push_back(id);
  }
}

Alert* AlertEngine::raise(Alert a, const std::vector<std::string>& channels, std::int64_t now) {
  ++next_alert_;
  ++counters_.raised;
  Alert& stored = alerts_[a.id] = std::move(a);
  notify(stored, channels, "raised", now);
  save(stored);
  changed("raised", stored);
  return &stored;
}

void AlertEngine::end_alert(Alert& a, AlertStatus to, const std::string& by, const std::string& note,
                            std::int64_t now) {
  add_history(a, std::string(alert_status_name(to)), to, by, note, now);
  a.status = to;
  a.updated_ms = now;
  if (to == AlertStatus::resolved) {
    a.resolution_notes = note;
    a.resolved_ms = now;
    a.auto_resolved = by == "engine";
    if (a.auto_resolved) ++counters_.auto_resolved;
  } else {
    a.dismiss_reason = note;
    a.dismissed_ms = now;
  }
  auto st = states_.find(state_key(a.rule_id, a.subject));
  if (st != states_.end() && st->second.alert_id == a.id) {
    st->second.alert_id.clear();
    st->second.last_end_ms = now;
    st->second.suppressed = to == AlertStatus::dismissed && st->second.pending_since.has_value();
  }
  if (to == AlertStatus::resolved) notify(a, a.channels, "resolved", now);
  save(a);
  changed(alert_status_name(to), a);
}

void AlertEngine::clear_state(RuleState& st, std::int64_t now) {
  st.pending_since.reset();
  st.suppressed = false;
  auto a = alerts_.find(st.alert_id);
  if (a == alerts_.end() || !is_open(a->second.status)) return;
  auto rule = rules_.find(a->second.rule_id);
  if (rule != rules_.end() && !rule->second.auto_resolve) return;
  end_alert(a->second, AlertStatus::resolved, "engine", "condition cleared", now);
}

void AlertEngine::evaluate_rule(const AlertRule& r, const bottleneck::MetricsSnapshot& m, std::int64_t now) {
  const std::map<std::string, Observation> obs = observe(m, r);
  const std::string prefix = r.id + '\x1f';
  for (auto it = states_.lower_bound(prefix); it != states_.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
    RuleState& st = it->second;
    if (!obs.contains(it->first.substr(prefix.size()))) clear_state(st, now);
    const bool idle = !st.pending_since && st.alert_id.empty() &&
                      (st.last_end_ms == 0 || now - st.last_end_ms >= r.cooldown_s * 1000);
    it = idle && !obs.contains(it->first.substr(prefix.size())) ? states_.erase(it) : std::next(it);
  }
  for (const auto& [subject, o] : obs) {
    RuleState& st = states_[state_key(r.id, subject)];
    if (!condition_holds(r.condition, o.value)) {
      clear_state(st, now);
      continue;
    }
    if (!st.pending_since) st.pending_since = now;
    auto open = alerts_.find(st.alert_id);
    if (open != alerts_.end() && is_open(open->second.status)) {
      // Deduplicated: the open alert follows the data (kept in memory; saved with its next change).
      open->second.last_seen_ms = now;
      open->second.value = o.value;
      ++open->second.occurrences;
      continue;
    }
    if (st.suppressed || now - *st.pending_since < r.for_s * 1000) continue;
    if (st.last_end_ms != 0 && now - st.last_end_ms < r.cooldown_s * 1000) continue;
    if (!make_room()) {
      ++counters_.dropped;
      continue;
    }
    Alert a;
    a.id = "al-" + std::to_string(next_alert_);
    a.source = "rule";
    a.rule_id = r.id;
    a.subject = subject;
    a.title = r.name + ": " + subject;
    a.message = r.message.empty() ? describe(r, o.value) : r.message + " (" + describe(r, o.value) + ")";
    a.severity = r.severity;
    a.labels = {{"layer", std::string(bottleneck::layer_name(r.selector.layer))}, {"metric", r.selector.metric}};
    if (!o.processes.empty()) a.labels["process"] = o.processes.front();
    a.has_value = true;
    a.value = o.value;
    a.threshold = r.condition.value;
    a.created_ms = a.updated_ms = a.last_seen_ms = now;
    add_history(a, "raised", AlertStatus::active, "engine", describe(r, o.value), now);
    st.alert_id = a.id;
    raise(std::move(a), r.channels, now);
  }
}

const std::vector<EscalationStep>& AlertEngine::escalation_of(const Alert& a) const {
  if (a.source == "rule") {
    auto r = rules_.find(a.rule_id);
    static const std::vector<EscalationStep> kNone;
    return r == rules_.end() ? kNone : r->second.escalation;
  }
  return settings_.default_escalation;
}

void AlertEngine::escalate(std::int64_t now) {
  for (auto& [id, a] : alerts_) {
    if (a.status != AlertStatus::active) continue;
    const auto& steps = escalation_of(a);
    bool stepped = false;
    while (a.escalation_level < static_cast<int>(steps.size()) &&
           now - a.created_ms >= steps[static_cast<std::size_t>(a.escalation_level)].after_s * 1000) {
      const EscalationStep& step = steps[static_cast<std::size_t>(a.escalation_level)];
      ++a.escalation_level;
      a.updated_ms = now;
      add_history(a, "escalated", a.status, "engine",
                  "unacknowledged after " + std::to_string(step.after_s) + " s: level " +
                      std::to_string(a.escalation_level),
                  now);
      notify(a, step.channels, "escalated", now);
      ++counters_.escalations;
      stepped = true;
    }
    if (stepped) {
      save(a);
      changed("escalated", a);
    }
  }
}

void AlertEngine::evaluate(const bottleneck::MetricsSnapshot& m) {
  std::lock_guard<std::mutex> g(mu_);
  const std::int64_t now = clock_.now_ms();
  ++counters_.evaluations;
  for (const auto& [id, r] : rules_) {
    if (r.enabled) evaluate_rule(r, m, now);
  }
  escalate(now);
}

void AlertEngine::tick() {
  std::lock_guard<std::mutex> g(mu_);
  escalate(clock_.now_ms());
}

void AlertEngine::on_bottleneck(const bottleneck::BottleneckEvent& e) {
  std::lock_guard<std::mutex> g(mu_);
  if (!settings_.bottleneck_alerts) return;
  const bottleneck::Bottleneck& b = e.bottleneck;
  const std::int64_t now = clock_.now_ms();
  RuleState& st = states_[state_key(b.id, b.subject)];
  auto open = alerts_.find(st.alert_id);
  const bool has_open = open != alerts_.end() && is_open(open->second.status);
  using bottleneck::EventKind;
  if (e.kind == EventKind::resolved || e.kind == EventKind::ignored) {
    if (has_open) {
      const bool ignored = e.kind == EventKind::ignored;
      end_alert(open->second, ignored ? AlertStatus::dismissed : AlertStatus::resolved, "engine",
                ignored ? "bottleneck ignored" : "bottleneck resolved", now);
    }
    return;
  }
  if (has_open || b.severity < settings_.bottleneck_min_severity) return;
  if (!make_room()) {
    ++counters_.dropped;
    return;
  }
  Alert a;
  a.id = "al-" + std::to_string(next_alert_);
  a.source = "bottleneck";
  a.rule_id = b.id;
  a.subject = b.subject;
  a.title = b.title;
  a.message = std::string(bottleneck::layer_name(b.layer)) + " bottleneck " + b.kind + " (score " +
              std::to_string(b.score) + ")";
  a.severity = b.severity;
  a.labels = {{"layer", std::string(bottleneck::layer_name(b.layer))}, {"kind", b.kind}};
  if (!b.evidence.empty()) {
    a.has_value = true;
    a.value = b.evidence[0].value;
    a.threshold = b.evidence[0].threshold;
  }
  a.created_ms = a.updated_ms = a.last_seen_ms = now;
  add_history(a, "raised", AlertStatus::active, "engine", std::string(bottleneck::event_kind_name(e.kind)), now);
  st.alert_id = a.id;
  raise(std::move(a), settings_.default_channels, now);
}

void AlertEngine::record_delivery(const notify::DeliveryAttempt& d) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = alerts_.find(d.alert_id);
  if (it == alerts_.end()) return;
  Alert& a = it->second;
  a.deliveries.push_back(d);
  if (a.deliveries.size() > settings_.max_deliveries_per_alert) a.deliveries.erase(a.deliveries.begin());
  save(a);
  changed("delivery", a);
}

}  // namespace hs::alerts
