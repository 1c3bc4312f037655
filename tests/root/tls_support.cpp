#include "tls_support.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace hs::roottest {
namespace {

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = "";
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  throw std::runtime_error(what + ": " + buf);
}

}  // namespace

const std::string kTlsResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

std::string peer_request(int i) { return "GET /peer/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n"; }

TlsContexts::TlsContexts() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  if (!key || !cert) fail("key/cert");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  if (!X509_sign(cert, key, EVP_sha256())) fail("X509_sign");
  server_ = SSL_CTX_new(TLS_server_method());
  client_ = SSL_CTX_new(TLS_client_method());
  if (!server_ || !client_) fail("SSL_CTX_new");
  if (SSL_CTX_use_certificate(server_, cert) != 1 || SSL_CTX_use_PrivateKey(server_, key) != 1) fail("server cert");
  SSL_CTX_set_verify(client_, SSL_VERIFY_NONE, nullptr);
  X509_free(cert);  // the context keeps its own references
  EVP_PKEY_free(key);
}

TlsContexts::~TlsContexts() {
  SSL_CTX_free(server_);
  SSL_CTX_free(client_);
}

TlsEnd::TlsEnd(SSL_CTX* ctx, int fd, bool server) : fd_(fd) {
  ssl_ = SSL_new(ctx);
  if (!ssl_ || SSL_set_fd(ssl_, fd) != 1) fail("SSL_new");
  if ((server ? SSL_accept(ssl_) : SSL_connect(ssl_)) != 1) fail(server ? "SSL_accept" : "SSL_connect");
}

TlsEnd::~TlsEnd() {
  free_ssl();
  if (fd_ >= 0) ::close(fd_);
}

void TlsEnd::free_ssl() {
  if (ssl_) SSL_free(ssl_);
  ssl_ = nullptr;
}

void TlsEnd::write(std::string_view data, TlsApi api) {
  if (api == TlsApi::Classic) {
    if (SSL_write(ssl_, data.data(), static_cast<int>(data.size())) != static_cast<int>(data.size())) fail("SSL_write");
    return;
  }
  std::size_t written = 0;
  if (SSL_write_ex(ssl_, data.data(), data.size(), &written) != 1 || written != data.size()) fail("SSL_write_ex");
}

std::string TlsEnd::read(TlsApi api) {
  char buf[4096];
  if (api == TlsApi::Classic) {
    int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n <= 0) fail("SSL_read");
    return std::string(buf, static_cast<std::size_t>(n));
  }
  std::size_t n = 0;
  if (SSL_read_ex(ssl_, buf, sizeof(buf), &n) != 1) fail("SSL_read_ex");
  return std::string(buf, n);
}

std::string TlsEnd::read_exactly(std::size_t n, TlsApi api) {
  std::string out;
  while (out.size() < n) out += read(api);
  if (out.size() != n) throw std::runtime_error("read more than expected");
  return out;
}

std::uint64_t socket_cookie(int fd) {
  std::uint64_t cookie = 0;
  socklen_t len = sizeof(cookie);
  if (::getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) != 0) throw std::runtime_error("SO_COOKIE");
  return cookie;
}

std::uint32_t current_tid() { return static_cast<std::uint32_t>(::syscall(SYS_gettid)); }

LibsslCopy::LibsslCopy() {
  Dl_info info{};
  if (!::dladdr(reinterpret_cast<void*>(&SSL_new), &info) || !info.dli_fname)
    throw std::runtime_error("libssl not found");
  char tmpl[] = "/tmp/hs-tls-lib-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
  dir_ = tmpl;
  std::filesystem::copy_file(info.dli_fname, path());
}

LibsslCopy::~LibsslCopy() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

TlsPeer::TlsPeer(std::uint16_t port, int exchanges, const std::string& ld_library_path) {
  int to_child[2], from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, from_child[1], STDOUT_FILENO);
  std::vector<std::string> argv_s{HS_TLS_PEER_PATH, std::to_string(port), std::to_string(exchanges)};
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).rfind("LD_LIBRARY_PATH=", 0) != 0) env_s.emplace_back(*e);
  if (!ld_library_path.empty()) env_s.push_back("LD_LIBRARY_PATH=" + ld_library_path);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  int err = ::posix_spawn(&pid_, HS_TLS_PEER_PATH, &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(to_child[0]);
  ::close(from_child[1]);
  in_fd_ = to_child[1];
  out_fd_ = from_child[0];
  if (err != 0) throw std::runtime_error("posix_spawn " HS_TLS_PEER_PATH);
}

TlsPeer::~TlsPeer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    finish();
  }
  if (out_fd_ >= 0) ::close(out_fd_);
}

std::string TlsPeer::read_line(int timeout_ms) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{out_fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      throw std::runtime_error("peer timed out");
    char c;
    if (::read(out_fd_, &c, 1) != 1) throw std::runtime_error("peer exited");
    if (c == '\n') return line;
    line.push_back(c);
  }
}

void TlsPeer::wait_ready() {
  std::string line = read_line(10'000);
  if (line != "ready") throw std::runtime_error("peer said: " + line);
}

void TlsPeer::go() {
  if (::write(in_fd_, "go\n", 3) != 3) throw std::runtime_error("peer stdin closed");
}

std::uint64_t TlsPeer::wait_done() {
  std::string line = read_line(30'000);
  if (line.rfind("done ", 0) != 0) throw std::runtime_error("peer said: " + line);
  return std::stoull(line.substr(5));
}

void TlsPeer::finish() {
  if (in_fd_ >= 0) ::close(in_fd_);
  in_fd_ = -1;
  if (pid_ > 0) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

}  // namespace hs::roottest
