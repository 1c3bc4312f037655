// Root tests of the L7 probe: real exchanges between threads of this process
// over loopback TCP and a Unix socket, through each syscall family; assert the
// exact records the kernel emitted (count, side, protocol, prefixes, timing).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "probes/l7_probe.h"
#include "socket_support.h"

namespace hs::roottest {
namespace {

using probes::L7Probe;

constexpr std::uint64_t kMs = 1'000'000;

struct Captured {
  hs_l7_record rec;
  std::string request, response;
};

class L7ProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";
    auto r = L7Probe::load({});
    ASSERT_TRUE(r.ok()) << r.status().text();
    probe_ = std::move(r.value());
    ASSERT_TRUE(probe_->attach().ok());
  }
  // Every record of this process so far.
  std::vector<Captured> drain() {
    std::vector<Captured> out;
    auto n = probe_->consume(0, [&](const probes::L7Event& e) {
      if (e.record->tgid != static_cast<std::uint32_t>(::getpid())) return;
      out.push_back({*e.record, std::string(e.request()), std::string(e.response())});
    }, /*flush=*/true);
    EXPECT_TRUE(n.ok());
    return out;
  }
  static std::vector<Captured> with_role(const std::vector<Captured>& all, std::uint8_t role) {
    std::vector<Captured> out;
    for (const auto& c : all)
      if (c.rec.role == role) out.push_back(c);
    return out;
  }
  std::unique_ptr<L7Probe> probe_;
};

std::string read_some(int fd) {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  check(n > 0, "read");
  return std::string(buf, static_cast<std::size_t>(n));
}

const std::string kHttpRequest = "GET /items/42 HTTP/1.1\r\nHost: test\r\n\r\n";
const std::string kHttpResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

struct Ports {
  std::uint16_t server = 0, client = 0;
};

// n keep-alive HTTP exchanges over TCP with read()/write(); the server answers the
// first request after first_delay, the others after 1 ms.
Ports http_exchanges(int n, std::chrono::milliseconds first_delay) {
  Listener l;
  std::thread server([&] {
    Fd s = l.accept();
    for (int i = 0; i < n; ++i) {
      read_some(s.get());
      std::this_thread::sleep_for(i == 0 ? first_delay : std::chrono::milliseconds(1));
      write_all(s.get(), kHttpResponse);
    }
  });
  Fd c = connect_to(AF_INET, l.port());
  for (int i = 0; i < n; ++i) {
    write_all(c.get(), kHttpRequest);
    read_some(c.get());
  }
  server.join();
  return {l.port(), local_port(c.get())};
}

// N keep-alive HTTP exchanges with read()/write(); the server answers after a delay.
TEST_F(L7ProbeTest, HttpExchangesOnBothSidesAreEachOneRecord) {
  constexpr int kN = 20;
  const std::string& req = kHttpRequest;
  const std::string& resp = kHttpResponse;
  const Ports ports = http_exchanges(kN, std::chrono::milliseconds(20));
  auto all = drain();
  auto client = with_role(all, HS_NET_ROLE_CLIENT), srv = with_role(all, HS_NET_ROLE_SERVER);
  ASSERT_EQ(client.size(), static_cast<std::size_t>(kN));
  ASSERT_EQ(srv.size(), static_cast<std::size_t>(kN));
  for (const auto* side : {&client, &srv}) {
    const auto& first = side->front();
    EXPECT_EQ(first.rec.protocol, HS_L7_HTTP);
    EXPECT_EQ(first.request, req);
    EXPECT_EQ(first.rec.req_bytes, req.size());
    EXPECT_EQ(first.response, resp.substr(0, HS_L7_RESP_MAX));
    EXPECT_EQ(first.rec.resp_bytes, resp.size());
    EXPECT_GE(first.rec.resp_ns - first.rec.req_ns, 20 * kMs);
    EXPECT_LT(first.rec.resp_ns - first.rec.req_ns, 200 * kMs);
    EXPECT_EQ(first.rec.family, HS_AF_INET);
    EXPECT_EQ(first.rec.port, ports.server);  // the server's port on both sides
    EXPECT_EQ(first.rec.client_port, ports.client);  // and the client's: one connection, seen twice
    EXPECT_NE(first.rec.conn_id, 0u);
    for (const auto& x : *side) EXPECT_EQ(x.rec.conn_id, first.rec.conn_id);
  }
  EXPECT_NE(client.front().rec.conn_id, srv.front().rec.conn_id);  // two sockets
  EXPECT_EQ(probe_->drops()[HS_DROP_L7_RINGBUF_FULL], 0u);
}

