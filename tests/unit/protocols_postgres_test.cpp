// PostgreSQL decoder: simple and extended query protocol, byte-exact as libpq
// writes it, errors, skipped messages, truncation.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocols/exchange.h"
#include "protocols/sql_fingerprint.h"

namespace hs::protocols {
namespace {

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}
std::string be16(std::uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v)}; }
std::string cstr(std::string_view s) { return std::string(s) + '\0'; }
std::string msg(char type, std::string_view body) { return type + be32(static_cast<std::uint32_t>(body.size() + 4)) + std::string(body); }

// Frontend messages, laid out as libpq's PQsendQueryGuts / PQsendPrepare write them.
std::string query(std::string_view sql) { return msg('Q', cstr(sql)); }
std::string parse(std::string_view name, std::string_view sql) { return msg('P', cstr(name) + cstr(sql) + be16(0)); }
std::string bind_message(std::string_view portal, std::string_view stmt, const std::vector<std::string>& params) {
  std::string b = cstr(portal) + cstr(stmt) + be16(0) + be16(static_cast<std::uint16_t>(params.size()));
  for (const std::string& p : params) b += be32(static_cast<std::uint32_t>(p.size())) + p;
  b += be16(1) + be16(0);  // one result format: text
  return msg('B', b);
}
std::string describe_portal() { return msg('D', "P" + cstr("")); }
std::string execute() { return msg('E', cstr("") + be32(0)); }
std::string sync() { return msg('S', ""); }
std::string flush() { return msg('H', ""); }
std::string close_statement(std::string_view name) { return msg('C', "S" + cstr(name)); }
// PQsendQueryParams: unnamed statement, Parse/Bind/Describe/Execute/Sync in one write.
std::string extended(std::string_view sql, const std::vector<std::string>& params) {
  return parse("", sql) + bind_message("", "", params) + describe_portal() + execute() + sync();
}
// PQsendQueryPrepared: Bind/Describe/Execute/Sync.
std::string prepared(std::string_view name, const std::vector<std::string>& params) {
  return bind_message("", name, params) + describe_portal() + execute() + sync();
}
std::string startup() {
  std::string body = be32(196608) + cstr("user") + cstr("bench") + cstr("database") + cstr("pgbench") + cstr("");
  return be32(static_cast<std::uint32_t>(body.size() + 4)) + body;
}

// Backend messages.
std::string parse_complete() { return msg('1', ""); }
std::string bind_complete() { return msg('2', ""); }
std::string no_data() { return msg('n', ""); }
std::string row_description() {
  return msg('T', be16(1) + cstr("abalance") + be32(16400) + be16(3) + be32(23) + be16(4) + be32(0xffffffff) + be16(0));
}
std::string data_row(std::string_view v) { return msg('D', be16(1) + be32(static_cast<std::uint32_t>(v.size())) + std::string(v)); }
std::string complete(std::string_view tag) { return msg('C', cstr(tag)); }
std::string ready(char status = 'I') { return msg('Z', std::string(1, status)); }
std::string error(std::string_view code, std::string_view message) {
  return msg('E', "S" + cstr("ERROR") + "V" + cstr("ERROR") + "C" + cstr(code) + "M" + cstr(message) + "P" + cstr("1") +
                      "F" + cstr("scan.l") + "L" + cstr("1176") + "R" + cstr("scanner_yyerror") + std::string(1, '\0'));
}
std::string notice(std::string_view message) { return msg('N', "S" + cstr("NOTICE") + "M" + cstr(message) + std::string(1, '\0')); }

class PostgresDecoderTest : public ::testing::Test {
 protected:
  std::vector<Operation> run(std::string_view req, std::string_view resp, std::uint64_t req_bytes = 0,
                             std::uint64_t resp_bytes = 0, bool keep_text = true) {
    Exchange ex;
    ex.keep_text = keep_text;
    ex.request = req;
    ex.request_bytes = req_bytes ? req_bytes : req.size();
    ex.response = resp;
    ex.response_bytes = resp_bytes ? resp_bytes : resp.size();
    std::vector<Operation> ops;
    decoder_->decode(ex, ops);
    return ops;
  }
  std::unique_ptr<ConnectionDecoder> decoder_ = make_decoder(Protocol::postgresql);
};

const char* kSelect = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";
const char* kUpdate = "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2";

