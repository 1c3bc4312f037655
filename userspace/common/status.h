// Errors as values: Status names the failing step, Result<T> carries a value or a Status.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace hs {

class Status {
 public:
  Status() = default;
  static Status error(std::string where, std::string message, int err = 0) {
    Status s;
    s.ok_ = false;
    s.where_ = std::move(where);
    s.message_ = std::move(message);
    s.errno_ = err;
    return s;
  }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const std::string& where() const { return where_; }
  const std::string& message() const { return message_; }
  int err() const { return errno_; }
  // "where: message" — what is logged and shown in /status.
  std::string text() const { return ok_ ? "ok" : where_ + ": " + message_; }

 private:
  bool ok_ = true;
  std::string where_;
  std::string message_;
  int errno_ = 0;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace hs
