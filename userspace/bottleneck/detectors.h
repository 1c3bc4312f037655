// Pure detection: one metrics snapshot against the thresholds gives the findings of
// this window, one per (layer, kind, subject), aggregated across processes.
#pragma once

#include <string>
#include <vector>

#include "bottleneck/bottleneck.h"
#include "bottleneck/layer_metrics.h"
#include "bottleneck/thresholds.h"

namespace hs::bottleneck {

struct Finding {
  Layer layer = Layer::system;
  std::string kind, subject, title;
  std::vector<Evidence> evidence;  // evidence[0] is the number that crossed its threshold
  double weight = 1;               // how much this kind matters for the score (0..1]
  std::vector<std::string> processes, endpoints, queries, remotes;
};

std::vector<Finding> detect(const MetricsSnapshot& m, const Thresholds& t);

// "nginx[1234]": how processes are named in affected lists.
std::string process_label(const std::string& comm, std::uint32_t pid);
// Syscalls whose long latency is waiting, not work (epoll_wait, futex, nanosleep, ...).
bool is_waiting_syscall(const std::string& name);
bool is_fsync_syscall(const std::string& name);

}  // namespace hs::bottleneck
