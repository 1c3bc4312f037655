// Test workload with exactly known syscall counts, driven over stdin/stdout:
//   hs_syscall_workload [getppid=N] [sleeps=K] [sleep_ms=M] [badclose=E] [threads=T] [comm=NAME]
// prints "ready <pid>", then for every "go" line it reads runs one round and
// prints "done <median sleep ns as timed here>"; it exits at EOF. One round is, per
// thread, N syscall(SYS_getppid), K nanosleep(M ms) (glibc issues clock_nanosleep) and
// E close(-1) (each fails with EBADF). Timing uses the vDSO clock: no extra syscalls.
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct Args {
  long getppid = 0, sleeps = 0, sleep_ms = 0, badclose = 0, threads = 1;
  std::string comm;
};

void write_all(std::string_view s) {
  while (!s.empty()) {
    ssize_t n = write(STDOUT_FILENO, s.data(), s.size());
    if (n <= 0) std::exit(3);
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

// One line from stdin without stdio buffering; false at EOF.
bool read_line(std::string& line) {
  line.clear();
  char c;
  for (;;) {
    ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n <= 0) return !line.empty();
    if (c == '\n') return true;
    line.push_back(c);
  }
}

std::int64_t now_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// Returns the median sleep as seen from userspace (0 without sleeps).
std::int64_t round_on_this_thread(const Args& a) {
  for (long i = 0; i < a.getppid; ++i) syscall(SYS_getppid);
  timespec ts{a.sleep_ms / 1000, (a.sleep_ms % 1000) * 1'000'000};
  std::vector<std::int64_t> slept;
  for (long i = 0; i < a.sleeps; ++i) {
    std::int64_t t0 = now_ns();
    nanosleep(&ts, nullptr);
    slept.push_back(now_ns() - t0);
  }
  for (long i = 0; i < a.badclose; ++i) close(-1);
  if (slept.empty()) return 0;
  std::nth_element(slept.begin(), slept.begin() + static_cast<long>(slept.size() / 2), slept.end());
  return slept[slept.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto eq = arg.find('=');
    if (eq == std::string_view::npos) return 2;
    std::string_view k = arg.substr(0, eq);
    std::string v(arg.substr(eq + 1));
    if (k == "comm") a.comm = v;
    else if (k == "getppid") a.getppid = std::atol(v.c_str());
    else if (k == "sleeps") a.sleeps = std::atol(v.c_str());
    else if (k == "sleep_ms") a.sleep_ms = std::atol(v.c_str());
    else if (k == "badclose") a.badclose = std::atol(v.c_str());
    else if (k == "threads") a.threads = std::atol(v.c_str());
    else return 2;
  }
  // Threads created later inherit this name, so the whole process matches a comm filter.
  if (!a.comm.empty()) prctl(PR_SET_NAME, a.comm.c_str(), 0, 0, 0);
  write_all("ready " + std::to_string(getpid()) + "\n");

  std::string line;
  while (read_line(line)) {
    if (line != "go") continue;
    std::int64_t median = 0;
    if (a.threads <= 1) {
      median = round_on_this_thread(a);
    } else {
      std::vector<std::thread> ts;
      for (long t = 0; t < a.threads; ++t) ts.emplace_back([&a] { round_on_this_thread(a); });
      for (auto& t : ts) t.join();
    }
    write_all("done " + std::to_string(median) + "\n");
  }
  return 0;
}
