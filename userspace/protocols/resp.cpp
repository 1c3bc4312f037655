#include "protocols/resp.h"

#include <algorithm>

#include "protocols/text.h"

namespace hs::protocols {
namespace {

constexpr std::uint64_t kMaxBulk = 512ull * 1024 * 1024;     // Redis' proto-max-bulk-len default
constexpr std::uint64_t kMaxMultibulk = 1024ull * 1024 * 1024;  // its multibulk limit
constexpr std::size_t kMaxInlineArgs = 1024;

// The line after the type byte at data[pos], without CR LF; false if no CR LF is visible.
bool resp_line(std::string_view data, std::size_t pos, std::string_view& line, std::size_t& next) {
  // Lines are short (lengths, status words): a plain scan beats a library search.
  for (std::size_t i = pos + 1; i + 1 < data.size(); ++i) {
    if (data[i] == '\r' && data[i + 1] == '\n') {
      line = data.substr(pos + 1, i - pos - 1);
      next = i + 2;
      return true;
    }
  }
  return false;
}

// "-1" -> null (returns true, null=true); digits -> value.
bool resp_length(std::string_view s, std::uint64_t& n, bool& null) {
  null = s == "-1";
  if (null) return true;
  return parse_decimal(s, n);
}

enum class Line : std::uint8_t { ok, incomplete, bad };

// A length line's value (null for -1) and where what follows it starts.
struct Length {
  Line status = Line::bad;
  bool null = false;
  std::uint64_t n = 0;
  std::size_t next = 0;
};

// Any other shape of length line than the common one (and its errors).
[[gnu::noinline]] Length length_line_slow(std::string_view data, std::size_t pos) {
  Length l;
  std::string_view line;
  if (!resp_line(data, pos, line, l.next)) {
    l.status = Line::incomplete;
    return l;
  }
  l.status = resp_length(line, l.n, l.null) ? Line::ok : Line::bad;
  return l;
}

// "<type><decimal or -1>\r\n" at data[pos]. Returned by value: values written
// through references had to live in memory, and were read back on every call.
inline Length length_line(std::string_view data, std::size_t pos) {
  // The common shape first, in one pass: 1 to 18 digits right before CR LF.
  std::size_t i = pos + 1;
  const std::size_t stop = std::min(data.size(), pos + 19);
  std::uint64_t v = 0;
  while (i < stop && is_digit(data[i])) v = v * 10 + static_cast<std::uint64_t>(data[i++] - '0');
  if (i > pos + 1 && i + 1 < data.size() && data[i] == '\r' && data[i + 1] == '\n') return {Line::ok, false, v, i + 2};
  return length_line_slow(data, pos);
}

bool name_char(char c) {
  return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-' || c == '|' || c == ':';
}

RespStatus read_inline(std::string_view data, std::size_t& pos, RespCommand& cmd) {
  std::size_t nl = data.find('\n', pos);
  std::string_view line = data.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty() && nl != std::string_view::npos) {  // Redis ignores empty inline lines
    pos = nl + 1;
    cmd.count = 0;
    return RespStatus::ok;
  }
  if (line.empty() || !is_alpha(line[0])) return nl == std::string_view::npos ? RespStatus::incomplete : RespStatus::malformed;
  std::size_t i = 0;
  while (i < line.size() && cmd.count < kMaxInlineArgs) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    std::string_view arg = line.substr(start, i - start);
    if (cmd.count == 0) {
      for (char c : arg) {
        if (!name_char(c)) return RespStatus::malformed;
      }
      // Without the line end, a name is whole only if something follows it.
      if (nl == std::string_view::npos && i >= line.size()) return RespStatus::incomplete;
    }
    if (cmd.kept < kMaxCommandArgsKept) cmd.args[cmd.kept++] = arg;
    ++cmd.count;
  }
  if (nl == std::string_view::npos) {
    cmd.cut = true;
    return RespStatus::incomplete;
  }
  pos = nl + 1;
  return RespStatus::ok;
}

}  // namespace

bool resp_reply_type(char c) {
  switch (c) {
    case '+': case '-': case ':': case '$': case '*': case '_': case ',': case '#':
    case '!': case '=': case '(': case '%': case '~': case '>': case '|':
      return true;
    default:
      return false;
  }
}

