// Redis decoder: RESP2/RESP3 commands and replies, pipelining, errors, secrets.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "protocols/exchange.h"

namespace hs::protocols {
namespace {

// A command as clients send it: an array of bulk strings.
std::string command(std::initializer_list<std::string_view> args) {
  std::string s = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) s += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
  return s;
}

std::vector<Operation> decode(std::string_view req, std::string_view resp, std::uint64_t req_bytes = 0,
                              bool keep_text = true) {
  auto d = make_decoder(Protocol::redis);
  Exchange ex;
  ex.keep_text = keep_text;
  ex.request = req;
  ex.request_bytes = req_bytes ? req_bytes : req.size();
  ex.response = resp;
  ex.response_bytes = resp.size();
  std::vector<Operation> ops;
  d->decode(ex, ops);
  return ops;
}

TEST(RedisDecoder, SetWithOk) {
  auto ops = decode(command({"SET", "user:42", "hello"}), "+OK\r\n");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].protocol, Protocol::redis);
  EXPECT_EQ(ops[0].method, "SET");
  EXPECT_EQ(ops[0].fingerprint, "SET");
  EXPECT_EQ(ops[0].text, "SET user:42 hello");
  EXPECT_FALSE(ops[0].error);
  EXPECT_FALSE(ops[0].truncated);
}

TEST(RedisDecoder, LowerCaseAndInline) {
  auto ops = decode(command({"get", "k"}), "$-1\r\n");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].method, "GET");
  EXPECT_EQ(ops[0].text, "GET k");
  ops = decode("PING\r\n", "+PONG\r\n");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].fingerprint, "PING");
  ops = decode("\r\nset a  b\r\nget a\n", "+OK\r\n$1\r\nb\r\n");
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].text, "SET a b");
  EXPECT_EQ(ops[1].text, "GET a");
}

// What `redis-benchmark -P 16 -t set,get` writes: 16 commands in one write.
TEST(RedisDecoder, RedisBenchmarkPipelines) {
  std::string sets, gets;
  for (int i = 0; i < 16; ++i) {
    sets += command({"SET", "key:__rand_int__", "xxx"});
    gets += command({"GET", "key:__rand_int__"});
  }
  std::string oks, bulks;
  for (int i = 0; i < 16; ++i) {
    oks += "+OK\r\n";
    bulks += i % 2 ? "$3\r\nxxx\r\n" : "$-1\r\n";
  }
  // Sixteen of one command with one outcome are one operation counted 16 times.
  auto ops = decode(sets, oks);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].count, 16u);
  EXPECT_EQ(ops[0].fingerprint, "SET");
  EXPECT_EQ(ops[0].text, "SET key:__rand_int__ xxx");
  EXPECT_FALSE(ops[0].error);
  ops = decode(gets, bulks);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].count, 16u);
  EXPECT_EQ(ops[0].fingerprint, "GET");
  EXPECT_EQ(ops[0].replies_unseen, 0u);
  // PING_INLINE and PING_MBULK.
  ops = decode("PING\r\nPING\r\nPING\r\n", "+PONG\r\n+PONG\r\n+PONG\r\n");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].count, 3u);
  ops = decode(command({"PING"}) + command({"PING"}), "+PONG\r\n+PONG\r\n");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].count, 2u);
}

// A run is cut wherever the command or its outcome changes; totals are kept.
TEST(RedisDecoder, PipelinesFoldOnlyIdenticalNeighbours) {
  std::string req = command({"SET", "a", "1"}) + command({"SET", "b", "2"}) + command({"INCR", "a"}) +
                    command({"INCR", "s"}) + command({"INCR", "a"}) + command({"SET", "c", "3"});
  std::string resp = "+OK\r\n+OK\r\n:2\r\n-ERR value is not an integer or out of range\r\n:3\r\n+OK\r\n";
  auto ops = decode(req, resp);
  ASSERT_EQ(ops.size(), 5u);
  EXPECT_EQ(ops[0].fingerprint, "SET");
  EXPECT_EQ(ops[0].count, 2u);
  EXPECT_EQ(ops[0].text, "SET a 1");
  EXPECT_EQ(ops[1].fingerprint, "INCR");
  EXPECT_EQ(ops[1].count, 1u);
  EXPECT_FALSE(ops[1].error);
  EXPECT_EQ(ops[2].fingerprint, "INCR");
  EXPECT_TRUE(ops[2].error);
  EXPECT_EQ(ops[2].text, "INCR s");
  EXPECT_EQ(ops[3].count, 1u);
  EXPECT_FALSE(ops[3].error);
  EXPECT_EQ(ops[4].fingerprint, "SET");
  EXPECT_EQ(ops[4].text, "SET c 3");
}

