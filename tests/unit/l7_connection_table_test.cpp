// ConnectionTable: kernel exchange records in, decoded readings out, one decoder
// per connection, bounded.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstring>
#include <functional>
#include <string>

#include "common/l7_record.h"
#include "l7/connection_table.h"

namespace hs::l7 {
namespace {

hs_l7_record record(std::uint64_t conn, std::uint8_t role, const std::string& req, const std::string& resp) {
  hs_l7_record r{};
  r.conn_id = conn;
  r.role = role;
  r.protocol = HS_L7_REDIS;
  r.tgid = 77;
  r.tid = 78;
  r.req_ns = 1'000;
  r.resp_ns = 51'000;
  r.req_bytes = req.size();
  r.resp_bytes = static_cast<std::uint32_t>(resp.size());
  l7_record_fill(r, req, resp);
  r.family = HS_AF_INET;
  r.port = 6379;
  std::uint32_t a = htonl(0x7f000001);
  std::memcpy(r.addr, &a, 4);
  return r;
}

void decode(ConnectionTable& t, const hs_l7_record& r, std::uint64_t now, std::vector<protocols::L7Reading>& out) {
  t.decode(r, l7_request(r), l7_response(r), now, out);
}

const std::string kPipeline = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n*1\r\n$3\r\nFOO\r\n";
const std::string kReplies = "$1\r\nv\r\n+PONG\r\n-ERR unknown command 'FOO'\r\n";

TEST(ConnectionTable, PipelinedExchangeGivesOneReadingPerCommandWithItsContext) {
  ConnectionTable t;
  std::vector<protocols::L7Reading> out;
  decode(t, record(5, HS_NET_ROLE_CLIENT, kPipeline, kReplies), 1, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].op.fingerprint, "GET");
  EXPECT_EQ(out[1].op.fingerprint, "PING");
  EXPECT_TRUE(out[2].op.error);
  for (const auto& r : out) {
    EXPECT_EQ(r.tgid, 77u);
    EXPECT_EQ(r.conn_id, 5u);
    EXPECT_FALSE(r.server_side);
    EXPECT_EQ(r.remote, "127.0.0.1:6379");
    EXPECT_EQ(r.response_ns - r.request_ns, 50'000u);  // pipelined commands share the exchange's latency
  }
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.counters().operations, 3u);
}

TEST(ConnectionTable, ServerSideRemoteHidesThePeerPortAndUnixShowsThePath) {
  ConnectionTable t;
  std::vector<protocols::L7Reading> out;
  decode(t, record(6, HS_NET_ROLE_SERVER, kPipeline, kReplies), 1, out);
  ASSERT_FALSE(out.empty());
  EXPECT_TRUE(out[0].server_side);
  EXPECT_EQ(out[0].remote, "127.0.0.1:*");
  auto u = record(7, HS_NET_ROLE_CLIENT, kPipeline, kReplies);
  u.family = HS_AF_UNIX;
  l7_record_fill(u, kPipeline, kReplies, "/run/redis.sock");
  EXPECT_EQ(remote_of(u), "unix:/run/redis.sock");
  EXPECT_EQ(l7_request(u), kPipeline);  // the path comes after request and response
  EXPECT_EQ(l7_response(u), kReplies);
  l7_record_fill(u, kPipeline, kReplies);
  EXPECT_EQ(remote_of(u), "unix");  // an abstract or unnamed socket
}

// What comes off the ring is a record only if its lengths are within their
// limits and add up to exactly its size.
TEST(ConnectionTable, RecordsAreCheckedAgainstTheirSize) {
  hs_l7_record r{};
  const std::size_t size = l7_record_fill(r, "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n", "/tmp/s");
  EXPECT_EQ(size, HS_L7_RECORD_FIXED + 18 + 17 + 6);
  EXPECT_TRUE(l7_record_valid(&r, size));
  EXPECT_FALSE(l7_record_valid(&r, size - 1));
  EXPECT_FALSE(l7_record_valid(&r, size + 1));
  EXPECT_FALSE(l7_record_valid(&r, HS_L7_RECORD_FIXED - 1));
  EXPECT_EQ(l7_path(r), "/tmp/s");
  hs_l7_record big{};
  EXPECT_EQ(l7_record_fill(big, std::string(HS_L7_REQ_MAX + 5, 'x'), std::string(HS_L7_RESP_MAX + 5, 'y'),
                           std::string(HS_L7_PATH_MAX + 5, 'z')),
            sizeof(hs_l7_record) - 1);  // every piece cut to its limit; the path keeps room for a NUL
  EXPECT_TRUE(l7_record_valid(&big, sizeof(hs_l7_record) - 1));
  big.resp_len = HS_L7_RESP_MAX + 1;
  big.req_len = HS_L7_REQ_MAX - 1;  // the same total, one piece over its limit
  EXPECT_FALSE(l7_record_valid(&big, sizeof(hs_l7_record) - 1));
  big.resp_len = HS_L7_RESP_MAX;
  big.req_len = HS_L7_REQ_MAX;
  big.path_len = HS_L7_PATH_MAX;
  EXPECT_FALSE(l7_record_valid(&big, sizeof(hs_l7_record)));
}

TEST(ConnectionTable, UnrecognisedConnectionsAreCountedNotDecoded) {
  ConnectionTable t;
  std::vector<protocols::L7Reading> out;
  auto r = record(8, HS_NET_ROLE_CLIENT, "\x16\x03\x01 not a protocol", "\x16\x03\x03");
  r.protocol = HS_L7_UNKNOWN;
  decode(t, r, 1, out);
  decode(t, r, 2, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(t.counters().undecodable, 2u);
}

TEST(ConnectionTable, DecodersAreBoundedAndIdleOnesForgotten) {
  ConnectionTable t({.max_connections = 3, .idle_ns = 100});
  std::vector<protocols::L7Reading> out;
  for (std::uint64_t c = 1; c <= 5; ++c) decode(t, record(c, HS_NET_ROLE_CLIENT, kPipeline, kReplies), c, out);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.counters().evicted, 2u);
  t.evict_idle(104);  // connections last seen at 3 is idle for 101 > 100
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(out.size(), 15u);
}

}  // namespace
}  // namespace hs::l7

