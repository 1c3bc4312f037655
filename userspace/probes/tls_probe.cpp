#include "probes/tls_probe.h"

#include "hostscope/wire.h"
#include "tls.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace hs::probes {
namespace {

constexpr std::size_t kMaxMapsBytes = 16u << 20;  // a maps file read past this is cut short
constexpr std::size_t kMaxLineBytes = 8192;       // longer lines (hostile paths) are skipped
constexpr std::size_t kMaxChecks = 4096;          // exec checks waiting at once
constexpr std::size_t kMaxProcEntries = 1u << 20; // /proc entries looked at in one scan

Status tls_error(std::string_view step, int err, std::string_view what = {}) { return bpf_error("tls", step, err, what); }

// The uprobes of one library. A function's return probe comes right before its
// entry, so an optional one that fails skips its entry; `required` ones must attach.
struct Symbol {
  const char* program;
  const char* function;
  bool retprobe;
  bool required;
};
constexpr Symbol kSymbols[] = {
    {"hs_tls_write", "SSL_write", false, true},
    {"hs_tls_read_ret", "SSL_read", true, true},  // return before entry: no entry left without its return
    {"hs_tls_read", "SSL_read", false, true},
    {"hs_tls_write_ex", "SSL_write_ex", false, false},  // OpenSSL >= 1.1.1
    {"hs_tls_read_ex_ret", "SSL_read_ex", true, false},
    {"hs_tls_read_ex", "SSL_read_ex", false, false},
    {"hs_tls_free", "SSL_free", false, false},
};

// "libssl.so", "libssl.so.3", "libssl.so.1.1" (not NSS's libssl3.so).
bool is_libssl(std::string_view path) {
  auto slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return base.starts_with("libssl.so") && (base.size() == 9 || base[9] == '.');
}

template <typename T>
bool parse_num(std::string_view s, T& out, int base) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

// Splits off the next space-separated field of s.
std::string_view next_field(std::string_view& s) {
  std::size_t b = s.find_first_not_of(' ');
  if (b == std::string_view::npos) {
    s = {};
    return {};
  }
  s.remove_prefix(b);
  std::size_t e = s.find(' ');
  std::string_view f = s.substr(0, e);
  s.remove_prefix(e == std::string_view::npos ? s.size() : e);
  return f;
}

}  // namespace

TlsProbe::TlsProbe(SkelPtr skel, TlsProbeOptions options, std::shared_ptr<SockHooks> hooks)
    : skel_(std::move(skel)),
      options_(std::move(options)),
      slot_(std::move(hooks), HS_SOCK_SLOT_TLS) {}

