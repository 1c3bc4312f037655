// Writer for the Prometheus text exposition format 0.0.4 (what /metrics serves).
// Families are declared once, collect samples in any order, and render grouped:
// "# HELP", "# TYPE", then that family's samples, in declaration order.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace hs::web::prom {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { counter, gauge, histogram };

using Labels = std::vector<std::pair<std::string, std::string>>;

struct MetricFamily {
  std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*; counters conventionally end in "_total"
  std::string help;
  MetricType type = MetricType::gauge;
};

// One cumulative histogram bucket: `count` observations were <= `le`.
struct Bucket {
  double le = 0;
  std::uint64_t count = 0;
};

bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved by Prometheus).
bool valid_label_name(std::string_view name);
// Shortest round-trip decimal ("0.1", "1e+06"), "+Inf", "-Inf", "NaN".
std::string format_value(double v);
// Label values: \ → \\, " → \", newline → \n. HELP: \ → \\, newline → \n.
// Both also replace invalid UTF-8 with U+FFFD (kernel-sourced names can be any bytes).
std::string escape_label_value(std::string_view v);
std::string escape_help(std::string_view help);

class Exposition {
 public:
  // Declares a family. Declaring the same name again with the same type is a no-op
  // (help from the first declaration stays); an invalid name, a type clash, or a
  // name colliding with a histogram's _bucket/_sum/_count series is an error.
  Status family(const MetricFamily& family);

  // A counter or gauge sample of declared family `name`.
  Status sample(std::string_view name, const Labels& labels, double value);

  // One histogram series of declared histogram family `name`, from cumulative
  // buckets in increasing `le` order. A final +Inf bucket equal to `count` is added
  // when missing; if given, it must equal `count`. Emits name_bucket{...,le="..."},
  // name_sum, name_count.
  Status histogram(std::string_view name, const Labels& labels, const std::vector<Bucket>& buckets,
                   double sum, std::uint64_t count);

  // The whole exposition; families without samples still show HELP and TYPE.
  std::string render() const;

  std::size_t families() const { return families_.size(); }

 private:
  struct Family {
    MetricFamily meta;
    std::string samples;             // rendered sample lines
    std::set<std::string> series;    // rendered label sets seen, to refuse duplicates
  };

  Family* find(std::string_view name, const char* where, Status& status);

  std::vector<Family> families_;
  std::map<std::string, std::size_t, std::less<>> index_;  // family name → families_ index
  std::set<std::string, std::less<>> taken_;               // every series name in use
};

}  // namespace hs::web::prom
