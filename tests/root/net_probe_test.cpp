// Root tests of the TCP probe: load the real skeleton, make connections on
// loopback from this process (client and server threads), assert the exact
// numbers the kernel aggregated and the socket list it reports.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>

#include "common/histogram.h"
#include "probes/net_probe.h"
#include "socket_support.h"

namespace hs::roottest {
namespace {

using probes::NetProbe;

constexpr std::uint64_t kMs = 1'000'000;

hs_net_key key_of(std::uint8_t role, int af, std::uint16_t port) {
  hs_net_key k{};
  k.tgid = static_cast<std::uint32_t>(::getpid());
  k.role = role;
  k.port = port;
  if (af == AF_INET) {
    k.family = HS_AF_INET;
    std::uint32_t a = htonl(INADDR_LOOPBACK);
    std::memcpy(k.addr, &a, 4);
  } else {
    k.family = HS_AF_INET6;
    std::memcpy(k.addr, &in6addr_loopback, 16);
  }
  return k;
}

std::optional<hs_net_val> find(NetProbe& probe, const hs_net_key& key) {
  std::vector<NetReading> all;
  if (!probe.read_all(all).ok()) throw std::runtime_error("read_all failed");
  for (const auto& r : all)
    if (std::memcmp(&r.key, &key, sizeof(key)) == 0) return r.val;
  return std::nullopt;
}

template <std::size_t N>
std::uint64_t slot_sum(const __u32 (&slots)[N]) {
  std::uint64_t n = 0;
  for (auto s : slots) n += s;
  return n;
}

template <std::size_t N>
Histogram hist_of(const __u32 (&slots)[N]) {
  Histogram h;
  for (std::uint32_t i = 0; i < N; ++i) h.add_slot(i, slots[i]);
  return h;
}

class NetProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";
    auto r = NetProbe::load({});
    ASSERT_TRUE(r.ok()) << r.status().text();
    probe_ = std::move(r.value());
  }
  std::unique_ptr<NetProbe> probe_;
};

// N connects to a listening port: N handshakes for the client, N accepts for the
// server (counted at its first read); M connects to a closed port: M failures.
TEST_F(NetProbeTest, ConnectsAndFailuresAreExact) {
  ASSERT_TRUE(probe_->attach().ok());
  constexpr int kN = 25, kM = 7;
  Listener l;
  for (int i = 0; i < kN; ++i) {
    Fd c = connect_to(AF_INET, l.port());
    ASSERT_GE(c.get(), 0);
    Fd s = l.accept();
    send_byte(c.get());
    recv_byte(s.get());
  }
  std::uint16_t closed_port;
  {
    Listener gone;  // a port that was just free: nothing listens on it now
    closed_port = gone.port();
  }
  for (int i = 0; i < kM; ++i) ASSERT_LT(connect_to(AF_INET, closed_port).get(), 0);

  auto client = find(*probe_, key_of(HS_NET_ROLE_CLIENT, AF_INET, l.port()));
  ASSERT_TRUE(client.has_value());
  EXPECT_EQ(client->connects, static_cast<std::uint64_t>(kN));
  EXPECT_EQ(client->connect_failures, 0u);
  EXPECT_EQ(slot_sum(client->connect_slots), static_cast<std::uint64_t>(kN));
  EXPECT_GT(client->connect_total_ns, 0u);
  EXPECT_EQ(client->bytes_sent, static_cast<std::uint64_t>(kN));  // flushed at close

  auto server = find(*probe_, key_of(HS_NET_ROLE_SERVER, AF_INET, l.port()));
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(server->connects, static_cast<std::uint64_t>(kN));
  EXPECT_EQ(server->bytes_received, static_cast<std::uint64_t>(kN));

  auto refused = find(*probe_, key_of(HS_NET_ROLE_CLIENT, AF_INET, closed_port));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->connect_failures, static_cast<std::uint64_t>(kM));
  EXPECT_EQ(refused->connects, 0u);
  EXPECT_EQ(refused->resets_received, static_cast<std::uint64_t>(kM));  // each refusal is a RST
  auto drops = probe_->drops();
  EXPECT_EQ(drops[HS_DROP_NET_MAP_FULL], 0u);
  EXPECT_EQ(drops[HS_DROP_NET_NO_STORAGE], 0u);
}