// Without capture_literals the texts are never shown: they are not written,
// and nothing else changes.
TEST(RedisDecoder, TextsAreLeftOutWhenNotKept) {
  std::string req = command({"SET", "a", "1"}) + command({"set", "b", "2"}) + command({"CONFIG", "GET", "x"}) +
                    command({"FOO"});
  std::string resp = "+OK\r\n+OK\r\n*0\r\n-ERR unknown command 'FOO'\r\n";
  auto ops = decode(req, resp, 0, false);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].fingerprint, "SET");
  EXPECT_EQ(ops[0].method, "SET");
  EXPECT_EQ(ops[0].count, 2u);
  EXPECT_EQ(ops[1].fingerprint, "CONFIG GET");
  EXPECT_EQ(ops[2].fingerprint, "FOO");
  EXPECT_TRUE(ops[2].error);
  EXPECT_EQ(ops[2].error_text, "ERR unknown command 'FOO'");
  for (const Operation& op : ops) EXPECT_EQ(op.text, "") << op.fingerprint;
}

// Names fold whatever their case; a container's sub-command is found again after
// the same container without one.
TEST(RedisDecoder, RepeatedNamesInAPipeline) {
  std::string req = command({"set", "a", "1"}) + command({"SET", "b", "2"}) + command({"CONFIG"}) +
                    command({"CONFIG", "get", "maxmemory"}) + command({"CONFIG", "GET", "port"});
  auto ops = decode(req, "+OK\r\n+OK\r\n-ERR wrong number of arguments\r\n*0\r\n*0\r\n");
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].fingerprint, "SET");
  EXPECT_EQ(ops[0].count, 2u);
  EXPECT_EQ(ops[0].text, "SET a 1");
  EXPECT_EQ(ops[1].fingerprint, "CONFIG");
  EXPECT_TRUE(ops[1].error);
  EXPECT_EQ(ops[2].fingerprint, "CONFIG GET");
  EXPECT_EQ(ops[2].count, 2u);
  EXPECT_EQ(ops[2].text, "CONFIG GET maxmemory");
}

TEST(RedisDecoder, ErrorsPairWithTheirCommand) {
  std::string req = command({"SET", "a", "1"}) + command({"FOO"}) + command({"INCR", "a"}) + command({"LPUSH", "a", "x"});
  std::string resp =
      "+OK\r\n"
      "-ERR unknown command 'FOO', with args beginning with: \r\n"
      ":2\r\n"
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  auto ops = decode(req, resp);
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_FALSE(ops[0].error);
  EXPECT_TRUE(ops[1].error);
  EXPECT_EQ(ops[1].error_text, "ERR unknown command 'FOO', with args beginning with: ");
  EXPECT_EQ(ops[1].fingerprint, "FOO");
  EXPECT_FALSE(ops[2].error);
  EXPECT_TRUE(ops[3].error);
  EXPECT_EQ(ops[3].error_text.substr(0, 9), "WRONGTYPE");
}

