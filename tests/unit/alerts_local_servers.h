// Tiny loopback servers for the delivery tests: an HTTP receiver and an SMTP sink.
// Each binds 127.0.0.1 on an ephemeral port, serves a bounded number of connections
// on its own thread, and gives up on every read after a deadline.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hs::alerts::testing {

constexpr int kIoTimeoutMs = 10000;

class LoopbackServer {
 public:
  LoopbackServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 8);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  virtual ~LoopbackServer() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }

  // Serves up to `connections` clients, each for at most kIoTimeoutMs of silence.
  void serve(int connections) {
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, kIoTimeoutMs) != 1) return;
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        handle(c);
        ::close(c);
      }
    });
  }

 protected:
  virtual void handle(int fd) = 0;

  // Reads until `buf` contains `marker` (returns its end offset) or the peer is silent/gone.
  static std::optional<std::size_t> read_until(int fd, std::string& buf, std::string_view marker) {
    for (int rounds = 0; rounds < 10000; ++rounds) {
      if (auto pos = buf.find(marker); pos != std::string::npos) return pos + marker.size();
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, kIoTimeoutMs) != 1) return std::nullopt;
      char chunk[4096];
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;
      buf.append(chunk, static_cast<std::size_t>(n));
    }
    return std::nullopt;
  }
  static void send_all(int fd, std::string_view s) {
    while (!s.empty()) {
      const ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      s.remove_prefix(static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

struct ReceivedRequest {
  std::string request_line;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

// Answers 500 to the first `fail_first` requests, 200 afterwards.
class HttpReceiver final : public LoopbackServer {
 public:
  explicit HttpReceiver(int fail_first = 0) : fail_first_(fail_first) {}
  std::vector<ReceivedRequest> requests() {
    std::lock_guard<std::mutex> g(mu_);
    return requests_;
  }

 private:
  void handle(int fd) override {
    std::string buf;
    const auto head_end = read_until(fd, buf, "\r\n\r\n");
    if (!head_end) return;
    ReceivedRequest r;
    std::size_t pos = buf.find("\r\n");
    r.request_line = buf.substr(0, pos);
    pos += 2;
    while (pos < *head_end - 2) {
      const std::size_t eol = buf.find("\r\n", pos);
      const std::string line = buf.substr(pos, eol - pos);
      const std::size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      pos = eol + 2;
    }
    const std::size_t length = std::stoul(r.headers.count("content-length") ? r.headers["content-length"] : "0");
    std::string body = buf.substr(*head_end);
    while (body.size() < length) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, kIoTimeoutMs) != 1) break;
      char chunk[4096];
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) break;
      body.append(chunk, static_cast<std::size_t>(n));
    }
    r.body = body.substr(0, length);
    int seen = 0;
    {
      std::lock_guard<std::mutex> g(mu_);
      requests_.push_back(r);
      seen = static_cast<int>(requests_.size());
    }
    send_all(fd, seen <= fail_first_ ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\nboom"
                                     : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }

  int fail_first_;
  std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
};

struct ReceivedMail {
  std::vector<std::string> commands;  // as the client sent them, without CRLF
  std::string data;                   // between DATA and the final "."
};

// Speaks just enough SMTP for libcurl; never offers STARTTLS (and refuses it).
class SmtpSink final : public LoopbackServer {
 public:
  // The session once the client has gone (or after the deadline, whatever was recorded).
  ReceivedMail mail() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(kIoTimeoutMs), [this] { return done_; });
    return mail_;
  }

 private:
  void handle(int fd) override {
    ReceivedMail m;
    send_all(fd, "220 sink ESMTP\r\n");
    std::string buf;
    for (int commands = 0; commands < 50; ++commands) {
      const auto end = read_until(fd, buf, "\r\n");
      if (!end) break;
      const std::string line = buf.substr(0, *end - 2);
      buf.erase(0, *end);
      m.commands.push_back(line);
      const std::string verb = line.substr(0, 4);
      if (verb == "EHLO") {
        send_all(fd, "250 sink\r\n");
      } else if (verb == "HELO" || verb == "MAIL" || verb == "RCPT" || verb == "RSET" || verb == "NOOP") {
        send_all(fd, "250 OK\r\n");
      } else if (verb == "DATA") {
        send_all(fd, "354 go ahead\r\n");
        const auto data_end = read_until(fd, buf, "\r\n.\r\n");
        if (!data_end) break;
        m.data = buf.substr(0, *data_end - 5);
        buf.erase(0, *data_end);
        send_all(fd, "250 queued\r\n");
      } else if (verb == "QUIT") {
        send_all(fd, "221 bye\r\n");
        break;
      } else if (line.rfind("STARTTLS", 0) == 0) {
        send_all(fd, "454 TLS not available\r\n");
      } else {
        send_all(fd, "502 not implemented\r\n");
      }
    }
    std::lock_guard<std::mutex> g(mu_);
    mail_ = m;
    done_ = true;
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  ReceivedMail mail_;
};

}  // namespace hs::alerts::testing