TEST_F(NetProbeTest, Ipv6ConnectsAreKeyedByIpv6Address) {
  ASSERT_TRUE(probe_->attach().ok());
  Listener l(AF_INET6);
  constexpr int kN = 3;
  for (int i = 0; i < kN; ++i) {
    Fd c = connect_to(AF_INET6, l.port());
    ASSERT_GE(c.get(), 0);
    Fd s = l.accept();
  }
  auto client = find(*probe_, key_of(HS_NET_ROLE_CLIENT, AF_INET6, l.port()));
  ASSERT_TRUE(client.has_value());
  EXPECT_EQ(client->connects, static_cast<std::uint64_t>(kN));
}

// A server that answers each request after 50 ms: both sides measure ~50 ms round trips.
TEST_F(NetProbeTest, RoundTripsOfADelayedServerOnBothSides) {
  ASSERT_TRUE(probe_->attach().ok());
  constexpr int kRounds = 10;
  Listener l;
  std::thread server([&] {
    Fd s = l.accept();
    for (int i = 0; i < kRounds; ++i) {
      char buf[64];
      check(::recv(s.get(), buf, 4, MSG_WAITALL) == 4, "recv");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      check(::send(s.get(), "pong", 4, 0) == 4, "send");
    }
  });
  Fd c = connect_to(AF_INET, l.port());
  ASSERT_GE(c.get(), 0);
  for (int i = 0; i < kRounds; ++i) {
    check(::send(c.get(), "ping", 4, 0) == 4, "send");
    char buf[4];
    check(::recv(c.get(), buf, 4, MSG_WAITALL) == 4, "recv");
  }
  server.join();

  for (std::uint8_t role : {HS_NET_ROLE_CLIENT, HS_NET_ROLE_SERVER}) {
    SCOPED_TRACE(role == HS_NET_ROLE_CLIENT ? "client" : "server");
    auto v = find(*probe_, key_of(role, AF_INET, l.port()));
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->round_trips, static_cast<std::uint64_t>(kRounds));
    Histogram h = hist_of(v->rtt_slots);
    ASSERT_EQ(h.count(), static_cast<std::uint64_t>(kRounds));
    // Every sample is at least the 50 ms the server slept, and not much more.
    EXPECT_GE(v->rtt_total_ns, kRounds * 50 * kMs);
    std::uint64_t p50 = h.percentile(0.5);
    EXPECT_GE(p50, 50 * kMs * 7 / 8) << p50;  // the reported midpoint is within 12.5 % of the slot
    EXPECT_LT(p50, 60 * kMs) << p50;
    EXPECT_EQ(v->bytes_sent + v->bytes_received, 8u * kRounds);
  }
}

