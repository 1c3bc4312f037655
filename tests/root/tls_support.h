// TLS over loopback for the TLS probe's root tests and its peer process: a
// self-signed certificate made at run time, blocking OpenSSL connection ends,
// and a peer process driven over pipes. Throws std::runtime_error on failures.
#pragma once

#include <openssl/ssl.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hs::roottest {

// Which OpenSSL calls move the data: SSL_write/SSL_read or SSL_write_ex/SSL_read_ex.
enum class TlsApi { Classic, Ex };

// A fresh P-256 key and a self-signed certificate for "localhost", and one
// server and one client context (the client does not verify).
class TlsContexts {
 public:
  TlsContexts();
  ~TlsContexts();
  TlsContexts(const TlsContexts&) = delete;
  TlsContexts& operator=(const TlsContexts&) = delete;
  SSL_CTX* server() const { return server_; }
  SSL_CTX* client() const { return client_; }

 private:
  SSL_CTX* server_ = nullptr;
  SSL_CTX* client_ = nullptr;
};

// One end of a TLS connection over a connected blocking socket it owns; the
// constructor does the handshake (the other end must run in another thread or process).
class TlsEnd {
 public:
  TlsEnd(SSL_CTX* ctx, int fd, bool server);
  ~TlsEnd();  // SSL_free, close
  TlsEnd(const TlsEnd&) = delete;
  TlsEnd& operator=(const TlsEnd&) = delete;

  void write(std::string_view data, TlsApi api);
  // One read call: what it returned (at least one byte).
  std::string read(TlsApi api);
  // Reads until exactly n bytes came in.
  std::string read_exactly(std::size_t n, TlsApi api);
  int fd() const { return fd_; }
  // Frees the SSL object now (the socket stays open until destruction).
  void free_ssl();

 private:
  SSL* ssl_ = nullptr;
  int fd_ = -1;
};

// The kernel's cookie of a socket (what records carry as conn_id).
std::uint64_t socket_cookie(int fd);
// This thread's id.
std::uint32_t current_tid();

// A copy of the system's libssl.so.3 in a fresh directory of its own (a file
// with its own inode, found through LD_LIBRARY_PATH); removed on destruction.
class LibsslCopy {
 public:
  LibsslCopy();
  ~LibsslCopy();
  LibsslCopy(const LibsslCopy&) = delete;
  LibsslCopy& operator=(const LibsslCopy&) = delete;
  const std::string& dir() const { return dir_; }
  std::string path() const { return dir_ + "/libssl.so.3"; }

 private:
  std::string dir_;
};

// hs_tls_peer as a child process: a TLS client that, once told "go", makes
// `exchanges` HTTP requests to 127.0.0.1:port and reports "done <cookie>".
class TlsPeer {
 public:
  // ld_library_path empty: the system's libssl.
  TlsPeer(std::uint16_t port, int exchanges, const std::string& ld_library_path);
  ~TlsPeer();
  TlsPeer(const TlsPeer&) = delete;
  TlsPeer& operator=(const TlsPeer&) = delete;

  pid_t pid() const { return pid_; }
  void wait_ready();        // "ready": libssl is mapped
  void go();
  std::uint64_t wait_done();  // the cookie of its socket
  void finish();             // closes its stdin (it exits) and reaps it

 private:
  std::string read_line(int timeout_ms);
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
};

// The request the peer sends for exchange i.
std::string peer_request(int i);
// What every server in these tests answers.
extern const std::string kTlsResponse;

}  // namespace hs::roottest
