#include "protocols/http_decoder.h"

#include <array>

#include "protocols/http_route.h"
#include "protocols/text.h"

namespace hs::protocols {
namespace {

constexpr std::size_t kMaxHeaderLines = 128;
constexpr std::size_t kMaxChunks = 4096;
constexpr std::size_t kMaxErrorText = 256;
constexpr std::array<std::string_view, 9> kMethods = {"GET", "HEAD", "POST", "PUT", "DELETE",
                                                      "PATCH", "OPTIONS", "CONNECT", "TRACE"};

// A cursor over the captured bytes; every read is checked against the end.
struct Cursor {
  std::string_view data;
  std::size_t pos = 0;

  bool at_end() const { return pos >= data.size(); }
  // The next line without its CR LF (or LF); false if no line end is visible.
  bool line(std::string_view& out) {
    std::size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) return false;
    out = data.substr(pos, nl - pos);
    if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
    pos = nl + 1;
    return true;
  }
};

// What the headers say about the body that follows them.
struct BodyInfo {
  bool chunked = false;
  bool has_length = false;
  std::uint64_t length = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads header lines up to the empty line. False if they run past the prefix.
bool read_headers(Cursor& c, BodyInfo& body) {
  for (std::size_t i = 0; i < kMaxHeaderLines; ++i) {
    std::string_view line;
    if (!c.line(line)) return false;
    if (line.empty()) return true;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      std::uint64_t n = 0;
      if (parse_decimal(value, n)) {
        body.has_length = true;
        body.length = n;
      }
    } else if (iequals(name, "transfer-encoding")) {
      // "gzip, chunked": chunked is the last coding when present.
      body.chunked = value.size() >= 7 && iequals(value.substr(value.size() - 7), "chunked");
    }
  }
  return false;  // too many header lines to be believable
}

// Skips a chunked body and its trailers. False if it runs past the prefix.
bool skip_chunked(Cursor& c) {
  for (std::size_t i = 0; i < kMaxChunks; ++i) {
    std::string_view line;
    if (!c.line(line)) return false;
    line = line.substr(0, line.find(';'));  // chunk extensions
    line = trim(line);
    if (line.empty() || line.size() > 15) return false;
    std::uint64_t size = 0;
    for (char ch : line) {
      if (!is_hex(ch)) return false;
      size = size * 16 + static_cast<std::uint64_t>(is_digit(ch) ? ch - '0' : ascii_upper(ch) - 'A' + 10);
    }
    if (size == 0) {
      BodyInfo trailers;
      return read_headers(c, trailers);
    }
    if (size > c.data.size() - c.pos) return false;
    c.pos += size;
    if (!c.line(line) || !line.empty()) return false;  // CRLF after the chunk data
  }
  return false;
}

// Skips a body described by `b`; with neither a length nor chunking there is none.
bool skip_body(Cursor& c, const BodyInfo& b) {
  if (b.chunked) return skip_chunked(c);
  if (!b.has_length) return true;
  if (b.length > c.data.size() - c.pos) return false;
  c.pos += static_cast<std::size_t>(b.length);
  return true;
}

bool valid_version(std::string_view v) { return v == "HTTP/1.1" || v == "HTTP/1.0"; }

// "GET /a/b?x=1&y" -> "GET /a/b?x=?&y": query values may carry tokens.
std::string request_text(std::string_view method, std::string_view target, bool& cut) {
  std::string text(method);
  text += ' ';
  std::size_t q = target.find('?');
  bool fits = append_clean(text, target.substr(0, q), kMaxHttpText, Controls::to_space);
  if (fits && q != std::string_view::npos) {
    std::string query = "?";
    std::string_view rest = target.substr(q + 1);
    rest = rest.substr(0, rest.find('#'));
    for (std::size_t i = 0; i < kMaxHttpText && !rest.empty(); ++i) {
      std::size_t amp = rest.find('&');
      std::string_view part = rest.substr(0, amp);
      std::size_t eq = part.find('=');
      if (query.size() > 1) query += '&';
      query += part.substr(0, eq);
      if (eq != std::string_view::npos) query += "=?";
      if (amp == std::string_view::npos || query.size() > kMaxHttpText) break;
      rest.remove_prefix(amp + 1);
    }
    fits = append_clean(text, query, kMaxHttpText, Controls::to_space);
  }
  if (!fits) {
    cut = true;
    truncate_with_ellipsis(text, kMaxHttpText);
  }
  return text;
}

Operation make_op(std::string_view method, std::string_view target, bool cut) {
  Operation op;
  op.protocol = Protocol::http;
  op.method = std::string(method);
  op.text = request_text(method, target, cut);
  op.route = http_route(target);
  op.fingerprint = op.method + " " + op.route;
  op.truncated = cut;
  return op;
}

// Request lines (and the bodies between them) from the request prefix.
void read_requests(std::string_view data, std::vector<Operation>& ops) {
  Cursor c{data};
  // Tolerate the empty lines some clients send before a request (RFC 9112 §2.2).
  for (int i = 0; i < 2 && c.data.substr(c.pos, 2) == "\r\n"; ++i) c.pos += 2;
  while (ops.size() < kMaxHttpOps && !c.at_end()) {
    std::string_view rest = c.data.substr(c.pos);
    std::string_view method = http_method_prefix(rest);
    if (method.empty()) return;
    std::string_view line;
    if (!c.line(line)) {
      // The request line itself was cut: count it if some of the target is visible.
      std::string_view target = rest.substr(method.size() + 1);
      target = target.substr(0, target.find(' '));
      if (!target.empty()) ops.push_back(make_op(method, target, true));
      return;
    }
    std::string_view after = line.substr(method.size() + 1);
    std::size_t sp = after.find(' ');
    if (sp == std::string_view::npos || sp == 0 || !valid_version(after.substr(sp + 1))) return;
    ops.push_back(make_op(method, after.substr(0, sp), false));
    BodyInfo body;
    if (!read_headers(c, body) || !skip_body(c, body)) return;
  }
}

// "HTTP/1.1 503 Service Unavailable" -> 503 and "503 Service Unavailable"; 0 if not a status line.
int parse_status_line(std::string_view line, std::string_view& reason) {
  if (line.size() < 12 || !istarts_with(line, "HTTP/1.") || !is_digit(line[7]) || line[8] != ' ') return 0;
  std::string_view code = line.substr(9, 3);
  for (char ch : code) {
    if (!is_digit(ch)) return 0;
  }
  if (code[0] == '0' || (line.size() > 12 && line[12] != ' ')) return 0;  // codes run 100..999
  reason = line.substr(9);
  return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
}

// Status lines from the response prefix, paired in order with `ops`.
void read_responses(std::string_view data, std::vector<Operation>& ops) {
  Cursor c{data};
  std::size_t i = 0;
  std::size_t interim = 0;
  while (i < ops.size() && !c.at_end()) {
    std::string_view rest = c.data.substr(c.pos);
    std::string_view line;
    bool whole = c.line(line);
    if (!whole) line = rest;  // a status line cut after its code still gives the status
    std::string_view reason;
    int status = parse_status_line(line, reason);
    if (status == 0) return;
    bool informational = status >= 100 && status < 200 && status != 101;
    if (!informational) {
      Operation& op = ops[i++];
      op.status = status;
      op.error = status >= 500;
      if (op.error) {
        append_clean(op.error_text, reason, kMaxErrorText, Controls::to_space);
      }
    } else if (++interim > kMaxHttpOps) {
      return;
    }
    if (!whole || status == 101) return;  // cut, or no longer HTTP after Switching Protocols
    BodyInfo body;
    if (!read_headers(c, body)) return;
    bool no_body = informational || status == 204 || status == 304 || (!informational && ops[i - 1].method == "HEAD");
    if (no_body) continue;
    if (!body.chunked && !body.has_length) return;  // delimited by the connection close
    if (!skip_body(c, body)) return;
  }
}

class HttpDecoder final : public ConnectionDecoder {
 public:
  void decode(const Exchange& ex, std::vector<Operation>& out) override {
    try {
      std::vector<Operation> ops;
      read_requests(ex.request, ops);
      if (ops.empty()) return;
      read_responses(ex.response, ops);
      for (Operation& op : ops) out.push_back(std::move(op));
    } catch (...) {
      // Only allocation can throw here; dropping one exchange is the right answer.
    }
  }
  bool stateless_for(const Exchange&) const override { return true; }
};

}  // namespace

std::string_view http_method_prefix(std::string_view line) {
  for (std::string_view m : kMethods) {
    if (line.size() > m.size() && line.substr(0, m.size()) == m && line[m.size()] == ' ') return m;
  }
  return {};
}

std::unique_ptr<ConnectionDecoder> make_http_decoder() { return std::make_unique<HttpDecoder>(); }

}  // namespace hs::protocols
