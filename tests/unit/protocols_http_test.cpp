// HTTP/1.x decoder: request lines, pipelining, bodies, status pairing.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "protocols/exchange.h"

namespace hs::protocols {
namespace {

std::string hex(std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zx", n);
  return buf;
}

std::vector<Operation> decode(std::string_view req, std::string_view resp, std::uint64_t req_bytes = 0,
                              bool server_side = false) {
  auto d = make_decoder(Protocol::http);
  Exchange ex;
  ex.server_side = server_side;
  ex.request = req;
  ex.request_bytes = req_bytes ? req_bytes : req.size();
  ex.response = resp;
  ex.response_bytes = resp.size();
  std::vector<Operation> ops;
  d->decode(ex, ops);
  return ops;
}

TEST(HttpDecoder, GetWithStatus) {
  auto ops = decode("GET /users/42?tab=orders HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n",
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].protocol, Protocol::http);
  EXPECT_EQ(ops[0].method, "GET");
  EXPECT_EQ(ops[0].route, "/users/:id");
  EXPECT_EQ(ops[0].fingerprint, "GET /users/:id");
  EXPECT_EQ(ops[0].text, "GET /users/42?tab=?");
  EXPECT_EQ(ops[0].status, 200);
  EXPECT_FALSE(ops[0].error);
  EXPECT_FALSE(ops[0].truncated);
}

TEST(HttpDecoder, QueryValuesAreElided) {
  auto ops = decode("GET /search?q=secret&page=2&flag HTTP/1.0\r\n\r\n", "");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].text, "GET /search?q=?&page=?&flag");
  EXPECT_EQ(ops[0].status, 0);
}

TEST(HttpDecoder, EveryMethod) {
  for (const char* m : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"}) {
    auto ops = decode(std::string(m) + " /x HTTP/1.1\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n");
    ASSERT_EQ(ops.size(), 1u) << m;
    EXPECT_EQ(ops[0].method, m);
    EXPECT_EQ(ops[0].status, 204);
  }
  EXPECT_TRUE(decode("FETCH /x HTTP/1.1\r\n\r\n", "").empty());
  EXPECT_TRUE(decode("get /x HTTP/1.1\r\n\r\n", "").empty());
  EXPECT_TRUE(decode("GET /x HTTP/2.0\r\n\r\n", "").empty());
  EXPECT_TRUE(decode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "").empty());
  EXPECT_TRUE(decode("GET  HTTP/1.1\r\n\r\n", "").empty());
}

TEST(HttpDecoder, ServerErrorsAreErrors) {
  auto ops = decode("POST /api/orders HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 0, true);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].status, 503);
  EXPECT_TRUE(ops[0].error);
  EXPECT_EQ(ops[0].error_text, "503 Service Unavailable");
  ops = decode("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found\r\n\r\n");
  EXPECT_EQ(ops[0].status, 404);
  EXPECT_FALSE(ops[0].error);
  ops = decode("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 050 Odd\r\n\r\n");  // not a status code
  EXPECT_EQ(ops[0].status, 0);
}

TEST(HttpDecoder, PipelinedRequestsPairWithVisibleStatuses) {
  std::string req =
      "GET /a/1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /b/2 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /c/3 HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string resp =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
      "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n4\r\noops\r\n0\r\n\r\n"
      "HTTP/1.1 20";
  auto ops = decode(req, resp);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].fingerprint, "GET /a/:id");
  EXPECT_EQ(ops[1].fingerprint, "GET /b/:id");
  EXPECT_EQ(ops[2].fingerprint, "GET /c/:id");
  EXPECT_EQ(ops[0].status, 200);
  EXPECT_EQ(ops[1].status, 500);
  EXPECT_TRUE(ops[1].error);
  EXPECT_EQ(ops[2].status, 0);  // its status line is cut before the code
  EXPECT_FALSE(ops[2].error);
}

