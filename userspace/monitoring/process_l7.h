// One process's L7 activity: a record per (system, side, statement fingerprint)
// and per (side, method, route), each bounded by a per-process cap. At the cap, a
// new one makes room by folding the least busy quarter (by total time) into
// "other", so the busiest are held however late they first appear.
#pragma once

#include <cstddef>
#include <map>

#include "monitoring/l7_stats.h"

namespace hs::monitoring {

class ProcessL7 {
 public:
  using Statements = std::map<DbKey, DbStat, DbKeyLess>;
  using Endpoints = std::map<HttpKey, HttpStat, HttpKeyLess>;

  // Counts one database operation. A fingerprint not seen before while the process
  // already holds `max_fingerprints` first folds the least busy quarter of them
  // into their (system, side, "other").
  void add_statement(const protocols::L7Reading& r, std::uint64_t latency_ns, std::size_t max_fingerprints,
                     bool capture_literals);
  // Counts one HTTP request. A new (side, method, route) past `max_routes` folds
  // the least busy quarter into (side, "other", "other") likewise. `claimed`: the client-side database
  // operations a server-side request made (see RequestAttribution).
  void add_request(const protocols::L7Reading& r, std::uint64_t latency_ns, std::size_t max_routes,
                   const std::vector<ClaimedQuery>& claimed = {});

  const Statements& statements() const { return statements_; }
  const Endpoints& endpoints() const { return endpoints_; }
  bool empty() const { return statements_.empty() && endpoints_.empty(); }
  std::size_t held_bytes() const;  // roughly, in memory

 private:
  Statements statements_;
  Endpoints endpoints_;
  std::size_t named_statements_ = 0, named_endpoints_ = 0;  // held entries other than "other"
};

// The fingerprint an operation is counted under: the decoder's, else its verb or command.
std::string_view statement_fingerprint(const protocols::Operation& op);

}  // namespace hs::monitoring
