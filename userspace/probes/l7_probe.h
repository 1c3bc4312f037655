// L7 probe: RAII owner of the l7 BPF skeleton (request/response exchanges of
// database, cache and HTTP connections; see bpf/l7.bpf.c) and its ring buffer.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "common/l7_record.h"
#include "common/l7_record_order.h"
#include "common/status.h"
#include "hostscope/wire.h"
#include "probes/bpf_maps.h"
#include "probes/mapped_ring.h"
#include "probes/sock_hooks.h"

struct l7_bpf;

namespace hs::probes {

struct L7ProbeOptions {
  // All the rings' bytes, rounded up to a power of two; each CPU's ring gets its
  // share, but at least 1 MiB (or all of it, if less).
  std::uint32_t ringbuf_bytes = HS_L7_DEFAULT_RINGBUF_BYTES;
};

// One exchange as the kernel emitted it (checked: see l7_record_valid).
struct L7Event {
  const hs_l7_record* record;  // fixed part valid; data[] only as far as its lengths say
  std::string_view request() const { return l7_request(*record); }
  std::string_view response() const { return l7_response(*record); }
};

class L7Probe {
 public:
  static Result<std::unique_ptr<L7Probe>> load(const L7ProbeOptions& options);
  ~L7Probe();
  L7Probe(const L7Probe&) = delete;
  L7Probe& operator=(const L7Probe&) = delete;

  Status attach();
  void detach();
  bool attached() const { return slot_.filled(); }

  // Reads every record waiting on the per-CPU ring buffers, after waiting up to
  // timeout_ms for a wake-up (0: no wait), and hands them to sink in the order
  // they were emitted, in place: a record is valid during its sink call only.
  // The last millisecond's records stay in the rings for the next call, unless
  // flush (see common/l7_record_order.h). Returns how many were handed on.
  // Malformed (short) records are skipped and counted in malformed().
  using Sink = std::function<void(const L7Event&)>;
  Result<int> consume(int timeout_ms, const Sink& sink, bool flush = false);
  // Waits up to timeout_ms for a ring's wake-up (records are written without
  // one until a quarter of a ring is full). May run on another thread than
  // consume(), at the same time.
  Status wait(int timeout_ms) const;

  std::array<std::uint64_t, HS_DROP_L7_COUNT> drops() const;
  std::uint64_t missed_runs() const;
  std::uint64_t malformed() const { return malformed_; }
  std::size_t waiting() const { return order_.waiting(); }  // records the last consume left in the rings
  std::uint32_t ringbuf_bytes() const;  // of each CPU's ring
  std::vector<std::uint32_t> program_ids() const;

 private:
  using SkelPtr = std::unique_ptr<l7_bpf, void (*)(l7_bpf*)>;
  L7Probe(SkelPtr skel, std::shared_ptr<SockHooks> hooks);
  Status add_ring(std::uint32_t cpu);
  static constexpr std::uint64_t kOrderMarginNs = 1'000'000;  // beyond any clock difference between kernel and us

  using LinkPtr = std::unique_ptr<bpf_link, int (*)(bpf_link*)>;

  SkelPtr skel_;
  SockSlot slot_;  // the send/receive programs, in the socket hooks' chain
  LinkPtr state_link_{nullptr, nullptr};  // hs_l7_state: TCP connections closing
  int ncpus_ = 1;
  std::uint32_t ring_bytes_ = 0;
  std::vector<int> ring_fds_;
  std::vector<MappedRing> rings_;  // one per CPU, mapped from ring_fds_
  int epoll_fd_ = -1;              // the rings' wake-ups, edge-triggered
  L7RecordOrder order_;
  std::uint64_t malformed_ = 0;
};

}  // namespace hs::probes