TEST_F(PostgresDecoderTest, HandshakesGiveNoOperations) {
  EXPECT_TRUE(run(startup(), msg('R', be32(0)) + msg('S', cstr("server_version") + cstr("16.2")) +
                                 msg('K', be32(1) + be32(2)) + ready()).empty());
  EXPECT_TRUE(run(be32(8) + be32(80877103), "N").empty());            // SSLRequest
  EXPECT_TRUE(run(be32(8) + be32(80877104), "N").empty());            // GSSENCRequest
  EXPECT_TRUE(run(be32(16) + be32(80877102) + be32(7) + be32(9), "").empty());  // CancelRequest
  EXPECT_TRUE(run(msg('p', cstr("md5abcdef")), msg('R', be32(0)) + ready()).empty());
  EXPECT_TRUE(run(msg('X', ""), "").empty());
  EXPECT_TRUE(run(flush(), "").empty());
}

TEST_F(PostgresDecoderTest, SimpleQuery) {
  auto ops = run(query("SELECT abalance FROM pgbench_accounts WHERE aid = 12345;"),
                 row_description() + data_row("-2417") + complete("SELECT 1") + ready());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].protocol, Protocol::postgresql);
  EXPECT_EQ(ops[0].text, "SELECT abalance FROM pgbench_accounts WHERE aid = 12345;");
  EXPECT_EQ(ops[0].fingerprint, "SELECT abalance FROM pgbench_accounts WHERE aid = ?");
  EXPECT_EQ(ops[0].method, "SELECT");
  EXPECT_FALSE(ops[0].error);
  EXPECT_FALSE(ops[0].truncated);
}

TEST_F(PostgresDecoderTest, SimpleQueryWithSeveralStatementsIsOneOperation) {
  auto ops = run(query("BEGIN; SELECT 1; COMMIT"),
                 complete("BEGIN") + row_description() + data_row("1") + complete("SELECT 1") + complete("COMMIT") +
                     ready());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].method, "BEGIN");
  EXPECT_EQ(ops[0].fingerprint, "BEGIN; SELECT ?; COMMIT");
}

TEST_F(PostgresDecoderTest, SimpleQuerySyntaxError) {
  auto ops = run(query("SELEC 1"), notice("hello") + error("42601", "syntax error at or near \"SELEC\"") + ready());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].error);
  EXPECT_EQ(ops[0].error_text, "42601: syntax error at or near \"SELEC\"");
  EXPECT_EQ(ops[0].method, "OTHER");
}

TEST_F(PostgresDecoderTest, EmptyQueryIsNotAnOperation) {
  EXPECT_TRUE(run(query(""), msg('I', "") + ready()).empty());
  // ...but it still takes its place in the pipeline.
  auto ops = run(query("") + query("SELECT 1"), msg('I', "") + ready() + error("XX000", "boom") + ready());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].error);
}

// pgbench -M extended: PQsendQueryParams for every statement.
TEST_F(PostgresDecoderTest, PgbenchExtended) {
  auto ops = run(extended(kSelect, {"12345"}), parse_complete() + bind_complete() + row_description() +
                                                    data_row("0") + complete("SELECT 1") + ready());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, kSelect);
  EXPECT_EQ(ops[0].fingerprint, fingerprint_sql("SELECT abalance FROM pgbench_accounts WHERE aid = 12345"));
  EXPECT_EQ(ops[0].method, "SELECT");
  EXPECT_FALSE(ops[0].error);

  ops = run(extended(kUpdate, {"-4321", "12345"}), parse_complete() + bind_complete() + no_data() +
                                                       complete("UPDATE 1") + ready('T'));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].fingerprint, "UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?");
  EXPECT_EQ(ops[0].method, "UPDATE");
}

// pgbench -M prepared: PQprepare once (Parse + Sync), then PQsendQueryPrepared.
TEST_F(PostgresDecoderTest, PgbenchPrepared) {
  EXPECT_TRUE(run(parse("P_1", kSelect) + sync(), parse_complete() + ready()).empty());
  EXPECT_TRUE(run(parse("P_2", kUpdate) + sync(), parse_complete() + ready()).empty());
  for (int i = 0; i < 3; ++i) {
    auto ops = run(prepared("P_1", {std::to_string(100 + i)}),
                   bind_complete() + row_description() + data_row("7") + complete("SELECT 1") + ready());
    ASSERT_EQ(ops.size(), 1u);
    EXPECT_EQ(ops[0].text, kSelect);
    EXPECT_EQ(ops[0].fingerprint, "SELECT abalance FROM pgbench_accounts WHERE aid = ?");
  }
  auto ops = run(prepared("P_2", {"5", "6"}), bind_complete() + no_data() + complete("UPDATE 1") + ready('T'));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, kUpdate);
}

