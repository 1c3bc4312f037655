// hostscoped: parse options, set up logging, run the daemon.
#include <cstdio>

#include <spdlog/spdlog.h>

#include "config/daemon_options.h"
#include "daemon/daemon.h"
#include "probes/syscall_probe.h"

int main(int argc, char** argv) {
  auto opts = hs::config::parse_command_line(argc, argv);
  if (!opts.ok()) {
    const auto& st = opts.status();
    if (st.where() == "help" || st.where() == "version") {
      std::fputs(st.message().c_str(), stdout);
      std::fputs("\n", stdout);
      return 0;
    }
    std::fprintf(stderr, "hostscoped: %s\n", st.text().c_str());
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(opts->log_level));
  hs::probes::route_libbpf_logs_to_spdlog();
  hs::daemon::Daemon daemon(std::move(opts.value()));
  return daemon.run();
}
