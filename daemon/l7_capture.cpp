#include "daemon/l7_capture.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <span>

#include <spdlog/spdlog.h>

#include "common/clock.h"

namespace hs::daemon {
namespace {

constexpr int kPollMs = 50;  // the longest wait for the rings when the kernel does not wake them

}  // namespace

L7Capture::~L7Capture() { (void)stop(); }

Status L7Capture::set_config(const config::MonitoringConfig& cfg, bool capture_wanted) {
  bool was_enabled = config_.l7_enabled, had_tls = config_.tls_enabled;
  config_ = cfg;
  keep_texts_ = cfg.capture_literals;  // from the next pass on
  if (!capture_wanted) return {};
  if (was_enabled != cfg.l7_enabled) return cfg.l7_enabled ? start() : stop();
  // Both probes start and stop together: TLS on or off restarts the capture.
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
  {
    std::lock_guard lock(pending_mu_);
    stopping_ = false;
    read_pending_ = false;
  }
  {
    std::lock_guard lock(read_mu_);
    table_ = l7::ConnectionTable{};  // connections from before a stop are gone from the kernel's view
    last_sweep_ns_ = kernel_clock_ns();
  }
  waiter_ = std::thread([this] { wait_loop(); });
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
  {
    std::lock_guard lock(pending_mu_);
    stopping_ = true;
  }
  pending_cv_.notify_one();
  if (waiter_.joinable()) waiter_.join();
  if (tls_) tls_->detach();
  {
    std::lock_guard lock(read_mu_);
    ingest_backlog();
    read_pass(true, Target::engine);  // what is left in the rings, the last millisecond's too
  }
  ledger_.retire(*probe_);
  probe_.reset();
  if (tls_) {
    tls_ledger_.retire(*tls_);
    tls_.reset();
  }
  spdlog::info("l7 probe detached and unloaded");
  return {};
}

// Asks for a read when the kernel wakes the rings (a quarter full) or every
// kPollMs, then waits until poll() has run, so that requests do not pile up
// while the executor is busy; reads into the backlog meanwhile if that takes
// longer than kExecutorGrace.
void L7Capture::wait_loop() {
  for (;;) {
    if (Status st = probe_->wait(kPollMs); !st.ok()) {
      spdlog::warn("l7 wait: {}", st.text());
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    }
    if (!wait_for_poll()) return;
  }
}

bool L7Capture::wait_for_poll() {
  std::unique_lock lock(pending_mu_);
  if (stopping_) return false;
  if (!read_request_) return true;  // the caller's own poll() calls read
  read_pending_ = true;
  lock.unlock();
  read_request_();
  lock.lock();
  while (!pending_cv_.wait_for(lock, kExecutorGrace, [this] { return !read_pending_ || stopping_; })) {
    lock.unlock();
    {
      std::lock_guard read_lock(read_mu_);
      read_pass(false, Target::backlog);
    }
    lock.lock();
  }
  return !stopping_;
}

void L7Capture::poll() {
  {
    std::lock_guard lock(read_mu_);
    ingest_backlog();
    if (probe_) {
      read_pass(false, Target::engine);
    } else {
      hand_on(Target::engine);  // nothing, but the engine looks for exited processes then
    }
  }
  {
    std::lock_guard lock(pending_mu_);
    read_pending_ = false;
  }
  pending_cv_.notify_one();
}

void L7Capture::ingest_backlog() {
  const std::span<const protocols::L7Reading> all(backlog_);
  for (std::size_t at = 0; at < all.size(); at += kIngestChunk)
    engine_.ingest_l7(all.subspan(at, std::min(kIngestChunk, all.size() - at)));
  backlog_.clear();
  // A burst's storage is not kept.
  if (backlog_.capacity() > 16 * kIngestChunk) backlog_ = {};
}

void L7Capture::hand_on(Target target) {
  if (target == Target::engine) {
    engine_.ingest_l7(chunk_);
  } else {
    const std::size_t room = kMaxBacklog > backlog_.size() ? kMaxBacklog - backlog_.size() : 0;
    const std::size_t take = std::min(room, chunk_.size());
    std::move(chunk_.begin(), chunk_.begin() + static_cast<std::ptrdiff_t>(take), std::back_inserter(backlog_));
    if (take < chunk_.size()) warn_backlog_full(chunk_.size() - take);
  }
  chunk_.clear();
}

// Says, at most every 10 s, that operations were lost because the executor has
// not polled for so long that the backlog filled.
void L7Capture::warn_backlog_full(std::size_t lost) {
  queue_full_ += lost;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_full_warning_ < std::chrono::seconds(10)) return;
  last_full_warning_ = now;
  spdlog::warn("l7: the executor has not polled and the backlog is full ({} operations): {} dropped ({} in all)",
               kMaxBacklog, lost, queue_full_);
}

void L7Capture::read_pass(bool flush, Target target) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t now = kernel_clock_ns();
  table_.set_keep_texts(keep_texts_.load(std::memory_order_relaxed));
  auto sink = [&](const probes::L7Event& e) {
    table_.decode(*e.record, e.request(), e.response(), now, chunk_);
    if (chunk_.size() >= kIngestChunk) hand_on(target);
  };
  auto n = probe_->consume(0, sink, flush);
  if (!n.ok()) spdlog::warn("l7 read: {}", n.status().text());
  if (tls_) {
    if (auto t = tls_->consume(0, sink); !t.ok()) spdlog::warn("tls read: {}", t.status().text());
  }
  hand_on(target);  // the rest; to the engine with none too (see poll)
  if (now - last_sweep_ns_ > 10'000'000'000ull) {
    table_.evict_idle(now);
    last_sweep_ns_ = now;
  }
  malformed_ = probe_->malformed() + (tls_ ? tls_->malformed() : 0);
  if (n.ok() && n.value() > 0)
    last_read_us_ = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
}

monitoring::ProbeHealth L7Capture::health() const {
  monitoring::ProbeHealth h;
  h.name = "l7";
  h.state = running() ? "attached" : (!last_error_.empty() ? "failed" : "detached");
  h.variant = "tp_btf";
  h.reason = last_error_.empty() && !config_.l7_enabled ? "disabled in the configuration" : last_error_;
  auto drops = ledger_.drops(probe_.get());
  std::lock_guard lock(read_mu_);
  h.drops = {{"ringbuf_full", drops[HS_DROP_L7_RINGBUF_FULL]},
             {"no_socket_storage", drops[HS_DROP_L7_NO_STORAGE]},
             {"payload_unreadable", drops[HS_DROP_L7_READ_FAILED]},
             {"queue_full", queue_full_},
             // Estimated requests past the captured prefix of deep pipelines.
             {"beyond_prefix", table_.counters().beyond_prefix},
             {"malformed", malformed_},
             {"missed_runs", ledger_.missed_runs(probe_.get())}};
  h.entries = table_.size();
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
