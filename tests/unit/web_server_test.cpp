// In-process HttpServer on port 0, driven by a raw TCP client that writes bytes and
// parses answers by hand, so the tests see exactly what goes over the wire.
#include "web/server/http_server.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "web/routes/json_error.h"

namespace hs::web {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

// A blocking-style client whose every read has a deadline (a hung server fails, not hangs).
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) {
    boost::system::error_code ec;
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    connected_ = !ec;
  }
  bool connected() const { return connected_; }

  void send(const std::string& bytes) {
    boost::system::error_code ec;
    net::write(socket_, net::buffer(bytes), ec);
  }

  // Reads until `delim` appears; returns everything up to and including it.
  std::optional<std::string> read_until(const std::string& delim, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (data_.find(delim) == std::string::npos) {
      if (!read_some(deadline)) return std::nullopt;
    }
    const std::size_t end = data_.find(delim) + delim.size();
    std::string out = data_.substr(0, end);
    data_.erase(0, end);
    return out;
  }

  std::optional<RawResponse> read_response(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto head = read_until("\r\n\r\n", timeout);
    if (!head) return std::nullopt;
    RawResponse r;
    if (head->rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    r.status = std::stoi(head->substr(9, 3));
    std::size_t pos = head->find("\r\n") + 2;
    while (pos < head->size() - 2) {
      const std::size_t eol = head->find("\r\n", pos);
      const std::string line = head->substr(pos, eol - pos);
      const std::size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      pos = eol + 2;
    }
    const std::size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (data_.size() < length) {
      if (!read_some(deadline)) return std::nullopt;
    }
    r.body = data_.substr(0, length);
    data_.erase(0, length);
    return r;
  }

  // True when the server closes the connection (EOF or reset) before the deadline.
  bool closed_by_server(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const std::size_t before = data_.size();
      if (!read_some(deadline)) return last_error_ && last_error_ != net::error::operation_aborted;
      if (data_.size() == before) return false;
    }
  }

  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  bool read_some(std::chrono::steady_clock::time_point deadline) {
    std::array<char, 4096> chunk;
    bool done = false;
    std::size_t got = 0;
    last_error_ = {};
    socket_.async_read_some(net::buffer(chunk), [&](boost::system::error_code ec, std::size_t n) {
      done = true;
      last_error_ = ec;
      got = n;
    });
    ioc_.restart();
    ioc_.run_until(deadline);
    if (!done) {
      boost::system::error_code ignored;
      socket_.cancel(ignored);
      ioc_.restart();
      ioc_.run();
      last_error_ = net::error::operation_aborted;
      return false;
    }
    data_.append(chunk.data(), got);
    return !last_error_;
  }

  net::io_context ioc_;
  tcp::socket socket_{ioc_};
  bool connected_ = false;
  std::string data_;
  boost::system::error_code last_error_;
};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// Echoes what the server made of the request; /throw and /events are special.
Response echo(Request& req) {
  if (req.path == "/throw") throw std::runtime_error("handler failure");
  if (req.path == "/events") {
    Response r;
    r.event_stream = true;
    r.body = "retry: 1000\n\n";
    return r;
  }
  if (req.path == "/text") {
    Response r;
    r.content_type = "text/plain";
    r.body = "plain";
    r.headers = {{"X-Extra", "1"}, {"X-Extra", "2"}, {"Content-Length", "999"}, {"Bad", "a\r\nInjected: yes"}};
    return r;
  }
  Response r;
  r.body = req.method + " " + req.path;
  for (const auto& [k, v] : req.query) r.body += " q:" + k + "=" + v;
  r.body += " token=" + req.bearer_token + " body=" + req.body + " ct=" + req.content_type;
  if (req.path == "/cached") r.headers.emplace_back("Cache-Control", "max-age=60");
  return r;
}

class WebServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}, Handler handler = echo) {
    options.port = 0;
    server_ = std::make_unique<HttpServer>(ioc_, options, std::move(handler));
    const Status s = server_->start();
    ASSERT_TRUE(s.ok()) << s.text();
    ASSERT_NE(server_->port(), 0);
    thread_ = std::thread([this] {
      ioc_.run();
      stopped_ = true;
    });
  }

  void TearDown() override {
    if (!server_) return;
    server_->stop();
    // stop() must close everything, so run() returns on its own.
    EXPECT_TRUE(eventually([this] { return stopped_.load(); })) << "io_context still busy after stop()";
    if (!stopped_) ioc_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return server_->port(); }

  net::io_context ioc_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::atomic<bool> stopped_{false};
};