namespace hs::l7 {
namespace {

// A pipeline longer than the captured prefix: what is past it is estimated from
// the visible requests' size and counted, never silently lost.
TEST(ConnectionTable, RequestsPastTheCapturedPrefixAreCounted) {
  ConnectionTable t;
  std::vector<protocols::L7Reading> out;
  std::string one = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";  // 21 bytes
  std::string visible;
  for (int i = 0; i < 10; ++i) visible += one;
  auto r = record(9, HS_NET_ROLE_CLIENT, visible, "$1\r\nv\r\n");
  r.req_bytes = 64 * one.size();  // 64 sent, 10 kept
  decode(t, r, 1, out);
  ASSERT_EQ(out.size(), 1u);  // ten GETs with one outcome: one reading
  EXPECT_EQ(out[0].op.count, 10u);
  EXPECT_EQ(out[0].op.replies_unseen, 9u);  // one reply was kept
  EXPECT_EQ(t.counters().operations, 10u);
  EXPECT_EQ(t.counters().beyond_prefix, 54u);
}

}  // namespace
}  // namespace hs::l7

namespace hs::l7 {
namespace {

// The two sockets of one loopback connection: a client on port 40001 and the server on 6379.
hs_l7_record end_of(std::uint64_t conn, std::uint8_t role, const std::string& req, const std::string& resp) {
  hs_l7_record r = record(conn, role, req, resp);
  r.client_port = 40001;
  r.tgid = role == HS_NET_ROLE_SERVER ? 500 : 600;
  return r;
}

// Makes two ends Unix sockets; with `named`, each names the other's cookie as its peer.
void unix_ends(hs_l7_record& server, hs_l7_record& client, bool named) {
  for (hs_l7_record* r : {&server, &client}) {
    r->family = HS_AF_UNIX;
    r->client_port = 0;
    std::memset(r->addr, 0, sizeof(r->addr));
  }
  if (!named) return;
  std::memcpy(server.addr, &client.conn_id, sizeof(client.conn_id));
  std::memcpy(client.addr, &server.conn_id, sizeof(server.conn_id));
}

std::vector<std::string> fingerprints(const std::vector<protocols::L7Reading>& out, bool server) {
  std::vector<std::string> f;
  for (const auto& r : out) {
    if (r.server_side == server) f.push_back(r.op.fingerprint + "x" + std::to_string(r.op.count));
  }
  return f;
}

// Each exchange arrives once from each end: decoded once, read at both ends,
// whichever end comes first; every reading keeps its own end's context.
TEST(ConnectionTable, BothEndsOfALocalConnectionShareOneDecoding) {
  for (bool server_first : {true, false}) {
    ConnectionTable t;
    std::vector<protocols::L7Reading> out;
    for (char key : {'a', 'b', 'c'}) {
      std::string pipeline = kPipeline;
      pipeline[17] = key;  // GET a, GET b, GET c
      auto s = end_of(21, HS_NET_ROLE_SERVER, pipeline, kReplies);
      auto c = end_of(22, HS_NET_ROLE_CLIENT, pipeline, kReplies);
      decode(t, server_first ? s : c, 1, out);
      decode(t, server_first ? c : s, 1, out);
    }
    const std::vector<std::string> want = {"GETx1", "PINGx1", "FOOx1", "GETx1", "PINGx1", "FOOx1",
                                           "GETx1", "PINGx1", "FOOx1"};
    EXPECT_EQ(fingerprints(out, true), want);
    EXPECT_EQ(fingerprints(out, false), want);
    // The first exchange is decoded at both ends: the second end is not yet known when the first comes.
    EXPECT_EQ(t.counters().shared, 2u);
    EXPECT_EQ(out[12].op.text, "GET c");
    EXPECT_EQ(t.counters().operations, 18u);
    for (const auto& r : out) {
      EXPECT_EQ(r.tgid, r.server_side ? 500u : 600u);
      EXPECT_EQ(r.conn_id, r.server_side ? 21u : 22u);
      EXPECT_EQ(r.remote, r.server_side ? "127.0.0.1:*" : "127.0.0.1:6379");
    }
    EXPECT_EQ(out[11].op.error_text, "ERR unknown command 'FOO'");  // the second end's, shared
  }
}

// Different bytes (the server read the pipeline in two parts), other ports, a
// Unix socket with no peer named, no room: each end is decoded on its own.
TEST(ConnectionTable, EndsAreSharedOnlyWhenProvenTheSame) {
  const std::string first_half = kPipeline.substr(0, 21);  // the GET alone
  struct Case {
    const char* name;
    std::function<void(hs_l7_record& server, hs_l7_record& client)> change;
    TableLimits limits;
  };
  const std::vector<Case> cases = {
      {"split read", [&](hs_l7_record& s, hs_l7_record&) { l7_record_fill(s, first_half, "$1\r\nv\r\n"); }, {}},
      {"other client port", [](hs_l7_record&, hs_l7_record& c) { c.client_port = 40002; }, {}},
      {"no client port", [](hs_l7_record& s, hs_l7_record& c) { s.client_port = c.client_port = 0; }, {}},
      {"unix, no peer", [](hs_l7_record& s, hs_l7_record& c) { unix_ends(s, c, false); }, {}},
      {"unix, other peer", [](hs_l7_record& s, hs_l7_record& c) {
         unix_ends(s, c, true);
         s.addr[0] ^= 1;  // the server's peer is another socket
       }, {}},
      {"no room", [](hs_l7_record&, hs_l7_record&) {}, {.max_kept_bytes = 0}},
  };
  for (const Case& k : cases) {
    ConnectionTable t(k.limits);
    std::vector<protocols::L7Reading> out;
    for (int i = 0; i < 2; ++i) {
      auto s = end_of(31, HS_NET_ROLE_SERVER, kPipeline, kReplies);
      auto c = end_of(32, HS_NET_ROLE_CLIENT, kPipeline, kReplies);
      k.change(s, c);
      decode(t, s, 1, out);
      decode(t, c, 1, out);
    }
    EXPECT_EQ(t.counters().shared, 0u) << k.name;
    EXPECT_EQ(fingerprints(out, false), (std::vector<std::string>{"GETx1", "PINGx1", "FOOx1", "GETx1", "PINGx1",
                                                                  "FOOx1"}))
        << k.name;
    EXPECT_FALSE(fingerprints(out, true).empty()) << k.name;
  }
}

std::string pg(char type, const std::string& body) {
  std::uint32_t len = htonl(static_cast<std::uint32_t>(body.size() + 4));
  return std::string(1, type) + std::string(reinterpret_cast<const char*>(&len), 4) + body;
}

// PostgreSQL: a request of simple queries reads nothing the connection carries,
// so the second end takes the first end's decoding. The extended protocol
// (statements named in one exchange, run in a later one) is decoded at each end.
TEST(ConnectionTable, PostgresSimpleQueriesAreSharedExtendedOnesAreNot) {
  const std::string simple = pg('Q', std::string("SELECT 1;") + '\0');
  const std::string simple_reply = pg('C', std::string("SELECT 1") + '\0') + pg('Z', "I");
  const std::string parse =
      pg('P', std::string("s1") + '\0' + "SELECT $1 FROM t;" + '\0' + std::string(2, '\0')) + pg('S', "");
  const std::string parse_reply = pg('1', "") + pg('Z', "I");
  const std::string run = pg('B', std::string("\0s1\0", 4) + std::string(6, '\0')) + pg('E', std::string(5, '\0')) +
                          pg('S', "");
  const std::string run_reply = pg('2', "") + pg('C', std::string("SELECT 1") + '\0') + pg('Z', "I");
  ConnectionTable t;
  std::vector<protocols::L7Reading> out;
  auto both_ends = [&](const std::string& req, const std::string& resp) {
    for (std::uint8_t role : {HS_NET_ROLE_SERVER, HS_NET_ROLE_CLIENT}) {
      auto r = end_of(role == HS_NET_ROLE_SERVER ? 41 : 42, role, req, resp);
      r.protocol = HS_L7_POSTGRESQL;
      r.port = 5432;
      decode(t, r, 1, out);
    }
  };
  both_ends(simple, simple_reply);  // the client end is not known yet: both decode
  both_ends(simple, simple_reply);
  EXPECT_EQ(t.counters().shared, 1u);
  both_ends(parse, parse_reply);
  both_ends(run, run_reply);  // each end runs the statement its own decoder learnt
  EXPECT_EQ(t.counters().shared, 1u);
  ASSERT_EQ(out.size(), 6u);
  for (std::size_t i : {4u, 5u}) {
    EXPECT_EQ(out[i].op.fingerprint, "SELECT ? FROM t") << i;
    EXPECT_EQ(out[i].server_side, i == 4u);
  }
  EXPECT_EQ(out[3].op.fingerprint, "SELECT ?");  // the shared one, at the client end
  EXPECT_FALSE(out[3].server_side);
}

// Unix sockets: each end names its peer by socket cookie, so the two ends pair.
TEST(ConnectionTable, UnixEndsPairByTheirCookies) {
  ConnectionTable t;
  std::vector<protocols::L7Reading> out;
  for (int i = 0; i < 3; ++i) {
    auto s = end_of(81, HS_NET_ROLE_SERVER, kPipeline, kReplies);
    auto c = end_of(82, HS_NET_ROLE_CLIENT, kPipeline, kReplies);
    unix_ends(s, c, true);
    decode(t, c, 1, out);
    decode(t, s, 1, out);
  }
  EXPECT_EQ(t.counters().shared, 2u);
  ASSERT_EQ(out.size(), 18u);
  EXPECT_EQ(fingerprints(out, true), fingerprints(out, false));
  EXPECT_EQ(out[17].remote, "unix");  // no path in these records
}

// An end forgotten (evicted) takes its kept exchange with it; a new connection
// on the same ports pairs afresh.
TEST(ConnectionTable, ForgottenEndsArePairedAfresh) {
  ConnectionTable t({.max_connections = 2, .idle_ns = 100});
  std::vector<protocols::L7Reading> out;
  decode(t, end_of(51, HS_NET_ROLE_SERVER, kPipeline, kReplies), 1, out);
  decode(t, end_of(52, HS_NET_ROLE_CLIENT, kPipeline, kReplies), 1, out);
  EXPECT_GE(t.kept_bytes(), kPipeline.size() + kReplies.size());  // 52 kept its exchange for 51
  t.evict_idle(500);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.kept_bytes(), 0u);  // what the forgotten ends held is given back to the budget
  decode(t, end_of(53, HS_NET_ROLE_SERVER, kPipeline, kReplies), 600, out);
  decode(t, end_of(54, HS_NET_ROLE_CLIENT, kPipeline, kReplies), 600, out);
  decode(t, end_of(53, HS_NET_ROLE_SERVER, kPipeline, kReplies), 600, out);
  decode(t, end_of(54, HS_NET_ROLE_CLIENT, kPipeline, kReplies), 600, out);
  EXPECT_EQ(t.counters().shared, 1u);
  EXPECT_EQ(out.size(), 18u);
  t.evict_idle(1000);
  EXPECT_EQ(t.kept_bytes(), 0u);
}

// A port reused by a new socket: the newer end takes the pairing, the older
// one is decoded on its own, and forgetting either leaves the rest intact.
TEST(ConnectionTable, ANewerEndOnTheSamePortsTakesThePairing) {
  ConnectionTable t({.max_connections = 8, .idle_ns = 100});
  std::vector<protocols::L7Reading> out;
  auto exchange = [&](std::uint64_t conn, std::uint8_t role, std::uint64_t now) {
    decode(t, end_of(conn, role, kPipeline, kReplies), now, out);
  };
  exchange(61, HS_NET_ROLE_SERVER, 1);  // older server socket
  exchange(62, HS_NET_ROLE_CLIENT, 1);
  exchange(63, HS_NET_ROLE_SERVER, 150);  // newer server socket, same ports: reads what 62 kept
  EXPECT_EQ(t.counters().shared, 1u);
  exchange(62, HS_NET_ROLE_CLIENT, 150);
  t.evict_idle(200);  // 61 goes; 62 and 63 stay paired
  EXPECT_EQ(t.size(), 2u);
  exchange(63, HS_NET_ROLE_SERVER, 210);  // reads what 62 kept at 150
  exchange(62, HS_NET_ROLE_CLIENT, 210);
  EXPECT_EQ(t.counters().shared, 2u);
  t.evict_idle(400);
  EXPECT_EQ(t.size(), 0u);
  exchange(64, HS_NET_ROLE_CLIENT, 500);  // nothing left of the old pairing
  EXPECT_EQ(t.counters().shared, 2u);
  EXPECT_EQ(out.size(), 21u);
}

// An end decoded without literal texts is no decoding for an end that keeps
// them (capture_literals switched between the two records).
TEST(ConnectionTable, EndsDecodedWithOtherTextSettingsAreNotShared) {
  ConnectionTable t;
  std::vector<protocols::L7Reading> out;
  decode(t, end_of(71, HS_NET_ROLE_SERVER, kPipeline, kReplies), 1, out);
  decode(t, end_of(72, HS_NET_ROLE_CLIENT, kPipeline, kReplies), 1, out);  // kept, with texts
  t.set_keep_texts(false);
  decode(t, end_of(71, HS_NET_ROLE_SERVER, kPipeline, kReplies), 1, out);
  t.set_keep_texts(true);
  decode(t, end_of(72, HS_NET_ROLE_CLIENT, kPipeline, kReplies), 1, out);
  EXPECT_EQ(t.counters().shared, 0u);
  ASSERT_EQ(out.size(), 12u);
  EXPECT_EQ(out[9].op.text, "GET k");  // the client's own decoding, with its text
  EXPECT_FALSE(out[9].server_side);
}

}  // namespace
}  // namespace hs::l7

