// What the L7 capture hands to the protocol decoders, and what they give back.
// An exchange is one request and the first part of its response on one
// connection, as the kernel saw them at the syscall layer (bounded prefixes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hs::protocols {

enum class Protocol : std::uint8_t { unknown = 0, http = 1, postgresql = 2, redis = 3, mysql = 4 };

std::string_view protocol_name(Protocol p);  // "http", "postgresql", "redis", "mysql", "unknown"

struct Exchange {
  bool server_side = false;          // true: this process read the request and wrote the response
  std::string_view request;          // prefix of the request bytes (everything sent before the response began)
  std::uint64_t request_bytes = 0;   // their total size (request.size() < request_bytes: truncated)
  std::string_view response;         // prefix of the first response read/write
  std::uint64_t response_bytes = 0;  // size of that first response read/write
  // False: Operation::text may stay empty where it would only repeat the
  // fingerprint's shape with literals (shown only with capture_literals on).
  bool keep_text = true;
};

// One database statement, cache command or HTTP request found in an exchange.
// Pipelined requests give several operations from one exchange.
struct Operation {
  Protocol protocol = Protocol::unknown;
  std::string text;         // SQL as sent (bounded), "SET key value" (bounded), "GET /users/42"
  std::string fingerprint;  // SQL with literals as ?, "SET", "CONFIG GET", "GET /users/:id"
  std::string method;       // HTTP method; Redis command; SQL verb (SELECT/INSERT/...)
  std::string route;        // HTTP: path with ids collapsed, no query string
  int status = 0;           // HTTP status code, 0 if none seen
  bool error = false;       // PostgreSQL ErrorResponse, Redis '-' reply, MySQL ERR, HTTP 5xx
  std::string error_text;   // bounded, for the slow/error samples
  bool truncated = false;   // text was cut by the capture limit
  // Of count, those with no reply in the captured response prefix (a deep pipeline
  // of long replies): no error was seen for them, which is not to say none occurred.
  std::uint32_t replies_unseen = 0;
  // Identical operations of one exchange (a pipeline of the same command with the
  // same outcome) are folded into one: they share the exchange's latency. text
  // is the first one's.
  std::uint32_t count = 1;
};

// Decodes the exchanges of one connection in order. Stateful: PostgreSQL
// remembers prepared statement texts by name, MySQL by statement id.
class ConnectionDecoder {
 public:
  virtual ~ConnectionDecoder() = default;
  // Appends what `ex` contains (nothing for handshakes, auth, SSL requests).
  virtual void decode(const Exchange& ex, std::vector<Operation>& out) = 0;
  // True when what decode would append for `ex` depends on ex.request,
  // ex.response and ex.keep_text alone, and decoding it changes nothing carried
  // to the next exchange: the two ends of a connection on one host then decode
  // it alike, and an end may skip it. Redis and HTTP: always; PostgreSQL:
  // requests of simple queries only.
  virtual bool stateless_for(const Exchange& ex) const {
    (void)ex;
    return false;
  }
};

// The protocol of a connection from its first exchange (request and response
// prefixes), or unknown. Cheap; never throws; any bytes are valid input.
Protocol detect(const Exchange& ex);
std::unique_ptr<ConnectionDecoder> make_decoder(Protocol p);

}  // namespace hs::protocols
