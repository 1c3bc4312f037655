// The socket send/receive tracepoints' shared hook (bpf/sock_hooks.bpf.c): one
// program attached per tracepoint runs the probes' programs held in the slots
// of a program array (see bpf/lib/sock_chain.bpf.h), instead of each probe
// attaching its own and paying a dispatch of its own on every send and receive.
//
// One per process: acquire() loads and attaches it on first use; it is unloaded
// with the last probe that holds it. A probe makes its object's chain maps the
// hooks' own before it loads (join), then fills its slot (SockSlot). The hooks
// also keep the clock reading that the programs of one event share.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "common/status.h"
#include "hostscope/wire.h"

struct sock_hooks_bpf;
struct bpf_link;
struct bpf_map;
struct bpf_object;
struct bpf_program;

namespace hs::probes {

class SockHooks {
 public:
  // The process's hooks (loaded and attached if no probe holds them yet), with
  // the chain's maps of a probe's object (opened, not yet loaded: every map of
  // bpf/lib/sock_chain.bpf.h) made theirs.
  static Result<std::shared_ptr<SockHooks>> join(bpf_object* probe);
  // The hooks some probe of this process holds, or null.
  static std::shared_ptr<SockHooks> current();
  ~SockHooks();
  SockHooks(const SockHooks&) = delete;
  SockHooks& operator=(const SockHooks&) = delete;

  // The two attached programs.
  std::vector<std::uint32_t> program_ids() const;

  // Program runs the kernel skipped on the hook programs (recursion guard): every
  // probe in the chain missed those events.
  std::uint64_t missed_runs() const;

 private:
  friend class SockSlot;
  using SkelPtr = std::unique_ptr<sock_hooks_bpf, void (*)(sock_hooks_bpf*)>;
  using LinkPtr = std::unique_ptr<bpf_link, int (*)(bpf_link*)>;
  SockHooks(SkelPtr skel, LinkPtr send, LinkPtr recv);
  static Result<std::shared_ptr<SockHooks>> acquire();
  Status share_maps(bpf_object* probe) const;

  Status fill(hs_sock_slot slot, const bpf_program* send, const bpf_program* recv);
  void empty(hs_sock_slot slot);

  SkelPtr skel_;
  LinkPtr send_link_, recv_link_;
  std::mutex mu_;
  bool filled_[HS_SOCK_SLOTS] = {};
};

// A probe's place in the chain: its send and receive programs run on every
// socket event while the slot is filled. Emptied on clear() or destruction.
class SockSlot {
 public:
  SockSlot(std::shared_ptr<SockHooks> hooks, hs_sock_slot slot) : hooks_(std::move(hooks)), slot_(slot) {}
  ~SockSlot() { clear(); }
  SockSlot(const SockSlot&) = delete;
  SockSlot& operator=(const SockSlot&) = delete;

  // Fails (EBUSY) if another probe of this process holds the slot.
  Status fill(const bpf_program* send, const bpf_program* recv);
  bool filled() const { return filled_; }
  void clear();
  // The hooks' missed runs while this slot was filled, over all its fills.
  std::uint64_t missed_runs() const;

 private:
  std::shared_ptr<SockHooks> hooks_;
  hs_sock_slot slot_;
  bool filled_ = false;
  std::uint64_t missed_at_fill_ = 0;  // the hooks' count when the current fill began
  std::uint64_t missed_before_ = 0;   // over the fills that ended
};

}  // namespace hs::probes