// An HTTP message of exactly n bytes, its filler made of c.
std::string http_request_of(std::size_t n, char c) {
  const std::string head = "POST /sized HTTP/1.1\r\nX-Fill: ", tail = "\r\n\r\n";
  return head + std::string(n - head.size() - tail.size(), c) + tail;
}
std::string http_response_of(std::size_t n, char c) {
  const std::string head = "HTTP/1.1 200 OK\r\nX-Fill: ", tail = "\r\n\r\n";
  return head + std::string(n - head.size() - tail.size(), c) + tail;
}

// Prefixes of every size around the short-copy limit and the capture limits are
// exact: each record holds the first min(size, limit) bytes of its own request
// and response, nothing of the longer exchange before it.
TEST_F(L7ProbeTest, CapturedPrefixesAreExactAtEverySize) {
  const std::vector<std::pair<std::size_t, std::size_t>> sizes = {
      {200, 300}, {40, 40}, {127, 127}, {128, 128}, {129, 129}, {136, 41}, {1000, 64},
      {HS_L7_REQ_MAX, 200}, {HS_L7_REQ_MAX + 1000, 50}, {64, 127}};
  std::vector<std::string> requests, responses;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    requests.push_back(http_request_of(sizes[i].first, static_cast<char>('a' + i)));
    responses.push_back(http_response_of(sizes[i].second, static_cast<char>('A' + i)));
  }
  Listener l;
  std::thread server([&] {
    Fd s = l.accept();
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      std::size_t got = 0;
      while (got < requests[i].size()) got += read_some(s.get()).size();
      write_all(s.get(), responses[i]);
    }
  });
  Fd c = connect_to(AF_INET, l.port());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    write_all(c.get(), requests[i]);
    std::size_t got = 0;
    while (got < responses[i].size()) got += read_some(c.get()).size();
  }
  server.join();
  auto all = drain();
  for (std::uint8_t role : {HS_NET_ROLE_CLIENT, HS_NET_ROLE_SERVER}) {
    auto side = with_role(all, role);
    ASSERT_EQ(side.size(), sizes.size()) << "role " << int{role};
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      SCOPED_TRACE("exchange " + std::to_string(i) + ", role " + std::to_string(role));
      EXPECT_EQ(side[i].request, requests[i].substr(0, HS_L7_REQ_MAX));
      EXPECT_EQ(side[i].response, responses[i].substr(0, HS_L7_RESP_MAX));
      EXPECT_EQ(side[i].rec.req_bytes, requests[i].size());
      if (role == HS_NET_ROLE_SERVER) {
        EXPECT_EQ(side[i].rec.resp_bytes, responses[i].size());  // one write
      }
    }
  }
}

