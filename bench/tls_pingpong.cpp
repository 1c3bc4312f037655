// tls_pingpong: request/response round trips over TLS (OpenSSL, TLS 1.3, a
// self-signed P-256 certificate made at start) on the loopback between two
// processes; prints the mean time per round trip.
//
//   tls_pingpong ROUNDS [http|bytes] [classic|ex]
//
// http (default): "GET /bench HTTP/1.1" answered "HTTP/1.1 200 OK", an exchange
// the TLS probe records; bytes: one byte each way (plaintext it leaves alone
// after four looks, though its uprobes still run). classic: SSL_write/SSL_read
// (default); ex: SSL_write_ex/SSL_read_ex. Each round trip is one write and one
// read on each side: 2 write uprobes, 2 read entry and 2 read return probes.
// A tenth of ROUNDS warms up first. Output: "<ns> ns/round_trip <rounds>".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::string request = "GET /bench HTTP/1.1\r\nHost: b\r\n\r\n";
std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
bool use_ex = false;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "tls_pingpong: %s\n", what);
  ERR_print_errors_fp(stderr);
  std::exit(1);
}

void write_all(SSL* ssl, const std::string& s) {
  if (use_ex) {
    std::size_t n = 0;
    if (SSL_write_ex(ssl, s.data(), s.size(), &n) != 1 || n != s.size()) die("SSL_write_ex");
  } else if (SSL_write(ssl, s.data(), static_cast<int>(s.size())) != static_cast<int>(s.size())) {
    die("SSL_write");
  }
}

void read_exactly(SSL* ssl, std::size_t len) {
  char buf[256];
  while (len) {
    std::size_t want = len < sizeof(buf) ? len : sizeof(buf), n = 0;
    if (use_ex) {
      if (SSL_read_ex(ssl, buf, want, &n) != 1) die("SSL_read_ex");
    } else {
      int r = SSL_read(ssl, buf, static_cast<int>(want));
      if (r <= 0) die("SSL_read");
      n = static_cast<std::size_t>(r);
    }
    len -= n;
  }
}

void exchange(SSL* ssl, unsigned long n, bool asking) {
  for (unsigned long i = 0; i < n; ++i) {
    if (asking) write_all(ssl, request);
    read_exactly(ssl, asking ? answer.size() : request.size());
    if (!asking) write_all(ssl, answer);
  }
}

// Server and client contexts around a fresh self-signed certificate.
void make_contexts(SSL_CTX** server, SSL_CTX** client) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  if (!key || !cert) die("key");
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  if (!X509_sign(cert, key, EVP_sha256())) die("X509_sign");
  *server = SSL_CTX_new(TLS_server_method());
  *client = SSL_CTX_new(TLS_client_method());
  if (!*server || !*client || SSL_CTX_use_certificate(*server, cert) != 1 || SSL_CTX_use_PrivateKey(*server, key) != 1)
    die("SSL_CTX");
  SSL_CTX_set_verify(*client, SSL_VERIFY_NONE, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: %s ROUNDS [http|bytes] [classic|ex]\n", argv[0]);
    return 2;
  }
  if (argc >= 3 && std::strcmp(argv[2], "bytes") == 0) request = answer = "x";
  use_ex = argc == 4 && std::strcmp(argv[3], "ex") == 0;
  unsigned long rounds = std::strtoul(argv[1], nullptr, 10), warm = rounds / 10;
  SSL_CTX *server_ctx, *client_ctx;
  make_contexts(&server_ctx, &client_ctx);

  int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (lfd < 0 || bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) || listen(lfd, 1) ||
      getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len))
    die("listen");
  pid_t child = fork();
  if (child == 0) {
    int s = accept(lfd, nullptr, nullptr);
    if (s < 0) _exit(1);
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    SSL* ssl = SSL_new(server_ctx);
    if (!ssl || SSL_set_fd(ssl, s) != 1 || SSL_accept(ssl) != 1) die("SSL_accept");
    exchange(ssl, warm + rounds, false);
    SSL_free(ssl);
    _exit(0);
  }
  int c = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a))) die("connect");
  SSL* ssl = SSL_new(client_ctx);
  if (!ssl || SSL_set_fd(ssl, c) != 1 || SSL_connect(ssl) != 1) die("SSL_connect");
  exchange(ssl, warm, true);
  auto t0 = std::chrono::steady_clock::now();
  exchange(ssl, rounds, true);
  auto dt = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  int status = 0;
  waitpid(child, &status, 0);
  SSL_free(ssl);
  std::printf("%llu ns/round_trip %lu\n", static_cast<unsigned long long>(dt) / rounds, rounds);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
