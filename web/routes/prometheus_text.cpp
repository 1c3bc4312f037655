#include "web/routes/prometheus_text.h"

#include <charconv>
#include <cmath>

#include "web/routes/json_error.h"

namespace hs::web::prom {

namespace {

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
  }
  return "untyped";
}

std::vector<std::string> series_names(const MetricFamily& f) {
  if (f.type != MetricType::histogram) return {f.name};
  return {f.name, f.name + "_bucket", f.name + "_sum", f.name + "_count"};
}

// `{a="x",b="y"}` (plus `le` when given); "" when there is nothing to show.
Status render_labels(const Labels& labels, bool histogram, const std::string* le, std::string& out) {
  out.clear();
  std::set<std::string_view> seen;
  for (const auto& [name, value] : labels) {
    if (!valid_label_name(name)) return Status::error("prom/labels", "invalid label name '" + name + "'");
    if (histogram && name == "le") return Status::error("prom/labels", "label 'le' is reserved in histograms");
    if (!seen.insert(name).second) return Status::error("prom/labels", "duplicate label '" + name + "'");
    out += out.empty() ? "{" : ",";
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  }
  if (le != nullptr) {
    out += out.empty() ? "{" : ",";
    out += "le=\"" + *le + "\"";
  }
  if (!out.empty()) out += '}';
  return Status{};
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty() || !(name_start(name[0]) || name[0] == ':')) return false;
  for (char c : name) {
    if (!(name_char(c) || c == ':')) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || !name_start(name[0]) || name.substr(0, 2) == "__") return false;
  for (char c : name) {
    if (!name_char(c)) return false;
  }
  return true;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
  return std::string(buf, res.ptr);
}

std::string escape_label_value(std::string_view v) {
  const std::string clean = valid_utf8(v);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  const std::string clean = valid_utf8(help);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

Status Exposition::family(const MetricFamily& family) {
  if (!valid_metric_name(family.name)) {
    return Status::error("prom/family", "invalid metric name '" + family.name + "'");
  }
  if (auto it = index_.find(family.name); it != index_.end()) {
    if (families_[it->second].meta.type != family.type) {
      return Status::error("prom/family", "metric '" + family.name + "' declared with two types");
    }
    return Status{};
  }
  const std::vector<std::string> names = series_names(family);
  for (const std::string& n : names) {
    if (taken_.count(n) != 0) {
      return Status::error("prom/family", "metric name '" + n + "' already used by another family");
    }
  }
  taken_.insert(names.begin(), names.end());
  index_.emplace(family.name, families_.size());
  families_.push_back(Family{family, {}, {}});
  return Status{};
}

Exposition::Family* Exposition::find(std::string_view name, const char* where, Status& status) {
  auto it = index_.find(name);
  if (it == index_.end()) {
    status = Status::error(where, "metric family '" + std::string(name) + "' was not declared");
    return nullptr;
  }
  return &families_[it->second];
}

Status Exposition::sample(std::string_view name, const Labels& labels, double value) {
  Status st;
  Family* f = find(name, "prom/sample", st);
  if (f == nullptr) return st;
  if (f->meta.type == MetricType::histogram) {
    return Status::error("prom/sample", "'" + f->meta.name + "' is a histogram: use histogram()");
  }
  std::string rendered;
  if (Status s = render_labels(labels, false, nullptr, rendered); !s.ok()) return s;
  if (!f->series.insert(rendered).second) {
    return Status::error("prom/sample", "duplicate series " + f->meta.name + rendered);
  }
  f->samples += f->meta.name + rendered + " " + format_value(value) + "\n";
  return Status{};
}

Status Exposition::histogram(std::string_view name, const Labels& labels, const std::vector<Bucket>& buckets,
                             double sum, std::uint64_t count) {
  Status st;
  Family* f = find(name, "prom/histogram", st);
  if (f == nullptr) return st;
  if (f->meta.type != MetricType::histogram) {
    return Status::error("prom/histogram", "'" + f->meta.name + "' is not a histogram");
  }
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const Bucket& b = buckets[i];
    if (std::isnan(b.le)) return Status::error("prom/histogram", "bucket bound is NaN");
    if (b.count > count) return Status::error("prom/histogram", "bucket count exceeds total count");
    if (i > 0 && !(b.le > buckets[i - 1].le)) {
      return Status::error("prom/histogram", "bucket bounds must increase");
    }
    if (i > 0 && b.count < buckets[i - 1].count) {
      return Status::error("prom/histogram", "bucket counts must be cumulative");
    }
    if (std::isinf(b.le) && b.le > 0 && b.count != count) {
      return Status::error("prom/histogram", "+Inf bucket must equal the total count");
    }
  }
  std::string key;
  if (Status s = render_labels(labels, true, nullptr, key); !s.ok()) return s;
  if (!f->series.insert(key).second) {
    return Status::error("prom/histogram", "duplicate series " + f->meta.name + key);
  }

  std::string out;
  std::string rendered;
  const auto bucket_line = [&](double le, std::uint64_t n) {
    const std::string le_text = format_value(le);
    render_labels(labels, true, &le_text, rendered);  // labels were validated above
    out += f->meta.name + "_bucket" + rendered + " " + std::to_string(n) + "\n";
  };
  for (const Bucket& b : buckets) bucket_line(b.le, b.count);
  if (buckets.empty() || !std::isinf(buckets.back().le) || buckets.back().le < 0) {
    bucket_line(INFINITY, count);
  }
  out += f->meta.name + "_sum" + key + " " + format_value(sum) + "\n";
  out += f->meta.name + "_count" + key + " " + std::to_string(count) + "\n";
  f->samples += out;
  return Status{};
}

std::string Exposition::render() const {
  std::string out;
  for (const Family& f : families_) {
    out += "# HELP " + f.meta.name + " " + escape_help(f.meta.help) + "\n";
    out += "# TYPE " + f.meta.name + " " + type_name(f.meta.type) + "\n";
    out += f.samples;
  }
  return out;
}

}  // namespace hs::web::prom