TEST(RedisDecoder, Resp3Replies) {
  std::string req;
  for (int i = 0; i < 12; ++i) req += command({"CMD" + std::to_string(i)});
  std::string resp =
      "%2\r\n+server\r\n+redis\r\n+proto\r\n:3\r\n"        // map (HELLO 3)
      "_\r\n"                                              // null
      ",3.14\r\n"                                          // double
      "#t\r\n"                                             // boolean
      "=15\r\ntxt:Some string\r\n"                         // verbatim string
      "(3492890328409238509324850943850943825024385\r\n"   // big number
      "~2\r\n$1\r\na\r\n*2\r\n:1\r\n%0\r\n"                // set holding a nested array and an empty map
      ">3\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n_\r\n"  // push: out of band, not a reply
      "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1\r\n:7\r\n"  // attribute, then the reply
      "!21\r\nSYNTAX invalid syntax\r\n"                   // bulk error
      "*-1\r\n"                                            // null array
      "$0\r\n\r\n"                                         // empty bulk
      "*1\r\n-ERR nested errors are values\r\n";           // an error inside an array is not the reply's error
  auto ops = decode(req, resp);
  ASSERT_EQ(ops.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(ops[i].error, i == 8) << i;
  EXPECT_EQ(ops[8].error_text, "SYNTAX invalid syntax");
}

TEST(RedisDecoder, ContainerCommandsKeepTheirSubcommand) {
  struct Case {
    std::string req;
    const char* fingerprint;
    const char* text;
  };
  const Case cases[] = {
      {command({"CONFIG", "GET", "maxmemory"}), "CONFIG GET", "CONFIG GET maxmemory"},
      {command({"client", "setname", "worker-1"}), "CLIENT SETNAME", "CLIENT SETNAME worker-1"},
      {command({"XINFO", "STREAM", "s"}), "XINFO STREAM", "XINFO STREAM s"},
      {command({"OBJECT", "ENCODING", "k"}), "OBJECT ENCODING", "OBJECT ENCODING k"},
      {command({"SCRIPT", "LOAD", "return 1"}), "SCRIPT LOAD", "SCRIPT LOAD return 1"},
      {command({"CLUSTER", "INFO"}), "CLUSTER INFO", "CLUSTER INFO"},
      {command({"FUNCTION", "LIST"}), "FUNCTION LIST", "FUNCTION LIST"},
      {command({"MEMORY", "USAGE", "k"}), "MEMORY USAGE", "MEMORY USAGE k"},
      {command({"COMMAND", "DOCS", "get"}), "COMMAND DOCS", "COMMAND DOCS get"},
      {command({"COMMAND"}), "COMMAND", "COMMAND"},
      {command({"GET", "CONFIG"}), "GET", "GET CONFIG"},
      {command({"CONFIG", "\x01weird"}), "CONFIG", "CONFIG .weird"},
  };
  for (const Case& c : cases) {
    auto ops = decode(c.req, "+OK\r\n");
    ASSERT_EQ(ops.size(), 1u) << c.text;
    EXPECT_EQ(ops[0].fingerprint, c.fingerprint);
    EXPECT_EQ(ops[0].text, c.text);
  }
}

TEST(RedisDecoder, SecretsNeverReachTheText) {
  struct Case {
    std::string req;
    const char* fingerprint;
    const char* text;
  };
  const Case cases[] = {
      {command({"AUTH", "s3cret"}), "AUTH", "AUTH ?"},
      {command({"auth", "user", "s3cret"}), "AUTH", "AUTH ?"},
      {command({"HELLO", "3", "AUTH", "default", "s3cret"}), "HELLO", "HELLO ?"},
      {command({"ACL", "SETUSER", "bob", ">s3cret"}), "ACL SETUSER", "ACL SETUSER ?"},
      {command({"CONFIG", "SET", "requirepass", "s3cret"}), "CONFIG SET", "CONFIG SET ?"},
      {command({"MIGRATE", "h", "6379", "", "0", "5000", "AUTH", "s3cret", "KEYS", "k"}), "MIGRATE", "MIGRATE ?"},
      {"AUTH s3cret\r\n", "AUTH", "AUTH ?"},
  };
  for (const Case& c : cases) {
    auto ops = decode(c.req, "+OK\r\n");
    ASSERT_EQ(ops.size(), 1u) << c.text;
    EXPECT_EQ(ops[0].fingerprint, c.fingerprint);
    EXPECT_EQ(ops[0].text, c.text);
    EXPECT_EQ(ops[0].text.find("s3cret"), std::string::npos);
  }
  // Cut inside the password: still counted, still hidden.
  std::string auth = command({"AUTH", "averylongpassword"});
  auto ops = decode(auth.substr(0, auth.size() - 8), "", auth.size());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, "AUTH ?");
  EXPECT_TRUE(ops[0].truncated);
}

TEST(RedisDecoder, TextIsBounded) {
  auto ops = decode(command({"SET", "k", std::string(200, 'v')}), "+OK\r\n");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, "SET k " + std::string(64, 'v') + "...");
  std::string many = "*40\r\n$4\r\nMSET\r\n";
  for (int i = 0; i < 39; ++i) many += "$2\r\nab\r\n";
  ops = decode(many, "+OK\r\n");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text.substr(ops[0].text.size() - 7), " ab ...");
  std::string huge = "*17\r\n$4\r\nMSET\r\n";
  for (int i = 0; i < 16; ++i) huge += "$100\r\n" + std::string(100, 'z') + "\r\n";
  ops = decode(huge, "");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_LE(ops[0].text.size(), 512u);
  EXPECT_EQ(decode(command({"SET", "k", std::string("\x00\x01\xfe", 3)}), "")[0].text, "SET k ..?");
}

TEST(RedisDecoder, PubSubStopsPairing) {
  auto ops = decode(command({"SUBSCRIBE", "a", "b"}) + command({"PING"}),
                    "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n-ERR x\r\n");
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_FALSE(ops[1].error);  // its reply cannot be told apart from the subscription's
  EXPECT_EQ(ops[1].replies_unseen, 0u);  // nor is it missing
}