TEST_F(WebServerTest, GetReturnsHandlerResponseWithDefaultHeaders) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.connected());
  c.send("GET /hello%20world?x=1&y=a+b HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer s3cr3t \r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /hello world q:x=1 q:y=a b token=s3cr3t body= ct=");
  EXPECT_EQ(r->headers["content-type"], "application/json");
  EXPECT_EQ(r->headers["server"], "hostscoped");
  EXPECT_EQ(r->headers["cache-control"], "no-store");
  EXPECT_EQ(r->headers["content-length"], std::to_string(r->body.size()));
}

TEST_F(WebServerTest, KeepAliveServesSecondRequestOnSameSocket) {
  start();
  RawClient c(port());
  c.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"k\":1}");
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "POST /a token= body={\"k\":1} ct=application/json");
  c.send("GET /b HTTP/1.1\r\nHost: t\r\nAuthorization: Basic dXNlcjpwdw==\r\n\r\n");
  auto second = c.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "GET /b token= body= ct=");  // not a Bearer token
  EXPECT_EQ(server_->connections(), 1u);
}

TEST_F(WebServerTest, ExpectContinueGets100ThenTheAnswer) {
  start();
  RawClient c(port());
  c.send("PUT /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  EXPECT_EQ(c.read_until("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("abc");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "PUT /x token= body=abc ct=");
}

