#include "daemon/l7_capture.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "common/clock.h"

namespace hs::daemon {
namespace {

constexpr int kPollMs = 50;  // the reader's wait when the kernel does not wake it

}  // namespace

L7Capture::~L7Capture() { (void)stop(); }

Status L7Capture::set_config(const config::MonitoringConfig& cfg, bool capture_wanted) {
  bool was_enabled = config_.l7_enabled, had_tls = config_.tls_enabled;
  config_ = cfg;
  keep_texts_ = cfg.capture_literals;
  if (!capture_wanted) return {};
  if (was_enabled != cfg.l7_enabled) return cfg.l7_enabled ? start() : stop();
  // The reader owns both probes while it runs: TLS on or off restarts the capture.
  if (had_tls != cfg.tls_enabled && running()) {
    if (Status st = stop(); !st.ok()) return st;
    return start();
  }
  return {};
}

Status L7Capture::start() {
  if (!config_.l7_enabled || running()) return {};
  probes::L7ProbeOptions opts;
  opts.ringbuf_bytes = config_.l7_ring_buffer_kb * 1024u;
  auto loaded = probes::L7Probe::load(opts);
  if (!loaded.ok()) {
    last_error_ = loaded.status().text();
    spdlog::error("l7 probe unavailable: {}", last_error_);
    return loaded.status();
  }
  probe_ = std::move(loaded.value());
  if (Status st = probe_->attach(); !st.ok()) {
    last_error_ = st.text();
    spdlog::error("l7 probe failed to attach: {}", last_error_);
    probe_.reset();
    return st;
  }
  last_error_.clear();
  start_tls();
  stopping_ = false;
  last_drain_ = std::chrono::steady_clock::now();
  reader_ = std::thread([this] { read_loop(); });
  spdlog::info("l7 probe attached");
  return {};
}

// The TLS probe is optional: without it (disabled, no BTF for uprobes, no
// libssl) the socket-layer capture runs alone and the health says why.
void L7Capture::start_tls() {
  tls_error_.clear();
  if (!config_.tls_enabled) return;
  auto loaded = probes::TlsProbe::load(probes::TlsProbeOptions{});
  if (!loaded.ok()) {
    tls_error_ = loaded.status().text();
    spdlog::error("tls probe unavailable: {}", tls_error_);
    return;
  }
  if (Status st = loaded.value()->attach(); !st.ok()) {
    tls_error_ = st.text();
    spdlog::error("tls probe failed to attach: {}", tls_error_);
    return;
  }
  tls_ = std::move(loaded.value());
  spdlog::info("tls probe attached to {} libssl file(s)", tls_->libraries().size());
}

Status L7Capture::stop() {
  if (!probe_) return {};
  probe_->detach();
  stopping_ = true;
  if (reader_.joinable()) reader_.join();  // it drains what is left first
  // Only once the reader is gone: the TLS probe is used by one thread at a time.
  if (tls_) tls_->detach();
  poll();
  ledger_.retire(*probe_);
  probe_.reset();
  if (tls_) {
    tls_ledger_.retire(*tls_);
    tls_.reset();
  }
  spdlog::info("l7 probe detached and unloaded");
  return {};
}

void L7Capture::read_loop() {
  l7::ConnectionTable table;
  std::vector<protocols::L7Reading> batch;
  std::uint64_t last_sweep = kernel_clock_ns();
  for (;;) {
    bool last = stopping_.load();
    bool drain = false;
    auto t0 = std::chrono::steady_clock::now();
    std::uint64_t now = kernel_clock_ns();
    auto sink = [&](const probes::L7Event& e) {
      // Per record: a change of capture_literals applies from the next exchange on.
      table.set_keep_texts(keep_texts_.load(std::memory_order_relaxed));
      table.decode(*e.record, e.request(), e.response(), now, batch);
    };
    auto n = probe_->consume(last ? 0 : kPollMs, sink, last);
    if (!n.ok()) spdlog::warn("l7 read: {}", n.status().text());
    if (tls_) {
      // After the socket-layer wait: its ring wakes this thread when it fills.
      if (auto t = tls_->consume(0, sink); !t.ok()) spdlog::warn("tls read: {}", t.status().text());
    }
    if (now - last_sweep > 10'000'000'000ull) {
      table.evict_idle(now);
      last_sweep = now;
    }
    {
      std::lock_guard lock(mu_);
      std::size_t room = kMaxQueued > queue_.size() ? kMaxQueued - queue_.size() : 0;
      std::size_t take = std::min(room, batch.size());
      queue_full_ += batch.size() - take;
      if (take < batch.size()) warn_queue_full(batch.size() - take);
      if (queue_.empty() && take == batch.size()) {
        queue_.swap(batch);  // the common case: no copy
      } else {
        std::move(batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(take), std::back_inserter(queue_));
      }
      table_ = table.counters();
      connections_ = table.size();
      malformed_ = probe_->malformed() + (tls_ ? tls_->malformed() : 0);
      if (n.ok() && n.value() > 0)
        last_read_us_ = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
      drain = queue_.size() >= kDrainAt && drain_request_ && !drain_requested_.exchange(true);
    }
    if (drain) drain_request_();
    batch.clear();
    if (last) return;
  }
}

// Says, at most every 10 s, that operations were lost and how long the engine
// has not drained the queue (a stalled executor, or an engine slower than the reader).
void L7Capture::warn_queue_full(std::size_t lost) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_full_warning_ < std::chrono::seconds(10)) return;
  last_full_warning_ = now;
  const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_drain_).count();
  spdlog::warn("l7: the engine fell behind: {} operations dropped (queue full at {}; last drained {} ms ago; "
               "{} dropped in all)",
               lost, kMaxQueued, since, queue_full_);
}

