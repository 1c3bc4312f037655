// Root test of the daemon's L7 capture with real probes: when the executor does
// not run the poll it asked for, the waiting thread reads the rings itself, and
// the next poll hands the engine every operation exactly once. Other processes'
// traffic on the host only adds records: the counts are of this process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "common/clock.h"
#include "daemon/l7_capture.h"
#include "socket_support.h"

namespace hs::roottest {
namespace {

class ThisProcess final : public monitoring::ProcessInspector {
 public:
  std::optional<monitoring::ProcessMeta> inspect(std::uint32_t pid) override {
    monitoring::ProcessMeta m;
    m.pid = pid;
    m.comm = "capture-test";
    m.start_time_ticks = 1;
    return m;
  }
  bool alive(std::uint32_t, std::uint64_t) override { return true; }
};

// n Redis PINGs over one loopback connection, each answered before the next.
void pings(int n) {
  const std::string ping = "*1\r\n$4\r\nPING\r\n", pong = "+PONG\r\n";
  Listener l;
  std::thread server([&] {
    Fd s = l.accept();
    for (int i = 0; i < n; ++i) {
      read_exactly(s.get(), ping.size());
      write_all(s.get(), pong);
    }
  });
  Fd c = connect_to(AF_INET, l.port());
  for (int i = 0; i < n; ++i) {
    write_all(c.get(), ping);
    read_exactly(c.get(), pong.size());
  }
  server.join();
}

std::uint64_t pings_counted(const monitoring::MonitoringEngine& engine, const char* side) {
  monitoring::QueryListFilter f;
  f.system = "redis";
  f.side = side;
  f.pid = static_cast<std::uint32_t>(::getpid());
  std::uint64_t n = 0;
  for (const auto& q : engine.database_queries(f).queries)
    if (q.fingerprint == "PING") n += q.count;
  return n;
}

TEST(L7CaptureTest, TheWaitingThreadReadsTheRingsWhileTheExecutorDoesNotPoll) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";
  SystemClock clock;
  ThisProcess inspector;
  monitoring::MonitoringEngine engine(clock, inspector);
  daemon::L7Capture capture(engine);
  std::atomic<int> asked{0};
  capture.set_read_request([&] { ++asked; });  // an executor that never gets to it
  config::MonitoringConfig cfg;
  cfg.l7_enabled = true;
  cfg.tls_enabled = false;
  ASSERT_TRUE(capture.set_config(cfg, false).ok());
  ASSERT_TRUE(capture.start().ok());
  ASSERT_TRUE(capture.running()) << capture.health().reason;

  // 2 × 50 000 records of ≈ 112 bytes: more than the two 4 MiB rings hold, so
  // without a reader some would be lost.
  constexpr int kN = 50'000;
  pings(kN);
  EXPECT_EQ(pings_counted(engine, "client"), 0u);  // nothing reaches the engine without a poll
  EXPECT_EQ(asked.load(), 1);                      // one request, not one per wait

  capture.poll();
  EXPECT_EQ(pings_counted(engine, "client"), static_cast<std::uint64_t>(kN));
  EXPECT_EQ(pings_counted(engine, "server"), static_cast<std::uint64_t>(kN));
  ASSERT_TRUE(capture.stop().ok());
  for (const auto& [name, n] : capture.health().drops) EXPECT_EQ(n, 0u) << name;
}

}  // namespace
}  // namespace hs::roottest