TEST_F(WebServerTest, BodyOverLimitIs413JsonAndClose) {
  ServerOptions o;
  o.body_limit = 1024;
  start(o);
  RawClient c(port());
  c.send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 4096\r\n\r\n" + std::string(4096, 'x'));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, R"({"error":{"code":"payload_too_large","message":"request body exceeds 1024 bytes"}})");
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(WebServerTest, ChunkedBodyOverLimitIs413) {
  ServerOptions o;
  o.body_limit = 1024;
  start(o);
  RawClient c(port());
  const std::string chunk(800, 'y');
  c.send("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk + "\r\n320\r\n" + chunk +
         "\r\n0\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, R"({"error":{"code":"payload_too_large","message":"request body exceeds 1024 bytes"}})");
}

TEST_F(WebServerTest, GarbageRequestIs400JsonAndClose) {
  start();
  RawClient c(port());
  c.send("this is not http\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->headers["content-type"], "application/json");
  EXPECT_EQ(r->body.rfind(R"({"error":{"code":"bad_request","message":"malformed HTTP request: )", 0), 0u) << r->body;
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(WebServerTest, BadTargetIs400AndKeepsTheConnection) {
  start();
  RawClient c(port());
  c.send("GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, R"({"error":{"code":"bad_request","message":"malformed escape in path"}})");
  c.send("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n");
  auto again = c.read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(WebServerTest, OversizedHeaderIs431) {
  ServerOptions o;
  o.header_limit = 1024;
  start(o);
  RawClient c(port());
  c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4096, 'h') + "\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(r->body, R"({"error":{"code":"header_too_large","message":"request header exceeds 1024 bytes"}})");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(WebServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  start();
  RawClient c(port());
  c.send("GET /throw HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, R"({"error":{"code":"internal","message":"internal server error"}})");
  c.send("GET /after HTTP/1.1\r\nHost: t\r\n\r\n");
  auto same = c.read_response();
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200);
  RawClient other(port());
  other.send("GET /other HTTP/1.1\r\nHost: t\r\n\r\n");
  auto fresh = other.read_response();
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->body, "GET /other token= body= ct=");
}

TEST_F(WebServerTest, HandlerHeadersFollowTheRules) {
  start();
  RawClient c(port());
  c.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\nGET /cached HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  auto text = c.read_response();
  ASSERT_TRUE(text);
  EXPECT_EQ(text->body, "plain");
  EXPECT_EQ(text->headers["content-type"], "text/plain");
  EXPECT_EQ(text->headers.count("cache-control"), 0u);  // only JSON defaults to no-store
  EXPECT_EQ(text->headers.count("bad"), 0u);
  EXPECT_EQ(text->headers.count("injected"), 0u);
  EXPECT_EQ(text->headers["content-length"], "5");
  auto cached = c.read_response();  // pipelined, then closed on request
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->headers["cache-control"], "max-age=60");
  EXPECT_EQ(cached->headers["connection"], "close");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(WebServerTest, HeadAnswerHasLengthButNoBody) {
  start();
  RawClient c(port());
  c.send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\nGET /g HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = c.read_until("\r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_NE(head->find("Content-Length: 24\r\n"), std::string::npos) << *head;  // "HEAD /h token= body= ct="
  auto next = c.read_response();  // the body was not sent, so the next answer follows at once
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "GET /g token= body= ct=");
}

TEST_F(WebServerTest, IdleConnectionTimesOut) {
  ServerOptions o;
  o.read_timeout = 200ms;
  start(o);
  RawClient c(port());
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(c.closed_by_server(3s));
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
}

TEST_F(WebServerTest, ConnectionsBeyondTheCapGet503) {
  ServerOptions o;
  o.max_connections = 1;
  start(o);
  RawClient first(port());
  first.send("GET /one HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(first.read_response());
  RawClient second(port());
  auto r = second.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, R"({"error":{"code":"unavailable","message":"too many connections"}})");
  EXPECT_TRUE(second.closed_by_server());
  first.close();
  ASSERT_TRUE(eventually([&] { return server_->connections() == 0; }));
  RawClient third(port());
  third.send("GET /three HTTP/1.1\r\nHost: t\r\n\r\n");
  auto ok = third.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(WebServerTest, PortInUseIsAnError) {
  start();
  net::io_context other;
  ServerOptions o;
  o.port = port();
  HttpServer clash(other, o, echo);
  const Status s = clash.start();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.where(), "http/bind");
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(port())), std::string::npos) << s.text();
}

TEST_F(WebServerTest, SseClientReceivesPublishedEvents) {
  start();
  RawClient c(port());
  c.send("GET /events HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n");
  auto head = c.read_until("\r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << *head;
  EXPECT_NE(head->find("Content-Type: text/event-stream\r\n"), std::string::npos) << *head;
  EXPECT_NE(head->find("Cache-Control: no-store\r\n"), std::string::npos) << *head;
  EXPECT_EQ(head->find("Content-Length"), std::string::npos) << *head;
  EXPECT_EQ(c.read_until("\n\n"), "retry: 1000\n\n");

  ASSERT_TRUE(eventually([&] { return server_->events().clients() == 1; }));
  server_->events().publish("alert", R"({"id":"a1","severity":"high"})");
  EXPECT_EQ(c.read_until("\n\n"), "event: alert\ndata: {\"id\":\"a1\",\"severity\":\"high\"}\n\n");
  server_->events().publish("tick", "1");
  server_->events().publish("tick", "2");
  EXPECT_EQ(c.read_until("\n\n"), "event: tick\ndata: 1\n\n");
  EXPECT_EQ(c.read_until("\n\n"), "event: tick\ndata: 2\n\n");

  c.close();
  EXPECT_TRUE(eventually([&] { return server_->events().clients() == 0; }));
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
}

TEST_F(WebServerTest, SseStreamIsPinged) {
  ServerOptions o;
  o.sse_ping_interval = 50ms;
  start(o);
  RawClient c(port());
  c.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(c.read_until("\r\n\r\n"));
  EXPECT_EQ(c.read_until("\n\n"), "retry: 1000\n\n");
  EXPECT_EQ(c.read_until("\n\n", 2s), ": ping\n\n");
}

TEST_F(WebServerTest, StopClosesKeepAliveAndSseConnections) {
  start();
  RawClient idle(port());
  idle.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(idle.read_response());
  RawClient sse(port());
  sse.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(sse.read_until("retry: 1000\n\n"));
  ASSERT_TRUE(eventually([&] { return server_->events().clients() == 1; }));
  server_->stop();
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(sse.closed_by_server());
  EXPECT_TRUE(eventually([&] { return server_->events().clients() == 0; }));
}

}  // namespace
}  // namespace hs::web
