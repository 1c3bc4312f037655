// MySQL/MariaDB decoder: text queries, prepared statements, replies, pipelining,
// truncation, and bytes laid out as libmariadb and mariadbd 10.11 write them.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "protocols/exchange.h"
#include "protocols/mysql_decoder.h"

namespace hs::protocols {
namespace {

std::string le16(std::uint16_t v) { return {static_cast<char>(v), static_cast<char>(v >> 8)}; }
std::string le32(std::uint32_t v) { return le16(static_cast<std::uint16_t>(v)) + le16(static_cast<std::uint16_t>(v >> 16)); }
std::string packet(std::uint8_t seq, std::string_view payload) {
  auto n = static_cast<std::uint32_t>(payload.size());
  return std::string{static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16), static_cast<char>(seq)} +
         std::string(payload);
}
std::string command(std::uint8_t com, std::string_view body) { return packet(0, std::string(1, static_cast<char>(com)) + std::string(body)); }

// Client commands.
std::string query(std::string_view sql) { return command(0x03, sql); }
std::string prepare(std::string_view sql) { return command(0x16, sql); }
std::string close_stmt(std::uint32_t id) { return command(0x19, le32(id)); }
// COM_STMT_EXECUTE with one INT parameter, as mysql_stmt_execute sends it.
std::string execute(std::uint32_t id, std::uint32_t value) {
  return command(0x17, le32(id) + std::string(1, '\0') + le32(1) + std::string(1, '\0') /* null bitmap */ +
                           std::string(1, '\1') /* types follow */ + le16(3) /* LONG */ + le32(value));
}
std::string ping() { return command(0x0e, ""); }
std::string quit() { return command(0x01, ""); }
std::string init_db(std::string_view db) { return command(0x02, db); }

// Server replies.
std::string ok(std::uint8_t seq = 1) { return packet(seq, std::string("\x00\x00\x00\x02\x00\x00\x00", 7)); }
std::string err(std::uint16_t code, std::string_view state, std::string_view message, std::uint8_t seq = 1) {
  return packet(seq, "\xff" + le16(code) + "#" + std::string(state) + std::string(message));
}
std::string eof(std::uint8_t seq) { return packet(seq, std::string("\xfe\x00\x00\x02\x00", 5)); }
std::string prepare_ok(std::uint32_t id, std::uint16_t columns, std::uint16_t params) {
  return packet(1, std::string(1, '\0') + le32(id) + le16(columns) + le16(params) + std::string(1, '\0') + le16(0));
}
// A one-column result set "v" with one row "0", as mariadbd writes it (no DEPRECATE_EOF).
std::string result_set(std::uint8_t seq = 1) {
  std::string coldef = std::string("\x03") + "def" + "\x07" + "hsbench" + "\x07" + "hs_kv_t" + "\x07" + "hs_kv_t" +
                       "\x01" + "v" + "\x01" + "v" + "\x0c" + le16(63) + le32(20) + "\x08" + le16(0x1001) +
                       std::string(1, '\0') + std::string(2, '\0');
  return packet(seq, "\x01") + packet(static_cast<std::uint8_t>(seq + 1), coldef) + eof(static_cast<std::uint8_t>(seq + 2)) +
         packet(static_cast<std::uint8_t>(seq + 3), "\x01" "0") + eof(static_cast<std::uint8_t>(seq + 4));
}

class MysqlDecoderTest : public ::testing::Test {
 protected:
  std::vector<Operation> run(std::string_view req, std::string_view resp, std::uint64_t req_bytes = 0,
                             std::uint64_t resp_bytes = 0, bool keep_text = true) {
    Exchange ex;
    ex.keep_text = keep_text;
    ex.request = req;
    ex.request_bytes = req_bytes ? req_bytes : req.size();
    ex.response = resp.substr(0, 128);  // the kernel keeps 128 bytes of a reply
    ex.response_bytes = resp_bytes ? resp_bytes : resp.size();
    std::vector<Operation> ops;
    decoder_->decode(ex, ops);
    return ops;
  }
  std::unique_ptr<ConnectionDecoder> decoder_ = make_decoder(Protocol::mysql);
};

TEST_F(MysqlDecoderTest, QueryWithResultSet) {
  auto ops = run(query("SELECT v FROM hs_kv_t WHERE id = 5"), result_set());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].protocol, Protocol::mysql);
  EXPECT_EQ(ops[0].text, "SELECT v FROM hs_kv_t WHERE id = 5");
  EXPECT_EQ(ops[0].fingerprint, "SELECT v FROM hs_kv_t WHERE id = ?");
  EXPECT_EQ(ops[0].method, "SELECT");
  EXPECT_FALSE(ops[0].error);
  EXPECT_FALSE(ops[0].truncated);
  EXPECT_EQ(ops[0].status, 0);
  EXPECT_TRUE(ops[0].route.empty());
}

