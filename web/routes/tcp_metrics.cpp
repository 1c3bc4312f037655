#include "web/routes/tcp_metrics.h"

#include <algorithm>
#include <string>

#include "monitoring/net_endpoint.h"
#include "web/routes/metrics_writer.h"

namespace hs::web {
namespace {

using prom::MetricType;

constexpr const char* kConnect = "hostscope_tcp_connect_duration_seconds";
constexpr const char* kFailures = "hostscope_tcp_connect_failures_total";
constexpr const char* kSrtt = "hostscope_tcp_srtt_seconds";
constexpr const char* kRetransmits = "hostscope_tcp_retransmits_total";
constexpr const char* kResets = "hostscope_tcp_resets_total";
constexpr const char* kRoundTrip = "hostscope_tcp_round_trip_seconds";
constexpr const char* kBytes = "hostscope_tcp_bytes_total";
constexpr const char* kConnections = "hostscope_tcp_connections";

}  // namespace

Status append_tcp_metrics(prom::Exposition& x, const monitoring::MonitoringEngine& eng, std::size_t max_series) {
  MetricsWriter w(x);
  w.family(kConnect, "TCP connect (SYN_SENT to ESTABLISHED) time by command and remote", MetricType::histogram);
  w.family(kFailures, "TCP connects that failed (refused, reset, timed out)", MetricType::counter);
  w.family(kSrtt, "Smoothed TCP round-trip time samples by command and remote", MetricType::histogram);
  w.family(kRetransmits, "TCP segments retransmitted", MetricType::counter);
  w.family(kRoundTrip, "Request to first response byte on a TCP connection", MetricType::histogram);
  for (const auto& a : eng.network_by_comm(max_series)) {
    const auto& t = a.totals;
    prom::Labels labels{{"comm", a.comm}, {"remote", a.remote}};
    w.histogram(kConnect, labels, t.connect, static_cast<double>(t.connect_total_ns) / 1e9);
    w.sample(kFailures, labels, t.connect_failures);
    w.histogram(kSrtt, labels, t.srtt, static_cast<double>(t.srtt_total_us) / 1e6);
    w.sample(kRetransmits, labels, t.retransmits);
    w.histogram(kRoundTrip, {{"comm", a.comm}, {"remote", a.remote}, {"direction", a.direction}}, t.rtt,
                static_cast<double>(t.rtt_total_ns) / 1e9);
  }

  // Two series per (comm, remote) here, so half as many pairs keep the bound.
  w.family(kResets, "TCP resets by command, remote and kind (sent, received)", MetricType::counter);
  w.family(kBytes, "TCP payload bytes by command, remote and direction (sent, received)", MetricType::counter);
  for (const auto& a : eng.network_by_comm(std::max<std::size_t>(1, max_series / 2))) {
    const auto& t = a.totals;
    w.sample(kResets, {{"comm", a.comm}, {"remote", a.remote}, {"kind", "sent"}}, t.resets_sent);
    w.sample(kResets, {{"comm", a.comm}, {"remote", a.remote}, {"kind", "received"}}, t.resets_received);
    w.sample(kBytes, {{"comm", a.comm}, {"remote", a.remote}, {"direction", "sent"}}, t.bytes_sent);
    w.sample(kBytes, {{"comm", a.comm}, {"remote", a.remote}, {"direction", "received"}}, t.bytes_received);
  }

  w.family(kConnections, "Live TCP sockets by state", MetricType::gauge);
  for (auto state : monitoring::kTcpStateNames) {
    monitoring::ConnectionQuery q;
    q.state = std::string(state);
    q.limit = 0;
    w.sample(kConnections, {{"state", std::string(state)}}, eng.connections(q).total);
  }
  return w.first_error();
}

}  // namespace hs::web
