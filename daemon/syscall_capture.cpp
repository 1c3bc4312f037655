#include "daemon/syscall_capture.h"

#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

#include "procfs/cgroup.h"
#include "procfs/file_io.h"

namespace hs::daemon {

SyscallCapture::SyscallCapture(monitoring::MonitoringEngine& engine, std::string cgroup_root)
    : engine_(engine), cgroup_root_(std::move(cgroup_root)) {
  if (cgroup_root_.empty()) {
    auto mounts = procfs::read_file("/proc/self/mounts");
    auto found = mounts.ok() ? procfs::cgroup2_mount_point(mounts.value()) : std::nullopt;
    cgroup_root_ = found.value_or("/sys/fs/cgroup");
  }
  engine_.set_comm_fallback([this](std::uint32_t tgid) { return probe_ ? probe_->process_comm(tgid) : std::string(); });
}

SyscallCapture::~SyscallCapture() { stop(); }

Result<probes::SyscallFilter> SyscallCapture::resolve_filter(const config::SyscallFilterConfig& f) const {
  probes::SyscallFilter out;
  out.pids = f.pids;
  out.comms = f.comms;
  out.min_latency_ns = f.min_latency_ns;
  for (std::size_t i = 0; i < f.cgroups.size(); ++i) {
    auto id = procfs::cgroup_id_for_path(cgroup_root_, f.cgroups[i]);
    if (!id)
      return Status::error("validate", "filters.cgroups[" + std::to_string(i) + "]: no cgroup '" + f.cgroups[i] +
                                           "' under " + cgroup_root_);
    out.cgroup_ids.push_back(*id);
  }
  return out;
}

Status SyscallCapture::set_config(const config::MonitoringConfig& cfg) {
  auto filter = resolve_filter(cfg.filters);
  if (!filter.ok()) return filter.status();
  if (probe_) {
    if (Status st = probe_->set_filter(filter.value()); !st.ok()) return st;
  }
  filter_ = std::move(filter.value());
  config_ = cfg;
  return {};
}

Status SyscallCapture::start() {
  if (running()) return {};
  if (!probe_) {
    probes::SyscallProbeOptions opts;
    opts.max_entries = config_.max_syscall_entries;
    auto loaded = probes::SyscallProbe::load(opts);
    if (!loaded.ok()) {
      last_error_ = loaded.status().text();
      spdlog::error("syscall probe unavailable: {}", last_error_);
      return loaded.status();
    }
    probe_ = std::move(loaded.value());
    // Fresh kernel maps: the engine's last readings no longer apply.
    engine_.kernel_entries_reset();
    if (Status st = probe_->set_filter(filter_); !st.ok()) {
      last_error_ = st.text();
      probe_.reset();
      return st;
    }
  }
  if (Status st = probe_->attach(); !st.ok()) {
    last_error_ = st.text();
    spdlog::error("syscall probe failed to attach: {}", last_error_);
    probe_.reset();
    return st;
  }
  last_error_.clear();
  last_variant_ = std::string(probe_->variant());
  spdlog::info("syscall probe attached ({})", last_variant_);
  return {};
}

Status SyscallCapture::stop() {
  if (!probe_) return {};
  probe_->detach();
  poll();  // keep what was counted up to the detach
  ledger_.retire(*probe_);
  probe_.reset();  // unloads programs and maps
  engine_.kernel_entries_reset();
  spdlog::info("syscall probe detached and unloaded");
  return {};
}

void SyscallCapture::poll() {
  if (!probe_) return;
  auto ingest = [this](const std::vector<probes::SyscallRecord>& r) { return engine_.ingest_syscalls(r); };
  ledger_.read_and_ingest(*probe_, records_, ingest, last_error_);
}

monitoring::ProbeHealth SyscallCapture::health() const {
  monitoring::ProbeHealth h;
  h.name = "syscalls";
  h.state = running() ? "attached" : (!last_error_.empty() ? "failed" : "detached");
  h.variant = last_variant_;
  h.reason = last_error_;
  auto drops = ledger_.drops(probe_.get());
  if (probe_) {
    h.entries = probe_->entries();
    h.max_entries = probe_->max_entries();
  }
  std::uint64_t missed = ledger_.missed_runs(probe_.get());
  h.drops = {{"map_full", drops[HS_DROP_SYS_MAP_FULL]},
             {"comm_map_full", drops[HS_DROP_SYS_COMM_FULL]},
             {"no_task_storage", drops[HS_DROP_SYS_NO_STORAGE]},
             {"no_memory", drops[HS_DROP_SYS_NO_MEMORY]},
             // Program runs the kernel skipped (recursion, or another program busy on the CPU).
             {"missed_runs", missed}};
  h.last_read_us = ledger_.last_read_us();
  return h;
}

}  // namespace hs::daemon
