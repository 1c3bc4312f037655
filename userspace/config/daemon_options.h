// The daemon's start-up options. Precedence: built-in defaults < TOML file (--config)
// < command-line flags. Runtime monitoring changes persisted by the daemon are applied
// on top of these by the daemon itself (see docs/configuration.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "config/monitoring_config.h"

namespace hs::config {

struct HttpOptions {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal, IPv6 without brackets
  std::uint16_t port = 9851;
  std::size_t body_limit = 1 << 20;       // request body bytes, 1024..67108864
  std::uint32_t read_timeout_ms = 10000;  // per request read, 100..600000
  std::size_t max_connections = 256;      // 1..65536
  bool metrics_require_token = false;     // /metrics behind a viewer token
  bool operator==(const HttpOptions&) const = default;
};

// [alerts]: when the bottleneck detectors and alert rules run.
struct AlertsOptions {
  std::uint32_t evaluation_interval_ms = 10000;  // 100..3600000; rounded up to whole monitoring intervals
  bool operator==(const AlertsOptions&) const = default;
};

struct DaemonOptions {
  std::optional<std::string> config_path;
  std::string state_dir = "/var/lib/hostscope";
  std::string log_level = "info";  // trace|debug|info|warn|error|off
  bool foreground = true;
  HttpOptions http;
  std::string web_root;  // dashboard static files dir; empty = built-in default
  MonitoringConfig monitoring;
  AlertsOptions alerts;
  bool operator==(const DaemonOptions&) const = default;
};

// Command line: --config FILE, --listen HOST:PORT, --state-dir DIR, --log-level LEVEL,
// --foreground, --web-root DIR. When --config is given the file is read and applied
// before the other flags. --help / --version come back as a non-ok Status with
// where() == "help" / "version" and the text to print in message() (exit 0).
// Other errors have where() == "cli" or the config file's path.
Result<DaemonOptions> parse_command_line(int argc, const char* const* argv);

// Applies a TOML document onto `base`. Top-level keys state_dir, log_level, web_root;
// [http] listen, body_limit, read_timeout_ms, max_connections, metrics_require_token;
// [monitoring] the MonitoringConfig JSON keys (same validator); [alerts] evaluation_interval_ms. An error's where() is
// `source_name` and its message starts with the key path ("http.bogus: unknown key").
Result<DaemonOptions> apply_toml(DaemonOptions base, std::string_view toml_text, std::string_view source_name);

// Reads `path` and applies it with apply_toml (config_path is set to `path`).
Result<DaemonOptions> apply_toml_file(DaemonOptions base, const std::string& path);

// "127.0.0.1:9851" or "[::1]:9851" -> (address without brackets, port 1..65535).
Result<std::pair<std::string, std::uint16_t>> parse_listen_address(std::string_view text);

// trace|debug|info|warn|error|off
bool valid_log_level(std::string_view level);

}  // namespace hs::config
