// Start-up options: TOML file, command line, and their precedence.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "config/daemon_options.h"

namespace hs::config {
namespace {

constexpr const char* kFullExample = R"toml(
state_dir = "/srv/hostscope"
log_level = "debug"
web_root = "/usr/share/hostscope/web"

[http]
listen = "0.0.0.0:9900"
body_limit = 65536
read_timeout_ms = 5000
max_connections = 64
metrics_require_token = true

[monitoring]
interval_ms = 500
fine_retention_s = 1800
coarse_retention_s = 172800
exited_retention_s = 600
max_syscall_entries = 16384
prometheus_max_series = 2000
network_enabled = false
max_network_entries = 8192
max_remotes_per_process = 16

[monitoring.filters]
pids = [1, 42]
comms = ["postgres", "redis-server"]
cgroups = ["/system.slice/nginx.service"]
min_latency_ns = 1000
)toml";

// A temporary file removed at scope exit.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/hs_config_test_XXXXXX";
    const int fd = mkstemp(name);
    path_ = name;
    std::FILE* f = fdopen(fd, "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Result<DaemonOptions> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "hostscoped");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

std::string toml_error(std::string_view text) {
  auto r = apply_toml(DaemonOptions{}, text, "test.toml");
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().where(), "test.toml");
  return r.status().message();
}

TEST(ConfigToml, FullExampleParses) {
  auto r = apply_toml(DaemonOptions{}, kFullExample, "full.toml");
  ASSERT_TRUE(r.ok()) << r.status().text();
  const DaemonOptions& o = r.value();
  EXPECT_EQ(o.state_dir, "/srv/hostscope");
  EXPECT_EQ(o.log_level, "debug");
  EXPECT_EQ(o.web_root, "/usr/share/hostscope/web");
  EXPECT_EQ(o.http.address, "0.0.0.0");
  EXPECT_EQ(o.http.port, 9900);
  EXPECT_EQ(o.http.body_limit, 65536u);
  EXPECT_EQ(o.http.read_timeout_ms, 5000u);
  EXPECT_EQ(o.http.max_connections, 64u);
  EXPECT_TRUE(o.http.metrics_require_token);
  EXPECT_EQ(o.monitoring.interval_ms, 500u);
  EXPECT_EQ(o.monitoring.fine_retention_s, 1800u);
  EXPECT_EQ(o.monitoring.coarse_retention_s, 172800u);
  EXPECT_EQ(o.monitoring.exited_retention_s, 600u);
  EXPECT_EQ(o.monitoring.max_syscall_entries, 16384u);
  EXPECT_EQ(o.monitoring.prometheus_max_series, 2000u);
  EXPECT_FALSE(o.monitoring.network_enabled);
  EXPECT_EQ(o.monitoring.max_network_entries, 8192u);
  EXPECT_EQ(o.monitoring.max_remotes_per_process, 16u);
  EXPECT_EQ(o.monitoring.filters.pids, (std::vector<std::uint32_t>{1, 42}));
  EXPECT_EQ(o.monitoring.filters.comms, (std::vector<std::string>{"postgres", "redis-server"}));
  EXPECT_EQ(o.monitoring.filters.cgroups, (std::vector<std::string>{"/system.slice/nginx.service"}));
  EXPECT_EQ(o.monitoring.filters.min_latency_ns, 1000u);
}

TEST(ConfigToml, EmptyDocumentKeepsDefaults) {
  auto r = apply_toml(DaemonOptions{}, "", "empty.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), DaemonOptions{});
}

TEST(ConfigToml, PartialTablesKeepBase) {
  auto r = apply_toml(DaemonOptions{}, "[http]\nmax_connections = 8\n[monitoring]\ninterval_ms = 2000\n", "p");
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->http.max_connections, 8u);
  EXPECT_EQ(r->http.port, 9851);
  EXPECT_EQ(r->monitoring.interval_ms, 2000u);
  EXPECT_EQ(r->monitoring.fine_retention_s, 900u);
}

TEST(ConfigToml, IPv6Listen) {
  auto r = apply_toml(DaemonOptions{}, "[http]\nlisten = \"[::1]:8080\"\n", "v6");
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->http.address, "::1");
  EXPECT_EQ(r->http.port, 8080);
}

