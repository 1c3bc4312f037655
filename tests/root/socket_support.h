// Loopback sockets for the root tests: an fd owner, a listener, a blocking
// connect, one-byte exchanges. Throws std::runtime_error on unexpected failures.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace hs::roottest {

// A socket fd closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

inline void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

// The local port of a bound or connected IPv4/IPv6 socket.
inline std::uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  check(::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0, "getsockname");
  return ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                       : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

// A listening socket on the loopback of family af; port() is its port.
class Listener {
 public:
  explicit Listener(int af = AF_INET) : af_(af), fd_(::socket(af, SOCK_STREAM, 0)) {
    check(fd_.get() >= 0, "socket");
    sockaddr_storage ss = loopback(af, 0);
    check(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&ss), sizeof(ss)) == 0, "bind");
    check(::listen(fd_.get(), 128) == 0, "listen");
    port_ = local_port(fd_.get());
  }
  std::uint16_t port() const { return port_; }
  Fd accept() const {
    Fd c(::accept(fd_.get(), nullptr, nullptr));
    check(c.get() >= 0, "accept");
    return c;
  }
  static sockaddr_storage loopback(int af, std::uint16_t port) {
    sockaddr_storage ss{};
    if (af == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(port);
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(port);
      a->sin6_addr = in6addr_loopback;
    }
    return ss;
  }

 private:
  int af_;
  Fd fd_;
  std::uint16_t port_ = 0;
};

// Blocking connect to the loopback; returns the fd or -1 (errno set).
inline Fd connect_to(int af, std::uint16_t port) {
  Fd fd(::socket(af, SOCK_STREAM, 0));
  check(fd.get() >= 0, "socket");
  sockaddr_storage ss = Listener::loopback(af, port);
  socklen_t len = af == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return Fd();
  return fd;
}

inline void write_all(int fd, const std::string& s) {
  check(::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()), "write");
}

// Reads exactly n bytes (in pieces of up to 64), failing at the end of the stream.
inline void read_exactly(int fd, std::size_t n) {
  char buf[64];
  while (n > 0) {
    ssize_t got = ::read(fd, buf, std::min(n, sizeof(buf)));
    check(got > 0, "read");
    n -= static_cast<std::size_t>(got);
  }
}

inline void send_byte(int fd) { check(::send(fd, "x", 1, 0) == 1, "send"); }
inline void recv_byte(int fd) {
  char c;
  check(::recv(fd, &c, 1, 0) == 1, "recv");
}

}  // namespace hs::roottest
