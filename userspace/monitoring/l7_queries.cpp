// MonitoringEngine: what it answers about L7 operations (per-process entries,
// lists aggregated across processes, the slow-query log, totals, Prometheus).
#include <algorithm>
#include <map>
#include <tuple>

#include "monitoring/capping.h"
#include "monitoring/monitoring_engine.h"

namespace hs::monitoring {
namespace {

// One per-process record matched by a query; entries are built only for those returned.
template <typename Key, typename Stat>
struct Hit {
  const ProcessRecord* rec;
  const Key* key;
  const Stat* stat;
};

bool accepts(const ProcessRecord& rec, const std::optional<std::uint32_t>& pid,
             const std::optional<std::string>& comm) {
  return (!pid || rec.meta.pid == *pid) && (!comm || rec.meta.comm == *comm);
}

template <typename T>
void fill_percentiles(T& out, const Histogram& h) {
  out.p50_ns = h.percentile(0.50);
  out.p95_ns = h.percentile(0.95);
  out.p99_ns = h.percentile(0.99);
}

template <typename T>
void fill_totals(T& out, const OpTotals& ops) {
  out.count = ops.count;
  out.errors = ops.errors;
  out.total_ns = ops.total_ns;
  out.max_ns = ops.max_ns;
  fill_percentiles(out, ops.hist);
}

// Keeps the `limit` hits with the most total time (ties: pid, then key order).
template <typename Key, typename Stat, typename Less>
void keep_top(std::vector<Hit<Key, Stat>>& hits, std::size_t limit, Less less) {
  auto order = [&less](const Hit<Key, Stat>& a, const Hit<Key, Stat>& b) {
    if (a.stat->ops.total_ns != b.stat->ops.total_ns) return a.stat->ops.total_ns > b.stat->ops.total_ns;
    if (a.rec->meta.pid != b.rec->meta.pid) return a.rec->meta.pid < b.rec->meta.pid;
    return less(*a.key, *b.key);
  };
  const std::size_t n = std::min(hits.size(), limit);
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(), order);
  hits.resize(n);
}

// Literals are shown only while capture_literals is on, even if captured earlier.
const std::string& shown_sample(const DbKey& key, const DbStat& st, bool capture_literals) {
  if (st.sample.empty() || (st.sample_has_literals && !capture_literals)) return key.fingerprint;
  return st.sample;
}

std::uint64_t sort_value(const L7Aggregate& a, L7Sort sort, std::uint64_t status_5xx) {
  switch (sort) {
    case L7Sort::count:
      return a.count;
    case L7Sort::p95:
      return a.p95_ns;
    case L7Sort::errors:
      return a.errors;
    case L7Sort::status_5xx:
      return status_5xx;
    case L7Sort::total:
      break;
  }
  return a.total_ns;
}

// An aggregate under construction: the merged totals and every contributing process.
template <typename Stats, typename Totals>
struct Accumulated {
  Stats stats;
  Totals totals;
  std::vector<ProcessShare> shares;
};

void finish_shares(L7Aggregate& a, std::vector<ProcessShare>& shares) {
  std::stable_sort(shares.begin(), shares.end(), [](const auto& x, const auto& y) { return x.count > y.count; });
  a.process_count = shares.size();
  if (shares.size() > L7Aggregate::kMaxProcesses) shares.resize(L7Aggregate::kMaxProcesses);
  a.processes = std::move(shares);
}

// Sorts `all` (largest first, map order on ties) and keeps the page [offset, offset + limit).
template <typename Stats, typename Five>
std::vector<Stats> page_of(std::vector<Stats> all, L7Sort sort, std::size_t offset, std::size_t limit, Five fives) {
  std::stable_sort(all.begin(), all.end(), [&](const Stats& a, const Stats& b) {
    return sort_value(a, sort, fives(a)) > sort_value(b, sort, fives(b));
  });
  const std::size_t from = std::min(offset, all.size());
  const std::size_t to = from + std::min(limit, all.size() - from);
  return {std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(from)),
          std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(to))};
}

