// What an engine call can fail with, in the terms the HTTP routes map to statuses:
// invalid -> 400 (naming the field), not_found -> 404, conflict -> 409, unavailable -> 503.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace hs {

enum class ErrorKind { invalid, not_found, conflict, unavailable };

struct EngineError {
  ErrorKind kind = ErrorKind::invalid;
  std::string field;  // the offending field for `invalid` ("condition.value"), else empty
  std::string message;

  static EngineError invalid(std::string field, std::string message) {
    return {ErrorKind::invalid, std::move(field), std::move(message)};
  }
  static EngineError not_found(std::string message) { return {ErrorKind::not_found, {}, std::move(message)}; }
  static EngineError conflict(std::string message) { return {ErrorKind::conflict, {}, std::move(message)}; }
  static EngineError unavailable(std::string message) { return {ErrorKind::unavailable, {}, std::move(message)}; }
  // "field: message" for invalid, the message otherwise.
  std::string text() const { return field.empty() ? message : field + ": " + message; }
};

// A value or the EngineError that prevented it.
template <typename T>
class Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}             // NOLINT(google-explicit-constructor)
  Outcome(EngineError error) : v_(std::move(error)) {}   // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const EngineError& error() const { return std::get<EngineError>(v_); }

 private:
  std::variant<T, EngineError> v_;
};

}  // namespace hs
