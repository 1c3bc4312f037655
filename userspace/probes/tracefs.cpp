#include "probes/tracefs.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace hs::probes {

Result<bool> ensure_tracefs(const std::string& path) {
  struct stat st {};
  if (::stat((path + "/events").c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return false;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status::error("tracefs/mount", path + " is not a directory", ENOTDIR);
  if (::mount("nodev", path.c_str(), "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    return Status::error("tracefs/mount", path + ": " + std::strerror(errno), errno);
  spdlog::info("mounted tracefs at {}", path);
  return true;
}

}  // namespace hs::probes
