// The monitoring engine: folds syscall and TCP aggregates, decoded L7 operations
// and system samples into per-process totals, percentiles and time series. Plain C++, single-threaded
// (the daemon calls it from one executor), driven by an injectable clock.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/net_reading.h"
#include "monitoring/l7_queries.h"
#include "monitoring/network_queries.h"
#include "monitoring/op_totals.h"
#include "monitoring/process_l7.h"
#include "monitoring/process_network.h"
#include "monitoring/request_attribution.h"
#include "monitoring/samples.h"
#include "monitoring/series.h"
#include "monitoring/slow_log.h"
#include "monitoring/syscall_stats.h"
#include "protocols/l7_reading.h"

namespace hs::monitoring {

struct EngineSettings {
  std::uint32_t interval_ms = 1000;
  std::uint32_t fine_retention_s = 900;
  std::uint32_t coarse_retention_s = 86400;
  std::uint32_t exited_retention_s = 3600;
  std::size_t max_exited_processes = 4096;
  // What exited processes' statistics may hold, estimated (held_bytes): the
  // oldest go first past it. A process leaves ≈ 2 KB per syscall number it used
  // (histograms), more with L7 statements: tens to hundreds of KB.
  std::size_t max_exited_bytes = 16u << 20;
  std::uint32_t meta_refresh_ms = 5000;  // re-read comm/cgroup/rss of live processes this often
  std::uint32_t max_remotes_per_process = 32;  // TCP remotes reported individually; the rest are "other"
  std::uint32_t slow_query_threshold_ms = 100;       // database operations this slow go to the slow-query log
  bool capture_literals = false;                     // keep statement texts with their literals (samples, slow log)
  std::uint32_t max_fingerprints_per_process = 200;  // held per process; at it, the least busy fold into "other"
  std::uint32_t max_routes_per_process = 200;        // HTTP (method, route) held per process; likewise
};

struct ProcessRecord {
  ProcessMeta meta;
  bool meta_known = false;
  std::int64_t first_seen_ms = 0;
  std::int64_t exited_ms = 0;  // 0 while alive
  std::size_t held_bytes = 0;  // estimated when it exited (see held_bytes_of)
  std::int64_t inspected_ms = 0;
  // Looked at again after first sight: the first look may have fallen between
  // fork and exec, and shown the parent's name.
  bool looked_again = false;
  std::map<std::uint32_t, SyscallStat> syscalls;  // by syscall nr
  ProcessNetwork network;                         // by remote
  ProcessL7 l7;                                   // by statement fingerprint and by HTTP route
};

// Roughly the memory a record's statistics hold (entries, tree nodes, texts).
std::size_t held_bytes_of(const ProcessRecord& r);

struct SyscallEntry {
  std::uint32_t pid = 0;
  std::string comm;
  std::uint32_t nr = 0;
  std::string syscall;
  std::uint64_t count = 0, errors = 0, total_ns = 0, p50_ns = 0, p95_ns = 0, p99_ns = 0, max_ns = 0;
  bool exited = false;
};

struct SyscallQuery {
  std::optional<std::uint32_t> pid = std::nullopt;
  std::optional<std::string> comm = std::nullopt;
  std::optional<std::string> syscall = std::nullopt;
  std::size_t limit = 1000;
};

struct ProcessSummary {
  ProcessMeta meta;
  bool exited = false;
  std::int64_t first_seen_ms = 0, exited_ms = 0;
  std::uint64_t syscalls = 0, errors = 0, total_ns = 0;
};

// Totals of one syscall across processes, or of one (comm, syscall) pair.
struct SyscallAggregate : OpTotals {
  std::string comm;  // empty when aggregated across every process
  std::uint32_t nr = 0;
  std::string syscall;
  void add(const SyscallStat& st);
};

struct EngineCounters {
  std::uint64_t polls = 0;
  std::uint64_t intervals = 0;  // finished intervals: the snapshot's version
  std::uint64_t samples = 0;
  std::uint64_t processes_seen = 0;
  std::uint64_t processes_exited = 0;
  std::uint64_t exited_evicted = 0;
  std::uint64_t network_polls = 0;
  std::uint64_t network_samples = 0;
  std::uint64_t l7_polls = 0;
  std::uint64_t l7_readings = 0;
  std::uint64_t l7_ignored = 0;  // readings of no database or HTTP protocol
};

class MonitoringEngine {
 public:
  MonitoringEngine(const Clock& clock, ProcessInspector& inspector, EngineSettings settings = {});

