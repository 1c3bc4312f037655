// One decoded L7 operation with the context the capture knows: which process,
// which connection and side, the remote, and when request and response were seen.
// What the daemon hands to the monitoring engine (ingest_l7).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "common/bounded_text.h"
#include "protocols/exchange.h"

namespace hs::protocols {

// A remote as readings carry it, inline: "unix:" and a socket path of at most 63
// bytes (the kernel keeps no more), or an IPv6 address and port (at most 53).
using RemoteName = BoundedText<71>;

struct L7Reading {
  L7Reading() = default;
  // Every field, so that a reading is built in its place in a vector (no
  // temporary, no zeroing first).
  L7Reading(std::uint32_t tgid_, std::uint32_t tid_, std::uint64_t conn_id_, bool server_side_,
            const RemoteName& remote_, std::uint64_t request_ns_, std::uint64_t response_ns_,
            std::uint64_t response_bytes_, bool tls_, Operation&& op_)
      : tgid(tgid_), tid(tid_), conn_id(conn_id_), server_side(server_side_), remote(remote_), request_ns(request_ns_),
        response_ns(response_ns_), response_bytes(response_bytes_), tls(tls_), op(std::move(op_)) {}

  std::uint32_t tgid = 0;
  std::uint32_t tid = 0;           // the thread that completed the exchange
  std::uint64_t conn_id = 0;       // stable per connection while it lives (socket cookie)
  bool server_side = false;        // this process answered (read the request, wrote the response)
  RemoteName remote;               // "10.0.0.5:5432", "[::1]:6379", "unix:/run/postgresql/.s.PGSQL.5432", "10.0.0.7:*" (server side)
  std::uint64_t request_ns = 0;    // CLOCK_MONOTONIC: first request byte sent (client) / read (server)
  std::uint64_t response_ns = 0;   // first response byte read (client) / written (server)
  std::uint64_t response_bytes = 0;
  bool tls = false;                // plaintext came from TLS library hooks
  Operation op;                    // latency of op = response_ns - request_ns (pipelined ops share it)
};

}  // namespace hs::protocols
