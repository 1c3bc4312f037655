// Turns the kernel's exchange records into decoded operations: one protocol
// decoder per connection (by socket cookie), created at the connection's first
// exchange, kept while it is used, bounded in number.
#pragma once

#include <cstdint>
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
};

struct TableCounters {
  std::uint64_t exchanges = 0;     // records decoded
  std::uint64_t operations = 0;    // operations decoded (a reading may carry several)
  std::uint64_t undecodable = 0;   // records of connections whose protocol nobody recognised
  std::uint64_t evicted = 0;       // decoders dropped for room or idleness
  // Requests estimated to lie past the captured prefix of a request (deep
  // pipelines): not decoded, so not counted anywhere else.
  std::uint64_t beyond_prefix = 0;
};

class ConnectionTable {
 public:
  explicit ConnectionTable(TableLimits limits = {}) : limits_(limits) {}

  // Decodes one record (its fixed part plus the request/response prefixes) and
  // appends a reading per operation found. `now_ns` is CLOCK_MONOTONIC.
  void decode(const hs_l7_record& rec, std::string_view request, std::string_view response, std::uint64_t now_ns,
              std::vector<protocols::L7Reading>& out);
  // Forgets connections idle for longer than the limit.
  void evict_idle(std::uint64_t now_ns);
  // Whether operations carry their literal texts (capture_literals); on by default.
  void set_keep_texts(bool on) { keep_texts_ = on; }

  std::size_t size() const { return conns_.size(); }
  const TableCounters& counters() const { return counters_; }

 private:
  struct Conn {
    std::unique_ptr<protocols::ConnectionDecoder> decoder;  // null: protocol not recognised
    std::string remote;
    std::uint64_t last_ns = 0;
  };
  Conn& conn_for(const hs_l7_record& rec, const protocols::Exchange& ex, std::uint64_t now_ns);
  void evict_oldest();

  TableLimits limits_;
  std::unordered_map<std::uint64_t, Conn> conns_;
  TableCounters counters_;
  bool keep_texts_ = true;
  std::vector<protocols::Operation> ops_;  // scratch
};

// "10.0.0.5:5432", "10.0.0.7:*" (server side), "unix:/run/postgresql/.s.PGSQL.5432".
std::string remote_of(const hs_l7_record& rec);

}  // namespace hs::l7
