// Rules, channels and the alert lifecycle; evaluation lives in alert_evaluation.cpp.
#include "alerts/alert_engine.h"

#include <algorithm>
#include <cstdlib>

#include "alerts/builtin_rules.h"

namespace hs::alerts {

namespace {
std::uint64_t number_after(const std::string& id, std::string_view prefix) {
  if (id.compare(0, prefix.size(), prefix) != 0) return 0;
  return std::strtoull(id.c_str() + prefix.size(), nullptr, 10);
}

bool uses_channel(const AlertRule& r, const std::string& id) {
  if (std::find(r.channels.begin(), r.channels.end(), id) != r.channels.end()) return true;
  for (const auto& step : r.escalation) {
    if (std::find(step.channels.begin(), step.channels.end(), id) != step.channels.end()) return true;
  }
  return false;
}

EngineError not_saved(const Status& s) { return EngineError::unavailable("not saved: " + s.text()); }
}  // namespace

AlertEngine::AlertEngine(const Clock& clock, notify::Dispatcher* dispatcher, AlertSettings settings)
    : clock_(clock), dispatcher_(dispatcher), settings_(std::move(settings)) {}

void AlertEngine::set_persistence(AlertPersistence* p) {
  std::lock_guard<std::mutex> g(mu_);
  store_ = p;
}

void AlertEngine::set_listener(std::function<void(std::string_view, const Alert&)> f) {
  std::lock_guard<std::mutex> g(mu_);
  listener_ = std::move(f);
}

std::string AlertEngine::state_key(const std::string& rule_id, const std::string& subject) {
  return rule_id + '\x1f' + subject;
}

void AlertEngine::restore(std::vector<AlertRule> rules, std::vector<notify::Channel> channels,
                          std::vector<Alert> alerts) {
  std::lock_guard<std::mutex> g(mu_);
  for (auto& r : rules) {
    next_rule_ = std::max(next_rule_, number_after(r.id, "rule-") + 1);
    rules_[r.id] = std::move(r);
  }
  for (auto& c : channels) {
    next_channel_ = std::max(next_channel_, number_after(c.id, "ch-") + 1);
    channels_[c.id] = std::move(c);
  }
  for (auto& a : alerts) {
    next_alert_ = std::max(next_alert_, number_after(a.id, "al-") + 1);
    // Open rule alerts keep deduplicating: the condition is assumed to hold until an evaluation says otherwise.
    if (is_open(a.status) && a.source == "rule") states_[state_key(a.rule_id, a.subject)].alert_id = a.id;
    alerts_[a.id] = std::move(a);
  }
}

void AlertEngine::sync_builtin_rules(const bottleneck::Thresholds& t) {
  std::lock_guard<std::mutex> g(mu_);
  const std::int64_t now = clock_.now_ms();
  for (AlertRule& b : builtin_rules(t)) {
    auto it = rules_.find(b.id);
    if (it == rules_.end()) {
      b.created_ms = b.updated_ms = now;
      if (store_ != nullptr && !store_->save_rule(b).ok()) ++counters_.store_errors;
      rules_[b.id] = std::move(b);
    } else if (it->second.condition.value != b.condition.value) {
      it->second.condition.value = b.condition.value;  // the rest is the user's to change
      it->second.updated_ms = now;
      if (store_ != nullptr && !store_->save_rule(it->second).ok()) ++counters_.store_errors;
    }
  }
}

std::optional<EngineError> AlertEngine::check_channels(const AlertRule& r) const {
  for (std::size_t i = 0; i < r.channels.size(); ++i) {
    if (!channels_.contains(r.channels[i])) {
      return EngineError::invalid("channels[" + std::to_string(i) + "]", "unknown channel \"" + r.channels[i] + "\"");
    }
  }
  for (std::size_t s = 0; s < r.escalation.size(); ++s) {
    for (std::size_t i = 0; i < r.escalation[s].channels.size(); ++i) {
      const std::string& id = r.escalation[s].channels[i];
      if (!channels_.contains(id)) {
        return EngineError::invalid("escalation[" + std::to_string(s) + "].channels[" + std::to_string(i) + "]",
                                    "unknown channel \"" + id + "\"");
      }
    }
  }
  return std::nullopt;
}

Outcome<AlertRule> AlertEngine::create_rule(AlertRule r) {
  if (auto e = validate_rule(r)) return *e;
  std::lock_guard<std::mutex> g(mu_);
  if (auto e = check_channels(r)) return *e;
  if (rules_.size() >= settings_.max_rules) {
    return EngineError::conflict("at most " + std::to_string(settings_.max_rules) + " rules");
  }
  r.id = "rule-" + std::to_string(next_rule_);
  r.builtin = false;
  r.created_ms = r.updated_ms = clock_.now_ms();
  if (store_ != nullptr) {
    if (Status s = store_->save_rule(r); !s.ok()) return not_saved(s);
  }
  ++next_rule_;
  rules_[r.id] = r;
  return r;
}

Outcome<AlertRule> AlertEngine::update_rule(const std::string& id, AlertRule r) {
  if (auto e = validate_rule(r)) return *e;
  std::lock_guard<std::mutex> g(mu_);
  auto it = rules_.find(id);
  if (it == rules_.end()) return EngineError::not_found("no rule " + id);
  if (auto e = check_channels(r)) return *e;
  const AlertRule& old = it->second;
  r.id = id;
  r.builtin = old.builtin;
  r.created_ms = old.created_ms;
  r.updated_ms = clock_.now_ms();
  if (old.builtin) {  // what it measures follows the thresholds; how it alerts is the user's
    r.name = old.name;
    r.selector = old.selector;
    r.condition = old.condition;
  }
  if (store_ != nullptr) {
    if (Status s = store_->save_rule(r); !s.ok()) return not_saved(s);
  }
  const bool measures_differently = r.selector != old.selector || r.condition != old.condition;
  const std::int64_t now = r.updated_ms;
  if (measures_differently || !r.enabled) {
    for (auto st = states_.begin(); st != states_.end();) {
      if (st->first.compare(0, id.size() + 1, id + '\x1f') != 0) {
        ++st;
        continue;
      }
      auto a = alerts_.find(st->second.alert_id);
      if (a != alerts_.end() && is_open(a->second.status)) {
        end_alert(a->second, AlertStatus::resolved, "engine", r.enabled ? "rule changed" : "rule disabled", now);
      }
      st = states_.erase(st);
    }
  }
  it->second = r;
  return r;
}

Outcome<AlertRule> AlertEngine::delete_rule(const std::string& id) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = rules_.find(id);
  if (it == rules_.end()) return EngineError::not_found("no rule " + id);
  if (it->second.builtin) return EngineError::conflict("built-in rule " + id + " can be disabled, not deleted");
  if (store_ != nullptr) {
    if (Status s = store_->remove_rule(id); !s.ok()) return not_saved(s);
  }
  const std::int64_t now = clock_.now_ms();
  for (auto st = states_.begin(); st != states_.end();) {
    if (st->first.compare(0, id.size() + 1, id + '\x1f') != 0) {
      ++st;
      continue;
    }
    auto a = alerts_.find(st->second.alert_id);
    if (a != alerts_.end() && is_open(a->second.status)) {
      end_alert(a->second, AlertStatus::resolved, "engine", "rule deleted", now);
    }
    st = states_.erase(st);
  }
  AlertRule gone = std::move(it->second);
  rules_.erase(it);
  return gone;
}

