// A BPF ring buffer read in place: its consumer position mapped writable, its
// producer position and data read-only. Unlike libbpf's reader, which releases
// each record as soon as its callback returns, the owner releases up to a
// position of its choosing, so records can be held in the ring between reads.
//
// The data is mapped once, not twice in a row as libbpf does so that a record
// that wraps is contiguous: the kernel fills in every page of the mapping, so the
// second copy would add the ring's size to the daemon's RSS. The one record that
// can wrap at a time is read through a copy instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace hs::probes {

class MappedRing {
 public:
  // Maps the ring buffer map `fd` of `bytes` data bytes (its max_entries, a power of two).
  static Result<MappedRing> map(int fd, std::uint32_t bytes);
  MappedRing(MappedRing&& other) noexcept;
  MappedRing& operator=(MappedRing&& other) noexcept;
  MappedRing(const MappedRing&) = delete;
  MappedRing& operator=(const MappedRing&) = delete;
  ~MappedRing();

  struct Record {
    const void* data;      // 8-byte aligned
    std::uint32_t size;    // bytes at data
    bool discarded;        // the writer discarded it: skip
    std::uint64_t end_pos; // the position just past it
  };
  // Calls f(const Record&) for each record written in full from the consumer
  // position on, in ring order; stops at one still being written. A record's data
  // stays valid until it is released (a wrapped one's copy too: no other record
  // wraps before the ring has gone round).
  template <typename F>
  void scan(F&& f) const;
  // Gives the ring the space up to pos (a Record's end_pos) back to the writers.
  void release_to(std::uint64_t pos);

 private:
  MappedRing() = default;
  void unmap();
  bool next(std::uint64_t& pos, std::uint64_t producer, Record& out) const;
  std::uint64_t producer() const;

  void* consumer_page_ = nullptr;  // consumer position, writable
  void* producer_pages_ = nullptr; // producer position page, then the data
  std::size_t page_ = 0;
  std::uint32_t bytes_ = 0;
  mutable std::vector<std::uint64_t> wrapped_;  // the record that wraps, in one piece
};

template <typename F>
void MappedRing::scan(F&& f) const {
  std::uint64_t pos = __atomic_load_n(static_cast<const std::uint64_t*>(consumer_page_), __ATOMIC_ACQUIRE);
  const std::uint64_t end = producer();
  Record r{};
  while (next(pos, end, r)) f(static_cast<const Record&>(r));
}

}  // namespace hs::probes