  void set_settings(const EngineSettings& s);
  // Name source for processes gone before /proc could be read (the kernel's record).
  void set_comm_fallback(std::function<std::string(std::uint32_t)> f) { comm_fallback_ = std::move(f); }
  const EngineSettings& settings() const { return settings_; }

  // One poll: the kernel's cumulative aggregates. Returns the kernel keys of
  // processes found to have exited, which the caller should delete.
  std::vector<hs_sys_key> ingest_syscalls(std::span<const SyscallSample> samples);
  // The kernel maps were recreated (probe reloaded): readings restart at zero.
  void kernel_entries_reset();
  // One poll of the network probe's cumulative (process, remote) aggregates.
  // Returns the kernel keys of processes found to have exited, to be deleted.
  std::vector<hs_net_key> ingest_network(std::span<const NetReading> readings);
  // The network probe was reloaded: its readings restart at zero (totals are kept).
  void network_kernel_reset();
  // The latest snapshot of live TCP sockets.
  void set_connections(std::vector<ConnectionReading> conns);
  // Decoded L7 operations drained from the capture since the last call (events,
  // not cumulative: each is counted once). Call once per interval; it checks for
  // exited processes itself when no syscall or network poll has since its last call.
  void ingest_l7(std::span<const protocols::L7Reading> readings);
  void ingest_system(const SystemPoint& system, std::vector<CoreLoad> cores) {
    system_ = system;
    cores_ = std::move(cores);
  }
  void set_probe_health(std::vector<ProbeHealth> health) { health_ = std::move(health); }
  // Closes the interval: appends a series point from what was ingested since.
  void finish_interval();

  // Queries (pure reads).
  std::vector<SyscallEntry> syscall_entries(const SyscallQuery& q) const;
  std::vector<ProcessSummary> processes(std::optional<std::uint32_t> pid, std::optional<std::string> comm,
                                        std::size_t limit) const;
  std::vector<SyscallAggregate> top_syscalls(std::size_t limit) const;
  // (comm, syscall) aggregates for Prometheus, at most max_series, the rest folded into comm "other".
  std::vector<SyscallAggregate> syscalls_by_comm(std::size_t max_series) const;
  // Per-(process, remote) TCP entries, each process capped to its top
  // max_remotes_per_process remotes by traffic plus one "other".
  std::vector<NetworkEntry> network_entries(const NetworkQuery& q) const;
  NetworkTotals network_totals() const;
  // (comm, remote) aggregates for Prometheus, at most max_series, the rest in comm/remote "other".
  std::vector<NetworkAggregate> network_by_comm(std::size_t max_series) const;
  ConnectionPage connections(const ConnectionQuery& q) const;
  // Per-(process, system, side, fingerprint) entries, most total time first.
  std::vector<DatabaseEntry> database_entries(const DatabaseQuery& q) const;
  // Per-(process, side, method, route) entries, most total time first.
  std::vector<HttpEntry> http_entries(const HttpQuery& q) const;
  // Statements aggregated across processes by (system, fingerprint).
  QueryList database_queries(const QueryListFilter& f) const;
  // The slow-query log, newest first, filtered by system, side, pid and comm (not sort/offset).
  std::vector<SlowQuery> slow_queries(const QueryListFilter& f, std::size_t limit) const;
  // Endpoints aggregated across processes by (side, method, route).
  EndpointList http_endpoints(const EndpointListFilter& f) const;
  L7Totals database_totals() const;
  // Database operations sent to the slow-query log since start (dropped from the ring or not).
  std::uint64_t slow_queries_total() const { return slow_log_.recorded(); }
  L7Totals http_totals() const;
  // Prometheus aggregates of activity, at most max_series each, the rest folded into one
  // "other" series. What "other" entries carry from folds is left out (see Carried).
  std::vector<DatabaseSeries> database_series(std::size_t max_series) const;
  std::vector<HttpSeries> http_series(std::size_t max_series) const;
  const SystemPoint& system() const { return system_; }
  const std::vector<CoreLoad>& cores() const { return cores_; }
  const SeriesStore& series() const { return series_; }
  const std::vector<ProbeHealth>& probe_health() const { return health_; }
  const EngineCounters& counters() const { return counters_; }
  std::int64_t started_ms() const { return started_ms_; }
  std::size_t live_processes() const { return live_.size(); }
  std::size_t exited_processes() const { return exited_.size(); }
  std::uint64_t total_syscalls() const;