// Replies past the kept response prefix: counted, so `errors` is known to be a lower bound.
TEST(RedisDecoder, RepliesPastTheResponsePrefixAreCountedUnseen) {
  std::string gets, bulks;
  for (int i = 0; i < 16; ++i) gets += command({"GET", "k"});
  for (int i = 0; i < 16; ++i) bulks += "$3\r\nxxx\r\n";  // 9 bytes each
  const std::string kept = bulks.substr(0, 128);                // 14 whole replies and a piece
  auto ops = decode(gets, kept);
  ASSERT_EQ(ops.size(), 1u);  // one run: unseen replies do not split it
  EXPECT_EQ(ops[0].count, 16u);
  EXPECT_EQ(ops[0].replies_unseen, 2u);
  // An error among the seen replies still splits the run and is counted.
  std::string replies = "$3\r\nxxx\r\n-ERR wrong\r\n$3\r\nxxx\r\n";
  ops = decode(gets, replies);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[1].count, 1u);
  EXPECT_TRUE(ops[1].error);
  EXPECT_EQ(ops[2].count, 14u);
  EXPECT_EQ(ops[2].replies_unseen, 13u);
  // After a reply that is no RESP, there is no telling where the replies went: none counted.
  ops = decode(gets, "$3\r\nxxx\r\n?what\r\n");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].count, 16u);
  EXPECT_EQ(ops[0].replies_unseen, 0u);
}

TEST(RedisDecoder, NotRedisGivesNothing) {
  EXPECT_TRUE(decode("\x16\x03\x01\x02\x00", "").empty());
  EXPECT_TRUE(decode("*2\r\n:1\r\n", "").empty());
  EXPECT_TRUE(decode("*x\r\n", "").empty());
  EXPECT_TRUE(decode("", "+OK\r\n").empty());
}

// Runs split where the name or the outcome changes, whatever the form of the
// command; without texts, every cut of the request gives what it gives with them.
TEST(RedisDecoder, RunsAreTheSameWithAndWithoutTexts) {
  std::string req = command({"SET", "a", "1"}) + command({"set", "bb", "22"}) + command({"SET", "c", "3"}) +
                    "SET d 4\r\n" + command({"SET", "e", "5"}) + command({"SETNX", "f", "6"}) +
                    command({"SET", "g", std::string(40, 'x')});
  std::string resp = "+OK\r\n+OK\r\n-OOM command not allowed\r\n+OK\r\n+OK\r\n:1\r\n+OK\r\n";
  auto full = decode(req, resp);
  ASSERT_EQ(full.size(), 5u);
  EXPECT_EQ(full[0].count, 2u);
  EXPECT_TRUE(full[1].error);
  EXPECT_EQ(full[1].error_text, "OOM command not allowed");
  EXPECT_EQ(full[2].count, 2u);  // the inline SET and the next one
  EXPECT_EQ(full[3].fingerprint, "SETNX");
  EXPECT_EQ(full[4].fingerprint, "SET");
  for (std::size_t i = 0; i <= req.size(); ++i) {
    auto with = decode(req.substr(0, i), resp, req.size());
    auto without = decode(req.substr(0, i), resp, req.size(), false);
    ASSERT_EQ(with.size(), without.size()) << i;
    for (std::size_t k = 0; k < with.size(); ++k) {
      EXPECT_EQ(with[k].fingerprint, without[k].fingerprint) << i;
      EXPECT_EQ(with[k].count, without[k].count) << i;
      EXPECT_EQ(with[k].error, without[k].error) << i;
      EXPECT_EQ(with[k].truncated, without[k].truncated) << i;
      EXPECT_EQ(with[k].error_text, without[k].error_text) << i;
    }
  }
}

TEST(RedisDecoder, EveryPrefixOfAPipeline) {
  std::vector<std::string> cmds = {command({"SET", "k1", "v1"}), command({"GET", "k1"}), command({"DEL", "k1"}),
                                   command({"CONFIG", "GET", "x"})};
  std::string req;
  std::vector<std::size_t> name_end;  // request size at which each command's name is whole
  for (const std::string& c : cmds) {
    std::size_t name_at = c.find("\r\n", c.find('$')) + 2;
    std::size_t name_len = c.find("\r\n", name_at) - name_at;
    name_end.push_back(req.size() + name_at + name_len + 2);
    req += c;
  }
  std::string resp = "+OK\r\n$2\r\nv1\r\n-ERR no\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n";
  for (std::size_t i = 0; i <= req.size(); ++i) {
    auto ops = decode(req.substr(0, i), resp, req.size());
    std::size_t expect = 0;
    for (std::size_t e : name_end) expect += i >= e ? 1 : 0;
    ASSERT_EQ(ops.size(), expect) << i;
    for (std::size_t k = 0; k < ops.size(); ++k) EXPECT_EQ(ops[k].error, k == 2) << i;
  }
  for (std::size_t i = 0; i <= resp.size(); ++i) {
    auto ops = decode(req, resp.substr(0, i));
    ASSERT_EQ(ops.size(), 4u) << i;
    EXPECT_EQ(ops[2].error, i >= 22) << i;  // "-ERR no\r\n" ends at byte 22
    EXPECT_EQ(ops[3].fingerprint, "CONFIG GET");
  }
}

}  // namespace
}  // namespace hs::protocols
