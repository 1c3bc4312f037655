// probe_hold net|l7: loads and attaches one probe alone, prints "ready", and
// keeps it attached until stdin closes (draining the L7 ring buffer meanwhile);
// then prints the drop counters and, per program, how often it ran and its
// mean run time (kernel BPF run-time stats, switched on while this runs).
// The ON side of bench/net_overhead.sh.
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include "probes/l7_probe.h"
#include "probes/net_probe.h"

namespace {

// Waits for stdin to close, calling tick() about every 50 ms.
template <typename F>
void hold(F&& tick) {
  char buf[256];
  for (;;) {
    pollfd p{0, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0 && ::read(0, buf, sizeof(buf)) <= 0) return;
    tick();
  }
}

template <typename Probe>
int report(const Probe& probe, std::uint64_t records) {
  std::printf("drops");
  for (auto d : probe.drops()) std::printf(" %llu", static_cast<unsigned long long>(d));
  std::printf(" missed_runs=%llu records=%llu\n", static_cast<unsigned long long>(probe.missed_runs()),
              static_cast<unsigned long long>(records));
  for (std::uint32_t id : probe.program_ids()) {
    int fd = bpf_prog_get_fd_by_id(id);
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.run_cnt)
      std::fprintf(stderr, "  %-16s runs=%llu mean=%llu ns\n", info.name, static_cast<unsigned long long>(info.run_cnt),
                   static_cast<unsigned long long>(info.run_time_ns / info.run_cnt));
    if (fd >= 0) ::close(fd);
  }
  return 0;
}

template <typename Probe, typename Options>
int run(const Options& opts, bool drain) {
  auto probe = Probe::load(opts);
  if (!probe.ok() || !probe.value()->attach().ok()) {
    std::fprintf(stderr, "probe did not load or attach\n");
    return 1;
  }
  int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  std::printf("ready\n");
  std::fflush(stdout);
  std::uint64_t records = 0;
  hold([&] {
    if constexpr (requires { probe.value()->consume(0, {}); }) {
      if (drain) {
        auto n = probe.value()->consume(0, [](const hs::probes::L7Event&) {});
        if (n.ok()) records += static_cast<std::uint64_t>(n.value());
      }
    }
  });
  int rc = report(*probe.value(), records);
  if (stats_fd >= 0) ::close(stats_fd);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // stdout carries the protocol
  std::string which = argc > 1 ? argv[1] : "net";
  if (which == "net") return run<hs::probes::NetProbe>(hs::probes::NetProbeOptions{}, false);
  if (which == "l7") return run<hs::probes::L7Probe>(hs::probes::L7ProbeOptions{}, true);
  std::fprintf(stderr, "usage: %s net|l7\n", argv[0]);
  return 2;
}
