// Exchange records read from several per-CPU ring buffers, put back in the order
// the kernel emitted them.
//
// Each CPU writes its own ring, so a reader going through the rings one after
// another can meet a connection's later exchange (on a ring it reads second)
// before an earlier one that was still being written to a ring it had already
// read. A record is emitted at its response, and a connection's next exchange
// only begins after that, so once every ring has been read from a time t on,
// each record whose response came before t has all of its connection's earlier
// records in hand. Records are therefore copied here as they are read, sorted by
// response time, and handed on up to such a cutoff; later ones wait for the next
// pass. Memory: what the rings held in one pass, plus what waits.
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

  // Keeps a copy of a record of `size` bytes (checked by l7_record_valid).
  void add(const hs_l7_record& rec, std::size_t size);

  // Hands on, oldest response first, every record whose response came at or
  // before cutoff_ns (CLOCK_MONOTONIC, as the kernel stamps them); keeps the
  // rest. Returns how many were handed on.
  std::size_t release(std::uint64_t cutoff_ns, const Sink& sink);
  std::size_t release_all(const Sink& sink) { return release(UINT64_MAX, sink); }

  std::size_t waiting() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint64_t resp_ns;
    std::size_t offset;  // into bytes_, a multiple of 8
    std::size_t size;
  };
  void sort();

  std::vector<std::byte> bytes_;
  std::vector<std::byte> spare_;
  std::vector<Entry> entries_;
  std::vector<Entry> merged_;     // sort()'s scratch
  std::vector<std::size_t> runs_;  // sort()'s: where each ordered run begins
};

}  // namespace hs
