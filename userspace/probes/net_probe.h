// TCP probe: RAII owner of the net BPF skeleton (connect latency, srtt,
// retransmits, resets, round trips per (process, remote); see bpf/net.bpf.c).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/net_reading.h"
#include "common/status.h"
#include "hostscope/wire.h"
#include "probes/bpf_maps.h"
#include "probes/sock_hooks.h"

struct net_bpf;
struct bpf_link;
struct bpf_program;

namespace hs::probes {

struct NetProbeOptions {
  std::uint32_t max_entries = HS_NET_DEFAULT_MAX_ENTRIES;  // (process, remote) aggregates
};

class NetProbe {
 public:
  // open + configure + load (does not attach).
  static Result<std::unique_ptr<NetProbe>> load(const NetProbeOptions& options);
  ~NetProbe();
  NetProbe(const NetProbe&) = delete;
  NetProbe& operator=(const NetProbe&) = delete;

  // Links every tracepoint, then gives the sockets already open to their
  // processes (task_file iterator), so their later events are attributed.
  Status attach();
  // Removes the links; maps (and socket ownership) stay.
  void detach();
  bool attached() const { return !links_.empty(); }

  // All (process, remote) aggregates.
  Status read_all(std::vector<NetReading>& out);
  // Deletes aggregates (e.g. of exited processes); keys already gone are skipped.
  Status remove(std::span<const hs_net_key> keys);
  // Every TCP socket of the daemon's network namespace, with its owner when known.
  Status connections(std::vector<ConnectionReading>& out);
  // Sockets given an owner by the last attach's scan of open files.
  std::uint64_t sockets_found_open() const { return found_open_; }

  std::array<std::uint64_t, HS_DROP_NET_COUNT> drops() const;
  std::uint64_t missed_runs() const;
  std::uint32_t max_entries() const;
  std::size_t entries() const { return entries_; }
  std::vector<std::uint32_t> program_ids() const;

 private:
  using SkelPtr = std::unique_ptr<net_bpf, void (*)(net_bpf*)>;
  using LinkPtr = std::unique_ptr<bpf_link, int (*)(bpf_link*)>;
  NetProbe(SkelPtr skel, std::shared_ptr<SockHooks> hooks);
  // Runs an iterator program once, collecting what it writes.
  Status run_iterator(bpf_program* prog, std::vector<unsigned char>& output);
  Status own_open_sockets();

  SkelPtr skel_;
  std::vector<LinkPtr> links_;
  SockSlot slot_;  // the send/receive programs, in the socket hooks' chain
  int ncpus_ = 1;
  std::size_t entries_ = 0;
  std::uint64_t found_open_ = 0;
  std::unique_ptr<MapAccess> aggr_access_;
  std::vector<unsigned char> iter_buf_;
};

}  // namespace hs::probes
