#include "test_support.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "common/syscall_names.h"

extern char** environ;

namespace hs::roottest {

Workload::Workload(const std::vector<std::string>& args) {
  int to_child[2], from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, from_child[1], STDOUT_FILENO);
  std::vector<std::string> argv_s{HS_WORKLOAD_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  int err = posix_spawn(&pid_, HS_WORKLOAD_PATH, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(to_child[0]);
  close(from_child[1]);
  in_fd_ = to_child[1];
  out_fd_ = from_child[0];
  if (err != 0) throw std::runtime_error("posix_spawn " HS_WORKLOAD_PATH " failed");
  std::string line = read_line(10'000);
  if (line != "ready " + std::to_string(pid_)) throw std::runtime_error("workload said: " + line);
}

Workload::~Workload() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    finish();
  }
  if (out_fd_ >= 0) close(out_fd_);
}

std::string Workload::read_line(int timeout_ms) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{out_fd_, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
      throw std::runtime_error("workload timed out");
    char c;
    if (read(out_fd_, &c, 1) != 1) throw std::runtime_error("workload exited");
    if (c == '\n') return line;
    line.push_back(c);
  }
}

void Workload::start_round() {
  if (write(in_fd_, "go\n", 3) != 3) throw std::runtime_error("workload stdin closed");
}

std::int64_t Workload::wait_round() {
  std::string line = read_line(60'000);
  if (line.rfind("done ", 0) != 0) throw std::runtime_error("workload said: " + line);
  return std::stoll(line.substr(5));
}

void Workload::finish() {
  if (in_fd_ >= 0) close(in_fd_);
  in_fd_ = -1;
  if (pid_ > 0) waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::map<std::uint32_t, probes::SyscallRecord> records_for(probes::SyscallProbe& probe, std::uint32_t tgid) {
  std::vector<probes::SyscallRecord> all;
  Status st = probe.read_all(all);
  if (!st.ok()) throw std::runtime_error(st.text());
  std::map<std::uint32_t, probes::SyscallRecord> out;
  for (const auto& r : all)
    if (r.tgid == tgid) out[r.nr] = r;
  return out;
}

std::uint64_t total_count(probes::SyscallProbe& probe, std::uint32_t tgid) {
  std::uint64_t n = 0;
  for (const auto& [nr, r] : records_for(probe, tgid)) n += r.count;
  return n;
}

std::set<std::uint32_t> linked_prog_ids() {
  std::set<std::uint32_t> ids;
  __u32 id = 0;
  while (bpf_link_get_next_id(id, &id) == 0) {
    int fd = bpf_link_get_fd_by_id(id);
    if (fd < 0) continue;  // went away meanwhile
    bpf_link_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) ids.insert(info.prog_id);
    close(fd);
  }
  return ids;
}

std::set<std::uint32_t> bpftool_prog_ids() {
  std::set<std::uint32_t> ids;
  FILE* f = popen("bpftool prog show 2>/dev/null", "r");
  if (!f) throw std::runtime_error("popen bpftool failed");
  char line[512];
  // Program lines start "<id>: <type>  name <name> ..."; detail lines are indented.
  while (std::fgets(line, sizeof(line), f)) {
    unsigned id = 0;
    if (line[0] >= '0' && line[0] <= '9' && std::sscanf(line, "%u:", &id) == 1) ids.insert(id);
  }
  if (pclose(f) != 0) throw std::runtime_error("bpftool prog show failed");
  return ids;
}

int map_fd_of_prog(std::uint32_t prog_id, const std::string& name) {
  int pfd = bpf_prog_get_fd_by_id(prog_id);
  if (pfd < 0) return -1;
  __u32 map_ids[64] = {};
  bpf_prog_info info{};
  info.nr_map_ids = 64;
  info.map_ids = reinterpret_cast<__u64>(map_ids);
  __u32 len = sizeof(info);
  int rc = bpf_obj_get_info_by_fd(pfd, &info, &len);
  close(pfd);
  if (rc != 0) return -1;
  for (__u32 i = 0; i < info.nr_map_ids && i < 64; ++i) {
    int mfd = bpf_map_get_fd_by_id(map_ids[i]);
    if (mfd < 0) continue;
    bpf_map_info minfo{};
    __u32 mlen = sizeof(minfo);
    if (bpf_obj_get_info_by_fd(mfd, &minfo, &mlen) == 0 && name == minfo.name) return mfd;
    close(mfd);
  }
  return -1;
}

std::uint32_t nr_of(const char* name) {
  auto nr = syscall_nr(name);
  if (!nr) throw std::runtime_error(std::string("unknown syscall ") + name);
  return *nr;
}

}  // namespace hs::roottest
