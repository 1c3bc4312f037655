#include "web/routes/l7_metrics.h"

#include <algorithm>
#include <string>

#include "web/routes/metrics_writer.h"

namespace hs::web {
namespace {

using prom::MetricType;

constexpr const char* kDbDuration = "hostscope_db_query_duration_seconds";
constexpr const char* kDbErrors = "hostscope_db_query_errors_total";
constexpr const char* kDbSlow = "hostscope_db_slow_queries_total";
constexpr const char* kHttpDuration = "hostscope_http_request_duration_seconds";
constexpr const char* kHttpResponses = "hostscope_http_responses_total";

double seconds(std::uint64_t ns) { return static_cast<double>(ns) / 1e9; }

}  // namespace

Status append_l7_metrics(prom::Exposition& x, const monitoring::MonitoringEngine& eng, std::size_t max_series) {
  MetricsWriter w(x);
  w.family(kDbDuration, "Database statement time (request to first response byte) by system, fingerprint and side",
           MetricType::histogram);
  w.family(kDbErrors, "Database statements answered with an error", MetricType::counter);
  for (const auto& s : eng.database_series(max_series)) {
    prom::Labels labels{{"system", s.system}, {"fingerprint_id", s.fingerprint_id}, {"side", s.side}};
    w.histogram(kDbDuration, labels, s.ops.hist, seconds(s.ops.total_ns));
    w.sample(kDbErrors, labels, s.ops.errors);
  }
  w.family(kDbSlow, "Database statements at least slow_query_threshold_ms slow, or failed", MetricType::counter);
  w.sample(kDbSlow, {}, eng.slow_queries_total());

  w.family(kHttpDuration, "HTTP request time (request to first response byte) by side, method and route",
           MetricType::histogram);
  for (const auto& s : eng.http_series(max_series)) {
    w.histogram(kHttpDuration, {{"side", s.side}, {"method", s.method}, {"route", s.route}}, s.stat.ops.hist,
                seconds(s.stat.ops.total_ns));
  }
  // Four series (status classes) per endpoint, so a quarter as many endpoints keep the bound.
  w.family(kHttpResponses, "HTTP responses by side, method, route and status class", MetricType::counter);
  for (const auto& s : eng.http_series(std::max<std::size_t>(1, max_series / 4))) {
    for (std::size_t c = 0; c < monitoring::kStatusClasses.size(); ++c) {
      w.sample(kHttpResponses,
               {{"side", s.side},
                {"method", s.method},
                {"route", s.route},
                {"code_class", std::string(monitoring::kStatusClasses[c])}},
               s.stat.status[c]);
    }
  }
  return w.first_error();
}

}  // namespace hs::web
