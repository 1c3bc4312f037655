#include "bottleneck/strict_json.h"

#include <boost/json.hpp>

#include <cmath>

namespace hs::strict_json {
namespace json = boost::json;

namespace {
constexpr std::size_t kMaxEchoedKey = 64;  // unknown keys are echoed back; keep that bounded

std::string echo(std::string_view key) {
  if (key.size() <= kMaxEchoedKey) return std::string(key);
  return std::string(key.substr(0, kMaxEchoedKey)) + "...";
}

std::string num_text(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<std::int64_t>(v));
  return std::to_string(v);
}
}  // namespace

Outcome<json::value> parse(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return EngineError::invalid("body", "invalid JSON: " + ec.message());
  return v;
}

std::string kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

ObjectReader::ObjectReader(const json::value& v, std::string path) : path_(std::move(path)) {
  if (v.is_object()) {
    obj_ = &v.get_object();
  } else {
    fail(path_.empty() ? "body" : path_, "must be an object, not " + kind_name(v));
  }
}

void ObjectReader::fail(std::string field, std::string message) {
  if (!error_) error_ = EngineError::invalid(std::move(field), std::move(message));
}

const json::value* ObjectReader::get(std::string_view key, bool required) {
  known_.insert(std::string(key));
  if (!ok() || obj_ == nullptr) return nullptr;
  const json::value* v = obj_->if_contains(key);
  if (v != nullptr && v->is_null()) v = nullptr;
  if (v == nullptr && required) fail(field(key), "is required");
  return v;
}

const json::value* ObjectReader::child(std::string_view key) { return get(key, false); }

bool ObjectReader::text(std::string_view key, std::string& out, std::size_t max_bytes, bool required) {
  const json::value* v = get(key, required);
  if (v == nullptr) return ok();
  if (!v->is_string()) {
    fail(field(key), "must be a string, not " + kind_name(*v));
  } else if (v->get_string().size() > max_bytes) {
    fail(field(key), "must be at most " + std::to_string(max_bytes) + " bytes");
  } else {
    out = std::string(v->get_string());
  }
  return ok();
}

bool ObjectReader::number(std::string_view key, double& out, double lo, double hi, bool required) {
  const json::value* v = get(key, required);
  if (v == nullptr) return ok();
  if (!v->is_number()) {
    fail(field(key), "must be a number, not " + kind_name(*v));
    return false;
  }
  const double d = v->to_number<double>();
  if (!std::isfinite(d) || d < lo || d > hi) {
    fail(field(key), "must be between " + num_text(lo) + " and " + num_text(hi));
  } else {
    out = d;
  }
  return ok();
}

bool ObjectReader::integer(std::string_view key, std::int64_t& out, std::int64_t lo, std::int64_t hi, bool required) {
  const json::value* v = get(key, required);
  if (v == nullptr) return ok();
  const std::string range = "must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi);
  if (v->is_int64()) {
    const std::int64_t i = v->get_int64();
    if (i < lo || i > hi) return fail(field(key), range), false;
    out = i;
  } else if (v->is_uint64()) {  // what a std::uint64_t becomes before serialisation
    const std::uint64_t u = v->get_uint64();
    if (u > static_cast<std::uint64_t>(hi) || static_cast<std::int64_t>(u) < lo) return fail(field(key), range), false;
    out = static_cast<std::int64_t>(u);
  } else {
    fail(field(key), range + ", not " + kind_name(*v));
  }
  return ok();
}

bool ObjectReader::boolean(std::string_view key, bool& out) {
  const json::value* v = get(key, false);
  if (v == nullptr) return ok();
  if (!v->is_bool()) return fail(field(key), "must be a boolean, not " + kind_name(*v)), false;
  out = v->get_bool();
  return true;
}

bool ObjectReader::text_list(std::string_view key, std::vector<std::string>& out, std::size_t max_items,
                             std::size_t max_bytes) {
  const json::value* v = get(key, false);
  if (v == nullptr) return ok();
  if (!v->is_array()) return fail(field(key), "must be an array of strings, not " + kind_name(*v)), false;
  const auto& arr = v->get_array();
  if (arr.size() > max_items) {
    return fail(field(key), "must have at most " + std::to_string(max_items) + " items"), false;
  }
  std::vector<std::string> list;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string item = field(key) + "[" + std::to_string(i) + "]";
    if (!arr[i].is_string()) return fail(item, "must be a string, not " + kind_name(arr[i])), false;
    if (arr[i].get_string().empty() || arr[i].get_string().size() > max_bytes) {
      return fail(item, "must be 1.." + std::to_string(max_bytes) + " bytes"), false;
    }
    list.emplace_back(arr[i].get_string());
  }
  out = std::move(list);
  return true;
}

bool ObjectReader::text_map(std::string_view key, std::map<std::string, std::string>& out, std::size_t max_items,
                            std::size_t max_bytes) {
  const json::value* v = get(key, false);
  if (v == nullptr) return ok();
  if (!v->is_object()) return fail(field(key), "must be an object of strings, not " + kind_name(*v)), false;
  const auto& obj = v->get_object();
  if (obj.size() > max_items) {
    return fail(field(key), "must have at most " + std::to_string(max_items) + " entries"), false;
  }
  std::map<std::string, std::string> map;
  for (const auto& kv : obj) {
    const std::string item = field(key) + "." + echo(kv.key());
    if (kv.key().empty() || kv.key().size() > max_bytes) return fail(item, "key must be 1.." + std::to_string(max_bytes) + " bytes"), false;
    if (!kv.value().is_string()) return fail(item, "must be a string, not " + kind_name(kv.value())), false;
    if (kv.value().get_string().size() > max_bytes) {
      return fail(item, "must be at most " + std::to_string(max_bytes) + " bytes"), false;
    }
    map.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  out = std::move(map);
  return true;
}

std::optional<EngineError> ObjectReader::finish() {
  if (ok() && obj_ != nullptr) {
    for (const auto& kv : *obj_) {
      if (!known_.contains(std::string(kv.key()))) {
        fail(field(kv.key().empty() ? std::string_view("\"\"") : std::string_view(echo(kv.key()))), "unknown field");
        break;
      }
    }
  }
  return error_;
}

}  // namespace hs::strict_json
