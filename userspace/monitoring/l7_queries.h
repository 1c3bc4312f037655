// What the monitoring engine answers about L7 operations: per-process database
// and HTTP entries (SPEC §5.1 "database", "http"), lists aggregated across
// processes, the slow-query log, host totals and Prometheus aggregates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "monitoring/l7_stats.h"

namespace hs::monitoring {

// Server-side HTTP: the database operations its requests made on their own thread.
struct RequestQueriesView {
  static constexpr std::size_t kTop = 10;
  std::uint64_t requests = 0, queries = 0, p50 = 0, p95 = 0, max = 0;  // per request, except the totals
  double mean = 0;
  std::vector<RouteQuery> top;  // most operations first, at most kTop
  std::uint64_t other_count = 0;

  static RequestQueriesView of(const RouteQueries& q);
};

struct DatabaseEntry {
  std::uint32_t pid = 0;
  std::string comm;
  std::string system, side;          // postgresql | mysql | redis; client | server
  std::string remote;                // the last one seen
  std::vector<std::string> remotes;  // the first few distinct ones
  std::string fingerprint, fingerprint_id, sample;
  std::uint64_t count = 0, errors = 0, total_ns = 0, p50_ns = 0, p95_ns = 0, p99_ns = 0, max_ns = 0;
  // Of count, those whose reply lay past the captured response prefix (deep
  // pipelines of long replies): their errors, if any, are not in `errors`.
  std::uint64_t replies_unseen = 0;
  bool tls = false;
  bool exited = false;
  StatementRoutes http_routes;  // client side: the routes whose requests made it
};

struct DatabaseQuery {
  std::optional<std::uint32_t> pid = std::nullopt;
  std::optional<std::string> comm = std::nullopt;
  std::optional<std::string> system = std::nullopt;
  std::optional<std::string> side = std::nullopt;
  std::optional<std::string> fingerprint_id = std::nullopt;
  std::size_t limit = 1000;
};

struct HttpEntry {
  std::uint32_t pid = 0;
  std::string comm, side, method, route;
  std::uint64_t count = 0, status_2xx = 0, status_3xx = 0, status_4xx = 0, status_5xx = 0, errors = 0;
  std::uint64_t total_ns = 0, p50_ns = 0, p95_ns = 0, p99_ns = 0, max_ns = 0;
  std::uint64_t bytes_out = 0, bytes_in = 0;
  bool exited = false;
  std::optional<RequestQueriesView> db;  // server side only
};

struct HttpQuery {
  std::optional<std::uint32_t> pid = std::nullopt;
  std::optional<std::string> comm = std::nullopt;
  std::optional<std::string> side = std::nullopt;
  std::optional<std::string> method = std::nullopt;
  std::optional<std::string> route = std::nullopt;
  std::size_t limit = 1000;
};

// Orders of the aggregated lists, largest first.
enum class L7Sort { total, count, p95, errors, status_5xx };

// One process's part in an aggregated statement or endpoint.
struct ProcessShare {
  std::uint32_t pid = 0;
  std::string comm, side;
  std::uint64_t count = 0;
  bool exited = false;
};

// Totals that aggregated lists share, with the processes that contributed (most operations first).
struct L7Aggregate {
  static constexpr std::size_t kMaxProcesses = 20;

  std::uint64_t count = 0, errors = 0, total_ns = 0, p50_ns = 0, p95_ns = 0, p99_ns = 0, max_ns = 0;
  std::vector<ProcessShare> processes;  // at most kMaxProcesses
  std::size_t process_count = 0;
};

// One statement across processes, by (system, fingerprint).
struct QueryStats : L7Aggregate {
  std::string fingerprint_id, fingerprint, system, sample;
  std::uint64_t replies_unseen = 0;  // see DatabaseEntry
  bool tls = false;
  StatementRoutes http_routes;
};

struct QueryListFilter {
  std::optional<std::string> system = std::nullopt;
  std::optional<std::string> side = std::nullopt;
  std::optional<std::uint32_t> pid = std::nullopt;
  std::optional<std::string> comm = std::nullopt;
  L7Sort sort = L7Sort::total;
  std::size_t limit = 100, offset = 0;
};

struct QueryList {
  std::vector<QueryStats> queries;
  std::size_t total = 0;  // matching the filters, before limit/offset
};

// One endpoint across processes, by (side, method, route).
struct EndpointStats : L7Aggregate {
  std::string method, route, side;
  std::uint64_t status_2xx = 0, status_3xx = 0, status_4xx = 0, status_5xx = 0;
  std::uint64_t bytes_out = 0, bytes_in = 0;
  std::optional<RequestQueriesView> db;  // server side only
};

struct EndpointListFilter {
  std::optional<std::string> side = std::nullopt;
  std::optional<std::uint32_t> pid = std::nullopt;
  std::optional<std::string> comm = std::nullopt;
  std::optional<std::string> method = std::nullopt;
  std::optional<std::string> route = std::nullopt;
  L7Sort sort = L7Sort::total;
  std::size_t limit = 100, offset = 0;
};

struct EndpointList {
  std::vector<EndpointStats> endpoints;
  std::size_t total = 0;
};

// Host-wide KPIs of one L7 layer: cumulative totals, the last interval's rates and
// the minute in progress.
struct L7Totals {
  std::uint64_t ops = 0, errors = 0, status_4xx = 0, status_5xx = 0;  // statuses: HTTP only
  std::uint64_t p50_ns = 0, p95_ns = 0, p99_ns = 0;                   // over everything
  double rate_per_s = 0, errors_per_s = 0;                            // last interval; HTTP errors are 5xx
  double minute_rate_per_s = 0;
  std::uint64_t minute_p50_ns = 0, minute_p95_ns = 0, minute_p99_ns = 0;
  std::uint64_t slow_total = 0, slow_kept = 0;  // database: slow or failed operations logged, and still in the ring
};

// Prometheus: one (system, fingerprint id, side) across processes.
struct DatabaseSeries {
  std::string system, fingerprint_id, side;
  OpTotals ops;  // activity: what "other" entries carry is left out (see Carried)
};

// Prometheus: one (side, method, route) across processes.
struct HttpSeries {
  std::string side, method, route;
  HttpStat stat;
};

}  // namespace hs::monitoring
