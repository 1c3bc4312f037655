// Root tests of the TLS probe: real OpenSSL connections over loopback, in this
// process (threads) and in peer processes started before and after the probe
// attached; assert the exact records (count, side, protocol, text, socket) and
// the library tracking (attach on exec, release on exit).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "probes/l7_probe.h"
#include "probes/tls_probe.h"
#include "socket_support.h"
#include "tls_support.h"

namespace hs::roottest {
namespace {

using probes::L7Probe;
using probes::TlsProbe;

constexpr std::uint64_t kMs = 1'000'000;
constexpr int kDeadlineMs = 15'000;

struct Captured {
  hs_l7_record rec;
  std::string request, response;
};

std::vector<Captured> of(const std::vector<Captured>& all, std::uint32_t tgid, std::uint8_t role) {
  std::vector<Captured> out;
  for (const auto& c : all)
    if (c.rec.tgid == tgid && c.rec.role == role) out.push_back(c);
  return out;
}

std::uint32_t self() { return static_cast<std::uint32_t>(::getpid()); }

class TlsProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";
  }
  void start() {
    probes::TlsProbeOptions opts;
    opts.release_delay_ms = 100;
    auto r = TlsProbe::load(opts);
    ASSERT_TRUE(r.ok()) << r.status().text();
    probe_ = std::move(r.value());
    Status st = probe_->attach();
    ASSERT_TRUE(st.ok()) << st.text();
  }
  // Consumes what is waiting; records of every process are kept.
  void drain(int timeout_ms = 0) {
    auto n = probe_->consume(timeout_ms, [&](const probes::L7Event& e) {
      records_.push_back({*e.record, std::string(e.request()), std::string(e.response())});
    });
    ASSERT_TRUE(n.ok()) << n.status().text();
  }
  // Consumes until done() holds, failing the test at the deadline.
  void drain_until(const std::function<bool()>& done, const char* what) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kDeadlineMs);
    while (!done()) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "timed out waiting for " << what;
      drain(50);
    }
  }
  const probes::TlsLibrary* library(const std::string& path) {
    libs_ = probe_->libraries();
    for (const auto& l : libs_)
      if (l.path == path) return &l;
    return nullptr;
  }
  void expect_no_drops() {
    auto d = probe_->drops();
    for (std::size_t i = 0; i < d.size(); ++i) EXPECT_EQ(d[i], 0u) << "drop counter " << i;
    EXPECT_EQ(probe_->malformed(), 0u);
  }

  std::unique_ptr<TlsProbe> probe_;
  std::vector<Captured> records_;
  std::vector<probes::TlsLibrary> libs_;
};

// A TLS server thread on a loopback listener: accepts one connection and
// answers kTlsResponse to each of n requests of request_size bytes. A failure
// in the thread is kept for error(); destruction never hangs on it.
class TlsServer {
 public:
  TlsServer(SSL_CTX* ctx, int n, std::size_t request_size, TlsApi api, int first_delay_ms = 0) {
    thread_ = std::thread([=, this] {
      try {
        Fd s = listener_.accept();
        cookie_ = socket_cookie(s.get());
        tid_ = current_tid();
        TlsEnd end(ctx, s.release(), true);
        for (int i = 0; i < n; ++i) {
          end.read_exactly(request_size, api);
          if (i == 0 && first_delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(first_delay_ms));
          end.write(kTlsResponse, api);
        }
      } catch (const std::exception& e) {
        error_ = e.what();
      }
      done_ = true;
    });
  }
  ~TlsServer() {
    // A test that failed early leaves the thread in accept or a read: a connection
    // that closes at once ends either.
    if (!done_) connect_to(AF_INET, listener_.port());
    join();
  }
  void join() {
    if (thread_.joinable()) thread_.join();
    EXPECT_EQ(error_, "");
  }
  std::uint16_t port() const { return listener_.port(); }
  std::uint64_t cookie() const { return cookie_; }  // valid after join()
  std::uint32_t tid() const { return tid_; }

 private:
  Listener listener_;
  std::uint64_t cookie_ = 0;
  std::uint32_t tid_ = 0;
  std::string error_;
  std::atomic<bool> done_ = false;
  std::thread thread_;
};

class TlsApiTest : public TlsProbeTest, public ::testing::WithParamInterface<TlsApi> {};

