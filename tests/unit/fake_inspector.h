// A ProcessInspector with canned processes, for engine tests.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "monitoring/samples.h"

namespace hs::test {

class FakeInspector : public monitoring::ProcessInspector {
 public:
  std::map<std::uint32_t, monitoring::ProcessMeta> procs;
  int alive_calls = 0;  // liveness checks asked for (each is a /proc read in the daemon)
  std::optional<monitoring::ProcessMeta> inspect(std::uint32_t pid) override {
    auto it = procs.find(pid);
    if (it == procs.end()) return std::nullopt;
    return it->second;
  }
  bool alive(std::uint32_t pid, std::uint64_t start) override {
    ++alive_calls;
    auto it = procs.find(pid);
    return it != procs.end() && it->second.start_time_ticks == start;
  }
  void add(std::uint32_t pid, std::string comm, std::uint64_t start = 100) {
    monitoring::ProcessMeta m;
    m.pid = pid;
    m.comm = std::move(comm);
    m.start_time_ticks = start;
    procs[pid] = m;
  }
};

}  // namespace hs::test