// Small rings, written round several times, read in place in passes between the
// exchanges, each pass leaving the last millisecond's records in their rings:
// every record is read exactly once, whole and in order, across the wraps.
TEST_F(L7ProbeTest, RecordsReadInPlaceSurviveManyTurnsOfSmallRings) {
  probe_.reset();
  auto loaded = L7Probe::load({.ringbuf_bytes = 256 * 1024});
  ASSERT_TRUE(loaded.ok()) << loaded.status().text();
  probe_ = std::move(loaded.value());
  ASSERT_TRUE(probe_->attach().ok());
  drain();
  const std::size_t ring = probe_->ringbuf_bytes();
  constexpr int kN = 3000, kPassEvery = 20;
  const auto request_of = [](int i) {
    std::string r = http_request_of(200 + static_cast<std::size_t>(i % 150), static_cast<char>('a' + i % 26));
    const std::string tag = std::to_string(i);
    return r.replace(r.size() - 4 - tag.size(), tag.size(), tag);
  };
  const auto response_of = [](int i) {
    return http_response_of(40 + static_cast<std::size_t>(i % 80), static_cast<char>('A' + i % 26));
  };
  std::vector<Captured> seen;
  const auto sink = [&](const probes::L7Event& e) {
    if (e.record->tgid == static_cast<std::uint32_t>(::getpid()))
      seen.push_back({*e.record, std::string(e.request()), std::string(e.response())});
  };
  Listener l;
  std::thread server([&] {
    Fd s = l.accept();
    for (int i = 0; i < kN; ++i) {
      std::size_t got = 0;
      while (got < request_of(i).size()) got += read_some(s.get()).size();
      write_all(s.get(), response_of(i));
    }
  });
  Fd c = connect_to(AF_INET, l.port());
  int passes_holding = 0;
  for (int i = 0; i < kN; ++i) {
    write_all(c.get(), request_of(i));
    std::size_t got = 0;
    while (got < response_of(i).size()) got += read_some(c.get()).size();
    if (i % kPassEvery != kPassEvery - 1) continue;
    ASSERT_TRUE(probe_->consume(0, sink).ok());
    if (probe_->waiting() > 0) ++passes_holding;
  }
  server.join();
  auto rest = drain();
  seen.insert(seen.end(), rest.begin(), rest.end());
  EXPECT_GT(passes_holding, 0) << "no pass left a record in its ring";
  std::size_t written = 0;
  for (const auto& x : seen) written += 8 + ((HS_L7_RECORD_FIXED + x.rec.req_len + x.rec.resp_len + 7) & ~7u);
  EXPECT_GT(written, 8 * ring) << "the rings were not written round several times";
  for (std::uint8_t role : {HS_NET_ROLE_CLIENT, HS_NET_ROLE_SERVER}) {
    auto side = with_role(seen, role);
    ASSERT_EQ(side.size(), static_cast<std::size_t>(kN)) << "role " << int{role};
    for (int i = 0; i < kN; ++i) {
      const auto& x = side[static_cast<std::size_t>(i)];
      ASSERT_EQ(x.request, request_of(i)) << "exchange " << i << ", role " << int{role};
      ASSERT_EQ(x.response, response_of(i)) << "exchange " << i << ", role " << int{role};
    }
  }
  EXPECT_EQ(probe_->drops()[HS_DROP_L7_RINGBUF_FULL], 0u);
  EXPECT_EQ(probe_->malformed(), 0u);
}

