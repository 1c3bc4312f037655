// Bookkeeping every capture keeps about its probe: drops of probes already
// unloaded (so totals survive stop/start), and the timed read→ingest→forget step.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include <spdlog/spdlog.h>

#include "common/status.h"

namespace hs::daemon {

template <std::size_t NDrops>
class ProbeLedger {
 public:
  using Drops = std::array<std::uint64_t, NDrops>;

  // The probe is about to be unloaded: keep what it counted.
  template <typename Probe>
  void retire(const Probe& probe) {
    auto d = probe.drops();
    for (std::size_t i = 0; i < NDrops; ++i) retired_[i] += d[i];
    retired_missed_ += probe.missed_runs();
  }
  // Totals since the daemon started: retired probes plus the live one (may be null).
  template <typename Probe>
  Drops drops(const Probe* live) const {
    Drops d = retired_;
    if (live) {
      auto l = live->drops();
      for (std::size_t i = 0; i < NDrops; ++i) d[i] += l[i];
    }
    return d;
  }
  template <typename Probe>
  std::uint64_t missed_runs(const Probe* live) const {
    return retired_missed_ + (live ? live->missed_runs() : 0);
  }

  // read(readings) → ingest(readings) gives keys to forget → probe.remove(keys), timed.
  // A failed read is kept in last_error and skips the rest.
  template <typename Probe, typename Readings, typename Ingest>
  bool read_and_ingest(Probe& probe, Readings& readings, Ingest&& ingest, std::string& last_error) {
    auto t0 = std::chrono::steady_clock::now();
    if (Status st = probe.read_all(readings); !st.ok()) {
      last_error = st.text();
      spdlog::warn("probe read failed: {}", last_error);
      return false;
    }
    auto forget = ingest(readings);
    if (!forget.empty()) {
      if (Status st = probe.remove(forget); !st.ok()) spdlog::warn("forgetting exited processes: {}", st.text());
    }
    last_read_us_ = elapsed_us(t0);
    return true;
  }
  // Adds time spent after read_and_ingest to the last read's duration.
  void extend_read(std::chrono::steady_clock::time_point since) { last_read_us_ += elapsed_us(since); }
  std::uint64_t last_read_us() const { return last_read_us_; }

 private:
  static std::uint64_t elapsed_us(std::chrono::steady_clock::time_point t0) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
  }
  Drops retired_{};
  std::uint64_t retired_missed_ = 0;
  std::uint64_t last_read_us_ = 0;
};

}  // namespace hs::daemon
