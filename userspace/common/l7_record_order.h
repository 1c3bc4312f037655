// Exchange records read in place from several per-CPU ring buffers, handed on in
// the order the kernel emitted them, and how far each ring may then be released.
//
// Each CPU writes its own ring, so a reader going through the rings one after
// another can meet a connection's later exchange (on a ring it reads second)
// before an earlier one that was still being written to a ring it had already
// read. A record is emitted at its response, and a connection's next exchange
// only begins after that, so once every ring has been read from a time t on,
// each record whose response came before t has all of its connection's earlier
// records in hand. A pass therefore notes every record the rings hold (where it
// is, not a copy), hands on, by response time, those answered up to such a
// cutoff, and says how far each ring may be released; the rest stay in their
// rings for the next pass.
//
// A ring can only be released up to a point, so what is handed on from it is a
// prefix of it. Within a ring, records come in response order except when a
// writer was preempted between reading the clock and writing its record; then a
// later-answered record can stand before an earlier one. The cutoff is lowered
// until every record left in a ring was answered after every record handed on,
// so the order holds in that case too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "hostscope/wire.h"

namespace hs {

class L7RecordOrder {
 public:
  using Sink = std::function<void(const hs_l7_record&)>;

  // Starts a pass over `rings` rings: what the last pass noted is forgotten.
  void begin(std::size_t rings);
  // Notes, in ring order, what ring `ring` holds up to position end_pos: a
  // record (checked by l7_record_valid, left in place until released), or
  // something to skip over (a discarded record; a malformed one, counted).
  void add(std::size_t ring, const hs_l7_record& rec, std::uint64_t end_pos);
  void add_skipped(std::size_t ring, std::uint64_t end_pos, bool malformed);

  struct Released {
    std::size_t handed = 0;     // records handed to the sink
    std::size_t malformed = 0;  // malformed ones passed over
  };
  // Hands on, oldest response first (ties in the order noted), every record
  // answered at or before cutoff_ns (CLOCK_MONOTONIC, as the kernel stamps
  // them) that can be, per the above.
  Released release(std::uint64_t cutoff_ns, const Sink& sink);
  Released release_all(const Sink& sink) { return release(UINT64_MAX, sink); }

  // After release: the position up to which `ring` may be released, 0 if none.
  std::uint64_t released_to(std::size_t ring) const { return ring < ends_.size() ? ends_[ring] : 0; }
  // After release: how many records and skips stay in the rings.
  std::size_t waiting() const { return waiting_; }

 private:
  struct Entry {
    std::uint64_t resp_ns;
    const hs_l7_record* rec;  // nullptr: skipped
    std::uint64_t end_pos;
    std::uint32_t ring;
    bool malformed;
    bool held;
  };
  std::uint64_t hold(std::uint64_t cutoff_ns);
  void sort();

  std::vector<Entry> entries_;
  std::vector<std::uint64_t> ends_;
  std::vector<bool> blocked_;      // hold()'s: per ring, whether a record is held
  std::vector<Entry> out_;         // what a release hands on, sorted
  std::vector<Entry> merged_;      // sort()'s scratch
  std::vector<std::size_t> runs_;  // sort()'s: where each ordered run begins
  std::size_t waiting_ = 0;
};

}  // namespace hs
