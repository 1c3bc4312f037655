// ProcessInspector over /proc (procfs::ProcessReader).
#pragma once

#include "monitoring/samples.h"
#include "procfs/process.h"

namespace hs::daemon {

class ProcfsInspector final : public monitoring::ProcessInspector {
 public:
  explicit ProcfsInspector(std::string proc_root = "/proc") : reader_(std::move(proc_root)) {}
  std::optional<monitoring::ProcessMeta> inspect(std::uint32_t pid) override;
  bool alive(std::uint32_t pid, std::uint64_t start_time_ticks) override {
    return reader_.alive(pid, start_time_ticks);
  }

 private:
  procfs::ProcessReader reader_;
};

}  // namespace hs::daemon
