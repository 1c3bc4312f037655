// RESP2/RESP3 framing: commands (arrays of bulk strings, or inline lines) and
// replies of any type, nested aggregates included. Internal to hs_protocols.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hs::protocols {

inline constexpr std::size_t kMaxRespDepth = 32;
inline constexpr std::size_t kMaxCommandArgsKept = 16;  // arguments kept for the text

enum class RespStatus : std::uint8_t {
  ok,
  incomplete,  // runs past the captured bytes
  malformed,   // not RESP (stop reading this side of the exchange)
};

struct RespCommand {
  std::string_view args[kMaxCommandArgsKept];  // the first arguments, [0] is the name
  std::size_t kept = 0;                        // how many of args[] are set
  std::uint64_t count = 0;                     // arguments declared (or split, inline)
  bool cut = false;                            // the last kept argument, or later ones, are cut
};

// Reads one command at data[pos]. ok: pos moves past it. incomplete: cmd holds
// what is visible (kept may be 0), pos is unchanged. "*0\r\n" gives ok with count 0.
RespStatus resp_read_command(std::string_view data, std::size_t& pos, RespCommand& cmd);

struct RespReply {
  bool error = false;        // '-' simple error or '!' bulk error at the top level
  bool push = false;         // '>' out-of-band push (not the reply to a command)
  std::string_view message;  // the error line / bulk error body
};

// Reads one top-level reply at data[pos], skipping leading '|' attributes.
RespStatus resp_read_reply(std::string_view data, std::size_t& pos, RespReply& reply);

// Skips one value of any type at data[pos] (pos moves past it when ok).
RespStatus resp_skip(std::string_view data, std::size_t& pos, std::size_t depth = 0);

// True for the first byte of a RESP2/RESP3 reply.
bool resp_reply_type(char c);

}  // namespace hs::protocols
