// Protocol detection from a connection's first exchange. Order matters: the
// checks that can only match one protocol (PostgreSQL's untyped first message,
// an HTTP request line) run before the looser ones.
#include <array>

#include "protocols/exchange.h"
#include "protocols/http_decoder.h"
#include "protocols/mysql_wire.h"
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

// MySQL/MariaDB: the server speaks first (its greeting, which the capture does
// not report), so a first exchange is the client's handshake response and the
// server's answer, or a command on a connection that predates the capture.
constexpr std::uint32_t kMyClientProtocol41 = 0x200;

bool my_printable(char c) { return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r'; }

// Handshake response (sequence 1): capabilities with PROTOCOL_41, max packet,
// charset, 23 reserved bytes (zero but MariaDB's last 4), then the user name.
bool my_handshake_response(std::string_view payload, std::uint32_t length) {
  if (length < 32 || payload.size() < 32) return false;
  if (!(le32(payload, 0) & kMyClientProtocol41) || payload[8] == 0) return false;
  for (std::size_t i = 9; i < 28; ++i) {
    if (payload[i] != 0) return false;
  }
  return true;
}

// A command (sequence 0) with the shape its command byte requires.
bool my_plausible_command(std::string_view payload, std::uint32_t length) {
  auto com = u8(payload, 0);
  switch (com) {
    case mycom::query: case mycom::stmt_prepare: {
      std::string_view text = my_command_text(payload);
      if (length < 2 || text.empty() || !my_printable(text[0])) return false;
      return text.find('\0') == std::string_view::npos;
    }
    case mycom::stmt_execute:
      // statement id, flags, iteration count (always 1)
      return length >= 10 && (payload.size() < 10 || le32(payload, 6) == 1);
    case mycom::stmt_close: case mycom::stmt_reset:
      return length == 5;
    case mycom::ping: case mycom::quit: case mycom::statistics: case mycom::reset_connection:
      return length == 1;
    case mycom::init_db:
      return length >= 2 && my_printable(payload.size() > 1 ? payload[1] : 'x');
    default:
      return false;
  }
}

bool looks_mysql(const Exchange& ex) {
  MyPacket p;
  if (my_read_packet(ex.request, 0, p) == MyFrame::short_ || p.payload.empty()) return false;
  std::uint64_t total = ex.request_bytes > ex.request.size() ? ex.request_bytes : ex.request.size();
  if (4 + static_cast<std::uint64_t>(p.length) > total) return false;  // must fit the request
  if (p.seq == 0 ? !my_plausible_command(p.payload, p.length)
                 : p.seq != 1 || !my_handshake_response(p.payload, p.length)) {
    return false;
  }
  // The reply, when there is one, continues the sequence and fits.
  if (ex.response.empty()) return true;
  MyPacket r;
  if (my_read_packet(ex.response, 0, r) == MyFrame::short_) return false;
  std::uint64_t rtotal = ex.response_bytes > ex.response.size() ? ex.response_bytes : ex.response.size();
  return r.seq == static_cast<std::uint8_t>(p.seq + 1) && r.length > 0 && 4 + static_cast<std::uint64_t>(r.length) <= rtotal;
}

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
