#include "alerts/state_persistence.h"

#include <boost/json.hpp>

#include "alerts/alert_json.h"
#include "bottleneck/bottleneck_json.h"
#include "bottleneck/strict_json.h"

namespace hs::alerts {
namespace json = boost::json;
using storage::AlertCollection;

namespace {
constexpr std::string_view kThresholdsId = "bottleneck_thresholds";

std::int64_t int_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->get_int64() : 0;
}

std::string text_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Parses every document of a collection with `decode`; what fails is counted, not fatal.
template <typename T, typename Decode>
Status load_all(storage::AlertStore& store, AlertCollection c, std::vector<T>& out, std::size_t& skipped,
                Decode decode) {
  auto docs = store.load(c);
  if (!docs.ok()) return docs.status();
  for (const auto& d : *docs) {
    auto v = strict_json::parse(d.body);
    std::optional<T> item;
    if (v.ok() && v->is_object()) item = decode(v->get_object());
    if (item) {
      out.push_back(std::move(*item));
    } else {
      ++skipped;
    }
  }
  return {};
}
}  // namespace

Result<LoadedState> StatePersistence::load() {
  LoadedState s;
  Status st = load_all(store_, AlertCollection::rules, s.rules, s.skipped, [](const json::object& o) -> std::optional<AlertRule> {
    auto r = rule_from_json(o);
    if (!r.ok()) return std::nullopt;
    r->id = text_field(o, "id");
    const json::value* b = o.if_contains("builtin");
    r->builtin = b != nullptr && b->is_bool() && b->get_bool();
    r->created_ms = int_field(o, "created_ms");
    r->updated_ms = int_field(o, "updated_ms");
    return *r;
  });
  if (!st.ok()) return st;
  st = load_all(store_, AlertCollection::channels, s.channels, s.skipped,
                [](const json::object& o) -> std::optional<notify::Channel> {
                  auto c = notify::channel_from_json(o);
                  if (!c.ok()) return std::nullopt;
                  c->id = text_field(o, "id");
                  return *c;
                });
  if (!st.ok()) return st;
  st = load_all(store_, AlertCollection::alerts, s.alerts, s.skipped, [](const json::object& o) -> std::optional<Alert> {
    auto a = alert_from_json(o);
    return a.ok() ? std::optional<Alert>(std::move(*a)) : std::nullopt;
  });
  if (!st.ok()) return st;
  st = load_all(store_, AlertCollection::bottlenecks, s.bottlenecks, s.skipped,
                [](const json::object& o) -> std::optional<bottleneck::Bottleneck> {
                  auto b = bottleneck::bottleneck_from_json(o);
                  return b.ok() ? std::optional<bottleneck::Bottleneck>(std::move(*b)) : std::nullopt;
                });
  if (!st.ok()) return st;
  std::vector<bottleneck::Thresholds> thresholds;
  st = load_all(store_, AlertCollection::settings, thresholds, s.skipped,
                [](const json::object& o) -> std::optional<bottleneck::Thresholds> {
                  auto t = bottleneck::apply_json(bottleneck::Thresholds{}, o);
                  return t.ok() ? std::optional<bottleneck::Thresholds>(*t) : std::nullopt;
                });
  if (!st.ok()) return st;
  if (!thresholds.empty()) s.thresholds = thresholds.back();
  return s;
}

Status StatePersistence::save_rule(const AlertRule& r) {
  return store_.put(AlertCollection::rules, r.id, json::serialize(to_json(r)), clock_.now_ms());
}
Status StatePersistence::remove_rule(const std::string& id) { return store_.remove(AlertCollection::rules, id); }

Status StatePersistence::save_channel(const notify::Channel& c) {
  return store_.put(AlertCollection::channels, c.id, json::serialize(notify::to_json(c, true)), clock_.now_ms());
}
Status StatePersistence::remove_channel(const std::string& id) { return store_.remove(AlertCollection::channels, id); }

Status StatePersistence::save_alert(const Alert& a) {
  return store_.put(AlertCollection::alerts, a.id, json::serialize(to_json(a)), clock_.now_ms());
}
Status StatePersistence::remove_alert(const std::string& id) { return store_.remove(AlertCollection::alerts, id); }

Status StatePersistence::save(const bottleneck::Bottleneck& b) {
  return store_.put(AlertCollection::bottlenecks, b.id, json::serialize(bottleneck::to_json(b)), clock_.now_ms());
}
Status StatePersistence::remove(const std::string& id) { return store_.remove(AlertCollection::bottlenecks, id); }

Status StatePersistence::save_thresholds(const bottleneck::Thresholds& t) {
  return store_.put(AlertCollection::settings, kThresholdsId, json::serialize(bottleneck::to_json(t)), clock_.now_ms());
}

}  // namespace hs::alerts