TEST_F(MysqlDecoderTest, FingerprintUsesMysqlDialect) {
  auto ops = run(query("update t set name = \"x\", n = n + 1 where id in (1, 2, 3) # note"), ok());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].fingerprint, "UPDATE t SET name = ?, n = n + ? WHERE id IN (?)");
  EXPECT_EQ(ops[0].method, "UPDATE");
}

// Bytes from mariadbd 10.11 answering "SELEC 1".
TEST_F(MysqlDecoderTest, ErrorReplyMarksTheQuery) {
  std::string message = "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB "
                        "server version for the right syntax to use near 'SELEC 1' at line 1";
  auto ops = run(query("SELEC 1"), err(1064, "42000", message));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].error);
  EXPECT_EQ(ops[0].fingerprint, "SELEC ?");
  EXPECT_EQ(ops[0].method, "OTHER");
  // The reply prefix is 128 bytes: the message is cut there.
  std::string want = "42000 (1064): " + message.substr(0, 128 - 4 - 9);
  EXPECT_EQ(ops[0].error_text, want);
}

TEST_F(MysqlDecoderTest, ErrorWithoutSqlstate) {
  auto ops = run(query("SELECT 1"), packet(1, "\xff" + le16(1045) + "Access denied"));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].error);
  EXPECT_EQ(ops[0].error_text, "1045: Access denied");
}

// Handshake response (sequence 1) and the server's OK (sequence 2), as the
// `mariadb` client and mariadbd exchanged them; then auth switch rounds.
TEST_F(MysqlDecoderTest, HandshakeAndAuthenticationGiveNothing) {
  std::string response = le32(0x00bfa28c) + le32(0x10000000) + "\x21" + std::string(23, '\0') + "hs" +
                         std::string(1, '\0') + "\x14" + std::string(20, 'x') + "hsbench" + std::string(1, '\0') +
                         "mysql_native_password" + std::string(1, '\0');
  std::string auth_ok = packet(2, std::string("\x00\x00\x00\x02\x40\x00\x00\x00\x0a\x01\x08\x07", 12) + "hsbench");
  EXPECT_TRUE(run(packet(1, response), auth_ok).empty());
  EXPECT_TRUE(run(packet(1, response), packet(2, "\xfe" "unix_socket" + std::string(1, '\0'))).empty());
  EXPECT_TRUE(run(packet(3, ""), ok(4)).empty());
  // Still in step afterwards.
  EXPECT_EQ(run(query("SELECT 1"), result_set()).size(), 1u);
}