RespStatus resp_read_command(std::string_view data, std::size_t& pos, RespCommand& cmd) {
  cmd.kept = 0;  // args[] past kept are never read
  cmd.count = 0;
  cmd.cut = false;
  if (pos >= data.size()) return RespStatus::incomplete;
  if (data[pos] != '*') return read_inline(data, pos, cmd);
  const Length header = length_line(data, pos);
  if (header.status == Line::incomplete) return RespStatus::incomplete;
  if (header.status == Line::bad || header.n > kMaxMultibulk) return RespStatus::malformed;
  const std::uint64_t n = header.null ? 0 : header.n;
  std::size_t at = header.next;
  cmd.count = n;
  for (std::uint64_t k = 0; k < n; ++k) {
    if (at >= data.size()) {
      cmd.cut = true;
      return RespStatus::incomplete;
    }
    if (data[at] != '$') return RespStatus::malformed;
    const Length bulk = length_line(data, at);
    if (bulk.status == Line::incomplete) {
      cmd.cut = true;
      return RespStatus::incomplete;
    }
    if (bulk.status == Line::bad || bulk.null || bulk.n > kMaxBulk) return RespStatus::malformed;
    const std::uint64_t len = bulk.n;
    const std::size_t body = bulk.next;
    std::size_t avail = data.size() - body;
    if (len > avail || avail - len < 2) {
      // Cut inside this argument: keep its visible part (a name must be whole).
      if (k > 0 && cmd.kept < kMaxCommandArgsKept) {
        cmd.args[cmd.kept++] = data.substr(body, static_cast<std::size_t>(len < avail ? len : avail));
      }
      cmd.cut = true;
      return RespStatus::incomplete;
    }
    if (data[body + len] != '\r' || data[body + len + 1] != '\n') return RespStatus::malformed;
    if (cmd.kept < kMaxCommandArgsKept) cmd.args[cmd.kept++] = std::string_view(data.data() + body, len);
    at = body + static_cast<std::size_t>(len) + 2;
  }
  pos = at;
  return RespStatus::ok;
}

RespStatus resp_skip(std::string_view data, std::size_t& pos, std::size_t depth) {
  if (pos >= data.size()) return RespStatus::incomplete;
  if (depth >= kMaxRespDepth) return RespStatus::malformed;
  const char type = data[pos];
  if (!resp_reply_type(type)) return RespStatus::malformed;
  std::string_view line;
  std::size_t next = 0;
  if (!resp_line(data, pos, line, next)) return RespStatus::incomplete;
  std::uint64_t n = 0;
  bool null = false;
  switch (type) {
    case '$': case '!': case '=': {
      if (!resp_length(line, n, null) || (null && type != '$') || n > kMaxBulk) return RespStatus::malformed;
      if (null) break;
      std::size_t avail = data.size() - next;
      if (n > avail || avail - n < 2) return RespStatus::incomplete;
      if (data.substr(next + n, 2) != "\r\n") return RespStatus::malformed;
      next += static_cast<std::size_t>(n) + 2;
      break;
    }
    case '*': case '~': case '>': case '%': case '|': {
      if (!resp_length(line, n, null) || (null && type != '*') || n > kMaxMultibulk) return RespStatus::malformed;
      if (null) break;
      std::uint64_t elements = (type == '%' || type == '|') ? n * 2 : n;
      // Each element takes at least 3 bytes, so this loop ends with the data.
      for (std::uint64_t k = 0; k < elements; ++k) {
        RespStatus s = resp_skip(data, next, depth + 1);
        if (s != RespStatus::ok) return s;
      }
      break;
    }
    default:  // single-line types
      break;
  }
  pos = next;
  return RespStatus::ok;
}

RespStatus resp_read_reply(std::string_view data, std::size_t& pos, RespReply& reply) {
  reply = RespReply{};
  std::size_t at = pos;
  // The replies of a pipeline of simple commands, without the general walk:
  // "+OK", ":1" and a bulk string.
  if (at < data.size() && (data[at] == '+' || data[at] == ':' || data[at] == '$')) {
    if (data[at] == '$') {
      const Length l = length_line(data, at);
      if (l.status == Line::ok && !l.null && l.n <= kMaxBulk && data.size() - l.next >= l.n + 2 &&
          data[l.next + l.n] == '\r' && data[l.next + l.n + 1] == '\n') {
        pos = l.next + static_cast<std::size_t>(l.n) + 2;
        return RespStatus::ok;
      }
    } else {
      std::size_t next = 0;
      std::string_view line;
      if (resp_line(data, at, line, next)) {
        pos = next;
        return RespStatus::ok;
      }
    }
  }
  // Attributes ('|') describe the reply that follows them; skip any number of them.
  for (std::size_t i = 0; i < 64 && at < data.size() && data[at] == '|'; ++i) {
    RespStatus s = resp_skip(data, at);
    if (s != RespStatus::ok) return s;
  }
  if (at >= data.size()) return RespStatus::incomplete;
  const char type = data[at];
  std::size_t start = at;
  RespStatus s = resp_skip(data, at);
  if (s != RespStatus::ok) return s;
  reply.push = type == '>';
  if (type == '-') {
    reply.error = true;
    reply.message = data.substr(start + 1, at - start - 3);
  } else if (type == '!') {
    reply.error = true;
    std::size_t body = data.find("\r\n", start) + 2;  // resp_skip saw this line end
    reply.message = data.substr(body, at - body - 2);
  }
  pos = at;
  return RespStatus::ok;
}

}  // namespace hs::protocols