TEST_F(PostgresDecoderTest, PipelinedExecutesPairInOrder) {
  std::string req = parse("", kSelect) + bind_message("", "", {"1"}) + describe_portal() + execute() + parse("", kUpdate) +
                    bind_message("", "", {"1", "2"}) + describe_portal() + execute() + sync();
  std::string resp = parse_complete() + bind_complete() + row_description() + data_row("1") + complete("SELECT 1") +
                     parse_complete() + bind_complete() + no_data() + complete("UPDATE 1") + ready();
  auto ops = run(req, resp);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].text, kSelect);
  EXPECT_EQ(ops[1].text, kUpdate);
  EXPECT_FALSE(ops[0].error);
  EXPECT_FALSE(ops[1].error);
  EXPECT_EQ(ops[0].replies_unseen + ops[1].replies_unseen, 0u);
  // Kept up to the SELECT's first row: the UPDATE's answer lies past the prefix
  // and is counted unseen; the SELECT's, begun, is not.
  const std::size_t kept = parse_complete().size() + bind_complete().size() + row_description().size() +
                           data_row("1").size();
  ops = run(req, std::string_view(resp).substr(0, kept), 0, resp.size());
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].replies_unseen, 0u);
  EXPECT_EQ(ops[1].replies_unseen, 1u);
  EXPECT_FALSE(ops[1].error);
}

TEST_F(PostgresDecoderTest, ParseErrorFailsItsExecuteAndSkipsTheRestOfTheBatch) {
  std::string req = parse("", "SELEC 1") + bind_message("", "", {}) + describe_portal() + execute() + parse("", kSelect) +
                    bind_message("", "", {"1"}) + describe_portal() + execute() + sync() + extended(kUpdate, {"1", "2"});
  std::string resp = error("42601", "syntax error at or near \"SELEC\"") + ready() + parse_complete() +
                     bind_complete() + no_data() + complete("UPDATE 1") + ready();
  auto ops = run(req, resp);
  ASSERT_EQ(ops.size(), 2u);  // the SELECT after the error never ran: not reported
  EXPECT_EQ(ops[0].text, "SELEC 1");
  EXPECT_TRUE(ops[0].error);
  EXPECT_EQ(ops[0].error_text, "42601: syntax error at or near \"SELEC\"");
  EXPECT_EQ(ops[1].text, kUpdate);  // after Sync the server runs messages again
  EXPECT_FALSE(ops[1].error);
}

TEST_F(PostgresDecoderTest, ExecuteErrorInTheMiddleOfABatch) {
  const char* insert = "INSERT INTO t (id) VALUES ($1)";
  std::string one = parse("", insert) + bind_message("", "", {"1"}) + describe_portal() + execute();
  std::string req = one + one + one + sync();
  std::string resp = parse_complete() + bind_complete() + no_data() + complete("INSERT 0 1") + parse_complete() +
                     bind_complete() + no_data() +
                     error("23505", "duplicate key value violates unique constraint \"t_pkey\"") + ready('E');
  auto ops = run(req, resp);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_FALSE(ops[0].error);
  EXPECT_TRUE(ops[1].error);
  EXPECT_EQ(ops[1].error_text, "23505: duplicate key value violates unique constraint \"t_pkey\"");
}

TEST_F(PostgresDecoderTest, BindErrorFailsTheExecute) {
  auto ops = run(extended(kSelect, {"abc"}),
                 parse_complete() + error("22P02", "invalid input syntax for type integer: \"abc\"") + ready());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].error);
  EXPECT_EQ(ops[0].error_text.substr(0, 7), "22P02: ");
}

TEST_F(PostgresDecoderTest, UnnamedStatementIsReplacedByEachParse) {
  run(parse("", "SELECT 1") + sync(), parse_complete() + ready());
  auto ops = run(bind_message("", "", {}) + execute() + sync(), bind_complete() + complete("SELECT 1") + ready());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, "SELECT 1");
  run(parse("", "SELECT 2") + sync(), parse_complete() + ready());
  ops = run(bind_message("", "", {}) + execute() + sync(), "");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, "SELECT 2");
}