void L7Capture::poll() {
  {
    std::lock_guard lock(mu_);
    ready_.swap(queue_);
    drain_requested_ = false;
    last_drain_ = std::chrono::steady_clock::now();
  }
  engine_.ingest_l7(ready_);
  ready_.clear();
  // Kept for the next swap so the queue does not grow from nothing every interval,
  // unless a burst made it large.
  if (ready_.capacity() > kKeptCapacity) ready_ = {};
}

monitoring::ProbeHealth L7Capture::health() const {
  monitoring::ProbeHealth h;
  h.name = "l7";
  h.state = running() ? "attached" : (!last_error_.empty() ? "failed" : "detached");
  h.variant = "tp_btf";
  h.reason = last_error_.empty() && !config_.l7_enabled ? "disabled in the configuration" : last_error_;
  auto drops = ledger_.drops(probe_.get());
  std::lock_guard lock(mu_);
  h.drops = {{"ringbuf_full", drops[HS_DROP_L7_RINGBUF_FULL]},
             {"no_socket_storage", drops[HS_DROP_L7_NO_STORAGE]},
             {"payload_unreadable", drops[HS_DROP_L7_READ_FAILED]},
             {"queue_full", queue_full_},
             // Estimated requests past the captured prefix of deep pipelines.
             {"beyond_prefix", table_.beyond_prefix},
             {"malformed", malformed_},
             {"missed_runs", ledger_.missed_runs(probe_.get())}};
  h.entries = connections_;
  h.max_entries = l7::TableLimits{}.max_connections;
  h.last_read_us = last_read_us_;
  return h;
}

monitoring::ProbeHealth L7Capture::tls_health() const {
  monitoring::ProbeHealth h;
  h.name = "tls";
  h.variant = "uprobe";
  const bool wanted = config_.l7_enabled && config_.tls_enabled;
  h.state = tls_ && tls_->attached() ? "attached" : (!tls_error_.empty() ? "failed" : "detached");
  h.reason = !tls_error_.empty() ? tls_error_
             : !config_.tls_enabled ? "disabled in the configuration (tls_enabled)"
             : !wanted              ? "needs l7_enabled"
                                    : "";
  auto drops = tls_ledger_.drops(tls_.get());
  h.drops = {{"ringbuf_full", drops[HS_DROP_TLS_RINGBUF_FULL]},
             {"no_connection_state", drops[HS_DROP_TLS_NO_CONN]},
             {"payload_unreadable", drops[HS_DROP_TLS_READ_FAILED]},
             {"no_call_state", drops[HS_DROP_TLS_NO_CALL]},
             {"process_events_lost", drops[HS_DROP_TLS_PROC_EVENTS]},
             {"missed_runs", tls_ledger_.missed_runs(tls_.get())}};
  if (tls_) {
    h.entries = tls_->libraries().size();  // libssl files attached
    h.max_entries = 0;
  }
  return h;
}

}  // namespace hs::daemon
