// Turns the kernel's exchange records into decoded operations: one protocol
// decoder per connection (by socket cookie), created at the connection's first
// exchange, kept while it is used, bounded in number.
//
// A connection with its client and server on this host is captured at both
// sockets: each exchange arrives twice, with the same bytes. For exchanges a
// decoder reads without connection state (Redis, HTTP, PostgreSQL simple
// queries) the end that comes first is decoded and its operations kept; the
// other end, if its bytes are the same, takes them instead of decoding again.
// The ends are matched by ports (TCP) or socket cookies (Unix) and proven by
// the bytes.
//
// The kernel says when a connection closes (HS_L7_F_CLOSED records), and it is
// forgotten then; connections that are not seen closing (TLS, a Unix end that
// closed without reading) go when idle, or the least recently used when full.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hostscope/wire.h"
#include "protocols/exchange.h"
#include "protocols/l7_reading.h"

namespace hs::l7 {

struct TableLimits {
  std::size_t max_connections = 65536;        // decoders kept at once; the least recently used goes first
  std::uint64_t idle_ns = 600'000'000'000ull;  // a connection silent this long is forgotten (10 min)
  // Memory for exchanges kept for the other end of connections whose client
  // and server are both on this host (see ConnectionTable).
  std::size_t max_kept_bytes = 8u << 20;
};

struct TableCounters {
  std::uint64_t exchanges = 0;     // records decoded
  std::uint64_t operations = 0;    // operations decoded (a reading may carry several)
  std::uint64_t undecodable = 0;   // records of connections whose protocol nobody recognised
  std::uint64_t evicted = 0;       // decoders dropped for room or idleness
  std::uint64_t closed = 0;        // decoders dropped because their connection closed
  // Requests estimated to lie past the captured prefix of a request (deep
  // pipelines): not decoded, so not counted anywhere else.
  std::uint64_t beyond_prefix = 0;
  // Exchanges of a connection with both ends on this host, decoded at one end
  // and read at the other from that decoding.
  std::uint64_t shared = 0;
};

class ConnectionTable {
 public:
  explicit ConnectionTable(TableLimits limits = {}) : limits_(limits) {}

  // Decodes one record (its fixed part plus the request/response prefixes) and
  // appends a reading per operation found; a closed record (HS_L7_F_CLOSED)
  // forgets its connection instead. `now_ns` is CLOCK_MONOTONIC and never goes back.
  void decode(const hs_l7_record& rec, std::string_view request, std::string_view response, std::uint64_t now_ns,
              std::vector<protocols::L7Reading>& out);
  // Forgets connections idle for longer than the limit.
  void evict_idle(std::uint64_t now_ns);
  // Whether operations carry their literal texts (capture_literals); on by default.
  void set_keep_texts(bool on) { keep_texts_ = on; }

  std::size_t size() const { return conns_.size(); }
  bool contains(std::uint64_t conn_id) const { return conns_.contains(conn_id); }
  // Memory held for the other ends of local connections (within TableLimits::max_kept_bytes).
  std::size_t kept_bytes() const { return kept_bytes_; }
  const TableCounters& counters() const { return counters_; }

 private:
  // The last exchange decoded at one end of a local connection, for the other end.
  struct Kept {
    bool valid = false;
    bool texts = false;         // Exchange::keep_text it was decoded with
    std::size_t request = 0;    // how many of bytes are the request
    std::string bytes;          // request then response
    std::vector<protocols::Operation> ops;
    std::size_t cost = 0;       // memory held, counted against TableLimits::max_kept_bytes
    bool matches(const protocols::Exchange& ex) const;
  };
  struct Ends;
  struct Conn {
    std::unique_ptr<protocols::ConnectionDecoder> decoder;  // null: protocol not recognised
    protocols::RemoteName remote;
    std::uint64_t last_ns = 0;
    std::list<std::uint64_t>::iterator use;  // its place in lru_
    std::uint64_t pair = 0;  // ends_ key (see pair_key); 0: its other end cannot be named
    Ends* ends = nullptr;    // its entry in ends_ while it holds a slot there
    bool server = false;
    Kept kept;
  };
  // The two ends of a connection on this host. Map nodes do not move, so the
  // pointers hold until the entry or connection is erased (forget keeps both
  // sides in step).
  struct Ends {
    Conn* client = nullptr;
    Conn* server = nullptr;
  };
  using ConnMap = std::unordered_map<std::uint64_t, Conn>;

  Conn& conn_for(const hs_l7_record& rec, const protocols::Exchange& ex, std::uint64_t now_ns);
  void evict_oldest();
  void closed(const hs_l7_record& rec);
  ConnMap::iterator forget(ConnMap::iterator it);
  void take_slot(Conn& c);
  static Conn* other_end(const Conn& c);
  bool take_from_other_end(const Conn& c, const protocols::Exchange& ex);
  void keep_for_other_end(Conn& c, const protocols::Exchange& ex);
  void set_cost(Kept& k, std::size_t cost);

  static constexpr std::size_t kMaxKeptOps = 32;  // larger decodings are not kept

  TableLimits limits_;
  ConnMap conns_;
  std::list<std::uint64_t> lru_;  // conns_' keys, the least recently used first
  std::unordered_map<std::uint64_t, Ends> ends_;  // by (family, server port, client port) or the Unix cookies
  std::size_t kept_bytes_ = 0;                      // the sum of every Kept::cost
  TableCounters counters_;
  bool keep_texts_ = true;
  std::vector<protocols::Operation> ops_;  // scratch
};

// "10.0.0.5:5432", "10.0.0.7:*" (server side), "unix:/run/postgresql/.s.PGSQL.5432".
std::string remote_of(const hs_l7_record& rec);

}  // namespace hs::l7
