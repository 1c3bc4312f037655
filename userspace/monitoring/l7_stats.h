// Per-(process, statement) and per-(process, endpoint) statistics of decoded
// L7 operations (database statements, HTTP requests), and the names the API uses.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "monitoring/op_totals.h"
#include "monitoring/request_queries.h"
#include "protocols/l7_reading.h"

namespace hs::monitoring {

using protocols::Protocol;

// What entries past a cardinality cap are merged into (fingerprint, method, route).
inline constexpr std::string_view kOther = "other";
inline constexpr std::array<std::string_view, 3> kDatabaseSystems = {"postgresql", "mysql", "redis"};
inline constexpr std::array<std::string_view, 2> kSides = {"client", "server"};
inline constexpr std::array<std::string_view, 4> kStatusClasses = {"2xx", "3xx", "4xx", "5xx"};
inline constexpr std::size_t kClass4xx = 2, kClass5xx = 3;  // indexes into kStatusClasses

bool is_database(Protocol p);
using protocols::protocol_name;  // "postgresql" | "mysql" | "redis" | "http" | "unknown"
std::optional<Protocol> database_system(std::string_view name);
inline std::string_view side_name(bool server_side) { return kSides[server_side ? 1 : 0]; }
// 0 for 2xx .. 3 for 5xx; nullopt for no status or any other class.
std::optional<std::size_t> status_class(int status);
// Stable id of a statement across processes, restarts and hosts: FNV-1a 64 of
// the system name, a NUL and the fingerprint, as 16 lowercase hex digits.
std::string fingerprint_id(Protocol system, std::string_view fingerprint);
bool valid_fingerprint_id(std::string_view id);

// Heterogeneous keys: operations are looked up by views, so counting one does not allocate.
struct DbKey {
  Protocol system = Protocol::unknown;
  bool server_side = false;
  std::string fingerprint;
};
struct DbKeyView {
  Protocol system = Protocol::unknown;
  bool server_side = false;
  std::string_view fingerprint;
};
struct DbKeyLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::tuple(a.system, a.server_side, std::string_view(a.fingerprint)) <
           std::tuple(b.system, b.server_side, std::string_view(b.fingerprint));
  }
};

struct HttpKey {
  bool server_side = false;
  std::string method, route;
};
struct HttpKeyView {
  bool server_side = false;
  std::string_view method, route;
};
struct HttpKeyLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::tuple(a.server_side, std::string_view(a.method), std::string_view(a.route)) <
           std::tuple(b.server_side, std::string_view(b.method), std::string_view(b.route));
  }
};

// The history an "other" entry took over from the entries folded into it (it is
// in the entry's totals already). The Prometheus series and the interval
// percentiles leave it out, so that a fold is not taken for new activity.
struct Carried {
  OpTotals ops;
  std::array<std::uint64_t, 4> status{};  // HTTP: 2xx .. 5xx

  void merge(const Carried& o);
};

// One statement fingerprint of one process, on one side of the connection.
struct DbStat {
  static constexpr std::size_t kMaxRemotes = 8;

  OpTotals ops;
  std::uint64_t replies_unseen = 0;  // operations whose reply lay past the captured prefix
  std::string id;  // fingerprint_id
  std::string last_remote;
  std::vector<std::string> remotes;  // the first kMaxRemotes distinct remotes
  bool tls = false;                  // any operation came through the TLS hooks
  // The slowest operation's text; its fingerprint when literals were not captured.
  std::string sample;
  bool sample_has_literals = false;
  std::uint64_t sample_ns = 0;
  StatementRoutes routes;  // client side: the HTTP routes whose requests made it
  std::unique_ptr<Carried> carried;  // "other" entries that took folded ones in

  void add(const protocols::L7Reading& r, std::uint64_t latency_ns, bool capture_literals);
  // Takes a folded entry in: its totals, remotes, routes, and its sample if slower.
  void absorb(const DbStat& o);
};

// One (method, route) of one process, on one side.
struct HttpStat {
  OpTotals ops;
  std::array<std::uint64_t, 4> status{};  // 2xx, 3xx, 4xx, 5xx responses
  // Server side: the response bytes written. Client side: bytes_out stays 0 (the
  // capture does not report request sizes) and the response bytes read go to bytes_in.
  std::uint64_t bytes_out = 0, bytes_in = 0;
  RouteQueries queries;  // server side: the database operations its requests made
  std::unique_ptr<Carried> carried;  // "other" entries that took folded ones in

  void add(const protocols::L7Reading& r, std::uint64_t latency_ns);
  void merge(const HttpStat& o);  // all of it; `carried` is not kept
  // Merges o without what it carries: activity only, for series.
  void merge_live(const HttpStat& o);
  // Takes a folded entry in: merged, and remembered as carried.
  void absorb(const HttpStat& o);
};

// A database stat's totals without what it carries.
OpTotals live_ops(const DbStat& st);

}  // namespace hs::monitoring
