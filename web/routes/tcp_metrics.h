// The TCP families of /metrics (SPEC §5.2): connect time, smoothed RTT, round
// trips, retransmits, resets, bytes and live sockets by state.
#pragma once

#include <cstddef>

#include "common/status.h"
#include "monitoring/monitoring_engine.h"
#include "web/routes/prometheus_text.h"

namespace hs::web {

// Adds the families to `x`, at most `max_series` label sets per family.
// Returns the first exposition error (the rest is still written).
Status append_tcp_metrics(prom::Exposition& x, const monitoring::MonitoringEngine& eng, std::size_t max_series);

}  // namespace hs::web