TEST_F(PostgresDecoderTest, ClosedAndUnknownStatements) {
  run(parse("S_1", kSelect) + sync(), parse_complete() + ready());
  run(close_statement("S_1") + sync(), msg('3', "") + ready());
  auto ops = run(prepared("S_1", {"1"}), error("26000", "prepared statement \"S_1\" does not exist") + ready());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, "");
  EXPECT_EQ(ops[0].fingerprint, "(unknown statement S_1)");
  EXPECT_EQ(ops[0].method, "EXECUTE");
  EXPECT_TRUE(ops[0].error);

  // Prepared before the capture started: counted, shape unknown.
  auto fresh = make_decoder(Protocol::postgresql);
  std::vector<Operation> out;
  std::string req = prepared("stmtcache_5f1e", {"1"});
  std::string resp = bind_complete() + no_data() + complete("DELETE 1") + ready();
  fresh->decode(Exchange{false, req, req.size(), resp, resp.size()}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].fingerprint, "(unknown statement stmtcache_5f1e)");
}

TEST_F(PostgresDecoderTest, PortalSuspendedAndNotices) {
  std::string req = parse("", kSelect) + bind_message("", "", {"1"}) + msg('E', cstr("") + be32(1)) + msg('E', cstr("") + be32(1)) + sync();
  std::string resp = parse_complete() + notice("n") + bind_complete() + data_row("1") + msg('s', "") +
                     msg('S', cstr("TimeZone") + cstr("UTC")) + data_row("2") + complete("SELECT 2") + ready();
  auto ops = run(req, resp);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_FALSE(ops[0].error);
  EXPECT_FALSE(ops[1].error);
}

TEST_F(PostgresDecoderTest, ErrorBeforeFlushDiscardsUntilSyncAcrossExchanges) {
  // Exchange 1: no Sync, Flush asks for the answers; the Execute fails.
  auto ops = run(extended(kSelect, {"1"}).substr(0, extended(kSelect, {"1"}).size() - 5) + flush(),
                 parse_complete() + bind_complete() + row_description() + data_row("1") +
                     error("57014", "canceling statement due to user request"));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].error);
  // Exchange 2: the server skips everything up to Sync.
  EXPECT_TRUE(run(bind_message("", "", {"2"}) + execute() + sync(), ready()).empty());
  // Exchange 3: normal again.
  ops = run(extended(kSelect, {"3"}), parse_complete() + bind_complete() + complete("SELECT 1") + ready());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_FALSE(ops[0].error);
}

TEST_F(PostgresDecoderTest, CutQueryKeepsTheVisibleText) {
  std::string sql = "SELECT * FROM t WHERE note = '" + std::string(10000, 'x') + "'";
  std::string req = query(sql);
  auto ops = run(req.substr(0, 200), "", req.size());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].truncated);
  EXPECT_EQ(ops[0].text, sql.substr(0, 195));
  EXPECT_EQ(ops[0].fingerprint, "SELECT * FROM t WHERE note = ?");
  ops = run(req, complete("SELECT 0") + ready());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].truncated);  // longer than the text bound
  EXPECT_EQ(ops[0].text.size(), 4096u);
}

// Without capture_literals (Exchange::keep_text off) no operation carries its
// text, which holds the literals; fingerprint, verb and truncation are as with
// it. A statement prepared then still has its text when texts are kept again.
TEST_F(PostgresDecoderTest, WithoutKeptTextsOperationsHaveNoTextAndAllTheRest) {
  const std::string long_sql = "SELECT * FROM t WHERE note = '" + std::string(5000, 'x') + "'";
  const std::string reply = row_description() + data_row("1") + complete("SELECT 1") + ready();
  auto ops = run(query("SELECT abalance FROM pgbench_accounts WHERE aid = 12345;") + query(long_sql), reply + reply, 0,
                 0, /*keep_text=*/false);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_TRUE(ops[0].text.empty());
  EXPECT_EQ(ops[0].fingerprint, "SELECT abalance FROM pgbench_accounts WHERE aid = ?");
  EXPECT_EQ(ops[0].method, "SELECT");
  EXPECT_FALSE(ops[0].truncated);
  EXPECT_TRUE(ops[1].text.empty());
  EXPECT_EQ(ops[1].fingerprint, "SELECT * FROM t WHERE note = ?");
  EXPECT_TRUE(ops[1].truncated);  // longer than the text bound, kept or not
  EXPECT_TRUE(run(parse("P_1", kSelect) + sync(), parse_complete() + ready(), 0, 0, false).empty());
  const std::string executed = bind_complete() + row_description() + data_row("7") + complete("SELECT 1") + ready();
  ops = run(prepared("P_1", {"5"}), executed, 0, 0, false);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].text.empty());
  EXPECT_EQ(ops[0].fingerprint, "SELECT abalance FROM pgbench_accounts WHERE aid = ?");
  ops = run(prepared("P_1", {"6"}), executed);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, kSelect);
}