// N keep-alive HTTP exchanges between two threads: one record per exchange on
// each side, naming the very socket, side, thread and text; SSL_free forgets the state.
TEST_P(TlsApiTest, HttpExchangesOnBothSidesAreEachOneRecord) {
  start();
  constexpr int kN = 5;
  const TlsApi api = GetParam();
  const std::string req = "GET /tls/42 HTTP/1.1\r\nHost: test\r\n\r\n";
  TlsContexts ctx;
  TlsServer server(ctx.server(), kN, req.size(), api, 20);
  Fd c = connect_to(AF_INET, server.port());
  const std::uint64_t client_cookie = socket_cookie(c.get());
  const std::uint16_t client_port = local_port(c.get());
  {
    TlsEnd end(ctx.client(), c.release(), false);
    for (int i = 0; i < kN; ++i) {
      end.write(req, api);
      EXPECT_EQ(end.read_exactly(kTlsResponse.size(), api), kTlsResponse);
    }
    server.join();
    EXPECT_EQ(probe_->tracked_connections(::getpid()), 1u);  // the server's SSL object is freed
  }
  EXPECT_EQ(probe_->tracked_connections(::getpid()), 0u);
  drain();

  auto client = of(records_, self(), HS_NET_ROLE_CLIENT), srv = of(records_, self(), HS_NET_ROLE_SERVER);
  ASSERT_EQ(client.size(), static_cast<std::size_t>(kN));
  ASSERT_EQ(srv.size(), static_cast<std::size_t>(kN));
  for (const auto* side : {&client, &srv}) {
    for (const auto& x : *side) {
      EXPECT_EQ(x.rec.protocol, HS_L7_HTTP);
      EXPECT_EQ(x.rec.flags, HS_L7_F_TLS);
      EXPECT_EQ(x.request, req);
      EXPECT_EQ(x.rec.req_bytes, req.size());
      EXPECT_EQ(x.response, kTlsResponse);
      EXPECT_EQ(x.rec.resp_bytes, kTlsResponse.size());
      EXPECT_EQ(x.rec.family, HS_AF_INET);
      EXPECT_EQ(x.rec.port, server.port());  // the server's port on both sides
      EXPECT_EQ(x.rec.client_port, client_port);  // and the client's
      EXPECT_EQ(std::vector<std::uint8_t>(x.rec.addr, x.rec.addr + 4), (std::vector<std::uint8_t>{127, 0, 0, 1}));
      EXPECT_GT(x.rec.resp_ns, x.rec.req_ns);
    }
    const auto& first = side->front();
    EXPECT_GE(first.rec.resp_ns - first.rec.req_ns, 20 * kMs);
    EXPECT_LT(first.rec.resp_ns - first.rec.req_ns, 2000 * kMs);
  }
  for (const auto& x : client) {
    EXPECT_EQ(x.rec.conn_id, client_cookie);
    EXPECT_EQ(x.rec.tid, current_tid());
  }
  for (const auto& x : srv) {
    EXPECT_EQ(x.rec.conn_id, server.cookie());
    EXPECT_EQ(x.rec.tid, server.tid());
  }
  // Each SSL_free sent one closed record (no process, no bytes) naming its socket.
  std::map<std::uint64_t, std::vector<Captured>> closed;
  for (const auto& x : records_)
    if (x.rec.flags & HS_L7_F_CLOSED) closed[x.rec.conn_id].push_back(x);
  const std::pair<std::uint64_t, int> ends[] = {{client_cookie, HS_NET_ROLE_CLIENT},
                                                {server.cookie(), HS_NET_ROLE_SERVER}};
  for (auto [cookie, role] : ends) {
    ASSERT_EQ(closed[cookie].size(), 1u) << "role " << role;
    const auto& x = closed[cookie][0];
    EXPECT_EQ(x.rec.flags, HS_L7_F_TLS | HS_L7_F_CLOSED);
    EXPECT_EQ(x.rec.role, role);
    EXPECT_EQ(x.rec.protocol, HS_L7_HTTP);
    EXPECT_EQ(x.rec.tgid, 0u);
    EXPECT_EQ(x.rec.req_len + x.rec.resp_len, 0u);
    EXPECT_TRUE(x.request.empty() && x.response.empty());
  }
  expect_no_drops();
}

