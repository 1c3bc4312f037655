// Protocol detection from a connection's first exchange; names and decoder factory.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "protocols/exchange.h"

namespace hs::protocols {
namespace {

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}
std::string pg(char type, std::string_view body) { return type + be32(static_cast<std::uint32_t>(body.size() + 4)) + std::string(body); }

Protocol detect_of(std::string_view req, std::string_view resp = {}, std::uint64_t req_bytes = 0, bool server = false) {
  Exchange ex;
  ex.server_side = server;
  ex.request = req;
  ex.request_bytes = req_bytes ? req_bytes : req.size();
  ex.response = resp;
  ex.response_bytes = resp.size();
  return detect(ex);
}

TEST(ProtocolDetect, Names) {
  EXPECT_EQ(protocol_name(Protocol::http), "http");
  EXPECT_EQ(protocol_name(Protocol::postgresql), "postgresql");
  EXPECT_EQ(protocol_name(Protocol::redis), "redis");
  EXPECT_EQ(protocol_name(Protocol::mysql), "mysql");
  EXPECT_EQ(protocol_name(Protocol::unknown), "unknown");
  EXPECT_EQ(protocol_name(static_cast<Protocol>(99)), "unknown");
}

TEST(ProtocolDetect, DecoderFactory) {
  EXPECT_NE(make_decoder(Protocol::http), nullptr);
  EXPECT_NE(make_decoder(Protocol::postgresql), nullptr);
  EXPECT_NE(make_decoder(Protocol::redis), nullptr);
  EXPECT_NE(make_decoder(Protocol::mysql), nullptr);
  EXPECT_EQ(make_decoder(Protocol::unknown), nullptr);
}

TEST(ProtocolDetect, Http) {
  EXPECT_EQ(detect_of("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Protocol::http);
  EXPECT_EQ(detect_of("POST /api/v1/items HTTP/1.1\r\n"), Protocol::http);
  EXPECT_EQ(detect_of("OPTIONS * HTTP/1.1\r\n\r\n"), Protocol::http);
  EXPECT_EQ(detect_of("GET http://proxy.example/x HTTP/1.1\r\n\r\n"), Protocol::http);
  EXPECT_EQ(detect_of("GET /", "", 4096), Protocol::http);  // cut early
  EXPECT_EQ(detect_of("DELETE /x HTTP/1.1\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n", 0, true), Protocol::http);
  EXPECT_EQ(detect_of("GETX / HTTP/1.1\r\n"), Protocol::unknown);
  EXPECT_EQ(detect_of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Protocol::unknown);
}

TEST(ProtocolDetect, Redis) {
  EXPECT_EQ(detect_of("*1\r\n$4\r\nPING\r\n", "+PONG\r\n"), Protocol::redis);
  EXPECT_EQ(detect_of("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"), Protocol::redis);
  EXPECT_EQ(detect_of("*3\r\n$3\r\nSE", "", 100), Protocol::redis);
  EXPECT_EQ(detect_of("PING\r\n", "+PONG\r\n"), Protocol::redis);
  EXPECT_EQ(detect_of("ping\r\n"), Protocol::redis);
  EXPECT_EQ(detect_of("GET key\r\n", "$-1\r\n", 0, true), Protocol::redis);
  EXPECT_EQ(detect_of("PING\r\n", "HTTP/1.1 400 Bad Request\r\n\r\n"), Protocol::unknown);
  EXPECT_EQ(detect_of("PINGPONG\r\n"), Protocol::unknown);
  EXPECT_EQ(detect_of("PING"), Protocol::unknown);
  EXPECT_EQ(detect_of("*\r\n$"), Protocol::unknown);
}

TEST(ProtocolDetect, PostgresUntypedFirstMessages) {
  std::string params = std::string("user\0bench\0database\0db\0\0", 24);
  std::string startup = be32(static_cast<std::uint32_t>(params.size() + 8)) + be32(196608) + params;
  EXPECT_EQ(detect_of(startup, pg('R', be32(10) + "SCRAM-SHA-256" + std::string(2, '\0'))), Protocol::postgresql);
  EXPECT_EQ(detect_of(startup.substr(0, 20), "", startup.size()), Protocol::postgresql);
  EXPECT_EQ(detect_of(be32(8) + be32(80877103), "S"), Protocol::postgresql);
  EXPECT_EQ(detect_of(be32(8) + be32(80877104), "N"), Protocol::postgresql);
  EXPECT_EQ(detect_of(be32(16) + be32(80877102) + be32(1) + be32(2)), Protocol::postgresql);
  EXPECT_EQ(detect_of(be32(8) + be32(80877103) + "junk"), Protocol::unknown);  // SSLRequest is sent alone
  EXPECT_EQ(detect_of(be32(12) + be32(196608) + "nope"), Protocol::unknown);   // no user
}

TEST(ProtocolDetect, PostgresTypedMessages) {
  std::string q = pg('Q', std::string("SELECT 1", 9));
  EXPECT_EQ(detect_of(q, pg('T', std::string(6, '\0'))), Protocol::postgresql);
  EXPECT_EQ(detect_of(q), Protocol::postgresql);
  EXPECT_EQ(detect_of(q.substr(0, 8), "", q.size()), Protocol::postgresql);
  std::string ext = pg('P', std::string("\0SELECT $1\0\0\0", 13)) + pg('B', std::string("\0\0\0\0\0\0\0\0", 8)) +
                    pg('D', std::string("P\0", 2)) + pg('E', std::string("\0\0\0\0\0", 5)) + pg('S', "");
  EXPECT_EQ(detect_of(ext, pg('1', "") + pg('2', "")), Protocol::postgresql);
  EXPECT_EQ(detect_of(ext, "", 0, true), Protocol::postgresql);
  EXPECT_EQ(detect_of(pg('X', "")), Protocol::postgresql);

  EXPECT_EQ(detect_of(q, "+OK\r\n"), Protocol::unknown);                 // not a backend reply
  EXPECT_EQ(detect_of(pg('Q', "SELECT 1")), Protocol::unknown);         // no NUL
  EXPECT_EQ(detect_of(q.substr(0, 8), "", 4), Protocol::unknown);       // length larger than the request
  EXPECT_EQ(detect_of(pg('S', "x")), Protocol::unknown);                // Sync has no body
  EXPECT_EQ(detect_of(pg('Z', std::string(1, 'I'))), Protocol::unknown);  // backend type
}

std::string le32(std::uint32_t v) {
  return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
}
std::string my(std::uint8_t seq, std::string_view payload) {
  auto n = static_cast<std::uint32_t>(payload.size());
  return std::string{static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16), static_cast<char>(seq)} +
         std::string(payload);
}
std::string my_ok(std::uint8_t seq) { return my(seq, std::string("\0\0\0\x02\0\0\0", 7)); }

TEST(ProtocolDetect, Mysql) {
  // COM_QUERY "SELECT 1": 3-byte length, sequence 0, 0x03; the reply continues at sequence 1.
  std::string q = my(0, "\x03SELECT 1");
  EXPECT_EQ(q, std::string("\x09\x00\x00\x00\x03SELECT 1", 13));
  EXPECT_EQ(detect_of(q), Protocol::mysql);
  EXPECT_EQ(detect_of(q, my(1, "\x01") + my(2, "\x03" "def")), Protocol::mysql);
  EXPECT_EQ(detect_of(q, my(1, "\xff\x28\x04#42000bad"), 0, true), Protocol::mysql);
  EXPECT_EQ(detect_of(q.substr(0, 8), "", q.size()), Protocol::mysql);  // cut
  EXPECT_EQ(detect_of(my(0, "\x16SELECT ?"), my(1, std::string("\0\1\0\0\0\1\0\1\0\0\0\0", 12))), Protocol::mysql);
  EXPECT_EQ(detect_of(my(0, "\x17" + le32(1) + std::string(1, '\0') + le32(1)), my_ok(1)), Protocol::mysql);
  EXPECT_EQ(detect_of(my(0, "\x0e"), my_ok(1)), Protocol::mysql);                  // COM_PING
  EXPECT_EQ(detect_of(my(0, "\x19" + le32(3)) + my(0, "\x0e"), my_ok(1)), Protocol::mysql);  // CLOSE then PING
  // Handshake response (capabilities with PROTOCOL_41, max packet, charset, 23 reserved bytes, user).
  std::string hs = le32(0x00bfa28c) + le32(0x10000000) + "\x21" + std::string(23, '\0') + "hs" + std::string(1, '\0');
  EXPECT_EQ(detect_of(my(1, hs), my_ok(2)), Protocol::mysql);
  EXPECT_EQ(detect_of(my(1, hs), my(2, "\xfemysql_native_password")), Protocol::mysql);  // auth switch

  EXPECT_EQ(detect_of(q, my_ok(2)), Protocol::unknown);                      // reply out of sequence
  EXPECT_EQ(detect_of(q, "+OK\r\n"), Protocol::unknown);                     // not a MySQL reply
  EXPECT_EQ(detect_of(q.substr(0, 8), "", 8), Protocol::unknown);            // length larger than the request
  EXPECT_EQ(detect_of(my(0, "\x03\x01\x02")), Protocol::unknown);            // not text
  EXPECT_EQ(detect_of(my(0, std::string("\x03SELECT\0 1", 10))), Protocol::unknown);          // NUL in the text
  EXPECT_EQ(detect_of(my(0, "\x60SELECT 1")), Protocol::unknown);            // no such command
  EXPECT_EQ(detect_of(my(0, "\x0ex")), Protocol::unknown);                   // PING has no body
  EXPECT_EQ(detect_of(my(0, "\x17" + le32(1) + std::string(1, '\0') + le32(2))), Protocol::unknown);  // iterations != 1
  EXPECT_EQ(detect_of(my(2, "\x03SELECT 1")), Protocol::unknown);            // sequence 2
  EXPECT_EQ(detect_of(my(1, le32(0x8c) + std::string(28, 'x'))), Protocol::unknown);  // no PROTOCOL_41, no zeros
}

// Bytes of the other protocols stay theirs even where they could be read as MySQL packets.
TEST(ProtocolDetect, MysqlStealsNothing) {
  EXPECT_EQ(detect_of(pg('Q', std::string("SELECT 1", 9))), Protocol::postgresql);
  EXPECT_EQ(detect_of("*1\r\n$4\r\nPING\r\n"), Protocol::redis);
  EXPECT_EQ(detect_of("GET / HTTP/1.1\r\n\r\n"), Protocol::http);
  // A MySQL PREPARE of 80 bytes starts with 'P' and a PostgreSQL-like length: still MySQL.
  std::string sql(79, 'x');
  sql.replace(0, 7, "SELECT ");
  std::string prep = my(0, "\x16" + sql);
  ASSERT_EQ(prep[0], 'P');
  EXPECT_EQ(detect_of(prep, my(1, std::string("\0\1\0\0\0\1\0\0\0\0\0\0", 12))), Protocol::mysql);
}

TEST(ProtocolDetect, OtherBytesAreUnknown) {
  EXPECT_EQ(detect_of(""), Protocol::unknown);
  EXPECT_EQ(detect_of(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)), Protocol::unknown);  // TLS
  EXPECT_EQ(detect_of("SSH-2.0-OpenSSH_9.2\r\n"), Protocol::unknown);
  EXPECT_EQ(detect_of("hello world"), Protocol::unknown);
}

}  // namespace
}  // namespace hs::protocols
