// TLS probe: RAII owner of the tls BPF skeleton (plaintext of OpenSSL
// connections through uprobes on libssl; see bpf/tls.bpf.c), its ring buffers,
// and the set of libssl files its uprobes are attached to.
//
// Uprobes are attached per library *file* with pid -1: one set of links covers
// every process that maps that file, now or later, so a process that starts
// after attach() and loads an attached libssl needs nothing from userspace.
// Only new files (another version, another container image) need finding: every
// exec is reported by the kernel and the new process's maps are read a few
// times while its loader runs. A library is released once no registered
// process maps it any more (checked by a /proc scan before the links go).
//
// Not thread-safe: one thread calls consume() (which also does the library
// tracking); libraries() and the counters may be read from any thread.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "hostscope/wire.h"
#include "probes/l7_probe.h"
#include "probes/mapped_ring.h"
#include "probes/sock_hooks.h"

struct tls_bpf;
struct bpf_link;

namespace hs::probes {

struct TlsProbeOptions {
  std::uint32_t ringbuf_bytes = HS_TLS_DEFAULT_RINGBUF_BYTES;  // rounded up to a power of two, >= one page
  std::uint32_t max_connections = HS_TLS_DEFAULT_MAX_CONNS;    // (process, SSL object) states, LRU
  bool scan_running = true;  // attach() scans /proc/*/maps for processes already running
  // attach() also attaches every libssl.so* in the system's library directories, kept
  // until detach(): processes that start later with it are covered from their first call.
  bool system_libraries = true;
  // After an exec, the new process's maps are read this long after it (ms), until a libssl shows up.
  std::vector<int> exec_checks_ms = {20, 200, 2000};
  // A library no registered process uses is released after this long (ms) and a /proc scan finding none.
  int release_delay_ms = 1000;
};

// One libssl file the uprobes are attached to.
struct TlsLibrary {
  std::string path;         // as the first process that mapped it names it (its mount namespace)
  std::string attach_path;  // where it was opened to attach (/proc/<pid>/root/... or .../map_files/...)
  std::uint64_t dev = 0;    // st_dev / st_ino of the mapped file
  std::uint64_t ino = 0;
  std::size_t processes = 0;  // registered processes mapping it
  std::size_t links = 0;      // uprobes attached
};

struct TlsTrackerStats {
  std::uint64_t execs_seen = 0;          // exec notices from the kernel
  std::uint64_t maps_reads = 0;          // /proc/<pid>/maps files read
  std::uint64_t checks_dropped = 0;      // exec checks not queued (queue full)
  std::uint64_t libraries_attached = 0;  // total over the probe's life
  std::uint64_t libraries_released = 0;
  std::uint64_t attach_failures = 0;     // libraries found that could not be attached
  std::uint64_t procs_unregistered = 0;  // processes not registered for exit notices (map full)
};

class TlsProbe {
 public:
  using Sink = L7Probe::Sink;

  // open + configure + load (attaches nothing).
  static Result<std::unique_ptr<TlsProbe>> load(const TlsProbeOptions& options);
  ~TlsProbe();
  TlsProbe(const TlsProbe&) = delete;
  TlsProbe& operator=(const TlsProbe&) = delete;

  // Links the socket and process programs, then (scan_running) attaches to every
  // libssl mapped by a running process.
  Status attach();
  // Removes every link, uprobes included.
  void detach();
  bool attached() const { return !links_.empty(); }

  // Attaches to the libssl files process pid maps (those already attached are
  // only counted). Returns how many new files were attached.
  Result<int> attach_process(pid_t pid);
  // Attaches to one library file by path, with no process counted as its user
  // (it stays until detach()).
  Status attach_library(const std::string& path);

  // Hands every completed exchange to sink (L7Event, flags has HS_L7_F_TLS);
  // waits up to timeout_ms for the first (0: no wait). Also handles exec/exit
  // notices and due library checks. Returns how many records were consumed.
  Result<int> consume(int timeout_ms, const Sink& sink);

  std::vector<TlsLibrary> libraries() const;
  TlsTrackerStats tracker_stats() const;
  // Connection states held in the kernel, of process tgid or (-1) all (walks the
  // map: for tests and health, not hot paths).
  std::size_t tracked_connections(pid_t tgid = -1) const;

  std::array<std::uint64_t, HS_DROP_TLS_COUNT> drops() const;
  std::uint64_t missed_runs() const;
  std::uint64_t malformed() const { return malformed_; }
  std::uint32_t ringbuf_bytes() const;
  std::vector<std::uint32_t> program_ids() const;

 private:
  using SkelPtr = std::unique_ptr<tls_bpf, void (*)(tls_bpf*)>;
  using LinkPtr = std::unique_ptr<bpf_link, int (*)(bpf_link*)>;
  using Clock = std::chrono::steady_clock;
  using FileId = std::pair<std::uint64_t, std::uint64_t>;  // (dev, ino)

  struct Library {
    TlsLibrary info;
    std::vector<LinkPtr> links;
    std::set<pid_t> pids;
    bool pinned = false;  // attached by attach_library(): never released
  };
  // A pending read of an exec'd process's maps.
  struct Check {
    pid_t pid;
    Clock::time_point exec_time;
    std::size_t attempt;  // index into exec_checks_ms
  };
  // A libssl mapping found in a maps file.
  struct Mapping {
    FileId id;
    std::string path;
    std::string range;  // "start-end", for /proc/<pid>/map_files
  };

  TlsProbe(SkelPtr skel, TlsProbeOptions options, std::shared_ptr<SockHooks> hooks);
  Status map_ring(bpf_map* map);
  void on_record(const void* data, std::size_t size);
  void on_proc(const void* data, std::size_t size);

  // libssl mappings of pid; false if its maps could not be read (gone, hostile).
  bool read_mappings(pid_t pid, std::vector<Mapping>& out);
  // Attaches new files among the mappings and registers pid as their user.
  int adopt(pid_t pid, const std::vector<Mapping>& found);
  Status attach_file(Library& lib, const std::string& path);
  bool register_pid(Library& lib, pid_t pid);
  void unregister_pid(pid_t pid);
  void scan_all(const std::set<FileId>* only);
  void attach_system_libraries();
  void run_due_checks();
  void release_unused();
  void publish();  // refreshes the snapshot libraries() returns

  SkelPtr skel_;
  TlsProbeOptions options_;
  // The records' ring, then the process events' (read in place, see MappedRing),
  // and the epoll instance that waits on both.
  std::vector<MappedRing> rings_;
  int epoll_fd_ = -1;
  std::vector<LinkPtr> links_;  // process programs
  SockSlot slot_;               // the socket programs, in the socket hooks' chain
  std::map<FileId, Library> libs_;
  std::multimap<Clock::time_point, Check> checks_;  // by due time
  std::set<FileId> failed_;     // files that could not be attached: not retried
  std::set<FileId> release_pending_;
  Clock::time_point release_due_{};
  int ncpus_ = 1;
  const Sink* sink_ = nullptr;  // valid during consume()
  int records_ = 0;             // records handed to sink_ in this consume()
  std::uint64_t malformed_ = 0;
  TlsTrackerStats work_;        // the consume() thread's counters, published by publish()
  std::vector<char> maps_buf_;

  mutable std::mutex snapshot_mu_;  // guards the two below
  std::vector<TlsLibrary> snapshot_;
  TlsTrackerStats stats_;
};

}  // namespace hs::probes
