// PostgreSQL frontend/backend protocol v3, simple and extended query modes.
// Internal to hs_protocols (use make_decoder).
//
// Operations: one per simple Query ('Q', whole text even with several statements)
// and one per Execute ('E', the text of the statement bound to that portal).
// Parse/Bind/Describe/Sync/Flush/Close, startup, SSL/GSSENC/cancel requests,
// authentication and COPY data give none.
//
// Errors: the response is walked in step with the request messages. An
// ErrorResponse during a simple Query marks that query. In the extended protocol
// it marks the first Execute at or after the failing message (a Parse or Bind
// error is the error of the Execute it was sent for); the server then skips every
// message up to Sync, so Executes after it in the same batch never ran and are
// not reported at all (pg_stat_statements would not count them either).
// Operations whose responses are not in the captured prefix count as OK.
//
// Truncated requests: a cut Query gives an operation with the visible text
// (truncated=true). A request cut after an unnamed Parse or after a Bind, before
// its Execute is visible, gives the operation that Execute would run (libpq and
// most drivers send Parse/Bind/Describe/Execute/Sync in one write, and large
// parameter values are what usually cut it).
#pragma once

#include <cstddef>
#include <memory>

#include "protocols/exchange.h"
#include "protocols/sql_statement.h"  // kMaxSqlText

namespace hs::protocols {

inline constexpr std::size_t kMaxPgOps = 256;            // operations read from one exchange
inline constexpr std::size_t kMaxPgStatements = 128;     // named prepared statements remembered per connection
inline constexpr std::size_t kMaxPgPortals = 64;         // portals remembered per connection

std::unique_ptr<ConnectionDecoder> make_postgres_decoder();

}  // namespace hs::protocols
