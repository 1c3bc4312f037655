#include "daemon/procfs_inspector.h"

namespace hs::daemon {

std::optional<monitoring::ProcessMeta> ProcfsInspector::inspect(std::uint32_t pid) {
  auto info = reader_.read(pid);
  if (!info.ok()) return std::nullopt;
  monitoring::ProcessMeta m;
  m.pid = pid;
  m.start_time_ticks = info->stat.start_time_ticks;
  m.comm = info->comm.empty() ? info->stat.comm : info->comm;
  m.exe = info->exe;
  m.cmdline = info->cmdline;
  m.cgroup = info->cgroup.path;
  m.container_id = info->cgroup.container_id;
  m.systemd_unit = info->cgroup.systemd_unit;
  m.rss_bytes = info->rss_bytes;
  m.cpu_ticks = info->stat.utime_ticks + info->stat.stime_ticks;
  return m;
}

}  // namespace hs::daemon
