// L7 probe: RAII owner of the l7 BPF skeleton (request/response exchanges of
// database, cache and HTTP connections; see bpf/l7.bpf.c) and its ring buffer.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "common/l7_record.h"
#include "common/status.h"
#include "hostscope/wire.h"
#include "probes/bpf_maps.h"
#include "probes/sock_hooks.h"

struct l7_bpf;
struct ring_buffer;

namespace hs::probes {

struct L7ProbeOptions {
  std::uint32_t ringbuf_bytes = HS_L7_DEFAULT_RINGBUF_BYTES;  // rounded up to a power of two, >= one page
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

  // Hands every record waiting on the ring buffer to sink; waits up to timeout_ms
  // for the first one (0: no wait). Returns how many were consumed. Malformed
  // (short) records are skipped and counted in malformed().
  using Sink = std::function<void(const L7Event&)>;
  Result<int> consume(int timeout_ms, const Sink& sink);

  std::array<std::uint64_t, HS_DROP_L7_COUNT> drops() const;
  std::uint64_t missed_runs() const;
  std::uint64_t malformed() const { return malformed_; }
  std::uint32_t ringbuf_bytes() const;
  std::vector<std::uint32_t> program_ids() const;

 private:
  using SkelPtr = std::unique_ptr<l7_bpf, void (*)(l7_bpf*)>;
  using RingPtr = std::unique_ptr<ring_buffer, void (*)(ring_buffer*)>;
  L7Probe(SkelPtr skel, std::shared_ptr<SockHooks> hooks);
  static int on_record(void* ctx, void* data, std::size_t size);

  SkelPtr skel_;
  RingPtr ring_;
  SockSlot slot_;  // the send/receive programs, in the socket hooks' chain
  int ncpus_ = 1;
  const Sink* sink_ = nullptr;  // valid during consume()
  std::uint64_t malformed_ = 0;
};

}  // namespace hs::probes