TlsProbe::~TlsProbe() {
  detach();
  rings_.clear();  // before the skeleton closes the maps
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

Result<std::unique_ptr<TlsProbe>> TlsProbe::load(const TlsProbeOptions& options) {
  const std::uint32_t page = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
  std::uint32_t bytes = std::bit_ceil(std::max(options.ringbuf_bytes, page));
  SkelPtr skel(tls_bpf::open(), &tls_bpf::destroy);
  if (!skel) return tls_error("open", errno);
  if (int err = bpf_map__set_max_entries(skel->maps.hs_tls_events, bytes)) return tls_error("configure", err);
  if (int err = bpf_map__set_max_entries(skel->maps.hs_tls_conns, std::max<std::uint32_t>(options.max_connections, 16)))
    return tls_error("configure", err);
  skel->data->hs_tls_wakeup_bytes = bytes / 4;
  auto hooks = SockHooks::join(skel->obj);
  if (!hooks.ok()) return hooks.status();
  if (int err = tls_bpf::load(skel.get())) return tls_error("load", err);

  std::unique_ptr<TlsProbe> probe(new TlsProbe(std::move(skel), options, std::move(hooks.value())));
  auto ncpus = possible_cpus("tls");
  if (!ncpus.ok()) return ncpus.status();
  probe->ncpus_ = ncpus.value();
  probe->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (probe->epoll_fd_ < 0) return tls_error("epoll", errno);
  if (Status st = probe->map_ring(probe->skel_->maps.hs_tls_events); !st.ok()) return st;
  if (Status st = probe->map_ring(probe->skel_->maps.hs_tls_proc_events); !st.ok()) return st;
  spdlog::info("tls: loaded, ring buffer {} KiB, {} connection states", bytes / 1024,
               bpf_map__max_entries(probe->skel_->maps.hs_tls_conns));
  return probe;
}

Status TlsProbe::attach() {
  if (attached()) return {};
  // Exec notices first, so a process that execs during the scan is checked later.
  for (bpf_program* prog : {skel_->progs.hs_tls_exec, skel_->progs.hs_tls_exit}) {
    bpf_link* link = bpf_program__attach(prog);
    if (!link) {
      int err = errno;
      detach();
      return tls_error("attach", err, bpf_program__name(prog));
    }
    links_.emplace_back(link, &bpf_link__destroy);
  }
  if (Status st = slot_.fill(skel_->progs.hs_tls_send, skel_->progs.hs_tls_recv); !st.ok()) {
    detach();
    return st;
  }
  if (options_.system_libraries) attach_system_libraries();
  if (options_.scan_running) scan_all(nullptr);
  publish();
  spdlog::info("tls: attached, {} libssl file(s)", libs_.size());
  return {};
}

void TlsProbe::detach() {
  libs_.clear();  // uprobes go with their links
  slot_.clear();
  links_.clear();
  checks_.clear();
  release_pending_.clear();
  publish();
}

Status TlsProbe::attach_file(Library& lib, const std::string& path) {
  for (std::size_t i = 0; i < std::size(kSymbols); ++i) {
    const Symbol& s = kSymbols[i];
    bpf_program* prog = bpf_object__find_program_by_name(skel_->obj, s.program);
    if (!prog) return tls_error("attach", ENOENT, s.program);
    LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = s.retprobe, .func_name = s.function);
    // pid -1: every process that maps this file, including those that map it later.
    bpf_link* link = bpf_program__attach_uprobe_opts(prog, -1, path.c_str(), 0, &opts);
    if (link) {
      lib.links.emplace_back(link, &bpf_link__destroy);
      continue;
    }
    int err = errno;
    if (s.required) {
      lib.links.clear();
      return tls_error("attach", err, path + ":" + s.function);
    }
    // An optional return probe without its entry is useless; an entry without its return is harmful.
    if (s.retprobe) ++i;
    spdlog::debug("tls: {} has no usable {} ({})", path, s.function, std::strerror(err));
  }
  return {};
}

bool TlsProbe::register_pid(Library& lib, pid_t pid) {
  if (lib.pids.count(pid)) return true;
  __u32 key = static_cast<__u32>(pid);
  __u8 one = 1;
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.hs_tls_procs), &key, &one, BPF_ANY) != 0) {
    ++work_.procs_unregistered;  // its exit will not be reported: the release scan still finds it
    return false;
  }
  // Registered first, checked second: an exit after this point is reported.
  if (::kill(pid, 0) != 0 && errno == ESRCH) {
    bpf_map_delete_elem(bpf_map__fd(skel_->maps.hs_tls_procs), &key);
    return false;
  }
  lib.pids.insert(pid);
  return true;
}

void TlsProbe::unregister_pid(pid_t pid) {
  for (auto& [id, lib] : libs_) {
    if (!lib.pids.erase(pid) || !lib.pids.empty() || lib.pinned) continue;
    if (release_pending_.empty()) release_due_ = Clock::now() + std::chrono::milliseconds(options_.release_delay_ms);
    release_pending_.insert(id);
  }
}