namespace hs::l7 {
namespace {

hs_l7_record closed_record(const hs_l7_record& of) {
  hs_l7_record r = of;
  r.flags |= HS_L7_F_CLOSED;
  r.req_bytes = r.resp_bytes = 0;
  l7_record_fill(r, "", "");
  return r;
}

// The connection used longest ago goes first when the table is full, however
// recently it was created; idle ones go oldest first.
TEST(ConnectionTable, TheLeastRecentlyUsedGoesFirst) {
  ConnectionTable t({.max_connections = 3, .idle_ns = 100});
  std::vector<protocols::L7Reading> out;
  for (std::uint64_t c = 1; c <= 3; ++c) decode(t, record(c, HS_NET_ROLE_CLIENT, kPipeline, kReplies), c, out);
  decode(t, record(1, HS_NET_ROLE_CLIENT, kPipeline, kReplies), 4, out);  // 2 is now the least recent
  decode(t, record(4, HS_NET_ROLE_CLIENT, kPipeline, kReplies), 5, out);
  EXPECT_TRUE(t.contains(1));
  EXPECT_FALSE(t.contains(2));
  EXPECT_TRUE(t.contains(3) && t.contains(4));
  EXPECT_EQ(t.counters().evicted, 1u);
  t.evict_idle(104);  // 3 (last used at 3) is idle for 101; 1 (at 4) for 100
  EXPECT_FALSE(t.contains(3));
  EXPECT_TRUE(t.contains(1) && t.contains(4));
  EXPECT_EQ(t.counters().evicted, 2u);
}

// A closed record forgets its connection and gives no reading; one for a
// connection not (or no longer) known changes nothing.
TEST(ConnectionTable, AClosedConnectionIsForgotten) {
  ConnectionTable t;
  std::vector<protocols::L7Reading> out;
  const auto s = end_of(61, HS_NET_ROLE_SERVER, kPipeline, kReplies);
  const auto c = end_of(62, HS_NET_ROLE_CLIENT, kPipeline, kReplies);
  for (int i = 0; i < 2; ++i) {
    decode(t, s, 1, out);
    decode(t, c, 1, out);
  }
  ASSERT_EQ(out.size(), 12u);
  EXPECT_EQ(t.counters().shared, 1u);
  decode(t, s, 1, out);  // takes the client end's decoding, whose memory the table still holds
  EXPECT_EQ(t.counters().shared, 2u);
  EXPECT_GT(t.kept_bytes(), 0u);
  decode(t, closed_record(c), 2, out);
  EXPECT_FALSE(t.contains(62));
  EXPECT_TRUE(t.contains(61));  // TCP: each end says so itself
  decode(t, closed_record(s), 2, out);
  EXPECT_EQ(t.kept_bytes(), 0u);
  decode(t, closed_record(s), 2, out);
  decode(t, closed_record(record(99, HS_NET_ROLE_CLIENT, "", "")), 2, out);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.counters().closed, 2u);
  EXPECT_EQ(t.counters().exchanges, 5u);
  EXPECT_EQ(out.size(), 15u);
  // The same ports again: a new connection, decoded and paired afresh.
  for (int i = 0; i < 2; ++i) {
    decode(t, end_of(63, HS_NET_ROLE_SERVER, kPipeline, kReplies), 3, out);
    decode(t, end_of(64, HS_NET_ROLE_CLIENT, kPipeline, kReplies), 3, out);
  }
  EXPECT_EQ(t.counters().shared, 3u);  // each end's first exchange is its own
  EXPECT_EQ(out.size(), 27u);
}

// A Unix end reads its peer's close and names the peer by cookie: both go,
// since the peer may have closed without reading anything more.
TEST(ConnectionTable, AUnixEndClosingTakesItsPeerAlong) {
  ConnectionTable t;
  std::vector<protocols::L7Reading> out;
  auto s = end_of(71, HS_NET_ROLE_SERVER, kPipeline, kReplies);
  auto c = end_of(72, HS_NET_ROLE_CLIENT, kPipeline, kReplies);
  unix_ends(s, c, true);
  auto other_s = end_of(73, HS_NET_ROLE_SERVER, kPipeline, kReplies);
  auto other_c = end_of(74, HS_NET_ROLE_CLIENT, kPipeline, kReplies);
  unix_ends(other_s, other_c, true);
  for (const auto* r : {&s, &c, &other_s, &other_c}) decode(t, *r, 1, out);
  decode(t, closed_record(s), 2, out);
  EXPECT_FALSE(t.contains(71));
  EXPECT_FALSE(t.contains(72));
  EXPECT_TRUE(t.contains(73) && t.contains(74));
  EXPECT_EQ(t.counters().closed, 2u);
}

}  // namespace
}  // namespace hs::l7