TEST_F(MysqlDecoderTest, PreparedStatementByIdUntilClosed) {
  const std::string sql = "SELECT v FROM hs_kv_t WHERE id = ?";
  EXPECT_TRUE(run(prepare(sql), prepare_ok(7, 1, 1)).empty());  // a prepare alone is no run
  for (std::uint32_t i = 1; i <= 3; ++i) {
    auto ops = run(execute(7, i), result_set());
    ASSERT_EQ(ops.size(), 1u) << i;
    EXPECT_EQ(ops[0].text, sql);
    EXPECT_EQ(ops[0].fingerprint, "SELECT v FROM hs_kv_t WHERE id = ?");
    EXPECT_EQ(ops[0].method, "SELECT");
    EXPECT_FALSE(ops[0].error);
  }
  // CLOSE has no reply: it shares an exchange with the next command, whose reply comes first.
  auto ops = run(close_stmt(7) + query("SELEC 2"), err(1064, "42000", "syntax"));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, "SELEC 2");
  EXPECT_TRUE(ops[0].error);
  EXPECT_EQ(ops[0].error_text, "42000 (1064): syntax");
  ops = run(execute(7, 1), ok());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].fingerprint, "(unknown statement)");
  EXPECT_EQ(ops[0].method, "EXECUTE");
  EXPECT_TRUE(ops[0].text.empty());
}

TEST_F(MysqlDecoderTest, StatementsAreKeptPerDecoder) {
  EXPECT_TRUE(run(prepare("INSERT INTO t (id) VALUES (?)"), prepare_ok(1, 0, 1)).empty());
  auto other = make_decoder(Protocol::mysql);
  Exchange ex;
  std::string req = execute(1, 5);
  std::string resp = ok();
  ex.request = req;
  ex.request_bytes = req.size();
  ex.response = resp;
  ex.response_bytes = resp.size();
  std::vector<Operation> ops;
  other->decode(ex, ops);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].fingerprint, "(unknown statement)");
  ops = run(req, resp);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].fingerprint, "INSERT INTO t (id) VALUES (?)");
  EXPECT_EQ(ops[0].method, "INSERT");
}

TEST_F(MysqlDecoderTest, FailedPrepareIsAnErroredOperation) {
  auto ops = run(prepare("SELEC ? FROM t"), err(1064, "42000", "You have an error"));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, "SELEC ? FROM t");
  EXPECT_TRUE(ops[0].error);
  EXPECT_EQ(ops[0].error_text, "42000 (1064): You have an error");
  // Nothing was remembered for it.
  ops = run(execute(0, 1), ok());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].fingerprint, "(unknown statement)");
}

// mariadb_stmt_execute_direct: PREPARE and EXECUTE of id 0xffffffff in one write.
TEST_F(MysqlDecoderTest, ExecuteDirectRunsThePrepareBeforeIt) {
  auto ops = run(prepare("DELETE FROM t WHERE id = ?") + execute(0xffffffff, 3),
                 prepare_ok(9, 0, 1) + packet(2, std::string(20, 'p')) + eof(3) + ok(1));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].fingerprint, "DELETE FROM t WHERE id = ?");
  EXPECT_FALSE(ops[0].error);
  ops = run(execute(9, 4), ok());  // and its id was learnt from the PREPARE_OK
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].fingerprint, "DELETE FROM t WHERE id = ?");
}

TEST_F(MysqlDecoderTest, BulkExecuteIsOneOperation) {
  EXPECT_TRUE(run(prepare("INSERT INTO t VALUES (?)"), prepare_ok(2, 0, 1)).empty());
  auto ops = run(command(0xfa, le32(2) + le16(0x80) + le16(3) + std::string(1, '\0') + le32(1)), ok());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].fingerprint, "INSERT INTO t VALUES (?)");
}

TEST_F(MysqlDecoderTest, PipelinedRepliesPairInOrder) {
  auto ops = run(query("SELECT 1") + query("SELEC 2") + query("DO 3"),
                 result_set() + err(1064, "42000", "bad") + ok());
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].fingerprint, "SELECT ?");
  EXPECT_FALSE(ops[0].error);
  EXPECT_EQ(ops[1].fingerprint, "SELEC ?");
  EXPECT_TRUE(ops[1].error);
  EXPECT_EQ(ops[1].error_text, "42000 (1064): bad");
  EXPECT_EQ(ops[2].fingerprint, "DO ?");
  EXPECT_FALSE(ops[2].error);
}

