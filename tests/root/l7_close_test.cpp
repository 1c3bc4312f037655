// Root tests of the L7 probe's closed records: each end of a TCP connection
// says once that it closed, and the reading end of a Unix one that its peer did;
// the connection table, fed those records, forgets every connection.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/l7_record.h"
#include "l7/connection_table.h"
#include "probes/l7_probe.h"
#include "socket_support.h"

namespace hs::roottest {
namespace {

const std::string kPing = "*1\r\n$4\r\nPING\r\n", kPong = "+PONG\r\n";

struct Kept {
  hs_l7_record rec;
  std::string request, response;
};

void read_eof(int fd) {
  char c;
  check(::read(fd, &c, 1) == 0, "read at the end");
}

// One PING and its PONG from the client end to the server end.
void ping(int client, int server) {
  write_all(client, kPing);
  read_exactly(server, kPing.size());
  write_all(server, kPong);
  read_exactly(client, kPong.size());
}

std::uint64_t peer_of(const hs_l7_record& rec) {
  std::uint64_t peer = 0;
  std::memcpy(&peer, rec.addr, sizeof(peer));
  return peer;
}

class L7CloseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";
    auto r = probes::L7Probe::load({});
    ASSERT_TRUE(r.ok()) << r.status().text();
    probe_ = std::move(r.value());
    ASSERT_TRUE(probe_->attach().ok());
  }

  // Reads the rings into records_: this process's exchanges, and the closed
  // records of their connections. Closed records come with no process (a TCP
  // socket may close in softirq), so they are known by their connections.
  void read_rings() {
    auto n = probe_->consume(0, [&](const probes::L7Event& e) {
      const hs_l7_record& rec = *e.record;
      if (rec.flags & HS_L7_F_CLOSED) {
        if (ours_.contains(rec.conn_id)) records_.push_back({rec, {}, {}});
        return;
      }
      if (rec.tgid != static_cast<std::uint32_t>(::getpid())) return;
      ours_.insert(rec.conn_id);
      records_.push_back({rec, std::string(e.request()), std::string(e.response())});
    }, /*flush=*/true);
    ASSERT_TRUE(n.ok());
  }

  // Reads until `want` closed records have come, for at most 5 s (closing a TCP
  // connection takes a FIN each way).
  std::map<std::uint64_t, int> closed_per_connection(std::size_t want) {
    std::map<std::uint64_t, int> closed;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      read_rings();
      closed.clear();
      for (const auto& k : records_)
        if (k.rec.flags & HS_L7_F_CLOSED) ++closed[k.rec.conn_id];
      std::size_t n = 0;
      for (const auto& [id, count] : closed) n += static_cast<std::size_t>(count);
      if (n >= want || std::chrono::steady_clock::now() > end) return closed;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // Every record so far, in order, through a connection table.
  l7::ConnectionTable table_of_records() const {
    l7::ConnectionTable table;
    std::vector<protocols::L7Reading> out;
    for (const auto& k : records_) table.decode(k.rec, k.request, k.response, k.rec.resp_ns, out);
    return table;
  }

  std::unique_ptr<probes::L7Probe> probe_;
  std::set<std::uint64_t> ours_;
  std::vector<Kept> records_;
};

TEST_F(L7CloseTest, EachEndOfAClosedTcpConnectionSaysSoOnce) {
  constexpr int kConnections = 20;
  Listener l;
  for (int i = 0; i < kConnections; ++i) {
    Fd c = connect_to(AF_INET, l.port());
    Fd s = l.accept();
    ping(c.get(), s.get());
    ::close(c.release());  // the client closes first; the server reads the end and closes too
    read_eof(s.get());
  }
  read_rings();
  ASSERT_EQ(ours_.size(), 2u * kConnections);  // one exchange at each end

  auto closed = closed_per_connection(2 * kConnections);
  EXPECT_EQ(closed.size(), 2u * kConnections);
  for (std::uint64_t id : ours_) EXPECT_EQ(closed[id], 1) << "connection " << id;
  for (const auto& k : records_) {
    if (!(k.rec.flags & HS_L7_F_CLOSED)) continue;
    EXPECT_EQ(k.rec.req_len + k.rec.resp_len + k.rec.path_len, 0);
    EXPECT_EQ(k.rec.req_bytes + k.rec.resp_bytes, 0u);
  }

  l7::ConnectionTable table = table_of_records();
  EXPECT_EQ(table.counters().exchanges, 2u * kConnections);
  EXPECT_EQ(table.counters().closed, 2u * kConnections);
  EXPECT_EQ(table.size(), 0u);
}

TEST_F(L7CloseTest, TheReadingEndOfAUnixConnectionSaysItsPeerClosed) {
  constexpr int kConnections = 20;
  for (int i = 0; i < kConnections; ++i) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    Fd client(sv[0]), server(sv[1]);
    ping(client.get(), server.get());
    char none;
    ASSERT_EQ(::read(server.get(), &none, 0), 0);  // asks for nothing: no end of anything
    ::close(client.release());  // closes without reading the end; the server end reads it
    read_eof(server.get());
    read_eof(server.get());  // again: reported once
  }
  read_rings();
  ASSERT_EQ(ours_.size(), 2u * kConnections);

  auto closed = closed_per_connection(kConnections);
  EXPECT_EQ(closed.size(), static_cast<std::size_t>(kConnections));
  std::set<std::uint64_t> clients, servers, named_peers;
  for (const auto& k : records_) {
    if (k.rec.flags & HS_L7_F_CLOSED) {
      named_peers.insert(peer_of(k.rec));
      EXPECT_EQ(closed[k.rec.conn_id], 1);
    } else if (k.rec.role == HS_NET_ROLE_SERVER) {
      servers.insert(k.rec.conn_id);
    } else {
      clients.insert(k.rec.conn_id);
    }
  }
  // The server ends read the end, and name their peers: the client ends.
  for (const auto& [id, n] : closed) EXPECT_TRUE(servers.contains(id)) << id;
  ASSERT_EQ(clients.size(), static_cast<std::size_t>(kConnections));
  for (std::uint64_t id : clients) EXPECT_TRUE(named_peers.contains(id)) << id;

  l7::ConnectionTable table = table_of_records();
  EXPECT_EQ(table.counters().exchanges, 2u * kConnections);
  EXPECT_EQ(table.counters().closed, 2u * kConnections);  // each end, the client's by its peer
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace hs::roottest
