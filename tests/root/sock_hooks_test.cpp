// Root tests of the socket hooks' chain: the net, L7 and TLS probes share one
// program per socket tracepoint, each probe's own programs run from its slot,
// every slot works alone, and nothing stays loaded after the last probe.
#include <gtest/gtest.h>
#include <bpf/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "probes/l7_probe.h"
#include "probes/net_probe.h"
#include "probes/sock_hooks.h"
#include "probes/tls_probe.h"
#include "socket_support.h"
#include "test_support.h"

namespace hs::roottest {
namespace {

using probes::L7Probe;
using probes::NetProbe;
using probes::SockHooks;
using probes::TlsProbe;

constexpr int kExchanges = 12;

const std::string kRequest = "GET /chain/7 HTTP/1.1\r\nHost: test\r\n\r\n";
const std::string kResponse = "HTTP/1.1 204 No Content\r\n\r\n";

// kExchanges keep-alive HTTP exchanges over loopback TCP; returns the server's port.
std::uint16_t http_exchanges() {
  Listener l;
  std::thread server([&] {
    Fd s = l.accept();
    char buf[512];
    for (int i = 0; i < kExchanges; ++i) {
      check(::read(s.get(), buf, sizeof(buf)) == static_cast<ssize_t>(kRequest.size()), "server read");
      check(::write(s.get(), kResponse.data(), kResponse.size()) == static_cast<ssize_t>(kResponse.size()), "write");
    }
  });
  Fd c = connect_to(AF_INET, l.port());
  check(c.get() >= 0, "connect");
  char buf[512];
  for (int i = 0; i < kExchanges; ++i) {
    check(::write(c.get(), kRequest.data(), kRequest.size()) == static_cast<ssize_t>(kRequest.size()), "write");
    check(::read(c.get(), buf, sizeof(buf)) == static_cast<ssize_t>(kResponse.size()), "client read");
  }
  server.join();
  return l.port();
}

// This process's L7 records on the server's port, per side.
struct Sides {
  int client = 0, server = 0;
  std::uint64_t client_ns = 0, server_ns = 0;  // request to response, summed
};
Sides l7_records(L7Probe& probe, std::uint16_t port) {
  Sides n;
  auto got = probe.consume(0, [&](const probes::L7Event& e) {
    if (e.record->tgid != static_cast<std::uint32_t>(::getpid()) || e.record->port != port) return;
    const bool client = e.record->role == HS_NET_ROLE_CLIENT;
    ++(client ? n.client : n.server);
    (client ? n.client_ns : n.server_ns) += e.record->resp_ns - e.record->req_ns;
  }, /*flush=*/true);
  EXPECT_TRUE(got.ok());
  return n;
}

// Round trips the net probe counted for this process on the server's port, per side.
Sides round_trips(NetProbe& probe, std::uint16_t port) {
  std::vector<NetReading> all;
  EXPECT_TRUE(probe.read_all(all).ok());
  Sides n;
  for (const auto& r : all) {
    if (r.key.tgid != static_cast<std::uint32_t>(::getpid()) || r.key.port != port) continue;
    const bool client = r.key.role == HS_NET_ROLE_CLIENT;
    (client ? n.client : n.server) += static_cast<int>(r.val.round_trips);
    (client ? n.client_ns : n.server_ns) += r.val.rtt_total_ns;
  }
  return n;
}

// Both ends of each of the kExchanges exchanges were seen.
void expect_every_exchange(const Sides& s, const char* probe) {
  EXPECT_EQ(s.client, kExchanges) << probe << ", client side";
  EXPECT_EQ(s.server, kExchanges) << probe << ", server side";
}

std::size_t linked_count(const std::vector<std::uint32_t>& ids) {
  const std::set<std::uint32_t> linked = linked_prog_ids();
  return static_cast<std::size_t>(std::count_if(ids.begin(), ids.end(), [&](auto id) { return linked.count(id); }));
}

// Whether the program with this id is freed within `limit`.
bool program_goes_away(std::uint32_t id, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) return errno == ENOENT;
    ::close(fd);
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

class SockHooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";
    auto n = NetProbe::load({});
    ASSERT_TRUE(n.ok()) << n.status().text();
    net_ = std::move(n.value());
    auto l = L7Probe::load({});
    ASSERT_TRUE(l.ok()) << l.status().text();
    l7_ = std::move(l.value());
  }
  std::unique_ptr<NetProbe> net_;
  std::unique_ptr<L7Probe> l7_;
};

