#include "l7/connection_table.h"

#include <algorithm>
#include <cstring>

#include "common/l7_record.h"
#include "monitoring/net_endpoint.h"

namespace hs::l7 {

std::string remote_of(const hs_l7_record& rec) {
  if (rec.family == HS_AF_UNIX) {
    std::string_view path = l7_path(rec);
    return path.empty() ? std::string("unix") : "unix:" + std::string(path);
  }
  return monitoring::format_remote(rec.role, rec.family, monitoring::AddrBytes(rec.addr), rec.port);
}

ConnectionTable::Conn& ConnectionTable::conn_for(const hs_l7_record& rec, const protocols::Exchange& ex,
                                                 std::uint64_t now_ns) {
  auto it = conns_.find(rec.conn_id);
  if (it != conns_.end()) return it->second;
  if (conns_.size() >= limits_.max_connections) evict_oldest();
  Conn c;
  // The decoders' own recognition first; the kernel's guess only if they see nothing.
  protocols::Protocol p = protocols::detect(ex);
  if (p == protocols::Protocol::unknown) p = static_cast<protocols::Protocol>(rec.protocol);
  c.decoder = protocols::make_decoder(p);
  c.remote = remote_of(rec);
  c.last_ns = now_ns;
  return conns_.emplace(rec.conn_id, std::move(c)).first->second;
}

void ConnectionTable::decode(const hs_l7_record& rec, std::string_view request, std::string_view response,
                             std::uint64_t now_ns, std::vector<protocols::L7Reading>& out) {
  ++counters_.exchanges;
  protocols::Exchange ex;
  ex.server_side = rec.role == HS_NET_ROLE_SERVER;
  ex.request = request;
  ex.request_bytes = rec.req_bytes;
  ex.response = response;
  ex.response_bytes = rec.resp_bytes;
  ex.keep_text = keep_texts_;
  Conn& c = conn_for(rec, ex, now_ns);
  c.last_ns = now_ns;
  if (!c.decoder) {
    ++counters_.undecodable;
    return;
  }
  ops_.clear();
  c.decoder->decode(ex, ops_);
  std::uint64_t seen = 0;
  for (const auto& op : ops_) seen += op.count;
  if (ex.request_bytes > ex.request.size() && seen > 0 && !ex.request.empty()) {
    // As many more as the visible requests' average size fits in what was not kept.
    std::uint64_t unseen = ex.request_bytes - ex.request.size();
    counters_.beyond_prefix += (seen * unseen + ex.request.size() - 1) / ex.request.size();
  }
  counters_.operations += seen;
  for (auto& op : ops_) {
    protocols::L7Reading& r = out.emplace_back();
    r.tgid = rec.tgid;
    r.tid = rec.tid;
    r.conn_id = rec.conn_id;
    r.server_side = ex.server_side;
    r.remote = c.remote;
    r.request_ns = rec.req_ns;
    r.response_ns = rec.resp_ns;
    r.response_bytes = rec.resp_bytes;
    r.tls = (rec.flags & HS_L7_F_TLS) != 0;
    r.op = std::move(op);
  }
}

void ConnectionTable::evict_idle(std::uint64_t now_ns) {
  std::erase_if(conns_, [&](const auto& kv) {
    bool idle = now_ns - kv.second.last_ns > limits_.idle_ns;
    counters_.evicted += idle;
    return idle;
  });
}

void ConnectionTable::evict_oldest() {
  auto oldest = std::min_element(conns_.begin(), conns_.end(),
                                 [](const auto& a, const auto& b) { return a.second.last_ns < b.second.last_ns; });
  if (oldest == conns_.end()) return;
  conns_.erase(oldest);
  ++counters_.evicted;
}

}  // namespace hs::l7