TEST(ConfigToml, ErrorsNameTheKey) {
  EXPECT_EQ(toml_error("[http]\nbogus = 1\n").rfind("http.bogus: unknown key", 0), 0u);
  EXPECT_NE(toml_error("[http]\nbogus = 1\n").find("line 2"), std::string::npos);
  EXPECT_EQ(toml_error("bogus = 1").rfind("bogus:", 0), 0u);
  EXPECT_EQ(toml_error("[bogus]\nx = 1").rfind("bogus:", 0), 0u);
  EXPECT_EQ(toml_error("[http]\nlisten = \"localhost:80\"").rfind("http.listen:", 0), 0u);
  EXPECT_EQ(toml_error("[http]\nlisten = \"127.0.0.1\"").rfind("http.listen:", 0), 0u);
  EXPECT_EQ(toml_error("[http]\nlisten = \"127.0.0.1:0\"").rfind("http.listen:", 0), 0u);
  EXPECT_EQ(toml_error("[http]\nlisten = \"127.0.0.1:65536\"").rfind("http.listen:", 0), 0u);
  EXPECT_EQ(toml_error("[http]\nlisten = \"::1:80\"").rfind("http.listen:", 0), 0u);
  EXPECT_EQ(toml_error("[http]\nlisten = 9851").rfind("http.listen:", 0), 0u);
  EXPECT_EQ(toml_error("[http]\nbody_limit = 10").rfind("http.body_limit:", 0), 0u);
  EXPECT_EQ(toml_error("[http]\nread_timeout_ms = \"1\"").rfind("http.read_timeout_ms:", 0), 0u);
  EXPECT_EQ(toml_error("[http]\nmax_connections = 0").rfind("http.max_connections:", 0), 0u);
  EXPECT_EQ(toml_error("[http]\nmetrics_require_token = 1").rfind("http.metrics_require_token:", 0), 0u);
  EXPECT_EQ(toml_error("http = 1").rfind("http:", 0), 0u);
  EXPECT_EQ(toml_error("log_level = \"loud\"").rfind("log_level:", 0), 0u);
  EXPECT_EQ(toml_error("state_dir = \"\"").rfind("state_dir:", 0), 0u);
  EXPECT_EQ(toml_error("web_root = 3").rfind("web_root:", 0), 0u);
  EXPECT_EQ(toml_error("monitoring = 3").rfind("monitoring:", 0), 0u);
  // [monitoring] goes through the JSON validator: same rules, same field names.
  EXPECT_EQ(toml_error("[monitoring]\ninterval_ms = 5").rfind("monitoring.interval_ms:", 0), 0u);
  EXPECT_EQ(toml_error("[monitoring]\ninterval_ms = 500.0").rfind("monitoring.interval_ms:", 0), 0u);
  EXPECT_EQ(toml_error("[monitoring]\ninterval_ms = 1979-05-27").rfind("monitoring.interval_ms:", 0), 0u);
  EXPECT_EQ(toml_error("[monitoring]\nbogus = 5").rfind("monitoring.bogus:", 0), 0u);
  EXPECT_EQ(toml_error("[monitoring]\nnetwork_enabled = 1").rfind("monitoring.network_enabled:", 0), 0u);
  EXPECT_EQ(toml_error("[monitoring]\nmax_network_entries = 10").rfind("monitoring.max_network_entries:", 0), 0u);
  EXPECT_EQ(toml_error("[monitoring]\nmax_remotes_per_process = 0").rfind("monitoring.max_remotes_per_process:", 0),
            0u);
  EXPECT_EQ(toml_error("[monitoring.filters]\nbogus = 5").rfind("monitoring.filters.bogus:", 0), 0u);
  const std::string pid_error = toml_error("[monitoring.filters]\npids = [1, 2,\n 0]");
  EXPECT_EQ(pid_error.rfind("monitoring.filters.pids[2]:", 0), 0u) << pid_error;
  EXPECT_NE(pid_error.find("line 3"), std::string::npos) << pid_error;
}