std::vector<AlertRule> AlertEngine::rules() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<AlertRule> out;
  for (const auto& [id, r] : rules_) out.push_back(r);
  return out;
}

std::optional<AlertRule> AlertEngine::rule(const std::string& id) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = rules_.find(id);
  if (it == rules_.end()) return std::nullopt;
  return it->second;
}

Outcome<notify::Channel> AlertEngine::create_channel(notify::Channel c) {
  std::lock_guard<std::mutex> g(mu_);
  if (channels_.size() >= settings_.max_channels) {
    return EngineError::conflict("at most " + std::to_string(settings_.max_channels) + " channels");
  }
  c.id = "ch-" + std::to_string(next_channel_);
  if (store_ != nullptr) {
    if (Status s = store_->save_channel(c); !s.ok()) return not_saved(s);
  }
  ++next_channel_;
  channels_[c.id] = c;
  return c;
}

Outcome<notify::Channel> AlertEngine::update_channel(const std::string& id, notify::Channel c) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = channels_.find(id);
  if (it == channels_.end()) return EngineError::not_found("no channel " + id);
  c.id = id;
  // Secrets are never shown back, so a client that PUTs what it GOT must not erase them.
  if (c.secret.empty() && c.kind == it->second.kind) c.secret = it->second.secret;
  if (c.smtp.password.empty() && c.kind == it->second.kind) c.smtp.password = it->second.smtp.password;
  if (store_ != nullptr) {
    if (Status s = store_->save_channel(c); !s.ok()) return not_saved(s);
  }
  it->second = c;
  return c;
}

Outcome<notify::Channel> AlertEngine::delete_channel(const std::string& id) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = channels_.find(id);
  if (it == channels_.end()) return EngineError::not_found("no channel " + id);
  for (const auto& [rid, r] : rules_) {
    if (uses_channel(r, id)) return EngineError::conflict("channel " + id + " is used by rule " + rid);
  }
  if (store_ != nullptr) {
    if (Status s = store_->remove_channel(id); !s.ok()) return not_saved(s);
  }
  notify::Channel gone = std::move(it->second);
  channels_.erase(it);
  return gone;
}

std::vector<notify::Channel> AlertEngine::channels() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<notify::Channel> out;
  for (const auto& [id, c] : channels_) out.push_back(c);
  return out;
}