TEST_F(MysqlDecoderTest, RepliesPastThePrefixCountAsOk) {
  std::string big = result_set() + packet(6, std::string(200, 'r')) + eof(7);
  auto ops = run(query("SELECT 1") + query("SELEC 2"), big + err(1064, "42000", "bad"));
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_FALSE(ops[0].error);
  EXPECT_FALSE(ops[1].error);  // its ERR lies beyond the 128 bytes kept
}

TEST_F(MysqlDecoderTest, AdministrativeCommandsGiveNoOperation) {
  EXPECT_TRUE(run(ping(), ok()).empty());
  EXPECT_TRUE(run(init_db("hsbench"), ok()).empty());
  EXPECT_TRUE(run(command(0x1f, ""), ok()).empty());  // reset connection
  EXPECT_TRUE(run(command(0x1a, le32(1)), ok()).empty());  // stmt reset
  EXPECT_TRUE(run(command(0x1c, le32(1) + le32(10)), eof(1)).empty());  // stmt fetch
  EXPECT_TRUE(run(quit(), "").empty());
  // A ping that fails is still no operation; the query after it is paired with its own reply.
  auto ops = run(ping() + query("SELECT 2"), err(1927, "70100", "Connection was killed") + result_set());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_FALSE(ops[0].error);
}

TEST_F(MysqlDecoderTest, EmptyStatementsGiveNoOperation) {
  EXPECT_TRUE(run(query(""), err(1065, "42000", "Query was empty")).empty());
  EXPECT_TRUE(run(query(" /* nothing */ "), err(1065, "42000", "Query was empty")).empty());
  EXPECT_TRUE(run(prepare(""), err(1065, "42000", "Query was empty")).empty());
  auto ops = run(query("") + query("SELECT 1"), err(1065, "42000", "Query was empty") + result_set());
  ASSERT_EQ(ops.size(), 1u);  // the second reply is the SELECT's
  EXPECT_FALSE(ops[0].error);
}

TEST_F(MysqlDecoderTest, CutQueryKeepsItsVisibleText) {
  std::string sql = "INSERT INTO hs_log_t (id, note) VALUES (1, '" + std::string(5000, 'a') + "')";
  std::string req = query(sql);
  auto ops = run(std::string_view(req).substr(0, 4096), ok(), req.size());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].truncated);
  EXPECT_EQ(ops[0].text, sql.substr(0, 4096 - 5));
  EXPECT_EQ(ops[0].method, "INSERT");
  EXPECT_EQ(ops[0].fingerprint, "INSERT INTO hs_log_t (id, note) VALUES (?)");  // the cut row still collapses
}

// Without capture_literals (Exchange::keep_text off) no operation carries its
// text, which holds the literals; fingerprint and verb are as with it. A
// statement prepared then still has its text when texts are kept again.
TEST_F(MysqlDecoderTest, WithoutKeptTextsOperationsHaveNoTextAndAllTheRest) {
  auto ops = run(query("SELECT v FROM hs_kv_t WHERE id = 42"), result_set(), 0, 0, /*keep_text=*/false);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].text.empty());
  EXPECT_EQ(ops[0].fingerprint, "SELECT v FROM hs_kv_t WHERE id = ?");
  EXPECT_EQ(ops[0].method, "SELECT");
  const std::string sql = "SELECT v FROM hs_kv_t WHERE id = ?";
  EXPECT_TRUE(run(prepare(sql), prepare_ok(7, 1, 1), 0, 0, false).empty());
  ops = run(execute(7, 1), result_set(), 0, 0, false);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].text.empty());
  EXPECT_EQ(ops[0].fingerprint, sql);
  ops = run(execute(7, 2), result_set());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, sql);
}