TEST(ConfigToml, SyntaxErrorHasLine) {
  const std::string e = toml_error("a = 1\n[http\n");
  EXPECT_NE(e.find("line 2"), std::string::npos) << e;
}

TEST(ConfigCli, Defaults) {
  auto r = parse({});
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r.value(), DaemonOptions{});
}

TEST(ConfigCli, AllFlags) {
  auto r = parse({"--listen", "[::]:9999", "--state-dir", "/tmp/hs", "--log-level", "trace", "--foreground",
                  "--web-root", "/opt/web"});
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->http.address, "::");
  EXPECT_EQ(r->http.port, 9999);
  EXPECT_EQ(r->state_dir, "/tmp/hs");
  EXPECT_EQ(r->log_level, "trace");
  EXPECT_TRUE(r->foreground);
  EXPECT_EQ(r->web_root, "/opt/web");
  EXPECT_FALSE(r->config_path.has_value());
}

TEST(ConfigCli, FlagsOverrideToml) {
  TempFile file(kFullExample);
  auto r = parse({"--config", file.path(), "--log-level", "warn", "--listen", "127.0.0.1:7000"});
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->config_path, file.path());
  EXPECT_EQ(r->log_level, "warn");             // flag beats file
  EXPECT_EQ(r->http.address, "127.0.0.1");
  EXPECT_EQ(r->http.port, 7000);
  EXPECT_EQ(r->state_dir, "/srv/hostscope");   // file beats default
  EXPECT_EQ(r->http.max_connections, 64u);
  EXPECT_EQ(r->monitoring.interval_ms, 500u);
}

TEST(ConfigCli, FlagOrderDoesNotMatter) {
  TempFile file("log_level = \"error\"\n");
  auto r = parse({"--log-level", "debug", "--config", file.path()});
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->log_level, "debug");
}

TEST(ConfigCli, Errors) {
  auto r = parse({"--log-level", "verbose"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where(), "cli");
  EXPECT_NE(r.status().message().find("--log-level"), std::string::npos);

  r = parse({"--listen", "example.com:80"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--listen"), std::string::npos);

  r = parse({"--no-such-flag"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where(), "cli");

  r = parse({"--config", "/nonexistent/hostscope.toml"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where(), "/nonexistent/hostscope.toml");

  TempFile bad("[http]\nbogus = true\n");
  r = parse({"--config", bad.path()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where(), bad.path());
  EXPECT_EQ(r.status().message().rfind("http.bogus", 0), 0u);
}

TEST(ConfigCli, HelpAndVersion) {
  auto r = parse({"--help"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where(), "help");
  EXPECT_NE(r.status().message().find("--listen"), std::string::npos);
  r = parse({"--version"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where(), "version");
  EXPECT_EQ(r.status().message().rfind("hostscoped ", 0), 0u);
}

TEST(ConfigListen, Parses) {
  auto a = parse_listen_address("10.1.2.3:1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "10.1.2.3");
  EXPECT_EQ(a->second, 1);
  a = parse_listen_address("[fe80::1]:65535");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "fe80::1");
  EXPECT_EQ(a->second, 65535);
  for (const char* bad : {"", ":80", "1.2.3.4:", "1.2.3.4:+80", "1.2.3.4:080x", "256.1.1.1:80", "[::1]80",
                          "[::1:80", "[nothost]:80", "1.2.3.4:99999", "1.2.3:80"}) {
    EXPECT_FALSE(parse_listen_address(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace hs::config
