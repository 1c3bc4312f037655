#include "monitoring/monitoring_engine.h"

#include <algorithm>
#include <unordered_set>

#include "common/syscall_names.h"
#include "monitoring/capping.h"
#include "monitoring/held_bytes.h"

namespace hs::monitoring {
namespace {

std::string name_of(std::uint32_t nr) {
  auto n = hs::syscall_name(nr);
  return n.empty() ? "sys_" + std::to_string(nr) : std::string(n);
}

// A map whose poll has not come for this many polls is not being read at all:
// its pending retirements are dropped.
constexpr std::uint64_t kStaleRetiringPolls = 8;

std::uint64_t total_drops(const std::vector<ProbeHealth>& health) {
  std::uint64_t n = 0;
  for (const auto& h : health)
    for (const auto& [reason, count] : h.drops) n += count;
  return n;
}

}  // namespace

void SyscallAggregate::add(const SyscallStat& st) {
  count += st.count();
  errors += st.errors();
  total_ns += st.total_ns();
  max_ns = std::max(max_ns, st.max_ns());
  hist.merge(st.hist());
}

MonitoringEngine::MonitoringEngine(const Clock& clock, ProcessInspector& inspector, EngineSettings settings)
    : clock_(clock),
      inspector_(inspector),
      settings_(settings),
      series_(capacity(settings.fine_retention_s, settings.interval_ms), capacity(settings.coarse_retention_s, 60'000)),
      started_ms_(clock.now_ms()),
      last_interval_ns_(clock.mono_ns()) {}

std::size_t MonitoringEngine::capacity(std::uint32_t retention_s, std::uint32_t step_ms) {
  if (step_ms == 0) step_ms = 1000;
  return std::max<std::size_t>(1, (static_cast<std::uint64_t>(retention_s) * 1000 + step_ms - 1) / step_ms);
}

void MonitoringEngine::set_settings(const EngineSettings& s) {
  settings_ = s;
  series_.set_capacity(capacity(s.fine_retention_s, s.interval_ms), capacity(s.coarse_retention_s, 60'000));
  evict_expired();
}

// A process that is gone, and that exited records still hold, is that record:
// the kernel can report a process after it was retired (its sockets' last
// events, its last exchanges still queued), and a second record for it would
// have no name.
ProcessRecord& MonitoringEngine::record_for(std::uint32_t tgid) {
  if (auto it = live_.find(tgid); it != live_.end()) return it->second;
  auto meta = inspector_.inspect(tgid);
  if (!meta) {
    for (auto it = exited_.rbegin(); it != exited_.rend(); ++it)
      if (it->meta.pid == tgid) return *it;
  }
  return add_live(tgid, std::move(meta));
}

ProcessRecord& MonitoringEngine::add_live(std::uint32_t tgid, std::optional<ProcessMeta> meta) {
  ProcessRecord rec;
  rec.first_seen_ms = clock_.now_ms();
  rec.inspected_ms = rec.first_seen_ms;
  rec.meta.pid = tgid;
  if (meta) {
    rec.meta = std::move(*meta);
    rec.meta_known = true;
  } else if (comm_fallback_) {
    rec.meta.comm = comm_fallback_(tgid);
  }
  ++counters_.processes_seen;
  return live_.emplace(tgid, std::move(rec)).first->second;
}

ProcessRecord* MonitoringEngine::owner_of(std::uint32_t tgid,
                                          const std::unordered_map<std::uint32_t, std::uint64_t>& retiring) {
  if (auto it = live_.find(tgid); it != live_.end()) return &it->second;
  if (!retiring.contains(tgid)) return &record_for(tgid);
  // The process exited (a pid reused within one interval would be counted to it too).
  for (auto it = exited_.rbegin(); it != exited_.rend(); ++it)
    if (it->meta.pid == tgid) return &*it;
  return nullptr;
}

void MonitoringEngine::begin_poll() {
  ++poll_seq_;
  auto stale = [this](const auto& kv) { return kv.second + kStaleRetiringPolls < poll_seq_; };
  std::erase_if(sys_retiring_, stale);
  std::erase_if(net_retiring_, stale);
}

std::vector<hs_sys_key> MonitoringEngine::ingest_syscalls(std::span<const SyscallSample> samples) {
  ++counters_.polls;
  counters_.samples += samples.size();
  begin_poll();
  std::vector<hs_sys_key> forget;
  for (const auto& s : samples) {
    ProcessRecord* rec = owner_of(s.tgid, sys_retiring_);
    if (!rec) continue;
    rec->syscalls[s.nr].apply(s, interval_);
    if (rec->exited_ms != 0) forget.push_back(hs_sys_key{s.tgid, s.nr});
  }
  sys_retiring_.clear();
  retire_exited(&forget, nullptr);
  evict_expired();
  return forget;
}

void MonitoringEngine::kernel_entries_reset() {
  for (auto& [tgid, rec] : live_)
    for (auto& [nr, stat] : rec.syscalls) stat.kernel_entry_removed();
  sys_retiring_.clear();
}

void MonitoringEngine::retire_exited(std::vector<hs_sys_key>* sys_forget, std::vector<hs_net_key>* net_forget) {
  const std::int64_t now = clock_.now_ms();
  exit_checked_ms_ = now;
  for (auto it = live_.begin(); it != live_.end();) {
    auto& rec = it->second;
    // A process never inspected successfully was gone before we looked.
    bool gone = !rec.meta_known || !inspector_.alive(rec.meta.pid, rec.meta.start_time_ticks);
    if (!gone) {
      refresh_meta(rec, now);
      ++it;
      continue;
    }
    if (sys_forget) {
      for (auto& [nr, stat] : rec.syscalls) sys_forget->push_back(hs_sys_key{it->first, nr});
    } else {
      sys_retiring_[it->first] = poll_seq_;
    }
    if (net_forget) {
      rec.network.append_keys(it->first, *net_forget);
    } else {
      net_retiring_[it->first] = poll_seq_;
    }
    // Gone before a second look: the first may have been between its fork and its
    // exec, under its parent's name ("python3" for the redis-cli it was about to
    // run). The kernel's record is the name it had at its latest new kind of
    // syscall, which an exec'd program makes at once.
    if (!rec.looked_again && comm_fallback_) {
      if (std::string comm = comm_fallback_(it->first); !comm.empty()) rec.meta.comm = std::move(comm);
    }
    rec.exited_ms = now;
    rec.held_bytes = held_bytes_of(rec);
    exited_bytes_ += rec.held_bytes;
    attribution_.forget(it->first);
    ++counters_.processes_exited;
    exited_.push_back(std::move(rec));
    it = live_.erase(it);
  }
}

void MonitoringEngine::refresh_meta(ProcessRecord& rec, std::int64_t now) {
  // comm (prctl, exec), cgroup (migrations) and RSS change while a process lives.
  // The second look comes soon (see ProcessRecord::looked_again): a fork is
  // followed by its exec within milliseconds.
  constexpr std::int64_t kSecondLookMs = 100;
  const std::int64_t wait = rec.looked_again ? static_cast<std::int64_t>(settings_.meta_refresh_ms) : kSecondLookMs;
  if (now - rec.inspected_ms < wait) return;
  rec.looked_again = true;
  rec.inspected_ms = now;
  auto meta = inspector_.inspect(rec.meta.pid);
  if (meta && meta->start_time_ticks == rec.meta.start_time_ticks) rec.meta = std::move(*meta);
}

std::size_t held_bytes_of(const ProcessRecord& r) {
  const ProcessMeta& m = r.meta;
  return sizeof(ProcessRecord) + m.comm.capacity() + m.exe.capacity() + m.cmdline.capacity() + m.cgroup.capacity() +
         m.container_id.capacity() + m.systemd_unit.capacity() + r.syscalls.size() * (sizeof(decltype(r.syscalls)::value_type) + kTreeNodeBytes) + r.network.held_bytes() +
         r.l7.held_bytes();
}

void MonitoringEngine::evict_expired() {
  const std::int64_t cutoff = clock_.now_ms() - static_cast<std::int64_t>(settings_.exited_retention_s) * 1000;
  while (!exited_.empty() && (exited_.front().exited_ms <= cutoff || exited_.size() > settings_.max_exited_processes ||
                              exited_bytes_ > settings_.max_exited_bytes)) {
    exited_bytes_ -= exited_.front().held_bytes;
    exited_.pop_front();
    ++counters_.exited_evicted;
  }
}

void MonitoringEngine::finish_interval() {
  const std::int64_t now_ns = clock_.mono_ns();
  double secs = static_cast<double>(now_ns - last_interval_ns_) / 1e9;
  if (secs <= 0) secs = settings_.interval_ms / 1000.0;
  last_interval_ns_ = now_ns;

  SeriesPoint p;
  p.ts_ms = clock_.now_ms();
  p.interval_s = secs;
  p.syscalls_per_s = static_cast<double>(interval_.count) / secs;
  p.syscall_errors_per_s = static_cast<double>(interval_.errors) / secs;
  p.syscall_busy = static_cast<double>(interval_.total_ns) / 1e9 / secs;
  p.syscall_p50_ns = interval_.hist.percentile(0.50);
  p.syscall_p95_ns = interval_.hist.percentile(0.95);
  p.syscall_p99_ns = interval_.hist.percentile(0.99);
  std::uint64_t drops = total_drops(health_);
  p.drops = drops >= drops_at_last_interval_ ? drops - drops_at_last_interval_ : drops;
  drops_at_last_interval_ = drops;
  const auto per_s = [secs](std::uint64_t n) { return static_cast<double>(n) / secs; };
  p.net_connects_per_s = per_s(net_interval_.connects);
  p.net_connect_failures_per_s = per_s(net_interval_.connect_failures);
  p.net_retransmits_per_s = per_s(net_interval_.retransmits);
  p.net_resets_per_s = per_s(net_interval_.resets());
  p.net_round_trips_per_s = per_s(net_interval_.round_trips);
  p.net_bytes_sent_per_s = per_s(net_interval_.bytes_sent);
  p.net_bytes_received_per_s = per_s(net_interval_.bytes_received);
  p.net_rtt_p50_ns = net_interval_.rtt.percentile(0.50);
  p.net_rtt_p95_ns = net_interval_.rtt.percentile(0.95);
  p.net_rtt_p99_ns = net_interval_.rtt.percentile(0.99);
  p.db_ops_per_s = per_s(l7_interval_.db.count);
  p.db_errors_per_s = per_s(l7_interval_.db.errors);
  p.db_p95_ns = l7_interval_.db.hist.percentile(0.95);
  p.http_requests_per_s = per_s(l7_interval_.http.count);
  p.http_5xx_per_s = per_s(l7_interval_.http_5xx);
  p.http_p95_ns = l7_interval_.http.hist.percentile(0.95);
  p.system = system_;
  series_.add(p, {interval_.hist, net_interval_.rtt, l7_interval_.db.hist, l7_interval_.http.hist});
  interval_ = SyscallDelta{};
  net_interval_ = NetTotals{};
  l7_interval_ = L7Interval{};
  ++counters_.intervals;
}

std::vector<SyscallEntry> MonitoringEngine::syscall_entries(const SyscallQuery& q) const {
  std::optional<std::uint32_t> want_nr;
  if (q.syscall) {
    auto nr = hs::syscall_nr(*q.syscall);
    if (!nr) return {};
    want_nr = *nr;
  }
  // Each entry keeps its own statistics at hand: looking the record up again per
  // entry was a scan of the exited processes, quadratic with thousands of them.
  struct Found {
    SyscallEntry entry;
    const SyscallStat* stat;
  };
  std::vector<Found> found;
  for_each_record([&](const ProcessRecord& rec) {
    if (q.pid && rec.meta.pid != *q.pid) return;
    if (q.comm && rec.meta.comm != *q.comm) return;
    for (const auto& [nr, st] : rec.syscalls) {
      if (want_nr && nr != *want_nr) continue;
      if (st.count() == 0) continue;
      SyscallEntry e;
      e.pid = rec.meta.pid;
      e.comm = rec.meta.comm;
      e.nr = nr;
      e.syscall = name_of(nr);
      e.count = st.count();
      e.errors = st.errors();
      e.total_ns = st.total_ns();
      e.max_ns = st.max_ns();
      e.exited = rec.exited_ms != 0;
      found.push_back({std::move(e), &st});
    }
  });
  auto by_total = [](const Found& a, const Found& b) { return a.entry.total_ns > b.entry.total_ns; };
  std::size_t keep = std::min(found.size(), q.limit);
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(keep), found.end(), by_total);
  found.resize(keep);
  std::vector<SyscallEntry> out;
  out.reserve(keep);
  // Percentiles only for the entries returned (they scan the histogram).
  for (auto& f : found) {
    const auto& h = f.stat->hist();
    f.entry.p50_ns = h.percentile(0.50);
    f.entry.p95_ns = h.percentile(0.95);
    f.entry.p99_ns = h.percentile(0.99);
    out.push_back(std::move(f.entry));
  }
  return out;
}

std::vector<ProcessSummary> MonitoringEngine::processes(std::optional<std::uint32_t> pid,
                                                        std::optional<std::string> comm, std::size_t limit) const {
  std::vector<ProcessSummary> out;
  for_each_record([&](const ProcessRecord& rec) {
    if (pid && rec.meta.pid != *pid) return;
    if (comm && rec.meta.comm != *comm) return;
    ProcessSummary s;
    s.meta = rec.meta;
    s.exited = rec.exited_ms != 0;
    s.first_seen_ms = rec.first_seen_ms;
    s.exited_ms = rec.exited_ms;
    for (const auto& [nr, st] : rec.syscalls) {
      s.syscalls += st.count();
      s.errors += st.errors();
      s.total_ns += st.total_ns();
    }
    out.push_back(std::move(s));
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.total_ns > b.total_ns; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::vector<SyscallAggregate> MonitoringEngine::top_syscalls(std::size_t limit) const {
  std::map<std::uint32_t, SyscallAggregate> by_nr;
  for_each_record([&](const ProcessRecord& rec) {
    for (const auto& [nr, st] : rec.syscalls) {
      auto& a = by_nr[nr];
      a.nr = nr;
      a.add(st);
    }
  });
  std::vector<SyscallAggregate> out;
  for (auto& [nr, a] : by_nr) {
    a.syscall = name_of(nr);
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.total_ns > b.total_ns; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::vector<SyscallAggregate> MonitoringEngine::syscalls_by_comm(std::size_t max_series) const {
  std::map<std::pair<std::string, std::uint32_t>, SyscallAggregate> agg;
  for_each_record([&](const ProcessRecord& rec) {
    for (const auto& [nr, st] : rec.syscalls) {
      auto& a = agg[{rec.meta.comm, nr}];
      a.comm = rec.meta.comm;
      a.nr = nr;
      a.add(st);
    }
  });
  std::vector<SyscallAggregate> all;
  all.reserve(agg.size());
  for (auto& [k, a] : agg) {
    a.syscall = name_of(a.nr);
    all.push_back(std::move(a));
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.total_ns > b.total_ns; });
  SyscallAggregate other;
  other.comm = "other";
  other.syscall = "other";
  fold_tail(all, max_series, std::move(other), [](SyscallAggregate& o, const SyscallAggregate& a) { o.merge(a); });
  return all;
}

std::uint64_t MonitoringEngine::total_syscalls() const {
  std::uint64_t n = 0;
  for_each_record([&](const ProcessRecord& rec) {
    for (const auto& [nr, st] : rec.syscalls) n += st.count();
  });
  return n;
}

}  // namespace hs::monitoring
