#include "protocols/postgres_wire.h"

#include "protocols/text.h"

namespace hs::protocols {

PgFrame pg_read_message(std::string_view data, std::size_t pos, PgMessage& m) {
  if (pos >= data.size() || data.size() - pos < 5) return PgFrame::short_;
  m.type = data[pos];
  m.length = be32(data.data() + pos + 1);
  if (m.length < 4 || m.length > kPgMaxMessage) return PgFrame::malformed;
  std::size_t want = m.length - 4;
  std::size_t avail = data.size() - pos - 5;
  m.body = data.substr(pos + 5, want < avail ? want : avail);
  return want <= avail ? PgFrame::whole : PgFrame::cut;
}

std::size_t pg_untyped_length(std::string_view data) {
  if (data.size() < 8) return 0;
  std::uint32_t len = be32(data.data());
  std::uint32_t code = be32(data.data() + 4);
  if (code == kPgSslRequest || code == kPgGssEncRequest) return len == 8 ? 8 : 0;
  if (code == kPgCancelRequest) return len == 16 ? 16 : 0;  // 3.2 allows longer keys, up to 256 bytes
  bool v3 = (code >> 16) == 3 && (code & 0xffff) <= 2;
  // Startup: parameters as NUL-terminated pairs; PostgreSQL caps the packet at 10000 bytes.
  return v3 && len >= 8 && len <= 10000 ? len : 0;
}

bool pg_frontend_type(char t) {
  switch (t) {
    case 'Q': case 'P': case 'B': case 'E': case 'D': case 'S': case 'H': case 'C':
    case 'X': case 'p': case 'F': case 'd': case 'c': case 'f':
      return true;
    default:
      return false;
  }
}

bool pg_backend_type(char t) {
  switch (t) {
    case 'R': case 'S': case 'K': case 'Z': case 'T': case 'D': case 'C': case 'E': case 'N':
    case 'I': case '1': case '2': case '3': case 'n': case 's': case 't': case 'A': case 'G':
    case 'H': case 'W': case 'd': case 'c': case 'V': case 'v':
      return true;
    default:
      return false;
  }
}

std::string_view pg_cstring(std::string_view body, std::size_t& pos, bool& whole) {
  if (pos >= body.size()) {
    whole = false;
    return {};
  }
  std::size_t nul = body.find('\0', pos);
  whole = nul != std::string_view::npos;
  std::size_t end = whole ? nul : body.size();
  std::string_view s = body.substr(pos, end - pos);
  pos = whole ? end + 1 : body.size();
  return s;
}

}  // namespace hs::protocols
