#include "monitoring/request_queries.h"

#include <algorithm>

namespace hs::monitoring {

void QueriesPerRequest::add(std::uint64_t queries, std::uint64_t requests) {
  if (requests == 0) return;
  auto it = std::lower_bound(kBounds.begin(), kBounds.end(), queries);
  buckets_[static_cast<std::size_t>(it - kBounds.begin())] += requests;
  requests_ += requests;
  queries_ += queries * requests;
  max_ = std::max(max_, queries);
}

void QueriesPerRequest::merge(const QueriesPerRequest& o) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  requests_ += o.requests_;
  queries_ += o.queries_;
  max_ = std::max(max_, o.max_);
}

std::uint64_t QueriesPerRequest::percentile(double q) const {
  if (requests_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The smallest bucket whose cumulative count reaches rank ceil(q * n) (at least 1).
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(requests_));
  if (static_cast<double>(rank) < q * static_cast<double>(requests_)) ++rank;
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min<std::uint64_t>(kBounds[i], max_);
  }
  return max_;
}

double QueriesPerRequest::mean() const {
  return requests_ ? static_cast<double>(queries_) / static_cast<double>(requests_) : 0.0;
}

void RouteQueries::add(const std::vector<ClaimedQuery>& claimed, std::uint64_t requests) {
  std::uint64_t total = 0;
  for (const ClaimedQuery& c : claimed) {
    total += c.count;
    auto it = std::find_if(shapes.begin(), shapes.end(), [&](const RouteQuery& s) {
      return s.system == c.system && s.fingerprint == c.fingerprint;
    });
    if (it == shapes.end() && shapes.size() < kMaxShapes) {
      shapes.push_back(RouteQuery{c.system, std::string(c.fingerprint), 0, 0});
      it = shapes.end() - 1;
    }
    if (it == shapes.end()) {
      other_count += c.count;
      continue;
    }
    it->count += c.count;
    it->total_ns += c.total_ns;
  }
  // Folded HTTP requests share what they made.
  if (requests > 0) per_request.add(total / requests, requests);
}

void RouteQueries::merge(const RouteQueries& o) {
  per_request.merge(o.per_request);
  other_count += o.other_count;
  for (const RouteQuery& q : o.shapes) {
    auto it = std::find_if(shapes.begin(), shapes.end(),
                           [&](const RouteQuery& s) { return s.system == q.system && s.fingerprint == q.fingerprint; });
    if (it != shapes.end()) {
      it->count += q.count;
      it->total_ns += q.total_ns;
    } else if (shapes.size() < kMaxShapes) {
      shapes.push_back(q);
    } else {
      other_count += q.count;
    }
  }
}

std::vector<RouteQuery> RouteQueries::top(std::size_t n) const {
  std::vector<RouteQuery> out = shapes;
  std::stable_sort(out.begin(), out.end(), [](const RouteQuery& a, const RouteQuery& b) { return a.count > b.count; });
  if (out.size() > n) out.resize(n);
  return out;
}

void StatementRoutes::add(std::string_view method, std::string_view route, std::uint64_t count) {
  auto it = std::find_if(routes.begin(), routes.end(),
                         [&](const RouteShare& r) { return r.method == method && r.route == route; });
  if (it != routes.end()) {
    it->count += count;
  } else if (routes.size() < kMaxRoutes) {
    routes.push_back(RouteShare{std::string(method), std::string(route), count});
  } else {
    other_count += count;
  }
}

void StatementRoutes::merge(const StatementRoutes& o) {
  for (const RouteShare& r : o.routes) add(r.method, r.route, r.count);
  other_count += o.other_count;
}

}  // namespace hs::monitoring
