// tls_hold: loads and attaches the TLS probe alone, prints "ready", and keeps it
// attached until stdin closes, draining its ring buffer meanwhile; then prints
// the drop counters and the records seen and, per program, how often it ran
// and its mean run time (BPF run-time stats, switched on while this runs).
// The ON side of bench/tls_overhead.sh.
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "probes/tls_probe.h"

int main() {
  // stdout carries the protocol: logs go to stderr (HS_TLS_HOLD_LOG=info shows the library tracking).
  spdlog::set_default_logger(spdlog::stderr_color_mt("tls_hold"));
  const char* level = std::getenv("HS_TLS_HOLD_LOG");
  spdlog::set_level(level ? spdlog::level::from_str(level) : spdlog::level::warn);
  auto probe = hs::probes::TlsProbe::load({});
  if (!probe.ok()) {
    std::fprintf(stderr, "tls probe did not load: %s\n", probe.status().text().c_str());
    return 1;
  }
  if (auto st = probe.value()->attach(); !st.ok()) {
    std::fprintf(stderr, "tls probe did not attach: %s\n", st.text().c_str());
    return 1;
  }
  int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  std::printf("ready\n");
  std::fflush(stdout);
  unsigned long long records = 0;
  char buf[256];
  for (;;) {
    pollfd p{0, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0 && ::read(0, buf, sizeof(buf)) <= 0) break;
    auto n = probe.value()->consume(50, [](const hs::probes::L7Event&) {});
    if (n.ok()) records += static_cast<unsigned long long>(n.value());
  }
  // What the last round trips left on the ring buffer.
  auto n = probe.value()->consume(0, [](const hs::probes::L7Event&) {});
  if (n.ok()) records += static_cast<unsigned long long>(n.value());
  std::printf("drops");
  for (auto d : probe.value()->drops()) std::printf(" %llu", static_cast<unsigned long long>(d));
  std::printf(" missed_runs=%llu records=%llu libraries=%zu\n",
              static_cast<unsigned long long>(probe.value()->missed_runs()), records,
              probe.value()->libraries().size());
  for (std::uint32_t id : probe.value()->program_ids()) {
    int fd = bpf_prog_get_fd_by_id(id);
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.run_cnt)
      std::fprintf(stderr, "  %-18s runs=%llu mean=%llu ns\n", info.name,
                   static_cast<unsigned long long>(info.run_cnt),
                   static_cast<unsigned long long>(info.run_time_ns / info.run_cnt));
    if (fd >= 0) ::close(fd);
  }
  if (stats_fd >= 0) ::close(stats_fd);
  return 0;
}
