#include "monitoring/request_attribution.h"

#include <algorithm>

#include "monitoring/process_l7.h"

namespace hs::monitoring {
namespace {

constexpr std::string_view kOtherShape = "other";

std::uint64_t shape_hash(protocols::Protocol system, std::string_view fingerprint) {
  std::uint64_t h = 14695981039346656037ull;
  h = (h ^ static_cast<std::uint8_t>(system)) * 1099511628211ull;
  for (char c : fingerprint) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

}  // namespace

std::uint32_t RequestAttribution::shape_of(Process& p, const protocols::Operation& op) {
  std::string_view fp = statement_fingerprint(op);
  std::uint64_t h = shape_hash(op.protocol, fp);
  if (auto it = p.shape_by_hash.find(h); it != p.shape_by_hash.end()) return it->second;
  if (p.shapes.size() >= limits_.shapes_per_process) {
    h = shape_hash(op.protocol, kOtherShape);
    if (auto it = p.shape_by_hash.find(h); it != p.shape_by_hash.end()) return it->second;
    fp = kOtherShape;
  }
  auto idx = static_cast<std::uint32_t>(p.shapes.size());
  p.shapes.push_back(Shape{op.protocol, std::string(fp)});
  p.shape_by_hash.emplace(h, idx);
  return idx;
}

void RequestAttribution::trim(Process& p) {
  const std::uint64_t floor = p.latest_ns > limits_.horizon_ns ? p.latest_ns - limits_.horizon_ns : 0;
  while (!p.queue.empty() &&
         (p.queue.size() > limits_.per_process || p.queue.front().claimed || p.queue.front().end_ns < floor)) {
    if (!p.queue.front().claimed) ++unclaimed_;
    p.queue.pop_front();
  }
}

void RequestAttribution::note(const protocols::L7Reading& query) {
  auto it = procs_.find(query.tgid);
  if (it == procs_.end()) {
    if (procs_.size() >= limits_.processes) {
      ++unclaimed_;
      return;
    }
    it = procs_.emplace(query.tgid, Process{}).first;
  }
  Process& p = it->second;
  Noted n;
  n.tid = query.tid;
  n.shape = shape_of(p, query.op);
  n.start_ns = query.request_ns;
  n.end_ns = std::max(query.response_ns, query.request_ns);
  n.count = query.op.count;
  p.latest_ns = std::max(p.latest_ns, n.end_ns);
  p.queue.push_back(n);
  trim(p);
}

void RequestAttribution::claim(const protocols::L7Reading& request, std::vector<ClaimedQuery>& out) {
  auto it = procs_.find(request.tgid);
  if (it == procs_.end()) return;
  Process& p = it->second;
  const std::size_t first = out.size();
  for (Noted& n : p.queue) {
    if (n.claimed || n.tid != request.tid || n.start_ns < request.request_ns || n.end_ns > request.response_ns)
      continue;
    n.claimed = true;
    const Shape& s = p.shapes[n.shape];
    const std::uint64_t total = (n.end_ns - n.start_ns) * n.count;
    auto same = std::find_if(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), [&](const ClaimedQuery& c) {
      return c.system == s.system && c.fingerprint == s.fingerprint;
    });
    if (same != out.end()) {
      same->count += n.count;
      same->total_ns += total;
    } else {
      out.push_back(ClaimedQuery{s.system, s.fingerprint, n.count, total});
    }
  }
  trim(p);
}

void RequestAttribution::forget(std::uint32_t tgid) {
  auto it = procs_.find(tgid);
  if (it == procs_.end()) return;
  for (const Noted& n : it->second.queue) unclaimed_ += n.claimed ? 0 : 1;
  procs_.erase(it);
}

std::size_t RequestAttribution::waiting() const {
  std::size_t n = 0;
  for (const auto& [tgid, p] : procs_) n += p.queue.size();
  return n;
}

}  // namespace hs::monitoring