 private:
  // Whose a reading of `tgid` is: the live process, a new one, or, when the
  // process is gone, its exited record (readings drain after the process exits).
  ProcessRecord& record_for(std::uint32_t tgid);
  ProcessRecord& add_live(std::uint32_t tgid, std::optional<ProcessMeta> meta);
  void add_statement(ProcessRecord& rec, const protocols::L7Reading& r, std::uint64_t latency_ns);
  void add_request(ProcessRecord& rec, const protocols::L7Reading& r, std::uint64_t latency_ns);
  // Wall-clock milliseconds of a CLOCK_MONOTONIC timestamp.
  std::int64_t wall_ms(std::uint64_t mono_ns) const;
  // Whose a reading of `tgid` is: the live process, a new one, or one that another
  // probe's poll has just retired (nullptr once that one is evicted).
  ProcessRecord* owner_of(std::uint32_t tgid, const std::unordered_map<std::uint32_t, std::uint64_t>& retiring);
  // Moves exited processes to the retention list. Keys of the map being polled go
  // to its `forget` list (the other is null); the other map's next poll handles its own.
  void retire_exited(std::vector<hs_sys_key>* sys_forget, std::vector<hs_net_key>* net_forget);
  void begin_poll();
  std::string comm_of_socket_owner(std::uint32_t tgid);
  // Visits each accepted process's reported remotes (its top N plus "other") as
  // entries without percentiles; `keep` holds what the totals references point into.
  template <typename Accept, typename F>
  void for_each_network_entry(std::vector<CappedRemotes>& keep, Accept&& accept, F&& f) const;
  void refresh_meta(ProcessRecord& rec, std::int64_t now);
  void evict_expired();
  template <typename F>
  void for_each_record(F&& f) const {
    for (const auto& [tgid, rec] : live_) f(rec);
    for (const auto& rec : exited_) f(rec);
  }
  static std::size_t capacity(std::uint32_t retention_s, std::uint32_t step_ms);

  const Clock& clock_;
  ProcessInspector& inspector_;
  EngineSettings settings_;
  std::unordered_map<std::uint32_t, ProcessRecord> live_;
  std::deque<ProcessRecord> exited_;
  std::size_t exited_bytes_ = 0;  // the sum of their held_bytes
  SeriesStore series_;
  SyscallDelta interval_;
  NetTotals net_interval_;
  struct L7Interval {
    OpTotals db, http;
    std::uint64_t http_5xx = 0;
  } l7_interval_;
  SlowLog slow_log_;
  RequestAttribution attribution_;     // database operations waiting for the HTTP request they ran in
  std::vector<ClaimedQuery> claimed_;  // scratch for add_request
  // When retire_exited() last ran (a kernel map poll, or an L7 ingest that found
  // none for an interval): each run checks every live process in /proc.
  std::int64_t exit_checked_ms_ = std::numeric_limits<std::int64_t>::min();
  // tgid -> poll sequence: processes retired by one probe's poll whose entries in
  // the other probe's map are folded into their exited record at that map's next poll.
  std::unordered_map<std::uint32_t, std::uint64_t> sys_retiring_, net_retiring_;
  std::uint64_t poll_seq_ = 0;
  std::vector<ConnectionReading> connections_;
  std::unordered_map<std::uint32_t, std::string> socket_owner_comms_;
  SystemPoint system_;
  std::vector<CoreLoad> cores_;
  std::vector<ProbeHealth> health_;
  std::function<std::string(std::uint32_t)> comm_fallback_;
  std::uint64_t drops_at_last_interval_ = 0;
  std::int64_t started_ms_;
  std::int64_t last_interval_ns_;
  EngineCounters counters_;
};

}  // namespace hs::monitoring