bool TlsProbe::read_mappings(pid_t pid, std::vector<Mapping>& out) {
  out.clear();
  std::string file = "/proc/" + std::to_string(pid) + "/maps";
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ++work_.maps_reads;
  maps_buf_.resize(64 * 1024);
  std::string line;
  bool skipping = false;  // inside an over-long line
  std::size_t total = 0;
  auto parse = [&](std::string_view l) {
    if (l.find("libssl.so") == std::string_view::npos) return;  // the common case, cheaply
    std::string_view range = next_field(l), perms = next_field(l), offset = next_field(l), dev = next_field(l),
                     inode = next_field(l);
    std::size_t b = l.find_first_not_of(' ');
    std::string_view path = b == std::string_view::npos ? std::string_view() : l.substr(b);
    if (perms.empty() || offset.empty() || path.empty() || path[0] != '/' || path.ends_with(" (deleted)") ||
        !is_libssl(path))
      return;
    std::size_t colon = dev.find(':');
    unsigned major_n = 0, minor_n = 0;
    std::uint64_t ino = 0;
    if (colon == std::string_view::npos || !parse_num(dev.substr(0, colon), major_n, 16) ||
        !parse_num(dev.substr(colon + 1), minor_n, 16) || !parse_num(inode, ino, 10) || ino == 0)
      return;
    FileId id{static_cast<std::uint64_t>(::makedev(major_n, minor_n)), ino};
    for (const Mapping& m : out)
      if (m.id == id) return;
    out.push_back({id, std::string(path), std::string(range)});
  };
  for (;;) {
    ssize_t n = ::read(fd, maps_buf_.data(), maps_buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    total += static_cast<std::size_t>(n);
    std::string_view chunk(maps_buf_.data(), static_cast<std::size_t>(n));
    while (!chunk.empty()) {
      std::size_t nl = chunk.find('\n');
      std::string_view piece = chunk.substr(0, nl);
      chunk.remove_prefix(nl == std::string_view::npos ? chunk.size() : nl + 1);
      if (!skipping) {
        if (line.size() + piece.size() > kMaxLineBytes) {
          skipping = true;
          line.clear();
        } else {
          line.append(piece);
        }
      }
      if (nl == std::string_view::npos) break;  // the line goes on in the next chunk
      if (!skipping) parse(line);
      line.clear();
      skipping = false;
    }
    if (total >= kMaxMapsBytes) {
      spdlog::debug("tls: {} cut short at {} bytes", file, total);
      break;
    }
  }
  if (!skipping && !line.empty()) parse(line);
  ::close(fd);
  return true;
}

int TlsProbe::adopt(pid_t pid, const std::vector<Mapping>& found) {
  int added = 0;
  for (const Mapping& m : found) {
    auto it = libs_.find(m.id);
    if (it == libs_.end()) {
      if (failed_.count(m.id)) continue;
      // The path as the process sees it (its mount namespace), else the mapping itself:
      // whichever opens the very file that is mapped. The probes are attached through
      // the open descriptor, so the file cannot be swapped between check and attach.
      std::string root = "/proc/" + std::to_string(pid) + "/root" + m.path;
      std::string mapped = "/proc/" + std::to_string(pid) + "/map_files/" + m.range;
      std::string chosen;
      int fd = -1;
      for (const std::string& candidate : {root, mapped}) {
        fd = ::open(candidate.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        struct stat st {};
        if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            static_cast<std::uint64_t>(st.st_dev) == m.id.first && static_cast<std::uint64_t>(st.st_ino) == m.id.second) {
          chosen = candidate;
          break;
        }
        if (fd >= 0) ::close(fd);
        fd = -1;
      }
      if (fd < 0) {  // replaced or gone since the process mapped it, or another inode shows through
        spdlog::debug("tls: {} (pid {}) is not the mapped file", m.path, pid);
        continue;
      }
      Library lib;
      lib.info = {m.path, chosen, m.id.first, m.id.second, 0, 0};
      Status st = attach_file(lib, "/proc/self/fd/" + std::to_string(fd));
      ::close(fd);
      if (!st.ok()) {
        ++work_.attach_failures;
        failed_.insert(m.id);
        spdlog::warn("tls: {} (pid {}) not attached: {}", m.path, pid, st.text());
        continue;
      }
      spdlog::info("tls: attached {} uprobes to {} (pid {})", lib.links.size(), m.path, pid);
      it = libs_.emplace(m.id, std::move(lib)).first;
      ++added;
      ++work_.libraries_attached;
    }
    register_pid(it->second, pid);
  }
  return added;
}

Result<int> TlsProbe::attach_process(pid_t pid) {
  std::vector<Mapping> found;
  if (!read_mappings(pid, found)) return tls_error("attach_process", errno, "/proc/" + std::to_string(pid) + "/maps");
  int added = adopt(pid, found);
  publish();
  return added;
}

Status TlsProbe::attach_library(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return tls_error("attach_library", errno, path);
  FileId id{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
  auto it = libs_.find(id);
  if (it == libs_.end()) {
    Library lib;
    lib.info = {path, path, id.first, id.second, 0, 0};
    if (Status s = attach_file(lib, path); !s.ok()) return s;
    it = libs_.emplace(id, std::move(lib)).first;
    ++work_.libraries_attached;
  }
  it->second.pinned = true;
  publish();
  return {};
}

void TlsProbe::attach_system_libraries() {
  // Where the dynamic loader looks by default (Debian multiarch first); one inode is attached once.
  static const char* const kDirs[] = {"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                                      "/lib/aarch64-linux-gnu",    "/usr/lib64",            "/lib64",
                                      "/usr/lib",                  "/lib"};
  for (const char* dir : kDirs) {
    DIR* d = ::opendir(dir);
    if (!d) continue;
    std::vector<std::string> paths;
    while (dirent* e = ::readdir(d))
      if (is_libssl(e->d_name)) {
        // The file itself, not the development symlink to it.
        std::string full = std::string(dir) + "/" + e->d_name;
        if (char* real = ::realpath(full.c_str(), nullptr)) {
          paths.emplace_back(real);
          std::free(real);
        }
      }
    ::closedir(d);
    for (const std::string& path : paths) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (libs_.count({static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)})) continue;
      if (Status s = attach_library(path); !s.ok()) spdlog::warn("tls: {} not attached: {}", path, s.text());
      else spdlog::info("tls: attached {} (system library)", path);
    }
  }
}