std::optional<notify::Channel> AlertEngine::channel(const std::string& id) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = channels_.find(id);
  if (it == channels_.end()) return std::nullopt;
  return it->second;
}

Outcome<Alert> AlertEngine::create_custom(const CustomAlertRequest& req) {
  std::lock_guard<std::mutex> g(mu_);
  if (!make_room()) return EngineError::unavailable("too many open alerts");
  const std::int64_t now = clock_.now_ms();
  Alert a;
  a.id = "al-" + std::to_string(next_alert_);
  a.source = req.source;
  a.title = req.title;
  a.message = req.message;
  a.severity = req.severity;
  a.labels = req.labels;
  a.created_ms = a.updated_ms = a.last_seen_ms = now;
  add_history(a, "raised", AlertStatus::active, "api", "", now);
  if (store_ != nullptr) {
    if (Status s = store_->save_alert(a); !s.ok()) return not_saved(s);
  }
  Alert* stored = raise(std::move(a), settings_.default_channels, now);
  return *stored;
}

Outcome<Alert> AlertEngine::transition(const std::string& id, AlertStatus to, const std::string& by,
                                       const std::string& text) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = alerts_.find(id);
  if (it == alerts_.end()) return EngineError::not_found("no alert " + id);
  const Alert& cur = it->second;
  const std::string now_is = "alert " + id + " is " + std::string(alert_status_name(cur.status));
  if (to == AlertStatus::acknowledged && cur.status == AlertStatus::acknowledged) {
    return EngineError::conflict(now_is + " (by " + cur.acknowledged_by + ")");
  }
  if (to == AlertStatus::acknowledged && cur.status != AlertStatus::active) {
    return EngineError::conflict(now_is + "; only an active alert can be acknowledged");
  }
  if (!is_open(cur.status)) {
    return EngineError::conflict(now_is + "; only an active or acknowledged alert can be " +
                                 std::string(alert_status_name(to)));
  }
  const std::int64_t now = clock_.now_ms();
  Alert next = cur;
  if (to == AlertStatus::acknowledged) {
    next.acknowledged_by = text;
    next.acknowledged_ms = now;
    next.updated_ms = now;
    add_history(next, "acknowledged", to, text, "", now);
    next.status = to;
  } else {
    // end_alert() saves and notifies; a copy first proves the save works before anything changes.
    Alert probe = next;
    probe.status = to;
    if (store_ != nullptr) {
      if (Status s = store_->save_alert(probe); !s.ok()) return not_saved(s);
    }
    end_alert(it->second, to, by, text, now);
    return it->second;
  }
  if (store_ != nullptr) {
    if (Status s = store_->save_alert(next); !s.ok()) return not_saved(s);
  }
  it->second = std::move(next);
  changed("acknowledged", it->second);
  return it->second;
}

Outcome<Alert> AlertEngine::acknowledge(const std::string& id, const std::string& user) {
  if (user.empty()) return EngineError::invalid("user", "must not be empty");
  return transition(id, AlertStatus::acknowledged, user, user);
}

Outcome<Alert> AlertEngine::resolve(const std::string& id, const std::string& notes) {
  return transition(id, AlertStatus::resolved, "api", notes);
}

Outcome<Alert> AlertEngine::dismiss(const std::string& id, const std::string& reason) {
  return transition(id, AlertStatus::dismissed, "api", reason);
}

AlertPage AlertEngine::list(const AlertFilter& f) const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<const Alert*> match;
  for (const auto& [id, a] : alerts_) {
    if (f.status && a.status != *f.status) continue;
    if (f.severity && a.severity != *f.severity) continue;
    if (f.source && a.source != *f.source) continue;
    if (f.rule_id && a.rule_id != *f.rule_id) continue;
    match.push_back(&a);
  }
  std::sort(match.begin(), match.end(), [](const Alert* x, const Alert* y) {
    if (is_open(x->status) != is_open(y->status)) return is_open(x->status);
    if (x->severity != y->severity) return x->severity > y->severity;
    if (x->created_ms != y->created_ms) return x->created_ms > y->created_ms;
    return number_after(x->id, "al-") > number_after(y->id, "al-");
  });
  AlertPage page;
  page.total = match.size();
  for (std::size_t i = f.offset; i < match.size() && page.alerts.size() < f.limit; ++i) page.alerts.push_back(*match[i]);
  return page;
}

std::optional<Alert> AlertEngine::get(const std::string& id) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = alerts_.find(id);
  if (it == alerts_.end()) return std::nullopt;
  return it->second;
}

std::array<std::size_t, 4> AlertEngine::open_by_severity() const {
  std::lock_guard<std::mutex> g(mu_);
  std::array<std::size_t, 4> counts{};
  for (const auto& [id, a] : alerts_) {
    if (is_open(a.status)) ++counts[static_cast<std::size_t>(a.severity)];
  }
  return counts;
}

AlertCounters AlertEngine::counters() const {
  std::lock_guard<std::mutex> g(mu_);
  return counters_;
}

}  // namespace hs::alerts
