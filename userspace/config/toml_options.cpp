// The TOML configuration file. The [monitoring] table is converted to a JSON value and
// validated by monitoring_config_from_value, exactly as a PUT monitoring/config body is.
#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <toml++/toml.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <optional>

#include "config/daemon_options.h"

namespace hs::config {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date/time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

// Keys as shown in error paths; an empty key would otherwise vanish from the path.
std::string shown(std::string_view key) { return key.empty() ? std::string("\"\"") : std::string(key); }

// Dates and times have no JSON form: find the first one so it can be reported by path.
std::optional<std::string> find_date_time(const toml::node& n, const std::string& path) {
  if (n.is_date() || n.is_time() || n.is_date_time()) return path;
  if (const auto* t = n.as_table()) {
    for (auto&& [k, v] : *t) {
      if (auto p = find_date_time(v, path + "." + shown(k.str()))) return p;
    }
  } else if (const auto* a = n.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (auto p = find_date_time(*a->get(i), path + "[" + std::to_string(i) + "]")) return p;
    }
  }
  return std::nullopt;
}

json::value to_json_value(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: {
      json::object o;
      for (auto&& [k, v] : *n.as_table()) o[k.str()] = to_json_value(v);
      return o;
    }
    case toml::node_type::array: {
      json::array a;
      for (auto&& v : *n.as_array()) a.push_back(to_json_value(v));
      return a;
    }
    case toml::node_type::string: return json::string(n.as_string()->get());
    case toml::node_type::integer: return n.as_integer()->get();
    case toml::node_type::floating_point: return n.as_floating_point()->get();
    case toml::node_type::boolean: return n.as_boolean()->get();
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:  // rejected by find_date_time() before conversion
    case toml::node_type::none: break;
  }
  return nullptr;
}

class TomlApplier {
 public:
  TomlApplier(const toml::table& root, std::string source) : root_(root), source_(std::move(source)) {}

  Status apply(DaemonOptions& o) {
    for (auto&& [k, node] : root_) {
      const std::string key(k.str());
      Status s;
      if (key == "state_dir") {
        s = read_string(node, key, o.state_dir, /*allow_empty=*/false);
      } else if (key == "web_root") {
        s = read_string(node, key, o.web_root, /*allow_empty=*/true);
      } else if (key == "log_level") {
        std::string level;
        s = read_string(node, key, level, false);
        if (s.ok() && !valid_log_level(level)) {
          s = fail(key, "must be one of trace, debug, info, warn, error, off (got '" + level + "')");
        }
        if (s.ok()) o.log_level = level;
      } else if (key == "http") {
        s = apply_http(node, o.http);
      } else if (key == "monitoring") {
        s = apply_monitoring(node, o.monitoring);
      } else if (key == "alerts") {
        s = apply_alerts(node, o.alerts);
      } else {
        s = fail(shown(key), "unknown key");
      }
      if (!s.ok()) return s;
    }
    return {};
  }

 private:
  // "http.bogus: unknown key (line 7)" — the line when the path resolves to a node.
  Status fail(const std::string& path, const std::string& message) const {
    std::string text = path + ": " + message;
    if (const toml::node* n = toml::at_path(root_, path).node(); n != nullptr && n->source().begin.line > 0) {
      text += " (line " + std::to_string(n->source().begin.line) + ")";
    }
    return Status::error(source_, std::move(text));
  }

  Status read_string(const toml::node& n, const std::string& path, std::string& out, bool allow_empty) const {
    const auto* s = n.as_string();
    if (s == nullptr) return fail(path, "must be a string, not " + type_name(n));
    if (!allow_empty && s->get().empty()) return fail(path, "must not be empty");
    if (s->get().find('\0') != std::string::npos) return fail(path, "must not contain NUL");
    out = s->get();
    return {};
  }

  Status read_int(const toml::node& n, const std::string& path, std::int64_t lo, std::int64_t hi,
                  std::int64_t& out) const {
    const auto* i = n.as_integer();
    const std::string range = "must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi);
    if (i == nullptr) return fail(path, range + ", not " + type_name(n));
    if (i->get() < lo || i->get() > hi) return fail(path, range + " (got " + std::to_string(i->get()) + ")");
    out = i->get();
    return {};
  }

