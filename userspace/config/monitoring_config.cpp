#include "config/monitoring_config.h"

#include <boost/json.hpp>

#include <exception>
#include <optional>

namespace hs::config {
namespace json = boost::json;
namespace {

using MaybeError = std::optional<FieldError>;

constexpr std::size_t kMaxEchoedKey = 64;  // unknown keys are echoed back; keep that bounded

std::string kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a floating-point number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "an unknown value";
}

std::string echo_key(std::string_view key) {
  if (key.empty()) return "\"\"";  // an empty field path would read as "the whole body"
  if (key.size() <= kMaxEchoedKey) return std::string(key);
  return std::string(key.substr(0, kMaxEchoedKey)) + "...";
}

FieldError error(std::string field, std::string message) { return FieldError{std::move(field), std::move(message)}; }

std::string range_text(std::uint64_t lo, std::uint64_t hi) {
  return "must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi);
}

// Integers only: booleans, fractions (even 1.0), strings and nulls are type errors.
MaybeError read_uint(const json::value& v, const std::string& field, std::uint64_t lo, std::uint64_t hi,
                     std::uint64_t& out) {
  if (v.is_int64()) {
    const std::int64_t n = v.get_int64();
    if (n < 0 || static_cast<std::uint64_t>(n) < lo || static_cast<std::uint64_t>(n) > hi) {
      return error(field, range_text(lo, hi) + " (got " + std::to_string(n) + ")");
    }
    out = static_cast<std::uint64_t>(n);
    return std::nullopt;
  }
  if (v.is_uint64()) {
    const std::uint64_t n = v.get_uint64();
    if (n < lo || n > hi) return error(field, range_text(lo, hi) + " (got " + std::to_string(n) + ")");
    out = n;
    return std::nullopt;
  }
  return error(field, range_text(lo, hi) + ", not " + kind_name(v));
}

MaybeError read_bool(const json::value& v, const std::string& field, bool& out) {
  if (!v.is_bool()) return error(field, "must be a boolean, not " + kind_name(v));
  out = v.get_bool();
  return std::nullopt;
}

MaybeError read_u32(const json::value& v, const std::string& field, std::uint32_t lo, std::uint32_t hi,
                    std::uint32_t& out) {
  std::uint64_t n = 0;
  if (auto e = read_uint(v, field, lo, hi, n)) return e;
  out = static_cast<std::uint32_t>(n);
  return std::nullopt;
}

bool printable_ascii(std::string_view s) {
  for (const char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool has_dotdot_component(std::string_view path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

// Checks one list element; returns the message or nullopt when it is valid.
using ElementCheck = std::optional<std::string> (*)(const json::value&);

std::optional<std::string> check_comm(const json::value& v) {
  if (!v.is_string()) return "must be a string, not " + kind_name(v);
  const auto s = v.get_string();
  if (s.empty() || s.size() > limits::kMaxCommBytes || !printable_ascii(s)) {
    return std::string("must be 1..15 printable ASCII characters (a task comm)");
  }
  return std::nullopt;
}

std::optional<std::string> check_cgroup(const json::value& v) {
  if (!v.is_string()) return "must be a string, not " + kind_name(v);
  const std::string_view s = v.get_string();
  if (s.empty() || s.front() != '/') return std::string("must be an absolute path (starting with '/')");
  if (s.size() > limits::kMaxCgroupBytes) return std::string("must be at most 4096 bytes");
  if (!printable_ascii(s)) return std::string("must contain only printable ASCII characters");
  if (has_dotdot_component(s)) return std::string("must not contain a '..' component");
  return std::nullopt;
}

MaybeError read_string_list(const json::value& v, const std::string& field, std::size_t max_entries,
                            ElementCheck check, std::vector<std::string>& out) {
  if (!v.is_array()) return error(field, "must be an array of strings, not " + kind_name(v));
  const auto& arr = v.get_array();
  if (arr.size() > max_entries) {
    return error(field, "must have at most " + std::to_string(max_entries) + " entries (got " +
                            std::to_string(arr.size()) + ")");
  }
  std::vector<std::string> list;
  list.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (auto msg = check(arr[i])) return error(field + "[" + std::to_string(i) + "]", *msg);
    list.emplace_back(arr[i].get_string());
  }
  out = std::move(list);
  return std::nullopt;
}

MaybeError read_pids(const json::value& v, const std::string& field, std::vector<std::uint32_t>& out) {
  if (!v.is_array()) return error(field, "must be an array of integers, not " + kind_name(v));
  const auto& arr = v.get_array();
  if (arr.size() > limits::kMaxPids) {
    return error(field, "must have at most " + std::to_string(limits::kMaxPids) + " entries (got " +
                            std::to_string(arr.size()) + ")");
  }
  std::vector<std::uint32_t> list(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (auto e = read_u32(arr[i], field + "[" + std::to_string(i) + "]", 1, limits::kMaxPid, list[i])) return e;
  }
  out = std::move(list);
  return std::nullopt;
}

MaybeError apply_filters(const json::value& v, SyscallFilterConfig& f) {
  if (!v.is_object()) return error("filters", "must be an object, not " + kind_name(v));
  for (const auto& kv : v.get_object()) {
    const std::string_view key = kv.key();
    const std::string field = "filters." + echo_key(key);
    MaybeError e;
    if (key == "pids") {
      e = read_pids(kv.value(), field, f.pids);
    } else if (key == "comms") {
      e = read_string_list(kv.value(), field, limits::kMaxComms, check_comm, f.comms);
    } else if (key == "cgroups") {
      e = read_string_list(kv.value(), field, limits::kMaxCgroups, check_cgroup, f.cgroups);
    } else if (key == "min_latency_ns") {
      e = read_uint(kv.value(), field, 0, limits::kMaxMinLatencyNs, f.min_latency_ns);
    } else {
      e = error(field, "unknown field");
    }
    if (e) return e;
  }
  return std::nullopt;
}

struct U32Field {
  std::string_view name;
  std::uint32_t MonitoringConfig::*member;
  std::uint32_t lo;
  std::uint32_t hi;
};

constexpr U32Field kU32Fields[] = {
    {"interval_ms", &MonitoringConfig::interval_ms, 100, 60000},
    {"fine_retention_s", &MonitoringConfig::fine_retention_s, 60, 86400},
    {"coarse_retention_s", &MonitoringConfig::coarse_retention_s, 3600, 2592000},
    {"exited_retention_s", &MonitoringConfig::exited_retention_s, 0, 604800},
    {"max_syscall_entries", &MonitoringConfig::max_syscall_entries, 64, 1048576},
    {"prometheus_max_series", &MonitoringConfig::prometheus_max_series, 1, 100000},
    {"max_network_entries", &MonitoringConfig::max_network_entries, 64, 1048576},
    {"max_remotes_per_process", &MonitoringConfig::max_remotes_per_process, 1, 10000},
    {"slow_query_threshold_ms", &MonitoringConfig::slow_query_threshold_ms, 1, 600000},
    {"max_fingerprints_per_process", &MonitoringConfig::max_fingerprints_per_process, 1, 100000},
    {"max_routes_per_process", &MonitoringConfig::max_routes_per_process, 1, 100000},
    {"l7_ring_buffer_kb", &MonitoringConfig::l7_ring_buffer_kb, 64, 262144},
};

struct BoolField {
  std::string_view name;
  bool MonitoringConfig::*member;
};

constexpr BoolField kBoolFields[] = {
    {"network_enabled", &MonitoringConfig::network_enabled},
    {"l7_enabled", &MonitoringConfig::l7_enabled},
    {"tls_enabled", &MonitoringConfig::tls_enabled},
    {"capture_literals", &MonitoringConfig::capture_literals},
};

// A BPF ring buffer's size must be a power of two (of pages: 64 KiB and up are).
MaybeError check_ring_buffer(const MonitoringConfig& c) {
  const std::uint32_t kb = c.l7_ring_buffer_kb;
  if ((kb & (kb - 1)) == 0) return std::nullopt;
  return error("l7_ring_buffer_kb", "must be a power of two (got " + std::to_string(kb) + ")");
}

std::variant<MonitoringConfig, FieldError> apply(const MonitoringConfig& base, const json::value& v) {
  if (!v.is_object()) return error("body", "must be a JSON object, not " + kind_name(v));
  const auto& obj = v.get_object();
  MonitoringConfig c = base;
  for (const auto& kv : obj) {
    const std::string_view key = kv.key();
    MaybeError e;
    bool known = false;
    for (const auto& f : kU32Fields) {
      if (key == f.name) {
        known = true;
        e = read_u32(kv.value(), std::string(f.name), f.lo, f.hi, c.*f.member);
        break;
      }
    }
    for (const auto& f : kBoolFields) {
      if (!known && key == f.name) {
        known = true;
        e = read_bool(kv.value(), std::string(f.name), c.*f.member);
        break;
      }
    }
    if (!known) {
      if (key == "filters") {
        e = apply_filters(kv.value(), c.filters);
      } else {
        e = error(echo_key(key), "unknown field");
      }
    }
    if (e) return *e;
  }
  if (auto e = check_ring_buffer(c)) return *e;
  // The coarse series is built from the fine one, so it must reach at least as far back.
  if (c.coarse_retention_s < c.fine_retention_s) {
    if (obj.contains("coarse_retention_s") || !obj.contains("fine_retention_s")) {
      return error("coarse_retention_s", "must be >= fine_retention_s (" + std::to_string(c.fine_retention_s) +
                                             "), got " + std::to_string(c.coarse_retention_s));
    }
    return error("fine_retention_s", "must be <= coarse_retention_s (" + std::to_string(c.coarse_retention_s) +
                                         "), got " + std::to_string(c.fine_retention_s));
  }
  return c;
}

}  // namespace

std::variant<MonitoringConfig, FieldError> monitoring_config_from_value(const MonitoringConfig& base,
                                                                        const json::value& v) {
  try {
    return apply(base, v);
  } catch (const std::exception& e) {  // allocation failure: nothing else in apply() throws
    return error("body", e.what());
  }
}

std::variant<MonitoringConfig, FieldError> monitoring_config_from_json(const MonitoringConfig& base,
                                                                       std::string_view json_text) {
  try {
    boost::system::error_code ec;
    const json::value v = json::parse(json_text, ec);
    if (ec) return error("body", "invalid JSON: " + ec.message());
    return apply(base, v);
  } catch (const std::exception& e) {
    return error("body", e.what());
  }
}

// Numbers are emitted as int64 (every range fits) so readers can use as_int64() throughout.
json::value to_json(const MonitoringConfig& c) {
  const auto i64 = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  json::object filters;
  json::array pids;
  for (const auto p : c.filters.pids) pids.emplace_back(i64(p));
  json::array comms;
  for (const auto& s : c.filters.comms) comms.emplace_back(s);
  json::array cgroups;
  for (const auto& s : c.filters.cgroups) cgroups.emplace_back(s);
  filters["pids"] = std::move(pids);
  filters["comms"] = std::move(comms);
  filters["cgroups"] = std::move(cgroups);
  filters["min_latency_ns"] = i64(c.filters.min_latency_ns);

  json::object o;
  o["interval_ms"] = i64(c.interval_ms);
  o["fine_retention_s"] = i64(c.fine_retention_s);
  o["coarse_retention_s"] = i64(c.coarse_retention_s);
  o["exited_retention_s"] = i64(c.exited_retention_s);
  o["filters"] = std::move(filters);
  o["max_syscall_entries"] = i64(c.max_syscall_entries);
  o["prometheus_max_series"] = i64(c.prometheus_max_series);
  o["network_enabled"] = c.network_enabled;
  o["max_network_entries"] = i64(c.max_network_entries);
  o["max_remotes_per_process"] = i64(c.max_remotes_per_process);
  o["l7_enabled"] = c.l7_enabled;
  o["tls_enabled"] = c.tls_enabled;
  o["slow_query_threshold_ms"] = i64(c.slow_query_threshold_ms);
  o["capture_literals"] = c.capture_literals;
  o["max_fingerprints_per_process"] = i64(c.max_fingerprints_per_process);
  o["max_routes_per_process"] = i64(c.max_routes_per_process);
  o["l7_ring_buffer_kb"] = i64(c.l7_ring_buffer_kb);
  return o;
}

}  // namespace hs::config
