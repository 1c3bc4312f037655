// net_probe_hold: loads and attaches the TCP probe alone, prints "ready", and
// keeps it attached until stdin closes; then prints the drop counters and, per
// program, how often it ran and its mean run time (kernel BPF run-time stats,
// switched on while this runs).
// The ON side of bench/net_overhead.sh.
#include <cstdio>
#include <iostream>
#include <string>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "probes/net_probe.h"

int main() {
  spdlog::set_level(spdlog::level::warn);  // stdout carries the protocol
  auto probe = hs::probes::NetProbe::load({});
  if (!probe.ok()) {
    std::fprintf(stderr, "load: %s\n", probe.status().text().c_str());
    return 1;
  }
  if (auto st = probe.value()->attach(); !st.ok()) {
    std::fprintf(stderr, "attach: %s\n", st.text().c_str());
    return 1;
  }
  int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  std::printf("ready\n");
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  auto drops = probe.value()->drops();
  std::printf("drops map_full=%llu no_storage=%llu unattributed=%llu missed_runs=%llu\n",
              static_cast<unsigned long long>(drops[HS_DROP_NET_MAP_FULL]),
              static_cast<unsigned long long>(drops[HS_DROP_NET_NO_STORAGE]),
              static_cast<unsigned long long>(drops[HS_DROP_NET_UNATTRIBUTED]),
              static_cast<unsigned long long>(probe.value()->missed_runs()));
  for (std::uint32_t id : probe.value()->program_ids()) {
    int fd = bpf_prog_get_fd_by_id(id);
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.run_cnt)
      std::fprintf(stderr, "  %-16s runs=%llu mean=%llu ns\n", info.name, static_cast<unsigned long long>(info.run_cnt),
                   static_cast<unsigned long long>(info.run_time_ns / info.run_cnt));
    if (fd >= 0) ::close(fd);
  }
  if (stats_fd >= 0) ::close(stats_fd);
  return 0;
}