  Status apply_http(const toml::node& n, HttpOptions& h) const {
    const auto* t = n.as_table();
    if (t == nullptr) return fail("http", "must be a table, not " + type_name(n));
    for (auto&& [k, v] : *t) {
      const std::string key(k.str());
      const std::string path = "http." + shown(key);
      std::int64_t i = 0;
      Status s;
      if (key == "listen") {
        std::string text;
        s = read_string(v, path, text, false);
        if (s.ok()) {
          auto addr = parse_listen_address(text);
          if (!addr.ok()) return fail(path, addr.status().message());
          h.address = addr->first;
          h.port = addr->second;
        }
      } else if (key == "body_limit") {
        if (s = read_int(v, path, 1024, 64 << 20, i); s.ok()) h.body_limit = static_cast<std::size_t>(i);
      } else if (key == "read_timeout_ms") {
        if (s = read_int(v, path, 100, 600000, i); s.ok()) h.read_timeout_ms = static_cast<std::uint32_t>(i);
      } else if (key == "max_connections") {
        if (s = read_int(v, path, 1, 65536, i); s.ok()) h.max_connections = static_cast<std::size_t>(i);
      } else if (key == "metrics_require_token") {
        const auto* b = v.as_boolean();
        if (b == nullptr) return fail(path, "must be a boolean, not " + type_name(v));
        h.metrics_require_token = b->get();
      } else {
        s = fail(path, "unknown key");
      }
      if (!s.ok()) return s;
    }
    return {};
  }

  Status apply_alerts(const toml::node& n, AlertsOptions& a) const {
    const auto* t = n.as_table();
    if (t == nullptr) return fail("alerts", "must be a table, not " + type_name(n));
    for (auto&& [k, v] : *t) {
      const std::string key(k.str());
      const std::string path = "alerts." + shown(key);
      std::int64_t i = 0;
      Status s;
      if (key == "evaluation_interval_ms") {
        if (s = read_int(v, path, 100, 3600000, i); s.ok()) a.evaluation_interval_ms = static_cast<std::uint32_t>(i);
      } else {
        s = fail(path, "unknown key");
      }
      if (!s.ok()) return s;
    }
    return {};
  }

  Status apply_monitoring(const toml::node& n, MonitoringConfig& m) const {
    if (!n.is_table()) return fail("monitoring", "must be a table, not " + type_name(n));
    if (auto path = find_date_time(n, "monitoring")) return fail(*path, "dates and times are not accepted here");
    auto r = monitoring_config_from_value(m, to_json_value(n));
    if (const auto* e = std::get_if<FieldError>(&r)) return fail("monitoring." + e->field, e->message);
    m = std::get<MonitoringConfig>(r);
    return {};
  }

  const toml::table& root_;
  std::string source_;
};

}  // namespace

Result<DaemonOptions> apply_toml(DaemonOptions base, std::string_view toml_text, std::string_view source_name) {
  const std::string source(source_name);
  try {
    toml::table root;
    try {
      root = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& e) {
      return Status::error(source, std::string(e.description()) + " (line " +
                                       std::to_string(e.source().begin.line) + ", column " +
                                       std::to_string(e.source().begin.column) + ")");
    }
    TomlApplier applier(root, source);
    if (Status s = applier.apply(base); !s.ok()) return s;
    return base;
  } catch (const std::exception& e) {
    return Status::error(source, e.what());
  }
}

Result<DaemonOptions> apply_toml_file(DaemonOptions base, const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::error(path, std::string("cannot open: ") + std::strerror(errno), errno);
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::error(path, std::string("cannot read: ") + std::strerror(err), err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      ::close(fd);
      return Status::error(path, "larger than 1 MiB; not a configuration file?");
    }
  }
  ::close(fd);
  auto r = apply_toml(std::move(base), text, path);
  if (r.ok()) r->config_path = path;
  return r;
}

}  // namespace hs::config
