// Writes /metrics families of one concern into an Exposition, keeping the first
// error and going on (one bad series must not hide the rest).
#pragma once

#include <cstdint>

#include "common/histogram.h"
#include "common/status.h"
#include "web/routes/histogram_buckets.h"
#include "web/routes/prometheus_text.h"

namespace hs::web {

class MetricsWriter {
 public:
  explicit MetricsWriter(prom::Exposition& x) : x_(x) {}

  void keep(const Status& s) {
    if (first_error_.ok() && !s.ok()) first_error_ = s;
  }
  void family(const char* name, const char* help, prom::MetricType type) { keep(x_.family({name, help, type})); }
  void sample(const char* name, const prom::Labels& labels, std::uint64_t v) {
    keep(x_.sample(name, labels, static_cast<double>(v)));
  }
  // A histogram series of request times (request_buckets), only once something was recorded in it.
  void histogram(const char* name, const prom::Labels& labels, const Histogram& h, double sum_seconds) {
    if (h.count() == 0) return;
    keep(x_.histogram(name, labels, request_buckets(h), sum_seconds, h.count()));
  }
  const Status& first_error() const { return first_error_; }

 private:
  prom::Exposition& x_;
  Status first_error_;
};

}  // namespace hs::web
