// MySQL/MariaDB client/server protocol framing: every packet is a 3-byte
// little-endian payload length, a sequence id, then the payload. A command
// starts at sequence 0 and its reply counts on from 1; a payload of 0xffffff
// bytes goes on in the next packet. Internal to hs_protocols.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hs::protocols {

inline constexpr std::uint32_t kMyMaxPayload = 0xffffff;  // a longer payload continues in the next packet

// Command bytes (the first payload byte of a sequence-0 packet).
namespace mycom {
inline constexpr std::uint8_t quit = 0x01;
inline constexpr std::uint8_t init_db = 0x02;
inline constexpr std::uint8_t query = 0x03;
inline constexpr std::uint8_t field_list = 0x04;
inline constexpr std::uint8_t statistics = 0x09;
inline constexpr std::uint8_t process_kill = 0x0c;
inline constexpr std::uint8_t debug = 0x0d;
inline constexpr std::uint8_t ping = 0x0e;
inline constexpr std::uint8_t change_user = 0x11;
inline constexpr std::uint8_t binlog_dump = 0x12;
inline constexpr std::uint8_t stmt_prepare = 0x16;
inline constexpr std::uint8_t stmt_execute = 0x17;
inline constexpr std::uint8_t stmt_send_long_data = 0x18;
inline constexpr std::uint8_t stmt_close = 0x19;
inline constexpr std::uint8_t stmt_reset = 0x1a;
inline constexpr std::uint8_t set_option = 0x1b;
inline constexpr std::uint8_t stmt_fetch = 0x1c;
inline constexpr std::uint8_t reset_connection = 0x1f;
inline constexpr std::uint8_t stmt_bulk_execute = 0xfa;  // MariaDB
}  // namespace mycom

// MariaDB's "the statement prepared just before in this batch" (execute direct).
inline constexpr std::uint32_t kMyLastStatement = 0xffffffff;

enum class MyFrame : std::uint8_t {
  whole,   // header and whole payload visible
  cut,     // header visible, the payload runs past the captured bytes
  short_,  // fewer than the 4 header bytes are visible
};

struct MyPacket {
  std::uint32_t length = 0;  // declared payload length
  std::uint8_t seq = 0;
  std::string_view payload;  // the visible part
};

MyFrame my_read_packet(std::string_view data, std::size_t pos, MyPacket& p);

inline std::uint8_t u8(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }
// Little-endian reads; the caller has checked that the bytes are there.
inline std::uint16_t le16(std::string_view s, std::size_t i) {
  return static_cast<std::uint16_t>(u8(s, i) | (u8(s, i + 1) << 8));
}
inline std::uint32_t le32(std::string_view s, std::size_t i) {
  return static_cast<std::uint32_t>(le16(s, i)) | (static_cast<std::uint32_t>(le16(s, i + 2)) << 16);
}

// Whether a command byte gets a reply from the server (STMT_CLOSE,
// SEND_LONG_DATA and QUIT do not); false for bytes that are no command.
bool my_command_replied(std::uint8_t com);
bool my_command_known(std::uint8_t com);

// What the first packet of a reply says.
enum class MyReply : std::uint8_t { ok, err, eof, local_infile, result_set };
MyReply my_reply_kind(std::string_view payload);  // payload not empty

// The fields of an ERR packet (0xff, code, '#' and SQLSTATE since 4.1, message).
struct MyError {
  std::uint16_t code = 0;
  std::string_view sqlstate;  // empty when the packet has none
  std::string_view message;   // the visible part
};
bool my_parse_error(std::string_view payload, MyError& e);

// The SQL text of a COM_QUERY/COM_STMT_PREPARE payload (after the command
// byte): skips MySQL 8 query attributes when the packet carries none (0, 1).
std::string_view my_command_text(std::string_view payload);

}  // namespace hs::protocols