INSTANTIATE_TEST_SUITE_P(Api, TlsApiTest, ::testing::Values(TlsApi::Classic, TlsApi::Ex),
                         [](const auto& info) { return info.param == TlsApi::Classic ? "SslWriteRead" : "SslWriteReadEx"; });

// RESP (a pipeline in one SSL_write_ex) and a PostgreSQL startup are recognised as such.
TEST_F(TlsProbeTest, RedisAndPostgresqlAreRecognised) {
  start();
  TlsContexts ctx;
  struct Case {
    std::string request;
    std::uint8_t protocol;
  };
  const std::vector<Case> cases = {
      {"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$4\r\nPING\r\n", HS_L7_REDIS},
      {std::string("\0\0\0\x11\0\x03\0\0user\0x\0\0", 17), HS_L7_POSTGRESQL},
  };
  for (const Case& c : cases) {
    records_.clear();
    TlsServer server(ctx.server(), 1, c.request.size(), TlsApi::Ex);
    {
      TlsEnd end(ctx.client(), connect_to(AF_INET, server.port()).release(), false);
      end.write(c.request, TlsApi::Ex);
      end.read_exactly(kTlsResponse.size(), TlsApi::Ex);
      server.join();
    }
    drain();
    for (std::uint8_t role : {HS_NET_ROLE_CLIENT, HS_NET_ROLE_SERVER}) {
      auto side = of(records_, self(), role);
      ASSERT_EQ(side.size(), 1u) << int(role);
      EXPECT_EQ(side[0].rec.protocol, c.protocol);
      EXPECT_EQ(side[0].request, c.request);
    }
  }
  expect_no_drops();
}

// Plaintext that never looks like a request: no records, and the state is freed.
TEST_F(TlsProbeTest, UnrecognisedPlaintextProducesNoRecords) {
  start();
  TlsContexts ctx;
  const std::string junk = "\x01\x02junk\x03\x04";
  TlsServer server(ctx.server(), 10, junk.size(), TlsApi::Classic);
  {
    TlsEnd end(ctx.client(), connect_to(AF_INET, server.port()).release(), false);
    for (int i = 0; i < 10; ++i) {
      end.write(junk, TlsApi::Classic);
      end.read_exactly(kTlsResponse.size(), TlsApi::Classic);
    }
    server.join();
  }
  drain();
  EXPECT_TRUE(of(records_, self(), HS_NET_ROLE_CLIENT).empty());
  EXPECT_TRUE(of(records_, self(), HS_NET_ROLE_SERVER).empty());
  EXPECT_EQ(probe_->tracked_connections(::getpid()), 0u);
}

// The socket-level L7 probe, loaded alongside, sees only ciphertext: no records of its own.
TEST_F(TlsProbeTest, L7ProbeRecordsNothingForTheSameTraffic) {
  start();
  auto l7 = L7Probe::load({});
  ASSERT_TRUE(l7.ok()) << l7.status().text();
  ASSERT_TRUE(l7.value()->attach().ok());
  constexpr int kN = 10;
  const std::string req = "GET /tls/42 HTTP/1.1\r\nHost: test\r\n\r\n";
  TlsContexts ctx;
  TlsServer server(ctx.server(), kN, req.size(), TlsApi::Classic);
  {
    TlsEnd end(ctx.client(), connect_to(AF_INET, server.port()).release(), false);
    for (int i = 0; i < kN; ++i) {
      end.write(req, TlsApi::Classic);
      end.read_exactly(kTlsResponse.size(), TlsApi::Classic);
    }
    server.join();
  }
  std::size_t plaintext = 0;
  auto n = l7.value()->consume(0, [&](const probes::L7Event& e) {
    if (e.record->tgid == self()) ++plaintext;
  }, /*flush=*/true);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(plaintext, 0u);
  drain();
  EXPECT_EQ(of(records_, self(), HS_NET_ROLE_CLIENT).size(), static_cast<std::size_t>(kN));
  EXPECT_EQ(of(records_, self(), HS_NET_ROLE_SERVER).size(), static_cast<std::size_t>(kN));
}

