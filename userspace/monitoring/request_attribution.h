// Ties database operations to the HTTP request they were made for. A server
// thread that reads a request, queries its database and then answers makes
// those queries on the same thread, between the request's first byte and its
// response's first byte; the kernel emits the queries' exchanges before the
// request's (its response comes last). So client-side database operations are
// noted per process as they arrive, and a server-side HTTP request claims the
// ones of its thread that ran inside it. Work handed to other threads (pools,
// async runtimes) is not attributed.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "monitoring/request_queries.h"
#include "protocols/l7_reading.h"

namespace hs::monitoring {

struct AttributionLimits {
  std::size_t per_process = 1024;        // operations waiting per process; the oldest go first
  std::size_t processes = 512;           // processes with waiting operations
  std::size_t shapes_per_process = 256;  // distinct fingerprints named per process; later ones are "other"
  std::uint64_t horizon_ns = 30'000'000'000ull;  // operations older than this (by the process's latest) are dropped
};

class RequestAttribution {
 public:
  explicit RequestAttribution(AttributionLimits limits = {}) : limits_(limits) {}

  // A client-side database operation of r.tgid on thread r.tid.
  void note(const protocols::L7Reading& query);
  // The operations noted for request.tgid on request.tid that started at or after
  // request_ns and were answered by response_ns, merged by shape; they are consumed.
  // The fingerprints in `out` stay valid until forget(request.tgid).
  void claim(const protocols::L7Reading& request, std::vector<ClaimedQuery>& out);
  void forget(std::uint32_t tgid);

  std::size_t waiting() const;
  // Noted operations no request claimed (clients that serve no HTTP, work done
  // outside a request), pushed out by age or a bound.
  std::uint64_t unclaimed() const { return unclaimed_; }

 private:
  struct Noted {
    std::uint32_t tid = 0;
    std::uint32_t shape = 0;  // index into Process::shapes
    std::uint64_t start_ns = 0, end_ns = 0;
    std::uint64_t count = 0;
    bool claimed = false;
  };
  struct Shape {
    protocols::Protocol system;
    std::string fingerprint;
  };
  struct Process {
    std::deque<Noted> queue;  // in arrival order
    std::vector<Shape> shapes;
    std::unordered_map<std::uint64_t, std::uint32_t> shape_by_hash;
    std::uint64_t latest_ns = 0;
  };
  std::uint32_t shape_of(Process& p, const protocols::Operation& op);
  void trim(Process& p);

  AttributionLimits limits_;
  std::unordered_map<std::uint32_t, Process> procs_;
  std::uint64_t unclaimed_ = 0;
};

}  // namespace hs::monitoring
