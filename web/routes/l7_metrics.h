// The database and HTTP families of /metrics (SPEC §5.2): statement and request
// latency histograms, database errors, HTTP responses by status class, slow queries.
#pragma once

#include <cstddef>

#include "common/status.h"
#include "monitoring/monitoring_engine.h"
#include "web/routes/prometheus_text.h"

namespace hs::web {

// Adds the families to `x`, at most `max_series` label sets per family.
// Returns the first exposition error (the rest is still written).
Status append_l7_metrics(prom::Exposition& x, const monitoring::MonitoringEngine& eng, std::size_t max_series);

}  // namespace hs::web