void TlsProbe::scan_all(const std::set<FileId>* only) {
  DIR* dir = ::opendir("/proc");
  if (!dir) return;
  std::vector<Mapping> found;
  std::size_t seen = 0;
  while (dirent* e = ::readdir(dir)) {
    if (++seen > kMaxProcEntries) break;
    pid_t pid = 0;
    if (!parse_num(std::string_view(e->d_name), pid, 10) || pid <= 0) continue;
    if (!read_mappings(pid, found)) continue;  // exited meanwhile
    if (only)
      std::erase_if(found, [&](const Mapping& m) { return !only->count(m.id); });
    if (!found.empty()) adopt(pid, found);
  }
  ::closedir(dir);
}

// Maps one of the probe's ring buffers and waits on it (level-triggered: each
// pass gives back everything it read).
Status TlsProbe::map_ring(bpf_map* map) {
  const int fd = bpf_map__fd(map);
  auto mapped = MappedRing::map(fd, bpf_map__max_entries(map));
  if (!mapped.ok()) return mapped.status();
  epoll_event ev{};
  ev.events = EPOLLIN;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) < 0) return tls_error("epoll", errno);
  rings_.push_back(std::move(mapped.value()));
  return {};
}

void TlsProbe::on_record(const void* data, std::size_t size) {
  const auto* rec = static_cast<const hs_l7_record*>(data);
  l7_record_prefetch(data, size);
  if (!l7_record_valid(rec, size)) {
    ++malformed_;
    return;
  }
  ++records_;
  if (sink_) (*sink_)(L7Event{rec});
}

void TlsProbe::on_proc(const void* data, std::size_t size) {
  if (size < sizeof(hs_tls_proc_event)) return;
  const auto* e = static_cast<const hs_tls_proc_event*>(data);
  auto pid = static_cast<pid_t>(e->tgid);
  if (e->kind == HS_TLS_PROC_EXIT) {
    unregister_pid(pid);
    return;
  }
  if (e->kind != HS_TLS_PROC_EXEC) return;
  ++work_.execs_seen;
  // The old image is gone: whatever it mapped, the new one is checked afresh.
  __u32 key = e->tgid;
  bpf_map_delete_elem(bpf_map__fd(skel_->maps.hs_tls_procs), &key);
  unregister_pid(pid);
  if (options_.exec_checks_ms.empty()) return;
  if (checks_.size() >= kMaxChecks) {
    ++work_.checks_dropped;
    return;
  }
  auto now = Clock::now();
  checks_.emplace(now + std::chrono::milliseconds(options_.exec_checks_ms[0]), Check{pid, now, 0});
}

void TlsProbe::run_due_checks() {
  std::vector<Mapping> found;
  auto now = Clock::now();
  while (!checks_.empty() && checks_.begin()->first <= now) {
    Check c = checks_.begin()->second;
    checks_.erase(checks_.begin());
    if (!read_mappings(c.pid, found)) continue;  // gone
    if (!found.empty()) {
      adopt(c.pid, found);
      continue;
    }
    // The loader may not have got to it yet (or a dlopen comes later): look again.
    if (++c.attempt < options_.exec_checks_ms.size())
      checks_.emplace(c.exec_time + std::chrono::milliseconds(options_.exec_checks_ms[c.attempt]), c);
  }
}

