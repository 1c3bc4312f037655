// Injectable clock so engines can be driven by tests with a fake time.
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>

namespace hs {

// CLOCK_MONOTONIC in nanoseconds: the clock bpf_ktime_get_ns() reads, so kernel
// timestamps compare with it directly.
inline std::uint64_t kernel_clock_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock milliseconds since the Unix epoch (timestamps shown to users).
  virtual std::int64_t now_ms() const = 0;
  // Monotonic nanoseconds (rates and intervals).
  virtual std::int64_t mono_ns() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  std::int64_t mono_ns() const override {
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start_ms = 1'700'000'000'000) : ms_(start_ms) {}
  std::int64_t now_ms() const override { return ms_; }
  std::int64_t mono_ns() const override { return ms_ * 1'000'000; }
  void advance_ms(std::int64_t d) { ms_ += d; }

 private:
  std::int64_t ms_;
};

}  // namespace hs
