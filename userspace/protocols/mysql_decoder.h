// MySQL/MariaDB client/server protocol (text and binary/prepared statements).
// Internal to hs_protocols (use make_decoder).
//
// Operations: one per COM_QUERY (its whole text, even with several statements)
// and one per COM_STMT_EXECUTE / COM_STMT_BULK_EXECUTE (the text of the prepared
// statement it runs). A COM_STMT_PREPARE gives none: its text is remembered
// under the statement id of its PREPARE_OK reply until COM_STMT_CLOSE; a
// PREPARE that fails gives one operation, with the error, so bad SQL is counted
// however it was sent. COM_PING, COM_QUIT, COM_INIT_DB, COM_STMT_RESET/FETCH,
// COM_SET_OPTION and the other administrative commands give none (they are not
// statements, and a ping per pooled connection would swamp the latencies).
// The greeting, the handshake response and authentication (any request whose
// first packet is not sequence 0) give none.
//
// Replies: the first packet of each reply (sequence 1) is OK, ERR (error=true,
// error_text "SQLSTATE (code): message"), EOF, LOCAL INFILE or a result set's
// column count; a reply's later packets (columns, rows) are skipped. Several
// commands in one request (pipelining, or a CLOSE that has no reply before the
// next command) are answered in order, each reply starting again at sequence 1.
// Operations whose replies are not in the captured prefix count as OK.
//
// Truncated requests: a cut COM_QUERY or PREPARE keeps its visible text
// (truncated=true); an EXECUTE needs only its statement id.
#pragma once

#include <cstddef>
#include <memory>

#include "protocols/exchange.h"

namespace hs::protocols {

inline constexpr std::size_t kMaxMyOps = 256;         // operations read from one exchange
inline constexpr std::size_t kMaxMyStatements = 256;  // prepared statements remembered per connection
inline constexpr std::size_t kMaxMyErrorText = 512;

std::unique_ptr<ConnectionDecoder> make_mysql_decoder();

}  // namespace hs::protocols