// With all three probes attached, one program per tracepoint is linked; the
// probes' socket programs are not, and yet both net and L7 see every exchange.
TEST_F(SockHooksTest, ProbesShareOneLinkedProgramPerTracepoint) {
  probes::TlsProbeOptions tls_opts;
  tls_opts.scan_running = false;
  tls_opts.system_libraries = false;
  auto t = TlsProbe::load(tls_opts);
  ASSERT_TRUE(t.ok()) << t.status().text();
  std::unique_ptr<TlsProbe> tls = std::move(t.value());
  ASSERT_TRUE(net_->attach().ok());
  ASSERT_TRUE(l7_->attach().ok());
  ASSERT_TRUE(tls->attach().ok());

  auto hooks = SockHooks::current();
  ASSERT_NE(hooks, nullptr);
  EXPECT_EQ(hooks->program_ids().size(), 2u);
  EXPECT_EQ(linked_count(hooks->program_ids()), 2u);
  EXPECT_EQ(linked_count(l7_->program_ids()), 1u);   // TCP closing; send and receive run from the chain
  EXPECT_EQ(linked_count(net_->program_ids()), 5u);  // state, tcp_probe, retransmit, two resets
  EXPECT_EQ(linked_count(tls->program_ids()), 2u);   // exec and exit; no library attached

  const std::uint16_t port = http_exchanges();
  Sides l7 = l7_records(*l7_, port), net = round_trips(*net_, port);
  expect_every_exchange(l7, "l7");
  expect_every_exchange(net, "net");
  EXPECT_EQ(net_->missed_runs() + l7_->missed_runs() + tls->missed_runs(), 0u);
}

// The programs of one event read the clock once: the net probe's round trips
// and L7's exchanges, which begin and end at the same events, last exactly as
// long (with a clock read of their own each, they differ by tens of ns).
TEST_F(SockHooksTest, NetAndL7TimeAnEventWithOneClockReading) {
  ASSERT_TRUE(net_->attach().ok());
  ASSERT_TRUE(l7_->attach().ok());
  const std::uint16_t port = http_exchanges();
  Sides l7 = l7_records(*l7_, port), net = round_trips(*net_, port);
  expect_every_exchange(l7, "l7");
  expect_every_exchange(net, "net");
  EXPECT_GT(l7.client_ns, 0u);
  EXPECT_EQ(l7.client_ns, net.client_ns);
  EXPECT_EQ(l7.server_ns, net.server_ns);
}

// An empty slot is skipped: L7 alone, then net alone, each counts exactly.
TEST_F(SockHooksTest, EachSlotWorksWithoutTheOthers) {
  ASSERT_TRUE(l7_->attach().ok());
  std::uint16_t port = http_exchanges();
  EXPECT_EQ(round_trips(*net_, port).client, 0);
  Sides l7 = l7_records(*l7_, port);
  EXPECT_EQ(l7.client, kExchanges);
  EXPECT_EQ(l7.server, kExchanges);

  l7_->detach();
  ASSERT_TRUE(net_->attach().ok());
  port = http_exchanges();
  EXPECT_EQ(l7_records(*l7_, port).client, 0);
  Sides net = round_trips(*net_, port);
  EXPECT_EQ(net.client, kExchanges);
  EXPECT_EQ(net.server, kExchanges);
}

// A second probe of the same kind in one process is refused the slot; the first keeps it.
TEST_F(SockHooksTest, ASecondProbeOfAKindIsRefusedTheSlot) {
  ASSERT_TRUE(l7_->attach().ok());
  auto again = L7Probe::load({});
  ASSERT_TRUE(again.ok()) << again.status().text();
  Status st = again.value()->attach();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.text().find("holds the slot"), std::string::npos) << st.text();
  again.value().reset();  // its detach must not empty the slot it never got
  const std::uint16_t port = http_exchanges();
  Sides l7 = l7_records(*l7_, port);
  EXPECT_EQ(l7.client, kExchanges);
  EXPECT_EQ(l7.server, kExchanges);
}

// The hooks go with the last probe holding them: their programs are unlinked and freed.
TEST_F(SockHooksTest, NothingStaysLoadedAfterTheLastProbe) {
  ASSERT_TRUE(net_->attach().ok());
  ASSERT_TRUE(l7_->attach().ok());
  auto hooks = SockHooks::current();
  ASSERT_NE(hooks, nullptr);
  const std::vector<std::uint32_t> ids = hooks->program_ids();
  hooks.reset();
  net_.reset();
  EXPECT_NE(SockHooks::current(), nullptr);  // L7 still holds them
  EXPECT_EQ(linked_count(ids), 2u);
  l7_.reset();
  EXPECT_EQ(SockHooks::current(), nullptr);
  EXPECT_EQ(linked_count(ids), 0u);
  // A link lets go of its program after an RCU grace period: wait for that, bounded.
  for (auto id : ids) EXPECT_TRUE(program_goes_away(id, std::chrono::seconds(5))) << id;
}

}  // namespace
}  // namespace hs::roottest