// A pipeline of three RESP commands sent with sendmsg, read with recvmsg, answered
// with writev and read with readv: one exchange, the whole pipeline in its prefix.
TEST_F(L7ProbeTest, PipelinedRedisThroughMsgAndVectorCallsIsOneExchange) {
  Listener l;
  const std::string pipeline = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n";
  const std::string replies = "+OK\r\n$1\r\nv\r\n+PONG\r\n";
  std::thread server([&] {
    Fd s = l.accept();
    char buf[512];
    iovec iov{buf, sizeof(buf)};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    check(::recvmsg(s.get(), &msg, 0) > 0, "recvmsg");
    iovec out[2] = {{const_cast<char*>(replies.data()), 5}, {const_cast<char*>(replies.data()) + 5, replies.size() - 5}};
    check(::writev(s.get(), out, 2) == static_cast<ssize_t>(replies.size()), "writev");
  });
  Fd c = connect_to(AF_INET, l.port());
  iovec iov{const_cast<char*>(pipeline.data()), pipeline.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  check(::sendmsg(c.get(), &msg, 0) == static_cast<ssize_t>(pipeline.size()), "sendmsg");
  char in[256];
  iovec rio{in, sizeof(in)};
  check(::readv(c.get(), &rio, 1) > 0, "readv");
  server.join();

  auto all = drain();
  for (std::uint8_t role : {HS_NET_ROLE_CLIENT, HS_NET_ROLE_SERVER}) {
    auto side = with_role(all, role);
    ASSERT_EQ(side.size(), 1u) << int(role);
    EXPECT_EQ(side[0].rec.protocol, HS_L7_REDIS);
    EXPECT_EQ(side[0].request.substr(0, pipeline.size()), pipeline);
    EXPECT_EQ(side[0].response.substr(0, 5), "+OK\r\n");
  }
  EXPECT_EQ(with_role(all, HS_NET_ROLE_CLIENT)[0].rec.req_bytes, pipeline.size());
}

// An HTTP exchange through sendto/recvfrom (what send()/recv() call) is one
// record per side, with its exact bytes.
TEST_F(L7ProbeTest, SendtoAndRecvfromAreExchangesToo) {
  Listener l;
  const std::string request = http_request_of(300, 's');
  const std::string response = http_response_of(90, 'R');
  const auto recvfrom_exactly = [](int fd, std::size_t size) {
    std::string got(size, '\0');
    for (std::size_t n = 0; n < size;) {
      ssize_t r = ::recvfrom(fd, got.data() + n, size - n, 0, nullptr, nullptr);
      check(r > 0, "recvfrom");
      n += static_cast<std::size_t>(r);
    }
    return got;
  };
  const auto sendto_all = [](int fd, const std::string& data) {
    check(::sendto(fd, data.data(), data.size(), 0, nullptr, 0) == static_cast<ssize_t>(data.size()), "sendto");
  };
  std::thread server([&] {
    Fd s = l.accept();
    check(recvfrom_exactly(s.get(), request.size()) == request, "request bytes");
    sendto_all(s.get(), response);
  });
  Fd c = connect_to(AF_INET, l.port());
  sendto_all(c.get(), request);
  EXPECT_EQ(recvfrom_exactly(c.get(), response.size()), response);
  server.join();

  auto all = drain();
  for (std::uint8_t role : {HS_NET_ROLE_CLIENT, HS_NET_ROLE_SERVER}) {
    auto side = with_role(all, role);
    ASSERT_EQ(side.size(), 1u) << int(role);
    EXPECT_EQ(side[0].rec.protocol, HS_L7_HTTP);
    EXPECT_EQ(side[0].request, request);
    EXPECT_EQ(side[0].rec.req_bytes, request.size());
    EXPECT_EQ(side[0].response, response.substr(0, HS_L7_RESP_MAX));
  }
}

// A PostgreSQL startup message over a Unix socket: the remote is the server's path.
TEST_F(L7ProbeTest, UnixSocketExchangesNameTheServerPath) {
  std::string path = "/tmp/hs-l7-test-" + std::to_string(::getpid()) + ".sock";
  ::unlink(path.c_str());
  Fd l(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
  check(::bind(l.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0, "bind");
  check(::listen(l.get(), 4) == 0, "listen");
  // int32 length 8+N, int32 protocol 3.0, then "user\0x\0\0".
  std::string startup("\0\0\0\x11\0\x03\0\0user\0x\0\0", 17);
  const std::string auth_ok("R\0\0\0\x08\0\0\0\0", 9);
  std::thread server([&] {
    Fd s(::accept(l.get(), nullptr, nullptr));
    read_some(s.get());
    write_all(s.get(), auth_ok);
  });
  Fd c(::socket(AF_UNIX, SOCK_STREAM, 0));
  check(::connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0, "connect");
  write_all(c.get(), startup);
  read_some(c.get());
  server.join();
  ::unlink(path.c_str());

  std::uint64_t client_cookie = 0;
  socklen_t len = sizeof(client_cookie);
  check(::getsockopt(c.get(), SOL_SOCKET, SO_COOKIE, &client_cookie, &len) == 0, "SO_COOKIE");

  auto all = drain();
  ASSERT_EQ(all.size(), 2u);
  for (const auto& x : all) {
    EXPECT_EQ(x.rec.protocol, HS_L7_POSTGRESQL);
    EXPECT_EQ(x.rec.family, HS_AF_UNIX);
    EXPECT_EQ(std::string(l7_path(x.rec)), path);
    EXPECT_EQ(x.request, startup);
    EXPECT_EQ(x.response, auth_ok);
  }
  // Each end names the other by its socket cookie (in addr), so the two can be paired.
  auto peer_of = [](const hs_l7_record& r) {
    std::uint64_t v = 0;
    std::memcpy(&v, r.addr, sizeof(v));
    return v;
  };
  const auto& client = all[0].rec.role == HS_NET_ROLE_CLIENT ? all[0].rec : all[1].rec;
  const auto& srv = all[0].rec.role == HS_NET_ROLE_CLIENT ? all[1].rec : all[0].rec;
  EXPECT_EQ(client.role, HS_NET_ROLE_CLIENT);
  EXPECT_EQ(srv.role, HS_NET_ROLE_SERVER);
  EXPECT_EQ(client.conn_id, client_cookie);
  EXPECT_EQ(peer_of(srv), client_cookie);
  EXPECT_EQ(peer_of(client), srv.conn_id);
  EXPECT_NE(srv.conn_id, client_cookie);
}

// Traffic that never looks like a request is left alone: no records.
TEST_F(L7ProbeTest, UnrecognisedTrafficProducesNoRecords) {
  Listener l;
  std::thread server([&] {
    Fd s = l.accept();
    for (int i = 0; i < 10; ++i) {
      read_some(s.get());
      write_all(s.get(), std::string("\x16\x03\x03\x00\x05hello", 10));
    }
  });
  Fd c = connect_to(AF_INET, l.port());
  for (int i = 0; i < 10; ++i) {
    write_all(c.get(), std::string("\x16\x03\x01\x00\x05hello", 10));
    read_some(c.get());
  }
  server.join();
  EXPECT_TRUE(drain().empty());
}

// ---- MySQL/MariaDB: the server speaks first ------------------------------------

std::string my_packet(std::uint8_t seq, std::string_view payload) {
  auto n = static_cast<std::uint32_t>(payload.size());
  return std::string{static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16), static_cast<char>(seq)} +
         std::string(payload);
}
std::string le32(std::uint32_t v) {
  return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
}
// A MariaDB 10.11 greeting (protocol 10, version, thread id, scramble, capabilities, plugin).
std::string my_greeting() {
  std::string p = "\x0a" "5.5.5-10.11.6-MariaDB" + std::string(1, '\0') + le32(42) + "abcdefgh" + std::string(1, '\0') +
                  "\xfe\xf7" "\x2d" "\x02\x00" "\xff\x81" "\x15" + std::string(6, '\0') + "\x1d\x00\x00\x00" +
                  "ijklmnopqrst" + std::string(1, '\0') + "mysql_native_password" + std::string(1, '\0');
  return my_packet(0, p);
}
std::string my_handshake_response(std::uint32_t caps = 0x00bfa28c) {
  return my_packet(1, le32(caps) + le32(0x10000000) + "\x21" + std::string(23, '\0') + "hs" + std::string(1, '\0') +
                          "\x14" + std::string(20, 's') + "hsbench" + std::string(1, '\0') + "mysql_native_password" +
                          std::string(1, '\0'));
}
std::string my_ok(std::uint8_t seq) { return my_packet(seq, std::string("\0\0\0\x02\0\0\0", 7)); }

// Reads one packet as mariadbd does: its 4-byte header, then its payload, in two reads.
std::string read_packet_in_two(int fd) {
  char head[4];
  check(::recv(fd, head, 4, MSG_WAITALL) == 4, "recv header");
  std::size_t n = static_cast<unsigned char>(head[0]) | (static_cast<unsigned char>(head[1]) << 8) |
                  (static_cast<std::size_t>(static_cast<unsigned char>(head[2])) << 16);
  std::string body(n, '\0');
  check(::recv(fd, body.data(), n, MSG_WAITALL) == static_cast<ssize_t>(n), "recv payload");
  return std::string(head, 4) + body;
}

// A fresh connection: greeting, handshake response -> OK, COM_QUERY -> OK, COM_QUIT.
// The greeting is no exchange; the receiver of the greeting is the client; the
// server's two-read request becomes one prefix.
TEST_F(L7ProbeTest, MysqlGreetingSetsTheSidesAndQueriesAreExchanges) {
  Listener l;
  const std::string greeting = my_greeting(), login = my_handshake_response(), login_ok = my_ok(2);
  const std::string query = my_packet(0, "\x03SELECT v FROM hs_kv WHERE id = 5"), query_ok = my_ok(1);
  const std::string quit = my_packet(0, "\x01");
  std::thread server([&] {
    Fd s = l.accept();
    write_all(s.get(), greeting);
    check(read_packet_in_two(s.get()) == login, "login");
    write_all(s.get(), login_ok);
    check(read_packet_in_two(s.get()) == query, "query");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    write_all(s.get(), query_ok);
    check(read_packet_in_two(s.get()) == quit, "quit");
  });
  Fd c = connect_to(AF_INET, l.port());
  EXPECT_EQ(read_some(c.get()), greeting);
  write_all(c.get(), login);
  EXPECT_EQ(read_some(c.get()), login_ok);
  write_all(c.get(), query);
  EXPECT_EQ(read_some(c.get()), query_ok);
  write_all(c.get(), quit);
  server.join();

  auto all = drain();
  for (std::uint8_t role : {HS_NET_ROLE_CLIENT, HS_NET_ROLE_SERVER}) {
    auto side = with_role(all, role);
    ASSERT_EQ(side.size(), 2u) << "role " << int(role);  // login and query; no greeting, no quit
    for (const auto& x : side) {
      EXPECT_EQ(x.rec.protocol, HS_L7_MYSQL);
      EXPECT_EQ(x.rec.port, l.port());
      EXPECT_EQ(x.rec.conn_id, side[0].rec.conn_id);
    }
    EXPECT_EQ(side[0].request, login);
    EXPECT_EQ(side[0].rec.req_bytes, login.size());
    EXPECT_EQ(side[0].response, login_ok);
    EXPECT_EQ(side[1].request, query);
    EXPECT_EQ(side[1].rec.req_bytes, query.size());
    EXPECT_EQ(side[1].response, query_ok);
    EXPECT_EQ(side[1].rec.resp_bytes, query_ok.size());
    EXPECT_GE(side[1].rec.resp_ns - side[1].rec.req_ns, 20 * kMs);
    EXPECT_LT(side[1].rec.resp_ns - side[1].rec.req_ns, 200 * kMs);
  }
  EXPECT_EQ(all.size(), 4u);
}

// A connection the capture joins after its greeting (here: none is sent): a
// COM_QUERY and a COM_STMT_EXECUTE with sequence 0 and their shape are recognised.
TEST_F(L7ProbeTest, MysqlCommandsOfAnEarlierConnectionAreRecognised) {
  Listener l;
  const std::string query = my_packet(0, "\x03SELECT 1");
  const std::string execute = my_packet(0, "\x17" + le32(1) + std::string(1, '\0') + le32(1));
  std::thread server([&] {
    Fd s = l.accept();
    for (int i = 0; i < 2; ++i) {
      read_some(s.get());
      write_all(s.get(), my_ok(1));
    }
  });
  Fd c = connect_to(AF_INET, l.port());
  write_all(c.get(), query);
  EXPECT_EQ(read_some(c.get()), my_ok(1));
  write_all(c.get(), execute);
  EXPECT_EQ(read_some(c.get()), my_ok(1));
  server.join();
  auto all = drain();
  for (std::uint8_t role : {HS_NET_ROLE_CLIENT, HS_NET_ROLE_SERVER}) {
    auto side = with_role(all, role);
    ASSERT_EQ(side.size(), 2u) << "role " << int(role);
    EXPECT_EQ(side[0].rec.protocol, HS_L7_MYSQL);
    EXPECT_EQ(side[0].request, query);
    EXPECT_EQ(side[1].request, execute);
    EXPECT_EQ(side[1].response, my_ok(1));
  }
}

// A client that asks for TLS in its handshake response: nothing more is captured
// on that connection, on either side.
TEST_F(L7ProbeTest, MysqlSslRequestLeavesTheConnectionAlone) {
  Listener l;
  const std::string ssl_request = my_packet(1, le32(0x00bfaa8c) + le32(0x10000000) + "\x21" + std::string(23, '\0'));
  const std::string hello("\x16\x03\x01\x00\x05hello", 10);
  std::thread server([&] {
    Fd s = l.accept();
    write_all(s.get(), my_greeting());
    check(read_packet_in_two(s.get()) == ssl_request, "ssl request");
    for (int i = 0; i < 3; ++i) {
      read_some(s.get());
      write_all(s.get(), hello);
    }
  });
  Fd c = connect_to(AF_INET, l.port());
  read_some(c.get());
  write_all(c.get(), ssl_request);
  for (int i = 0; i < 3; ++i) {
    write_all(c.get(), hello);
    read_some(c.get());
  }
  server.join();
  EXPECT_TRUE(drain().empty());
}

// Whether thread `tid` of this process sleeps in epoll_wait (its kernel wait channel).
bool sleeps_in_epoll(pid_t tid) {
  std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/wchan");
  std::string w;
  std::getline(f, w);
  return w.find("ep_poll") != std::string::npos || w.find("epoll_wait") != std::string::npos;
}

// The reader sleeps in consume() with a long timeout while exchanges arrive: the
// record that takes the waiting data past a quarter of the ring wakes it (records
// below the mark ask for no wake-up), and every record is read exactly once.
TEST_F(L7ProbeTest, TheRecordPastAQuarterOfTheRingWakesTheSleepingReader) {
  probe_.reset();
  auto loaded = L7Probe::load({.ringbuf_bytes = 64 * 1024});  // a wake-up each 16 KiB waiting
  ASSERT_TRUE(loaded.ok()) << loaded.status().text();
  probe_ = std::move(loaded.value());
  ASSERT_TRUE(probe_->attach().ok());
  drain();
  constexpr int kN = 150;  // two records of ≈ 170 bytes each: ≈ 50 KiB, past the first mark
  std::atomic<pid_t> reader_tid{0};
  std::atomic<std::int64_t> waited_ms{-1};
  std::vector<Captured> seen;
  std::thread reader([&] {
    reader_tid = ::gettid();
    auto t0 = std::chrono::steady_clock::now();
    auto n = probe_->consume(20'000, [&](const probes::L7Event& e) {
      if (e.record->tgid == static_cast<std::uint32_t>(::getpid()))
        seen.push_back({*e.record, std::string(e.request()), std::string(e.response())});
    });
    EXPECT_TRUE(n.ok());
    waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  });
  // Only a reader already asleep shows the wake-up: a poll that starts with data waiting returns at once.
  for (int i = 0; i < 2000 && !(reader_tid && sleeps_in_epoll(reader_tid)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(sleeps_in_epoll(reader_tid)) << "the reader never went to sleep in epoll_wait";
  http_exchanges(kN, std::chrono::milliseconds(1));
  reader.join();
  EXPECT_GE(waited_ms.load(), 0);
  EXPECT_LT(waited_ms.load(), 10'000) << "woken by no record: the poll ran to its timeout";
  EXPECT_FALSE(seen.empty());
  auto rest = drain();
  seen.insert(seen.end(), rest.begin(), rest.end());
  EXPECT_EQ(with_role(seen, HS_NET_ROLE_CLIENT).size(), static_cast<std::size_t>(kN));
  EXPECT_EQ(with_role(seen, HS_NET_ROLE_SERVER).size(), static_cast<std::size_t>(kN));
  for (const auto& x : seen) {
    EXPECT_EQ(x.request, kHttpRequest);
    EXPECT_EQ(x.response, kHttpResponse);
  }
  EXPECT_EQ(probe_->drops()[HS_DROP_L7_RINGBUF_FULL], 0u);
}

}  // namespace
}  // namespace hs::roottest
