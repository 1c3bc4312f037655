#include "procfs/file_io.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hs::procfs {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status sys_error(const char* step, const std::string& path, int err) {
  return Status::error("procfs/" + std::string(step), path + ": " + std::strerror(err), err);
}

}  // namespace

Result<std::string> read_file(const std::string& path, std::size_t max_bytes, Overflow overflow) {
  if (path.find('\0') != std::string::npos) return Status::error("procfs/read", "path contains NUL");
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return sys_error("open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_error("fstat", path, errno);
  if (!S_ISREG(st.st_mode)) return Status::error("procfs/read", path + ": not a regular file");

  std::string out;
  try {
    // proc files report size 0, so read in chunks until EOF or one byte past the cap.
    constexpr std::size_t kChunk = 16 * 1024;
    while (out.size() <= max_bytes) {
      std::size_t old = out.size();
      std::size_t want = std::min(kChunk, max_bytes + 1 - old);
      out.resize(old + want);
      ssize_t n = ::read(fd.get(), out.data() + old, want);
      if (n < 0) {
        int err = errno;
        out.resize(old);
        if (err == EINTR) continue;
        return sys_error("read", path, err);
      }
      out.resize(old + static_cast<std::size_t>(n));
      if (n == 0) break;
    }
  } catch (const std::exception&) {
    return Status::error("procfs/read", path + ": out of memory");
  }
  if (out.size() > max_bytes) {
    if (overflow == Overflow::kError) return Status::error("procfs/read", path + ": file larger than cap");
    out.resize(max_bytes);
  }
  return out;
}

Result<std::string> read_link(const std::string& path) {
  if (path.find('\0') != std::string::npos) return Status::error("procfs/readlink", "path contains NUL");
  char buf[kMaxLinkBytes + 1];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) return sys_error("readlink", path, errno);
  // readlink truncates silently; filling the whole buffer means the target did not fit.
  if (static_cast<std::size_t>(n) > kMaxLinkBytes) return Status::error("procfs/readlink", path + ": target too long");
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace hs::procfs