L7Totals layer_totals(const OpTotals& all, const Histogram& minute_hist) {
  L7Totals t;
  t.ops = all.count;
  t.errors = all.errors;
  t.p50_ns = all.hist.percentile(0.50);
  t.p95_ns = all.hist.percentile(0.95);
  t.p99_ns = all.hist.percentile(0.99);
  t.minute_p50_ns = minute_hist.percentile(0.50);
  t.minute_p95_ns = minute_hist.percentile(0.95);
  t.minute_p99_ns = minute_hist.percentile(0.99);
  return t;
}

}  // namespace

RequestQueriesView RequestQueriesView::of(const RouteQueries& q) {
  RequestQueriesView v;
  v.requests = q.per_request.requests();
  v.queries = q.per_request.queries();
  v.p50 = q.per_request.percentile(0.50);
  v.p95 = q.per_request.percentile(0.95);
  v.max = q.per_request.max();
  v.mean = q.per_request.mean();
  v.top = q.top(kTop);
  // Shapes not in `top` count as other, with those past the per-route cap.
  v.other_count = q.other_count;
  for (const RouteQuery& s : q.shapes) v.other_count += s.count;
  for (const RouteQuery& s : v.top) v.other_count -= s.count;
  return v;
}

std::vector<DatabaseEntry> MonitoringEngine::database_entries(const DatabaseQuery& q) const {
  std::optional<Protocol> system;
  if (q.system && !(system = database_system(*q.system))) return {};
  std::vector<Hit<DbKey, DbStat>> hits;
  for_each_record([&](const ProcessRecord& rec) {
    if (!accepts(rec, q.pid, q.comm)) return;
    for (const auto& [key, st] : rec.l7.statements()) {
      if (system && key.system != *system) continue;
      if (q.side && side_name(key.server_side) != *q.side) continue;
      if (q.fingerprint_id && st.id != *q.fingerprint_id) continue;
      hits.push_back({&rec, &key, &st});
    }
  });
  keep_top(hits, q.limit, DbKeyLess{});
  std::vector<DatabaseEntry> out;
  out.reserve(hits.size());
  for (const auto& h : hits) {
    DatabaseEntry e;
    e.pid = h.rec->meta.pid;
    e.comm = h.rec->meta.comm;
    e.system = protocol_name(h.key->system);
    e.side = side_name(h.key->server_side);
    e.remote = h.stat->last_remote;
    e.remotes = h.stat->remotes;
    e.fingerprint = h.key->fingerprint;
    e.fingerprint_id = h.stat->id;
    e.sample = shown_sample(*h.key, *h.stat, settings_.capture_literals);
    fill_totals(e, h.stat->ops);
    e.replies_unseen = h.stat->replies_unseen;
    e.tls = h.stat->tls;
    e.exited = h.rec->exited_ms != 0;
    e.http_routes = h.stat->routes;
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<HttpEntry> MonitoringEngine::http_entries(const HttpQuery& q) const {
  std::vector<Hit<HttpKey, HttpStat>> hits;
  for_each_record([&](const ProcessRecord& rec) {
    if (!accepts(rec, q.pid, q.comm)) return;
    for (const auto& [key, st] : rec.l7.endpoints()) {
      if (q.side && side_name(key.server_side) != *q.side) continue;
      if (q.method && key.method != *q.method) continue;
      if (q.route && key.route != *q.route) continue;
      hits.push_back({&rec, &key, &st});
    }
  });
  keep_top(hits, q.limit, HttpKeyLess{});
  std::vector<HttpEntry> out;
  out.reserve(hits.size());
  for (const auto& h : hits) {
    HttpEntry e;
    e.pid = h.rec->meta.pid;
    e.comm = h.rec->meta.comm;
    e.side = side_name(h.key->server_side);
    e.method = h.key->method;
    e.route = h.key->route;
    fill_totals(e, h.stat->ops);
    std::tie(e.status_2xx, e.status_3xx, e.status_4xx, e.status_5xx) =
        std::tuple(h.stat->status[0], h.stat->status[1], h.stat->status[2], h.stat->status[3]);
    e.bytes_out = h.stat->bytes_out;
    e.bytes_in = h.stat->bytes_in;
    e.exited = h.rec->exited_ms != 0;
    if (h.key->server_side) e.db = RequestQueriesView::of(h.stat->queries);
    out.push_back(std::move(e));
  }
  return out;
}

QueryList MonitoringEngine::database_queries(const QueryListFilter& f) const {
  std::optional<Protocol> system;
  if (f.system && !(system = database_system(*f.system))) return {};
  struct Slowest {
    const std::string* sample = nullptr;
    std::uint64_t ns = 0;
  };
  // Keys point into the records' maps, which outlive this call.
  std::map<std::pair<Protocol, std::string_view>, Accumulated<QueryStats, std::pair<OpTotals, Slowest>>> acc;
  for_each_record([&](const ProcessRecord& rec) {
    if (!accepts(rec, f.pid, f.comm)) return;
    for (const auto& [key, st] : rec.l7.statements()) {
      if (system && key.system != *system) continue;
      if (f.side && side_name(key.server_side) != *f.side) continue;
      auto& a = acc[{key.system, key.fingerprint}];
      if (a.stats.fingerprint_id.empty()) {
        a.stats.fingerprint_id = st.id;
        a.stats.fingerprint = key.fingerprint;
        a.stats.system = protocol_name(key.system);
      }
      auto& [ops, slowest] = a.totals;
      ops.merge(st.ops);
      a.stats.replies_unseen += st.replies_unseen;
      a.stats.tls = a.stats.tls || st.tls;
      a.stats.http_routes.merge(st.routes);
      if (!slowest.sample || st.sample_ns > slowest.ns)
        slowest = {&shown_sample(key, st, settings_.capture_literals), st.sample_ns};
      a.shares.push_back(
          {rec.meta.pid, rec.meta.comm, std::string(side_name(key.server_side)), st.ops.count, rec.exited_ms != 0});
    }
  });
  std::vector<QueryStats> all;
  all.reserve(acc.size());
  for (auto& [key, a] : acc) {
    fill_totals(a.stats, a.totals.first);
    a.stats.sample = *a.totals.second.sample;
    finish_shares(a.stats, a.shares);
    all.push_back(std::move(a.stats));
  }
  QueryList out;
  out.total = all.size();
  out.queries = page_of(std::move(all), f.sort, f.offset, f.limit, [](const QueryStats&) { return 0; });
  return out;
}

std::vector<SlowQuery> MonitoringEngine::slow_queries(const QueryListFilter& f, std::size_t limit) const {
  std::optional<Protocol> system;
  if (f.system && !(system = database_system(*f.system))) return {};
  std::vector<SlowQuery> out;
  const auto& log = slow_log_.entries();
  for (auto it = log.rbegin(); it != log.rend() && out.size() < limit; ++it) {
    if (system && it->system != *system) continue;
    if (f.side && side_name(it->server_side) != *f.side) continue;
    if (f.pid && it->pid != *f.pid) continue;
    if (f.comm && it->comm != *f.comm) continue;
    out.push_back(*it);
    if (out.back().text_has_literals && !settings_.capture_literals) {
      out.back().text = out.back().fingerprint;
      out.back().text_has_literals = false;
    }
  }
  return out;
}

EndpointList MonitoringEngine::http_endpoints(const EndpointListFilter& f) const {
  std::map<std::tuple<bool, std::string_view, std::string_view>, Accumulated<EndpointStats, HttpStat>> acc;
  for_each_record([&](const ProcessRecord& rec) {
    if (!accepts(rec, f.pid, f.comm)) return;
    for (const auto& [key, st] : rec.l7.endpoints()) {
      if (f.side && side_name(key.server_side) != *f.side) continue;
      if (f.method && key.method != *f.method) continue;
      if (f.route && key.route != *f.route) continue;
      auto& a = acc[{key.server_side, key.method, key.route}];
      if (a.stats.method.empty()) {
        a.stats.method = key.method;
        a.stats.route = key.route;
        a.stats.side = side_name(key.server_side);
      }
      a.totals.merge(st);
      a.shares.push_back({rec.meta.pid, rec.meta.comm, a.stats.side, st.ops.count, rec.exited_ms != 0});
    }
  });
  std::vector<EndpointStats> all;
  all.reserve(acc.size());
  for (auto& [key, a] : acc) {
    const HttpStat& t = a.totals;
    fill_totals(a.stats, t.ops);
    std::tie(a.stats.status_2xx, a.stats.status_3xx, a.stats.status_4xx, a.stats.status_5xx) =
        std::tuple(t.status[0], t.status[1], t.status[2], t.status[3]);
    a.stats.bytes_out = t.bytes_out;
    a.stats.bytes_in = t.bytes_in;
    if (std::get<0>(key)) a.stats.db = RequestQueriesView::of(t.queries);
    finish_shares(a.stats, a.shares);
    all.push_back(std::move(a.stats));
  }
  EndpointList out;
  out.total = all.size();
  out.endpoints =
      page_of(std::move(all), f.sort, f.offset, f.limit, [](const EndpointStats& e) { return e.status_5xx; });
  return out;
}

L7Totals MonitoringEngine::database_totals() const {
  OpTotals all;
  for_each_record([&](const ProcessRecord& rec) {
    for (const auto& [key, st] : rec.l7.statements()) all.merge(st.ops);
  });
  L7Totals t = layer_totals(all, series_.current_minute_db_hist());
  if (!series_.fine().empty()) {
    t.rate_per_s = series_.fine().back().db_ops_per_s;
    t.errors_per_s = series_.fine().back().db_errors_per_s;
  }
  t.minute_rate_per_s = series_.current_minute().db_ops_per_s;
  t.slow_total = slow_log_.recorded();
  t.slow_kept = slow_log_.entries().size();
  return t;
}

L7Totals MonitoringEngine::http_totals() const {
  HttpStat all;
  for_each_record([&](const ProcessRecord& rec) {
    for (const auto& [key, st] : rec.l7.endpoints()) all.merge(st);
  });
  L7Totals t = layer_totals(all.ops, series_.current_minute_http_hist());
  t.status_4xx = all.status[kClass4xx];
  t.status_5xx = all.status[kClass5xx];
  if (!series_.fine().empty()) {
    t.rate_per_s = series_.fine().back().http_requests_per_s;
    t.errors_per_s = series_.fine().back().http_5xx_per_s;
  }
  t.minute_rate_per_s = series_.current_minute().http_requests_per_s;
  return t;
}

std::vector<DatabaseSeries> MonitoringEngine::database_series(std::size_t max_series) const {
  std::map<std::tuple<Protocol, std::string_view, bool>, DatabaseSeries> agg;
  for_each_record([&](const ProcessRecord& rec) {
    for (const auto& [key, st] : rec.l7.statements()) {
      auto& s = agg[{key.system, st.id, key.server_side}];
      if (s.fingerprint_id.empty()) {
        s.system = protocol_name(key.system);
        s.fingerprint_id = st.id;
        s.side = side_name(key.server_side);
      }
      s.ops.merge(st.carried ? live_ops(st) : st.ops);
    }
  });
  std::vector<DatabaseSeries> all;
  all.reserve(agg.size());
  for (auto& [key, s] : agg) all.push_back(std::move(s));
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.ops.total_ns > b.ops.total_ns; });
  DatabaseSeries other{std::string(kOther), std::string(kOther), std::string(kOther), {}};
  fold_tail(all, max_series, std::move(other), [](DatabaseSeries& o, const DatabaseSeries& s) { o.ops.merge(s.ops); });
  return all;
}

std::vector<HttpSeries> MonitoringEngine::http_series(std::size_t max_series) const {
  std::map<std::tuple<bool, std::string_view, std::string_view>, HttpSeries> agg;
  for_each_record([&](const ProcessRecord& rec) {
    for (const auto& [key, st] : rec.l7.endpoints()) {
      auto& s = agg[{key.server_side, key.method, key.route}];
      if (s.method.empty()) {
        s.side = side_name(key.server_side);
        s.method = key.method;
        s.route = key.route;
      }
      s.stat.merge_live(st);
    }
  });
  std::vector<HttpSeries> all;
  all.reserve(agg.size());
  for (auto& [key, s] : agg) all.push_back(std::move(s));
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.stat.ops.total_ns > b.stat.ops.total_ns; });
  HttpSeries other{std::string(kOther), std::string(kOther), std::string(kOther), {}};
  fold_tail(all, max_series, std::move(other), [](HttpSeries& o, const HttpSeries& s) { o.stat.merge(s.stat); });
  return all;
}

}  // namespace hs::monitoring