void TlsProbe::release_unused() {
  if (release_pending_.empty() || Clock::now() < release_due_) return;
  std::set<FileId> idle;
  for (const FileId& id : release_pending_) {
    auto it = libs_.find(id);
    if (it != libs_.end() && it->second.pids.empty() && !it->second.pinned) idle.insert(id);
  }
  release_pending_.clear();
  if (idle.empty()) return;
  // Children forked without exec, or processes that mapped it after their checks, still count.
  scan_all(&idle);
  for (const FileId& id : idle) {
    auto it = libs_.find(id);
    if (it == libs_.end() || !it->second.pids.empty()) continue;
    spdlog::info("tls: released {} (no process maps it)", it->second.info.path);
    libs_.erase(it);
    ++work_.libraries_released;
  }
}

Result<int> TlsProbe::consume(int timeout_ms, const Sink& sink) {
  // Never sleep past a due check.
  auto now = Clock::now();
  auto cap = [&](Clock::time_point due) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(due - now).count() + 1;
    timeout_ms = static_cast<int>(std::clamp<long long>(ms, 0, timeout_ms));
  };
  if (!checks_.empty()) cap(checks_.begin()->first);
  if (!release_pending_.empty()) cap(release_due_);

  sink_ = &sink;
  records_ = 0;
  // Records are mostly submitted without a wake-up (see bpf/tls.bpf.c), so the wait
  // only paces the reader: whatever is there afterwards is consumed either way.
  int waited = 0;
  if (timeout_ms > 0) {
    std::array<epoll_event, 2> evs{};
    if (::epoll_wait(epoll_fd_, evs.data(), static_cast<int>(evs.size()), timeout_ms) < 0) waited = -errno;
  }
  // Each record's space goes back as soon as it is handled, as libbpf's reader does.
  for (std::size_t i = 0; i < rings_.size(); ++i) {
    MappedRing& ring = rings_[i];
    ring.scan([&](const MappedRing::Record& r) {
      if (!r.discarded) (i == 0 ? on_record(r.data, r.size) : on_proc(r.data, r.size));
      ring.release_to(r.end_pos);
    });
  }
  sink_ = nullptr;
  run_due_checks();
  release_unused();
  publish();
  if (waited < 0 && waited != -EINTR) return tls_error("poll", waited);
  return records_;
}

void TlsProbe::publish() {
  std::vector<TlsLibrary> libs;
  libs.reserve(libs_.size());
  for (const auto& [id, lib] : libs_) {
    TlsLibrary info = lib.info;
    info.processes = lib.pids.size();
    info.links = lib.links.size();
    libs.push_back(std::move(info));
  }
  std::lock_guard lock(snapshot_mu_);
  snapshot_ = std::move(libs);
  stats_ = work_;
}

std::vector<TlsLibrary> TlsProbe::libraries() const {
  std::lock_guard lock(snapshot_mu_);
  return snapshot_;
}

TlsTrackerStats TlsProbe::tracker_stats() const {
  std::lock_guard lock(snapshot_mu_);
  return stats_;
}

std::size_t TlsProbe::tracked_connections(pid_t tgid) const {
  int fd = bpf_map__fd(skel_->maps.hs_tls_conns);
  const std::uint32_t cap = bpf_map__max_entries(skel_->maps.hs_tls_conns);
  struct Key {  // struct tls_key of bpf/tls.bpf.c
    __u32 tgid, pad;
    __u64 ssl;
  } key{}, next{};
  std::size_t n = 0;
  const void* prev = nullptr;
  for (std::uint32_t i = 0; i <= cap && bpf_map_get_next_key(fd, prev, &next) == 0; ++i) {
    if (tgid < 0 || next.tgid == static_cast<__u32>(tgid)) ++n;
    key = next;
    prev = &key;
  }
  return n;
}

std::array<std::uint64_t, HS_DROP_TLS_COUNT> TlsProbe::drops() const {
  std::array<std::uint64_t, HS_DROP_TLS_COUNT> total{};
  auto sums = sum_percpu_counters(bpf_map__fd(skel_->maps.hs_tls_drops), HS_DROP_TLS_COUNT, ncpus_);
  std::copy(sums.begin(), sums.end(), total.begin());
  return total;
}

std::uint64_t TlsProbe::missed_runs() const { return probes::missed_runs(skel_->obj) + slot_.missed_runs(); }

std::uint32_t TlsProbe::ringbuf_bytes() const { return bpf_map__max_entries(skel_->maps.hs_tls_events); }

std::vector<std::uint32_t> TlsProbe::program_ids() const {
  std::vector<std::uint32_t> ids;
  for (const bpf_prog_info& info : loaded_program_infos(skel_->obj)) ids.push_back(info.id);
  return ids;
}

}  // namespace hs::probes
