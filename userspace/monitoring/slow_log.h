// The slow-query log: the latest database operations that were slow or failed,
// in a bounded ring (oldest dropped first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "protocols/exchange.h"

namespace hs::monitoring {

struct SlowQuery {
  std::int64_t ts_ms = 0;  // wall clock when the request was seen
  std::uint32_t pid = 0;
  std::string comm;
  protocols::Protocol system = protocols::Protocol::unknown;
  bool server_side = false;
  std::string remote;
  std::uint64_t duration_ns = 0;
  std::string fingerprint, fingerprint_id;  // the statement's own, even when its process folds it into "other"
  std::string text;                         // with literals only when they were captured, else the fingerprint
  bool text_has_literals = false;
  bool error = false;
  std::string error_text;
};

class SlowLog {
 public:
  static constexpr std::size_t kCapacity = 1000;

  void add(SlowQuery q) {
    if (entries_.size() >= kCapacity) entries_.pop_front();
    entries_.push_back(std::move(q));
    ++recorded_;
  }
  const std::deque<SlowQuery>& entries() const { return entries_; }  // oldest first
  std::uint64_t recorded() const { return recorded_; }               // since start, dropped ones included

 private:
  std::deque<SlowQuery> entries_;
  std::uint64_t recorded_ = 0;
};

}  // namespace hs::monitoring
