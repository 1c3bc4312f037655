#include "config/daemon_options.h"

#include <arpa/inet.h>

#include <CLI/CLI.hpp>

#include <array>
#include <exception>

#ifndef HOSTSCOPE_VERSION
#define HOSTSCOPE_VERSION "unknown"
#endif

namespace hs::config {
namespace {

constexpr std::array<std::string_view, 6> kLogLevels = {"trace", "debug", "info", "warn", "error", "off"};

Result<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return Status::error("listen", "port must be 1..65535");
  std::uint32_t port = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return Status::error("listen", "port must be 1..65535");
    port = port * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) return Status::error("listen", "port must be 1..65535");
  return static_cast<std::uint16_t>(port);
}

Result<DaemonOptions> apply_flags(DaemonOptions opts, const CLI::Option& listen, const std::string& listen_v,
                                  const CLI::Option& state_dir, const std::string& state_dir_v,
                                  const CLI::Option& log_level, const std::string& log_level_v,
                                  const CLI::Option& web_root, const std::string& web_root_v, bool foreground) {
  if (listen.count() > 0) {
    auto addr = parse_listen_address(listen_v);
    if (!addr.ok()) return Status::error("cli", "--listen: " + addr.status().message());
    opts.http.address = addr->first;
    opts.http.port = addr->second;
  }
  if (state_dir.count() > 0) {
    if (state_dir_v.empty()) return Status::error("cli", "--state-dir: must not be empty");
    opts.state_dir = state_dir_v;
  }
  if (log_level.count() > 0) {
    if (!valid_log_level(log_level_v)) {
      return Status::error("cli", "--log-level: must be one of trace, debug, info, warn, error, off (got '" +
                                      log_level_v + "')");
    }
    opts.log_level = log_level_v;
  }
  if (web_root.count() > 0) opts.web_root = web_root_v;
  if (foreground) opts.foreground = true;
  return opts;
}

}  // namespace

bool valid_log_level(std::string_view level) {
  for (const auto l : kLogLevels) {
    if (l == level) return true;
  }
  return false;
}

Result<std::pair<std::string, std::uint16_t>> parse_listen_address(std::string_view text) {
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return Status::error("listen", "expected [IPv6]:PORT");
    host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
    in6_addr a6{};
    if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) {
      return Status::error("listen", "'" + host + "' is not an IPv6 address");
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return Status::error("listen", "expected HOST:PORT");
    host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string::npos) {
      return Status::error("listen", "an IPv6 address needs brackets, e.g. [::1]:9851");
    }
    in_addr a4{};
    if (inet_pton(AF_INET, host.c_str(), &a4) != 1) {
      return Status::error("listen", "'" + host + "' is not an IPv4 address (use an IP literal, not a host name)");
    }
  }
  auto port = parse_port(port_text);
  if (!port.ok()) return port.status();
  return std::make_pair(std::move(host), port.value());
}

Result<DaemonOptions> parse_command_line(int argc, const char* const* argv) {
  try {
    CLI::App app{"hostscoped - eBPF host profiler daemon", "hostscoped"};
    std::string config, listen, state_dir, log_level, web_root;
    bool foreground = false;
    auto* o_config = app.add_option("--config", config, "TOML configuration file");
    auto* o_listen = app.add_option("--listen", listen, "HTTP listen address, IPv4:PORT or [IPv6]:PORT")
                         ->type_name("HOST:PORT");
    auto* o_state = app.add_option("--state-dir", state_dir, "State directory (SQLite database, admin token)")
                        ->type_name("DIR");
    auto* o_level =
        app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")->type_name("LEVEL");
    auto* o_web = app.add_option("--web-root", web_root, "Dashboard static files directory")->type_name("DIR");
    app.add_flag("--foreground", foreground, "Stay in the foreground (the default; for service managers)");
    app.set_version_flag("--version", "hostscoped " HOSTSCOPE_VERSION);
    o_config->type_name("FILE");

    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      return Status::error("help", app.help());
    } catch (const CLI::CallForAllHelp&) {
      return Status::error("help", app.help("", CLI::AppFormatMode::All));
    } catch (const CLI::CallForVersion& e) {
      return Status::error("version", e.what());
    } catch (const CLI::ParseError& e) {
      return Status::error("cli", e.what());
    }

    DaemonOptions opts;
    if (o_config->count() > 0) {
      auto loaded = apply_toml_file(std::move(opts), config);
      if (!loaded.ok()) return loaded.status();
      opts = std::move(loaded.value());
    }
    return apply_flags(std::move(opts), *o_listen, listen, *o_state, state_dir, *o_level, log_level, *o_web,
                       web_root, foreground);
  } catch (const std::exception& e) {
    return Status::error("cli", e.what());
  }
}

}  // namespace hs::config
