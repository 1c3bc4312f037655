// Runs Debian's `promtool check metrics` on an exposition, for the tests that
// hold /metrics to the SPEC §5.2 contract.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace hs::test {

inline constexpr const char* kPromtool = "/usr/bin/promtool";

inline bool promtool_available() { return access(kPromtool, X_OK) == 0; }

// promtool's exit status (-1 if it could not be run); its messages go to `output`.
inline int promtool_check(const std::string& exposition, std::string& output) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("hs_prom_" + std::to_string(getpid()) + ".txt");
  {
    std::ofstream out(file, std::ios::binary);
    out << exposition;
  }
  const std::string cmd = std::string(kPromtool) + " check metrics < '" + file.string() + "' 2>&1";
  int status = -1;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof(buf), p) != nullptr) output += buf;
    const int rc = pclose(p);
    status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  std::filesystem::remove(file);
  return status;
}

}  // namespace hs::test