TEST_F(MysqlDecoderTest, CutPrepareIsRememberedTruncated) {
  std::string sql = "SELECT * FROM t WHERE a = ? AND b = '" + std::string(5000, 'b') + "'";
  std::string req = prepare(sql);
  EXPECT_TRUE(run(std::string_view(req).substr(0, 4096), prepare_ok(3, 2, 1), req.size()).empty());
  auto ops = run(execute(3, 1), ok());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].truncated);
  EXPECT_EQ(ops[0].text.size(), 4096u - 5);
}

TEST_F(MysqlDecoderTest, LongPacketContinuationIsSkipped) {
  // A payload of exactly 0xffffff bytes goes on in a packet of sequence 1; we see its start.
  std::string head = std::string("\xff\xff\xff\x00\x03", 5) + "SELECT '" + std::string(4000, 'z');
  auto ops = run(head.substr(0, 4096), "", 0xffffff + 4 + 4 + 10);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].truncated);
  EXPECT_EQ(ops[0].method, "SELECT");
}

TEST_F(MysqlDecoderTest, QueryAttributesAreSkipped) {
  // MySQL 8 with CLIENT_QUERY_ATTRIBUTES: parameter count 0, one parameter set, then the text.
  auto ops = run(command(0x03, std::string("\x00\x01", 2) + "SELECT 42"), result_set());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, "SELECT 42");
}

TEST_F(MysqlDecoderTest, UnknownCommandsAndStrayPacketsGiveNothing) {
  EXPECT_TRUE(run(command(0x60, "x"), ok()).empty());
  EXPECT_TRUE(run(packet(2, "\x03SELECT 1"), ok()).empty());  // not a command's first packet
  EXPECT_TRUE(run("\x05\x00\x00", "").empty());                 // short header
  EXPECT_TRUE(run(command(0x17, "\x01\x00"), ok()).empty());    // execute cut before its id
  EXPECT_TRUE(run(packet(0, ""), ok()).empty());                // empty payload
}

TEST_F(MysqlDecoderTest, StatementMemoryIsBounded) {
  for (std::uint32_t id = 1; id <= kMaxMyStatements + 50; ++id) {
    EXPECT_TRUE(run(prepare("SELECT " + std::to_string(id)), prepare_ok(id, 1, 0)).empty());
  }
  auto last = run(execute(kMaxMyStatements + 50, 0), ok());
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].text, "SELECT " + std::to_string(kMaxMyStatements + 50));
  std::size_t known = 0;
  for (std::uint32_t id = 1; id <= kMaxMyStatements + 50; ++id) {
    auto ops = run(execute(id, 0), ok());
    ASSERT_EQ(ops.size(), 1u);
    known += ops[0].fingerprint != "(unknown statement)";
  }
  EXPECT_EQ(known, kMaxMyStatements);
}

TEST_F(MysqlDecoderTest, OperationsPerExchangeAreBounded) {
  std::string req;
  for (int i = 0; i < 400; ++i) req += query("DO 1");
  EXPECT_EQ(run(req, ok()).size(), kMaxMyOps);
}

TEST_F(MysqlDecoderTest, AnyBytesNeverThrow) {
  std::mt19937 rng(42);
  std::vector<std::string> seeds = {query("SELECT 1"), prepare("SELECT ?"), execute(1, 2), prepare_ok(1, 1, 1),
                                    result_set(), err(1064, "42000", "x"), close_stmt(1), ping()};
  for (int i = 0; i < 5000; ++i) {
    std::string req = seeds[rng() % seeds.size()] + seeds[rng() % seeds.size()];
    std::string resp = seeds[rng() % seeds.size()] + seeds[rng() % seeds.size()];
    for (int k = 0; k < 4; ++k) {
      if (!req.empty()) req[rng() % req.size()] = static_cast<char>(rng());
      if (!resp.empty()) resp[rng() % resp.size()] = static_cast<char>(rng());
    }
    req.resize(rng() % (req.size() + 1));
    EXPECT_NO_THROW(run(req, resp, req.size() + rng() % 3));
  }
}

}  // namespace
}  // namespace hs::protocols
