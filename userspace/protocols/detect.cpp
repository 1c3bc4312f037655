// Protocol detection from a connection's first exchange. Order matters: the
// checks that can only match one protocol (PostgreSQL's untyped first message,
// an HTTP request line) run before the looser ones.
#include <array>

#include "protocols/exchange.h"
#include "protocols/http_decoder.h"
#include "protocols/postgres_wire.h"
#include "protocols/resp.h"
#include "protocols/text.h"

namespace hs::protocols {
namespace {

constexpr std::size_t kMaxDetectMessages = 64;

// Commands a person or a health check types inline ("PING\r\n").
constexpr std::array<std::string_view, 20> kInlineCommands = {
    "PING", "INFO", "AUTH", "HELLO", "SELECT", "GET", "SET", "DEL", "EXISTS", "INCR",
    "DBSIZE", "QUIT", "ECHO", "KEYS", "TYPE", "TTL", "SCAN", "CLIENT", "CONFIG", "MONITOR"};

bool looks_postgres_untyped(const Exchange& ex) {
  std::size_t len = pg_untyped_length(ex.request);
  if (len == 0) return false;
  if (len == 8 || len == 16) return ex.request_bytes == len;  // SSL/GSSENC/cancel are sent alone
  // StartupMessage: name/value pairs ending in an extra NUL; "user" is required.
  if (len > ex.request.size()) return ex.request.find(std::string_view("user\0", 5)) != std::string_view::npos;
  return ex.request[len - 1] == '\0' && ex.request.substr(0, len).find(std::string_view("user\0", 5)) != std::string_view::npos;
}

bool looks_http(std::string_view req) {
  std::string_view method = http_method_prefix(req);
  if (method.empty()) return false;
  std::string_view target = req.substr(method.size() + 1);
  return (!target.empty() && (target[0] == '/' || target[0] == '*')) || istarts_with(target, "http");
}

bool looks_redis(const Exchange& ex) {
  std::string_view req = ex.request;
  if (req[0] == '*') {
    // "*<count>\r\n$": an array of bulk strings.
    std::size_t i = 1;
    while (i < req.size() && i < 9 && is_digit(req[i])) ++i;
    return i > 1 && req.substr(i, 3) == "\r\n$";
  }
  std::size_t end = req.find_first_of(" \r\n");
  if (end == std::string_view::npos || req.find('\n') == std::string_view::npos) return false;
  std::string_view name = req.substr(0, end);
  bool known = false;
  for (std::string_view c : kInlineCommands) known = known || iequals(name, c);
  return known && (ex.response.empty() || resp_reply_type(ex.response[0]));
}

// The message types a query-carrying request starts with.
bool query_type(char t) {
  switch (t) {
    case 'Q': case 'P': case 'B': case 'E': case 'D': case 'S': case 'H': case 'C': case 'X': case 'F':
      return true;
    default:
      return false;
  }
}

// Whether a whole message's body has the shape its type requires.
bool plausible_body(char t, std::string_view body) {
  std::size_t nul = body.find('\0');
  switch (t) {
    case 'Q':
      return nul == body.size() - 1 && !body.empty();
    case 'S': case 'H': case 'X':
      return body.empty();
    case 'D': case 'C':
      return body.size() >= 2 && (body[0] == 'S' || body[0] == 'P') && nul == body.size() - 1;
    case 'E':
      return nul != std::string_view::npos && body.size() - nul == 5;
    case 'P': case 'B':
      return nul != std::string_view::npos && body.find('\0', nul + 1) != std::string_view::npos;
    default:
      return true;
  }
}

bool looks_postgres_typed(const Exchange& ex) {
  std::string_view req = ex.request;
  std::uint64_t total = ex.request_bytes > req.size() ? ex.request_bytes : req.size();
  std::size_t pos = 0, whole = 0;
  PgMessage m;
  for (std::size_t n = 0; n < kMaxDetectMessages && pos < req.size(); ++n) {
    PgFrame f = pg_read_message(req, pos, m);
    if (f == PgFrame::short_) break;
    if (f == PgFrame::malformed || !query_type(m.type)) return false;
    if (1 + static_cast<std::uint64_t>(m.length) > total - pos) return false;  // must fit the request
    if (f == PgFrame::cut) {
      // Only a query's text may run past the capture; what is visible must be text.
      if (m.type != 'Q' && m.type != 'P' && m.type != 'B') return false;
      if (m.type == 'Q' && m.body.find('\0') != std::string_view::npos) return false;
      if (whole == 0 && m.body.empty()) return false;
      ++whole;
      break;
    }
    if (!plausible_body(m.type, m.body)) return false;
    ++whole;
    pos += 1 + static_cast<std::size_t>(m.length);
  }
  if (whole == 0) return false;
  // The response, when there is one, must start with a backend message that fits.
  if (ex.response.empty()) return true;
  PgFrame rf = pg_read_message(ex.response, 0, m);
  if (rf == PgFrame::short_ || rf == PgFrame::malformed) return ex.response.size() < 5 && pg_backend_type(ex.response[0]);
  std::uint64_t rtotal = ex.response_bytes > ex.response.size() ? ex.response_bytes : ex.response.size();
  return pg_backend_type(m.type) && 1 + static_cast<std::uint64_t>(m.length) <= rtotal;
}

// MySQL/MariaDB (next issue): the server speaks first (its greeting), so a
// client-side first exchange is the handshake response or a COM_* packet: a
// 3-byte little-endian length, a sequence id, then the command byte.
bool looks_mysql(const Exchange&) { return false; }

}  // namespace

Protocol detect(const Exchange& ex) {
  if (ex.request.empty()) return Protocol::unknown;
  if (looks_postgres_untyped(ex)) return Protocol::postgresql;
  if (looks_http(ex.request)) return Protocol::http;
  if (looks_redis(ex)) return Protocol::redis;
  if (looks_postgres_typed(ex)) return Protocol::postgresql;
  if (looks_mysql(ex)) return Protocol::mysql;
  return Protocol::unknown;
}

}  // namespace hs::protocols
