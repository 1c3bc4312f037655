// hs_tls_peer PORT N: a TLS client process for the TLS probe's root tests.
// Prints "ready" (libssl is mapped), waits for "go" on stdin, makes N HTTP
// exchanges with SSL_write/SSL_read to 127.0.0.1:PORT, prints "done <socket
// cookie>", and exits when stdin closes, without SSL_free (the kernel side
// must forget the connection at exit on its own).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>

#include "tls_support.h"

int main(int argc, char** argv) {
  using namespace hs::roottest;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PORT N\n", argv[0]);
    return 2;
  }
  try {
    auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    int n = std::atoi(argv[2]);
    TlsContexts ctx;
    std::printf("ready\n");
    std::fflush(stdout);
    char line[16];
    if (!std::fgets(line, sizeof(line), stdin) || std::string(line) != "go\n") throw std::runtime_error("no go");
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) throw std::runtime_error("connect");
    SSL* ssl = SSL_new(ctx.client());
    if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1) throw std::runtime_error("SSL_connect");
    for (int i = 0; i < n; ++i) {
      std::string req = peer_request(i);
      if (SSL_write(ssl, req.data(), static_cast<int>(req.size())) != static_cast<int>(req.size()))
        throw std::runtime_error("SSL_write");
      std::string got;
      char buf[512];
      while (got.size() < kTlsResponse.size()) {
        int r = SSL_read(ssl, buf, sizeof(buf));
        if (r <= 0) throw std::runtime_error("SSL_read");
        got.append(buf, static_cast<std::size_t>(r));
      }
    }
    std::printf("done %llu\n", static_cast<unsigned long long>(socket_cookie(fd)));
    std::fflush(stdout);
    while (std::fgets(line, sizeof(line), stdin)) {
    }
    std::_Exit(0);  // no SSL_free, no destructors
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hs_tls_peer: %s\n", e.what());
    return 1;
  }
}
