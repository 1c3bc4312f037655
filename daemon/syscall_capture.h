// Owns the syscall probe for the daemon: start/stop (load+attach / unload),
// live filters, and one poll that moves kernel aggregates into the engine.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/monitoring_config.h"
#include "daemon/probe_ledger.h"
#include "monitoring/monitoring_engine.h"
#include "probes/syscall_probe.h"
#include "web/routes/app_context.h"

namespace hs::daemon {

class SyscallCapture final : public web::CaptureControl {
 public:
  // cgroup_root: where cgroup v2 is mounted (empty: found in /proc/self/mounts).
  explicit SyscallCapture(monitoring::MonitoringEngine& engine, std::string cgroup_root = "");
  ~SyscallCapture() override;

  Status start() override;
  Status stop() override;
  bool running() const override { return probe_ && probe_->attached(); }

  // Resolves cgroup paths to ids; an error names the offending filter entry.
  Result<probes::SyscallFilter> resolve_filter(const config::SyscallFilterConfig& f) const;
  // Validated elsewhere; applies at once when running and at every start.
  Status set_config(const config::MonitoringConfig& cfg);
  // One interval: read, hand to the engine, forget exited processes' keys.
  void poll();
  monitoring::ProbeHealth health() const;

 private:
  monitoring::MonitoringEngine& engine_;
  std::string cgroup_root_;
  config::MonitoringConfig config_;
  probes::SyscallFilter filter_;
  std::unique_ptr<probes::SyscallProbe> probe_;
  std::string last_error_;
  std::string last_variant_;
  ProbeLedger<HS_DROP_SYS_COUNT> ledger_;
  std::vector<probes::SyscallRecord> records_;
};

}  // namespace hs::daemon
