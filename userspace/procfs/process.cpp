#include "procfs/process.h"

#include <algorithm>
#include <dirent.h>
#include <exception>
#include <unistd.h>

#include "procfs/file_io.h"
#include "procfs/guard.h"
#include "procfs/text.h"

namespace hs::procfs {
namespace {

constexpr std::size_t kMaxStatComm = 64;  // the kernel writes <= 15 bytes; anything longer is forged
constexpr std::size_t kMaxPids = 1 << 22;  // PID_MAX_LIMIT

Status bad(std::string msg) { return Status::error("procfs/pid_stat", std::move(msg)); }

std::uint64_t page_size() {
  long p = ::sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<std::uint64_t>(p) : 4096;
}

// comm is set by the process itself (prctl PR_SET_NAME): any byte may appear.
std::string clean_comm(std::string_view raw) {
  raw = raw.substr(0, kCommMax);
  std::string out(raw);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return out;
}

}  // namespace

Result<PidStat> parse_pid_stat(std::string_view in) {
  return guarded("procfs/pid_stat", [&]() -> Result<PidStat> {
    std::size_t open = in.find('(');
    std::size_t close = in.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
      return bad("no (comm)");
    }
    if (!text::parse_u32(text::trim(in.substr(0, open)))) return bad("malformed pid");
    std::string_view comm = in.substr(open + 1, close - open - 1);
    if (comm.size() > kMaxStatComm) return bad("comm too long");

    // Fields after ')' are numbered from 3 (state) as in proc(5).
    std::string_view rest = in.substr(close + 1);
    std::string_view f[22];  // f[i] is field i + 3, up to field 24 (rss)
    for (auto& tok : f) {
      tok = text::next_token(rest);
      if (tok.empty()) return bad("too few fields");
    }
    PidStat out;
    if (f[0].size() != 1) return bad("malformed state");
    out.state = f[0][0];
    auto ppid = text::parse_u32(f[1]);
    auto utime = text::parse_u64(f[11]);
    auto stime = text::parse_u64(f[12]);
    auto threads = text::parse_u32(f[17]);
    auto start = text::parse_u64(f[19]);
    auto rss = text::parse_i64(f[21]);
    if (!ppid || !utime || !stime || !threads || !start || !rss) return bad("malformed counters");
    out.comm = clean_comm(comm);
    out.ppid = *ppid;
    out.utime_ticks = *utime;
    out.stime_ticks = *stime;
    out.num_threads = *threads;
    out.start_time_ticks = *start;
    out.rss_pages = *rss;
    return out;
  });
}

std::string parse_cmdline(std::string_view raw) {
  raw = raw.substr(0, kMaxCmdlineBytes);
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  try {
    std::string out(raw);
    for (char& c : out) {
      auto u = static_cast<unsigned char>(c);
      if (u == 0) {
        c = ' ';
      } else if (u < 0x20 || u > 0x7e) {
        c = '?';
      }
    }
    return out;
  } catch (const std::exception&) {
    return {};
  }
}

ProcessReader::ProcessReader(std::string proc_root) : proc_root_(std::move(proc_root)) {}

std::string ProcessReader::dir(std::uint32_t pid) const { return proc_root_ + "/" + std::to_string(pid); }

Result<ProcessInfo> ProcessReader::read(std::uint32_t pid) const {
  return guarded("procfs/process", [&]() -> Result<ProcessInfo> {
    const std::string base = dir(pid);
    auto stat_raw = read_file(base + "/stat");
    if (!stat_raw) return stat_raw.status();
    auto stat = parse_pid_stat(*stat_raw);
    if (!stat) return stat.status();

    ProcessInfo info;
    info.pid = pid;
    info.stat = std::move(*stat);
    auto comm = read_file(base + "/comm", 256);
    if (comm && !comm->empty() && comm->back() == '\n') comm->pop_back();  // the kernel's trailing newline
    info.comm = comm ? clean_comm(*comm) : info.stat.comm;
    if (auto exe = read_link(base + "/exe")) info.exe = std::move(*exe);
    if (auto cmd = read_file(base + "/cmdline", kMaxCmdlineBytes, Overflow::kTruncate)) {
      info.cmdline = parse_cmdline(*cmd);
    }
    if (auto cg = read_file(base + "/cgroup", 64 * 1024)) info.cgroup = parse_cgroup(*cg);

    // statm's second field is resident pages; fall back to stat's rss.
    std::uint64_t pages = info.stat.rss_pages > 0 ? static_cast<std::uint64_t>(info.stat.rss_pages) : 0;
    if (auto statm = read_file(base + "/statm", 4096)) {
      std::string_view s = *statm;
      text::next_token(s);
      if (auto resident = text::parse_u64(text::next_token(s))) pages = *resident;
    }
    info.rss_bytes = text::sat_mul(pages, page_size());
    return info;
  });
}

bool ProcessReader::alive(std::uint32_t pid, std::uint64_t start_time_ticks) const {
  auto raw = read_file(dir(pid) + "/stat");
  if (!raw) return false;
  auto stat = parse_pid_stat(*raw);
  return stat && stat->start_time_ticks == start_time_ticks;
}

std::vector<std::uint32_t> ProcessReader::list_pids() const {
  std::vector<std::uint32_t> pids;
  DIR* d = ::opendir(proc_root_.c_str());
  if (d == nullptr) return pids;
  try {
    while (dirent* e = ::readdir(d)) {
      if (pids.size() >= kMaxPids) break;
      if (e->d_name[0] == '0') continue;  // "0" and zero-padded names are not pids
      auto pid = text::parse_u32(e->d_name);
      if (pid) pids.push_back(*pid);
    }
  } catch (const std::exception&) {
    // out of memory: return what we have
  }
  ::closedir(d);
  std::sort(pids.begin(), pids.end());
  return pids;
}

}  // namespace hs::procfs
