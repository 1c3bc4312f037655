// What the database operations made while answering HTTP requests add up to:
// per route, how many queries a request makes and of which shapes (the N+1
// signal); per statement, which routes issue it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/exchange.h"

namespace hs::monitoring {

// A database operation claimed by the request it ran inside.
struct ClaimedQuery {
  protocols::Protocol system = protocols::Protocol::unknown;
  std::string_view fingerprint;  // valid until the next note()/claim() of the matcher
  std::uint64_t count = 0;       // operations (folded pipelines count each)
  std::uint64_t total_ns = 0;    // their summed latency
};

// Distribution of queries per request over fixed bounds (exact up to 6, then
// coarser); the percentile is the bound of the bucket that holds the rank.
class QueriesPerRequest {
 public:
  static constexpr std::array<std::uint32_t, 23> kBounds = {0,  1,  2,  3,  4,  5,   6,   8,   10,  12,  15, 20,
                                                            25, 30, 40, 50, 75, 100, 150, 200, 300, 500, 1000};

  void add(std::uint64_t queries, std::uint64_t requests = 1);
  void merge(const QueriesPerRequest& o);
  std::uint64_t percentile(double q) const;  // 0 when empty; past the last bound: the max
  double mean() const;
  std::uint64_t requests() const { return requests_; }
  std::uint64_t queries() const { return queries_; }
  std::uint64_t max() const { return max_; }

 private:
  std::array<std::uint64_t, kBounds.size() + 1> buckets_{};  // the last: above every bound
  std::uint64_t requests_ = 0, queries_ = 0, max_ = 0;
};

// One statement shape a route's requests made.
struct RouteQuery {
  protocols::Protocol system = protocols::Protocol::unknown;
  std::string fingerprint;
  std::uint64_t count = 0, total_ns = 0;
};

// The database side of a (server-side) HTTP route.
struct RouteQueries {
  static constexpr std::size_t kMaxShapes = 16;  // kept per route; later ones are counted in other_count

  QueriesPerRequest per_request;
  std::vector<RouteQuery> shapes;
  std::uint64_t other_count = 0;

  void add(const std::vector<ClaimedQuery>& claimed, std::uint64_t requests);
  void merge(const RouteQueries& o);
  // The `n` shapes with the most operations.
  std::vector<RouteQuery> top(std::size_t n) const;
};

// A route that issued a statement, and how many times.
struct RouteShare {
  std::string method, route;
  std::uint64_t count = 0;
};

// The routes of one statement (the first kMaxRoutes; later ones in other_count).
struct StatementRoutes {
  static constexpr std::size_t kMaxRoutes = 8;

  std::vector<RouteShare> routes;
  std::uint64_t other_count = 0;

  void add(std::string_view method, std::string_view route, std::uint64_t count);
  void merge(const StatementRoutes& o);
};

}  // namespace hs::monitoring
