#include "protocols/mysql_wire.h"

namespace hs::protocols {

MyFrame my_read_packet(std::string_view data, std::size_t pos, MyPacket& p) {
  if (pos >= data.size() || data.size() - pos < 4) return MyFrame::short_;
  p.length = static_cast<std::uint32_t>(u8(data, pos)) | (static_cast<std::uint32_t>(u8(data, pos + 1)) << 8) |
             (static_cast<std::uint32_t>(u8(data, pos + 2)) << 16);
  p.seq = u8(data, pos + 3);
  std::size_t avail = data.size() - pos - 4;
  p.payload = data.substr(pos + 4, p.length < avail ? p.length : avail);
  return p.length <= avail ? MyFrame::whole : MyFrame::cut;
}

bool my_command_known(std::uint8_t com) {
  return (com >= mycom::quit && com <= mycom::reset_connection) || com == mycom::stmt_bulk_execute;
}

bool my_command_replied(std::uint8_t com) {
  return my_command_known(com) && com != mycom::quit && com != mycom::stmt_close &&
         com != mycom::stmt_send_long_data;
}

MyReply my_reply_kind(std::string_view payload) {
  switch (u8(payload, 0)) {
    case 0x00: return MyReply::ok;
    case 0xff: return MyReply::err;
    case 0xfb: return MyReply::local_infile;
    case 0xfe:
      // EOF is short; a long 0xfe packet is an OK in EOF's place (CLIENT_DEPRECATE_EOF).
      return payload.size() < 9 ? MyReply::eof : MyReply::ok;
    default: return MyReply::result_set;  // a column count
  }
}

bool my_parse_error(std::string_view payload, MyError& e) {
  if (payload.size() < 3 || u8(payload, 0) != 0xff) return false;
  e.code = le16(payload, 1);
  std::string_view rest = payload.substr(3);
  e.sqlstate = {};
  if (rest.size() >= 6 && rest[0] == '#') {
    e.sqlstate = rest.substr(1, 5);
    rest.remove_prefix(6);
  }
  e.message = rest;
  return true;
}

std::string_view my_command_text(std::string_view payload) {
  std::string_view text = payload.substr(payload.empty() ? 0 : 1);
  if (text.size() >= 2 && text[0] == '\0' && text[1] == '\x01') text.remove_prefix(2);
  return text;
}

}  // namespace hs::protocols
