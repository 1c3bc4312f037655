// Typed, validated access to query parameters; errors name the parameter.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "web/routes/http_types.h"

namespace hs::web {

class QueryParams {
 public:
  explicit QueryParams(const Request& req) : req_(req) {}

  // Rejects any parameter not in `allowed` (typos should not pass silently).
  bool only(std::initializer_list<std::string_view> allowed);
  std::optional<std::uint64_t> uint(std::string_view name, std::uint64_t min, std::uint64_t max);
  std::optional<std::string> text(std::string_view name, std::size_t max_len = 256);
  std::optional<std::string> one_of(std::string_view name, std::initializer_list<std::string_view> values);
  std::optional<std::string> one_of(std::string_view name, std::span<const std::string_view> values);
  // Text that valid(text) accepts; `what` completes "must be ..." in the error.
  std::optional<std::string> matching(std::string_view name, bool (*valid)(std::string_view), std::string_view what);

  bool ok() const { return error_.empty(); }
  // 400 response naming the first bad parameter.
  Response error_response() const;

 private:
  void fail(std::string_view name, std::string message);
  const Request& req_;
  std::string error_;
};

}  // namespace hs::web
