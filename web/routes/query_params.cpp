#include "web/routes/query_params.h"

#include <charconv>

#include "web/routes/json_error.h"

namespace hs::web {

void QueryParams::fail(std::string_view name, std::string message) {
  if (error_.empty()) error_ = "query parameter '" + std::string(name) + "': " + message;
}

bool QueryParams::only(std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : req_.query) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) {
      fail(key, "unknown parameter");
      return false;
    }
  }
  return true;
}

std::optional<std::uint64_t> QueryParams::uint(std::string_view name, std::uint64_t min, std::uint64_t max) {
  auto it = req_.query.find(std::string(name));
  if (it == req_.query.end()) return std::nullopt;
  const std::string& s = it->second;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    fail(name, "must be a non-negative integer");
    return std::nullopt;
  }
  if (v < min || v > max) {
    fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> QueryParams::text(std::string_view name, std::size_t max_len) {
  auto it = req_.query.find(std::string(name));
  if (it == req_.query.end()) return std::nullopt;
  if (it->second.empty() || it->second.size() > max_len) {
    fail(name, "must be 1.." + std::to_string(max_len) + " characters");
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::string> QueryParams::one_of(std::string_view name, std::initializer_list<std::string_view> values) {
  return one_of(name, std::span<const std::string_view>(values.begin(), values.size()));
}

std::optional<std::string> QueryParams::one_of(std::string_view name, std::span<const std::string_view> values) {
  auto it = req_.query.find(std::string(name));
  if (it == req_.query.end()) return std::nullopt;
  for (auto v : values)
    if (it->second == v) return it->second;
  std::string list;
  for (auto v : values) list += (list.empty() ? "" : ", ") + std::string(v);
  fail(name, "must be one of " + list);
  return std::nullopt;
}

std::optional<std::string> QueryParams::matching(std::string_view name, bool (*valid)(std::string_view),
                                                 std::string_view what) {
  auto v = text(name);
  if (v && !valid(*v)) {
    fail(name, "must be " + std::string(what));
    return std::nullopt;
  }
  return v;
}

Response QueryParams::error_response() const { return json_error(400, "invalid_parameter", error_); }

}  // namespace hs::web
