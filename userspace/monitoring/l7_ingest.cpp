// MonitoringEngine: folding decoded L7 operations in.
#include <algorithm>
#include <limits>

#include "monitoring/monitoring_engine.h"

namespace hs::monitoring {

using protocols::L7Reading;

void MonitoringEngine::ingest_l7(std::span<const L7Reading> readings) {
  ++counters_.l7_polls;
  counters_.l7_readings += readings.size();
  // Owners looked up once per call: records do not move while readings are added.
  std::unordered_map<std::uint32_t, ProcessRecord*> owners;
  for (const auto& r : readings) {
    const bool database = is_database(r.op.protocol);
    if (!database && r.op.protocol != Protocol::http) {
      ++counters_.l7_ignored;
      continue;
    }
    auto [it, fresh] = owners.try_emplace(r.tgid, nullptr);
    if (fresh) it->second = &record_for(r.tgid);
    // Pipelined operations of one exchange carry the same timestamps, so they share the latency.
    const std::uint64_t latency = r.response_ns > r.request_ns ? r.response_ns - r.request_ns : 0;
    if (database) {
      add_statement(*it->second, r, latency);
    } else {
      add_request(*it->second, r, latency);
    }
  }
  // Exits are found by the kernel map polls; without one for an interval, look
  // here. Not on every call: the queue is drained many times a second under
  // load, and each look reads /proc for every live process.
  const std::int64_t now_ms = clock_.now_ms();
  if (exit_checked_ms_ == std::numeric_limits<std::int64_t>::min() || now_ms < exit_checked_ms_ ||  // clock set back
      now_ms - exit_checked_ms_ >= static_cast<std::int64_t>(settings_.interval_ms))
    retire_exited(nullptr, nullptr);
  evict_expired();
}

std::int64_t MonitoringEngine::wall_ms(std::uint64_t mono_ns) const {
  const auto now_ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, clock_.mono_ns()));
  const std::uint64_t ago_ms = now_ns > mono_ns ? (now_ns - mono_ns) / 1'000'000 : 0;
  return clock_.now_ms() - static_cast<std::int64_t>(ago_ms);
}

void MonitoringEngine::add_statement(ProcessRecord& rec, const L7Reading& r, std::uint64_t latency_ns) {
  rec.l7.add_statement(r, latency_ns, std::max<std::size_t>(1, settings_.max_fingerprints_per_process),
                       settings_.capture_literals);
  l7_interval_.db.add(latency_ns, r.op.error, r.op.count);
  if (!r.server_side) attribution_.note(r);
  const std::uint64_t threshold_ns = std::uint64_t{settings_.slow_query_threshold_ms} * 1'000'000;
  if (!r.op.error && latency_ns < threshold_ns) return;
  SlowQuery q;
  q.ts_ms = wall_ms(r.request_ns);
  q.pid = rec.meta.pid;
  q.comm = rec.meta.comm;
  q.system = r.op.protocol;
  q.server_side = r.server_side;
  q.remote = r.remote;
  q.duration_ns = latency_ns;
  q.fingerprint = statement_fingerprint(r.op);
  q.fingerprint_id = fingerprint_id(q.system, q.fingerprint);
  q.text_has_literals = settings_.capture_literals && !r.op.text.empty();
  q.text = q.text_has_literals ? r.op.text : q.fingerprint;
  q.error = r.op.error;
  q.error_text = r.op.error_text;
  slow_log_.add(std::move(q));
}

void MonitoringEngine::add_request(ProcessRecord& rec, const L7Reading& r, std::uint64_t latency_ns) {
  claimed_.clear();
  if (r.server_side) attribution_.claim(r, claimed_);
  rec.l7.add_request(r, latency_ns, std::max<std::size_t>(1, settings_.max_routes_per_process), claimed_);
  l7_interval_.http.add(latency_ns, r.op.error, r.op.count);
  if (auto c = status_class(r.op.status); c && *c == kClass5xx) l7_interval_.http_5xx += r.op.count;
}

}  // namespace hs::monitoring