TEST_F(PostgresDecoderTest, CutBindStillCountsTheStatement) {
  // A large parameter value cuts the capture inside Bind: the Execute is not visible.
  std::string req = extended("INSERT INTO blobs (data) VALUES ($1)", {std::string(50000, 'b')});
  auto ops = run(req.substr(0, 4096), parse_complete() + bind_complete() + no_data() + complete("INSERT 0 1") + ready(),
                 req.size());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, "INSERT INTO blobs (data) VALUES ($1)");
  EXPECT_EQ(ops[0].fingerprint, "INSERT INTO blobs (data) VALUES (?)");
  EXPECT_FALSE(ops[0].error);
  ops = run(req.substr(0, 4096), parse_complete() + error("54000", "value too long"), req.size());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].error);
}

TEST_F(PostgresDecoderTest, EveryPrefixOfAnExtendedExchange) {
  std::string req = extended(kUpdate, {"-4321", "12345"});
  std::string resp = parse_complete() + bind_complete() + no_data() + complete("UPDATE 1") + ready();
  const std::size_t query_start = 1 + 4 + 1;                 // type, length, "" statement name
  const std::size_t bind_start = parse("", kUpdate).size();  // Parse is whole from here on
  for (std::size_t i = 0; i <= req.size(); ++i) {
    auto d = make_decoder(Protocol::postgresql);
    std::vector<Operation> ops;
    d->decode(Exchange{false, std::string_view(req).substr(0, i), req.size(), resp, resp.size()}, ops);
    ASSERT_EQ(ops.size(), i > query_start ? 1u : 0u) << i;
    if (ops.empty()) continue;
    EXPECT_FALSE(ops[0].error) << i;
    const std::size_t text_end = bind_start - 2;  // the query's NUL is visible, the parameter count not yet
    EXPECT_EQ(ops[0].truncated, i < text_end) << i;
    std::string expect = i >= text_end ? std::string(kUpdate) : std::string(kUpdate).substr(0, ops[0].text.size());
    EXPECT_EQ(ops[0].text, expect) << i;
  }
  std::string bad = error("42P01", "relation \"pgbench_accounts\" does not exist") + ready();
  std::string failing = parse_complete() + bad;
  for (std::size_t i = 0; i <= failing.size(); ++i) {
    auto d = make_decoder(Protocol::postgresql);
    std::vector<Operation> ops;
    d->decode(Exchange{false, req, req.size(), std::string_view(failing).substr(0, i), failing.size()}, ops);
    ASSERT_EQ(ops.size(), 1u) << i;
    EXPECT_EQ(ops[0].error, i >= parse_complete().size() + 5) << i;  // the ErrorResponse header is visible
  }
}

TEST_F(PostgresDecoderTest, RememberedStatementsAreBounded) {
  for (int i = 0; i < 1000; ++i) {
    std::string name = "s" + std::to_string(i);
    run(parse(name, "SELECT " + std::to_string(i) + " AS " + std::string(3000, 'x')) + sync(), parse_complete() + ready());
  }
  auto ops = run(prepared("s999", {}), "");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].method, "SELECT");  // the newest is kept
  std::size_t unknown = 0;
  for (int i = 0; i < 1000; ++i) {
    ops = run(prepared("s" + std::to_string(i), {}), "");
    ASSERT_EQ(ops.size(), 1u);
    unknown += ops[0].method == "EXECUTE" ? 1 : 0;
  }
  EXPECT_GE(unknown, 1000u - 128u);  // at most kMaxPgStatements remembered
}

TEST_F(PostgresDecoderTest, ServerSideExchange) {
  Exchange ex;
  ex.server_side = true;
  std::string req = query("DELETE FROM sessions WHERE expires < now()");
  std::string resp = complete("DELETE 3") + ready();
  ex.request = req;
  ex.request_bytes = req.size();
  ex.response = resp;
  ex.response_bytes = resp.size();
  std::vector<Operation> ops;
  decoder_->decode(ex, ops);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].method, "DELETE");
  EXPECT_EQ(ops[0].fingerprint, "DELETE FROM sessions WHERE expires < now()");
}

TEST_F(PostgresDecoderTest, GarbageGivesNothing) {
  EXPECT_TRUE(run("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", "").empty());
  EXPECT_TRUE(run(std::string("Q\x00\x00\x00\x02", 5), "").empty());
  EXPECT_TRUE(run(std::string("Q\x7f\xff\xff\xff", 5), "").empty());
  EXPECT_TRUE(run("GET / HTTP/1.1\r\n\r\n", "").empty());
}

}  // namespace
}  // namespace hs::protocols