TEST(HttpDecoder, BodiesAreSkippedNotParsed) {
  std::string body = "GET /not-a-request HTTP/1.1\r\n\r\n";
  std::string req = "POST /api HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body +
                    "GET /next HTTP/1.1\r\n\r\n";
  auto ops = decode(req, "");
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].fingerprint, "POST /api");
  EXPECT_EQ(ops[1].fingerprint, "GET /next");

  std::string chunked = "POST /up HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n" + hex(body.size()) + "\r\n" + body +
                        "\r\n0\r\nX-Trailer: 1\r\n\r\nDELETE /items/9 HTTP/1.1\r\n\r\n";
  ops = decode(chunked, "");
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[1].fingerprint, "DELETE /items/:id");

  // A body that runs past the captured prefix: stop, do not read it as requests.
  std::string cut = "POST /api HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + body;
  ops = decode(cut, "", 100000 + 60);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_FALSE(ops[0].truncated);
}

TEST(HttpDecoder, HeadAndInterimResponses) {
  std::string req = "HEAD /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n";
  std::string resp =
      "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nbad";
  auto ops = decode(req, resp);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].status, 200);
  EXPECT_EQ(ops[1].status, 502);
  EXPECT_EQ(ops[1].error_text, "502 Bad Gateway");
}

TEST(HttpDecoder, CloseDelimitedResponseEndsPairing) {
  std::string req = "GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n";
  auto ops = decode(req, "HTTP/1.0 200 OK\r\n\r\nHTTP/1.0 500 x\r\n\r\n");
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].status, 200);
  EXPECT_EQ(ops[1].status, 0);  // the "status line" is body bytes of the first response
}

TEST(HttpDecoder, SwitchingProtocolsStops) {
  auto ops = decode("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].status, 101);
}

TEST(HttpDecoder, CutRequestLineIsCountedWhenTheTargetShows) {
  auto ops = decode("GET /users/42/ord", "", 4000);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].truncated);
  EXPECT_EQ(ops[0].route, "/users/:id/ord");
  EXPECT_TRUE(decode("GET ", "", 4000).empty());
  EXPECT_TRUE(decode("GE", "", 4000).empty());
}

TEST(HttpDecoder, LongTargetIsBounded) {
  std::string target = "/q?" + std::string(5000, 'k') + "=v";
  auto ops = decode("GET " + target + " HTTP/1.1\r\n\r\n", "");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_LE(ops[0].text.size(), 512u);
  EXPECT_TRUE(ops[0].truncated);
  EXPECT_EQ(ops[0].route, "/q");
}

TEST(HttpDecoder, EveryPrefixOfAPipeline) {
  std::string req =
      "GET /a/1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
      "GET /c/3 HTTP/1.1\r\n\r\n";
  std::string resp =
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
      "HTTP/1.1 503 No\r\nContent-Length: 0\r\n\r\n"
      "HTTP/1.1 204 None\r\n\r\n";
  const std::size_t post = req.find("POST"), last = req.find("GET /c");
  const int status[] = {200, 503, 204};
  for (std::size_t i = 0; i <= req.size(); ++i) {
    auto ops = decode(req.substr(0, i), resp, req.size());
    // A request counts once its method, the space and one target byte are visible.
    std::size_t expect = (i >= 5 ? 1 : 0) + (i >= post + 6 ? 1 : 0) + (i >= last + 5 ? 1 : 0);
    ASSERT_EQ(ops.size(), expect) << i;
    for (std::size_t k = 0; k < ops.size(); ++k) EXPECT_EQ(ops[k].status, status[k]) << i;
    const std::size_t line_end[] = {req.find('\n'), req.find('\n', post), req.find('\n', last)};
    if (!ops.empty()) {
      EXPECT_EQ(ops.back().truncated, i <= line_end[ops.size() - 1]) << i;
    }
  }
  for (std::size_t i = 0; i <= resp.size(); ++i) {
    auto ops = decode(req, resp.substr(0, i));
    ASSERT_EQ(ops.size(), 3u) << i;
    for (std::size_t k = 0; k < 3; ++k) EXPECT_TRUE(ops[k].status == 0 || ops[k].status == status[k]) << i;
  }
  EXPECT_EQ(decode(req, resp)[2].status, 204);
}

}  // namespace
}  // namespace hs::protocols
