// PostgreSQL frontend/backend protocol v3 framing: a type byte, then a big-endian
// int32 length that counts itself but not the type byte. The first message of a
// connection (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest) has no
// type byte. Internal to hs_protocols.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hs::protocols {

inline constexpr std::uint32_t kPgMaxMessage = 1u << 30;  // PostgreSQL's own MaxAllocSize
inline constexpr std::uint32_t kPgProtocol3 = 196608;     // 3.0 (3.2 is 196610)
inline constexpr std::uint32_t kPgCancelRequest = 80877102;
inline constexpr std::uint32_t kPgSslRequest = 80877103;
inline constexpr std::uint32_t kPgGssEncRequest = 80877104;

enum class PgFrame : std::uint8_t {
  whole,      // the whole message is visible
  cut,        // type and length visible, the body runs past the captured bytes
  short_,     // fewer than the 5 header bytes are visible
  malformed,  // length below 4 or above kPgMaxMessage
};

struct PgMessage {
  char type = 0;
  std::uint32_t length = 0;  // declared, including the 4 length bytes
  std::string_view body;     // the visible part of the body
};

PgFrame pg_read_message(std::string_view data, std::size_t pos, PgMessage& m);

// Length of the untyped message at the start of `data` (startup, SSL, GSSENC,
// cancel), or 0 if it does not start with one.
std::size_t pg_untyped_length(std::string_view data);

bool pg_frontend_type(char t);  // a type byte a client sends
bool pg_backend_type(char t);   // a type byte a server sends

// A NUL-terminated string at body[pos]; `whole` false if no NUL is visible.
// pos moves past the NUL (or to the end).
std::string_view pg_cstring(std::string_view body, std::size_t& pos, bool& whole);

}  // namespace hs::protocols
