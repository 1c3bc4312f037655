#include "web/routes/network_json.h"

#include "web/routes/json_error.h"

namespace hs::web {

namespace json = boost::json;

json::object to_json(const monitoring::NetworkEntry& e) {
  return {{"pid", e.pid},
          {"comm", valid_utf8(e.comm)},
          {"remote", e.remote},
          {"connects", e.connects},
          {"connect_failures", e.connect_failures},
          {"connect_p50_ns", e.connect_p50_ns},
          {"srtt_p50_ns", e.srtt_p50_ns},
          {"srtt_p99_ns", e.srtt_p99_ns},
          {"retransmits", e.retransmits},
          {"resets", e.resets},
          {"round_trips", e.round_trips},
          {"rtt_p50_ns", e.rtt_p50_ns},
          {"rtt_p95_ns", e.rtt_p95_ns},
          {"rtt_p99_ns", e.rtt_p99_ns},
          {"direction", e.direction},
          {"local_port", e.local_port},
          {"family", e.family},
          {"connect_p95_ns", e.connect_p95_ns},
          {"connect_p99_ns", e.connect_p99_ns},
          {"srtt_avg_ns", e.srtt_avg_ns},
          {"rttvar_avg_ns", e.rttvar_avg_ns},
          {"resets_sent", e.resets_sent},
          {"resets_received", e.resets_received},
          {"rtt_max_ns", e.rtt_max_ns},
          {"bytes_sent", e.bytes_sent},
          {"bytes_received", e.bytes_received},
          {"exited", e.exited}};
}

json::object to_json(const monitoring::NetworkTotals& t) {
  return {{"connects", t.connects},
          {"connect_failures", t.connect_failures},
          {"retransmits", t.retransmits},
          {"resets", t.resets},
          {"round_trips", t.round_trips},
          {"bytes_sent", t.bytes_sent},
          {"bytes_received", t.bytes_received},
          {"rtt_p50_ns", t.rtt_p50_ns},
          {"rtt_p95_ns", t.rtt_p95_ns},
          {"rtt_p99_ns", t.rtt_p99_ns},
          {"srtt_p50_ns", t.srtt_p50_ns},
          {"srtt_p99_ns", t.srtt_p99_ns},
          {"connections", t.connections},
          {"established", t.established},
          {"connects_per_s", t.connects_per_s},
          {"connect_failures_per_s", t.connect_failures_per_s},
          {"retransmits_per_s", t.retransmits_per_s},
          {"resets_per_s", t.resets_per_s},
          {"round_trips_per_s", t.round_trips_per_s},
          {"bytes_sent_per_s", t.bytes_sent_per_s},
          {"bytes_received_per_s", t.bytes_received_per_s}};
}

json::object to_json(const monitoring::ConnectionEntry& c) {
  return {{"pid", c.pid},
          {"comm", valid_utf8(c.comm)},
          {"local", c.local},
          {"remote", c.remote},
          {"state", c.state},
          {"direction", c.direction},
          {"family", c.family},
          {"srtt_us", c.srtt_us},
          {"rttvar_us", c.rttvar_us},
          {"retransmits", c.retransmits},
          {"bytes_acked", c.bytes_acked},
          {"bytes_received", c.bytes_received},
          {"cwnd", c.cwnd}};
}

}  // namespace hs::web