// A process that mapped its own copy of libssl before the probe loaded: found by
// the scan, captured, its state forgotten at exit, the library released after.
TEST_F(TlsProbeTest, ProcessRunningBeforeAttachIsCapturedAndItsLibraryReleased) {
  constexpr int kN = 3;
  LibsslCopy lib;
  TlsContexts ctx;
  TlsServer server(ctx.server(), kN, peer_request(0).size(), TlsApi::Classic);
  TlsPeer peer(server.port(), kN, lib.dir());
  peer.wait_ready();
  start();
  const probes::TlsLibrary* found = library(lib.path());
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->processes, 1u);
  EXPECT_EQ(found->links, 7u);

  peer.go();
  const std::uint64_t cookie = peer.wait_done();
  server.join();
  drain();
  auto client = of(records_, static_cast<std::uint32_t>(peer.pid()), HS_NET_ROLE_CLIENT);
  ASSERT_EQ(client.size(), static_cast<std::size_t>(kN));
  for (int i = 0; i < kN; ++i) {
    EXPECT_EQ(client[i].request, peer_request(i));
    EXPECT_EQ(client[i].response, kTlsResponse);
    EXPECT_EQ(client[i].rec.conn_id, cookie);
    EXPECT_EQ(client[i].rec.port, server.port());
    EXPECT_EQ(client[i].rec.flags, HS_L7_F_TLS);
  }
  const pid_t pid = peer.pid();
  EXPECT_EQ(probe_->tracked_connections(pid), 1u);  // it never calls SSL_free
  peer.finish();
  EXPECT_EQ(probe_->tracked_connections(pid), 0u);  // forgotten as the process exited
  drain_until([&] { return library(lib.path()) == nullptr; }, "the copy to be released");
  // At least this copy: the scan also sees other processes of the host (another
  // root test running alongside with a copy of its own), whose exits count too.
  EXPECT_GE(probe_->tracker_stats().libraries_released, 1u);
  expect_no_drops();
}

// A process started after attach with the system's libssl needs nothing from
// userspace: the uprobes on that file cover it from its first call.
TEST_F(TlsProbeTest, ProcessStartedLaterWithAnAttachedLibraryIsCapturedAtOnce) {
  constexpr int kN = 4;
  start();
  TlsContexts ctx;
  TlsServer server(ctx.server(), kN, peer_request(0).size(), TlsApi::Classic);
  TlsPeer peer(server.port(), kN, "");
  peer.wait_ready();  // started: nothing waits for the probe, which is already there
  peer.go();
  const std::uint64_t cookie = peer.wait_done();
  server.join();
  drain();
  auto client = of(records_, static_cast<std::uint32_t>(peer.pid()), HS_NET_ROLE_CLIENT);
  ASSERT_EQ(client.size(), static_cast<std::size_t>(kN));
  for (int i = 0; i < kN; ++i) {
    EXPECT_EQ(client[i].request, peer_request(i));
    EXPECT_EQ(client[i].rec.conn_id, cookie);
  }
  EXPECT_EQ(of(records_, self(), HS_NET_ROLE_SERVER).size(), static_cast<std::size_t>(kN));
  peer.finish();
}

// A process started after attach with a libssl file nobody mapped before: its
// exec is reported, its maps read, the new file attached; then it is captured.
TEST_F(TlsProbeTest, ProcessStartedLaterWithANewLibraryFileIsAttachedOnExec) {
  constexpr int kN = 2;
  start();
  LibsslCopy lib;
  ASSERT_EQ(library(lib.path()), nullptr);
  TlsContexts ctx;
  TlsServer server(ctx.server(), kN, peer_request(0).size(), TlsApi::Classic);
  TlsPeer peer(server.port(), kN, lib.dir());
  peer.wait_ready();
  drain_until([&] { return library(lib.path()) != nullptr; }, "the new library to be attached");
  EXPECT_EQ(library(lib.path())->processes, 1u);
  EXPECT_GE(probe_->tracker_stats().execs_seen, 1u);

  peer.go();
  const std::uint64_t cookie = peer.wait_done();
  server.join();
  drain();
  auto client = of(records_, static_cast<std::uint32_t>(peer.pid()), HS_NET_ROLE_CLIENT);
  ASSERT_EQ(client.size(), static_cast<std::size_t>(kN));
  for (const auto& x : client) EXPECT_EQ(x.rec.conn_id, cookie);
  peer.finish();
  drain_until([&] { return library(lib.path()) == nullptr; }, "the copy to be released");
}

}  // namespace
}  // namespace hs::roottest