// The probe's srtt agrees with what the socket itself reports (TCP_INFO), in the
// connection list exactly and in the histogram within a slot.
TEST_F(NetProbeTest, SrttMatchesTcpInfo) {
  ASSERT_TRUE(probe_->attach().ok());
  Listener l;
  Fd c = connect_to(AF_INET, l.port());
  ASSERT_GE(c.get(), 0);
  Fd s = l.accept();
  // Exchanges spaced past the probe's 10 ms sampling interval; after each, the
  // socket's own srtt (TCP_INFO), which is what the next sample will read.
  std::vector<std::uint32_t> seen_us;
  tcp_info ti{};
  for (int i = 0; i < 15; ++i) {
    send_byte(c.get());
    recv_byte(s.get());
    send_byte(s.get());
    recv_byte(c.get());
    socklen_t len = sizeof(ti);
    ASSERT_EQ(::getsockopt(c.get(), IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
    seen_us.push_back(ti.tcpi_rtt);
    std::this_thread::sleep_for(std::chrono::milliseconds(11));
  }

  sockaddr_in local{};
  socklen_t llen = sizeof(local);
  ASSERT_EQ(::getsockname(c.get(), reinterpret_cast<sockaddr*>(&local), &llen), 0);
  std::vector<ConnectionReading> conns;
  ASSERT_TRUE(probe_->connections(conns).ok());
  const ConnectionReading* mine = nullptr;
  for (const auto& r : conns)
    if (r.local_port == ntohs(local.sin_port) && r.remote_port == l.port()) mine = &r;
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->srtt_us, ti.tcpi_rtt);
  EXPECT_EQ(mine->mdev_us, ti.tcpi_rttvar);
  EXPECT_EQ(mine->tgid, static_cast<std::uint32_t>(::getpid()));
  EXPECT_EQ(mine->role, HS_NET_ROLE_CLIENT);
  EXPECT_EQ(mine->state, 1);  // ESTABLISHED

  auto v = find(*probe_, key_of(HS_NET_ROLE_CLIENT, AF_INET, l.port()));
  ASSERT_TRUE(v.has_value());
  ASSERT_GT(v->srtt_samples, 0u);
  EXPECT_EQ(slot_sum(v->srtt_slots), v->srtt_samples);
  // Loopback srtt drifts between exchanges, so the histogram's median is compared
  // with the median of what the socket reported along the way: within one slot.
  std::sort(seen_us.begin(), seen_us.end());
  Histogram h = hist_of(v->srtt_slots);
  std::uint32_t want = Histogram::slot_of(std::uint64_t{seen_us[seen_us.size() / 2]} * 1000);
  std::uint32_t got = Histogram::slot_of(h.percentile(0.5));
  EXPECT_LE(got > want ? got - want : want - got, 1u)
      << "p50 " << h.percentile(0.5) << " ns, tcp_info median " << seen_us[seen_us.size() / 2] << " us";
}

// A reset sent by the server (SO_LINGER 0) is counted on both ends.
TEST_F(NetProbeTest, ResetsAreCountedOnBothEnds) {
  ASSERT_TRUE(probe_->attach().ok());
  Listener l;
  Fd c = connect_to(AF_INET, l.port());
  ASSERT_GE(c.get(), 0);
  {
    Fd s = l.accept();
    send_byte(c.get());
    recv_byte(s.get());  // the server owns its socket from its first read
    linger lg{1, 0};
    ASSERT_EQ(::setsockopt(s.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
  }
  char b;
  EXPECT_EQ(::recv(c.get(), &b, 1, 0), -1);
  EXPECT_EQ(errno, ECONNRESET);
  auto server = find(*probe_, key_of(HS_NET_ROLE_SERVER, AF_INET, l.port()));
  auto client = find(*probe_, key_of(HS_NET_ROLE_CLIENT, AF_INET, l.port()));
  ASSERT_TRUE(server && client);
  EXPECT_EQ(server->resets_sent, 1u);
  EXPECT_EQ(client->resets_received, 1u);
  EXPECT_EQ(client->resets_sent, 0u);
}

// A connection made before the probe was loaded is found in the file table at
// attach: listed with its process at once, and its round trips attributed.
TEST(NetProbePreexisting, SocketsOpenBeforeAttachAreOwned) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";
  Listener l;
  Fd c = connect_to(AF_INET, l.port());
  ASSERT_GE(c.get(), 0);
  Fd s = l.accept();
  auto r = NetProbe::load({});
  ASSERT_TRUE(r.ok()) << r.status().text();
  auto probe = std::move(r.value());
  ASSERT_TRUE(probe->attach().ok());
  EXPECT_GE(probe->sockets_found_open(), 2u);

  std::vector<ConnectionReading> conns;
  ASSERT_TRUE(probe->connections(conns).ok());
  int ends = 0;
  for (const auto& rec : conns) {
    if (rec.local_port == l.port() && rec.state == 10) {  // the listener: its owner too
      EXPECT_EQ(rec.tgid, static_cast<std::uint32_t>(::getpid()));
      continue;
    }
    bool client_end = rec.remote_port == l.port() && rec.state == 1;
    bool server_end = rec.local_port == l.port() && rec.state == 1;
    if (!client_end && !server_end) continue;
    ++ends;
    EXPECT_EQ(rec.tgid, static_cast<std::uint32_t>(::getpid()));
    EXPECT_EQ(rec.role, client_end ? HS_NET_ROLE_CLIENT : HS_NET_ROLE_SERVER);
  }
  EXPECT_EQ(ends, 2);

  constexpr int kRounds = 5;
  for (int i = 0; i < kRounds; ++i) {
    send_byte(c.get());
    recv_byte(s.get());
    send_byte(s.get());
    recv_byte(c.get());
  }
  auto client = find(*probe, key_of(HS_NET_ROLE_CLIENT, AF_INET, l.port()));
  ASSERT_TRUE(client.has_value());
  EXPECT_EQ(client->round_trips, static_cast<std::uint64_t>(kRounds));
  EXPECT_EQ(client->connects, 0u);  // made before: no handshake was seen
  auto server = find(*probe, key_of(HS_NET_ROLE_SERVER, AF_INET, l.port()));
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(server->round_trips, static_cast<std::uint64_t>(kRounds));
  EXPECT_EQ(server->connects, 0u);
}

}  // namespace
}  // namespace hs::roottest
