#include "common/l7_record_order.h"

#include <algorithm>

namespace hs {

void L7RecordOrder::begin(std::size_t rings) {
  entries_.clear();
  ends_.assign(rings, 0);
  blocked_.assign(rings, false);
  waiting_ = 0;
}

void L7RecordOrder::add(std::size_t ring, const hs_l7_record& rec, std::uint64_t end_pos) {
  if (ring >= ends_.size()) return;
  entries_.push_back({rec.resp_ns, &rec, end_pos, static_cast<std::uint32_t>(ring), false, false});
}

void L7RecordOrder::add_skipped(std::size_t ring, std::uint64_t end_pos, bool malformed) {
  if (ring >= ends_.size()) return;
  entries_.push_back({0, nullptr, end_pos, static_cast<std::uint32_t>(ring), malformed, false});
}

// Marks what stays in the rings: in each ring, everything from its first record
// answered after the cutoff on. While a record so held was answered at or before
// the cutoff (a ring out of order), the cutoff moves to just before it and the
// marking starts again; the cutoff only falls, so this ends, and in the usual
// case (every ring in order) after one turn. Returns the cutoff used.
std::uint64_t L7RecordOrder::hold(std::uint64_t cutoff_ns) {
  for (;;) {
    std::fill(blocked_.begin(), blocked_.end(), false);
    std::uint64_t first_held = UINT64_MAX;
    for (Entry& e : entries_) {
      if (e.rec && e.resp_ns > cutoff_ns) blocked_[e.ring] = true;
      e.held = blocked_[e.ring];
      if (e.held && e.rec) first_held = std::min(first_held, e.resp_ns);
    }
    if (first_held > cutoff_ns) return cutoff_ns;
    if (first_held == 0) {  // nothing can go before it
      for (Entry& e : entries_) e.held = true;
      return 0;
    }
    cutoff_ns = first_held - 1;
  }
}

// A natural merge sort of what is handed on: each ring's records come in order
// already (nearly always), so they are a few ordered runs to merge (the order
// noted kept for ties), not a sort of them all.
void L7RecordOrder::sort() {
  runs_.clear();
  runs_.push_back(0);
  for (std::size_t i = 1; i < out_.size(); ++i)
    if (out_[i].resp_ns < out_[i - 1].resp_ns) runs_.push_back(i);
  const auto by_time = [](const Entry& a, const Entry& b) { return a.resp_ns < b.resp_ns; };
  while (runs_.size() > 1) {
    merged_.clear();
    std::size_t kept = 0;
    const auto at = [&](std::size_t run) {
      return run < runs_.size() ? out_.begin() + static_cast<std::ptrdiff_t>(runs_[run]) : out_.end();
    };
    for (std::size_t r = 0; r < runs_.size(); r += 2) {
      const auto begin = at(r), middle = at(r + 1), end = at(r + 2);
      runs_[kept++] = merged_.size();
      std::merge(begin, middle, middle, end, std::back_inserter(merged_), by_time);
    }
    runs_.resize(kept);
    out_.swap(merged_);
  }
}

L7RecordOrder::Released L7RecordOrder::release(std::uint64_t cutoff_ns, const Sink& sink) {
  Released r;
  hold(cutoff_ns);
  out_.clear();
  waiting_ = 0;
  for (const Entry& e : entries_) {
    if (e.held) {
      ++waiting_;
      continue;
    }
    ends_[e.ring] = e.end_pos;
    if (e.rec) {
      out_.push_back(e);
    } else if (e.malformed) {
      ++r.malformed;
    }
  }
  entries_.clear();
  sort();
  // The records were written on other CPUs: fetching a few ahead overlaps their
  // misses with the decoding of the ones before.
  constexpr std::size_t kAhead = 4;
  for (std::size_t i = 0; i < out_.size(); ++i) {
    if (i + kAhead < out_.size()) {
      const auto* next = reinterpret_cast<const char*>(out_[i + kAhead].rec);
      __builtin_prefetch(next);
      __builtin_prefetch(next + 64);
      __builtin_prefetch(next + 128);
    }
    sink(*out_[i].rec);
  }
  r.handed = out_.size();
  return r;
}

}  // namespace hs
