// Asynchronous delivery: enqueue() never blocks (a bounded queue; full means refused
// and counted); a worker thread sends each notification through the Transport and
// retries failures with exponential backoff. Every attempt's outcome goes to the
// outcome handler (the alert engine records it on the alert).
//
// Tests drive it without the thread: run_due() makes every attempt due at the
// injected clock's now, so backoff is exact under a fake clock.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/notification.h"
#include "notify/transport.h"

namespace hs::notify {

struct DispatcherSettings {
  std::size_t queue_limit = 1000;        // notifications waiting or being retried
  int max_attempts = 5;                  // then the delivery has failed for good
  std::int64_t initial_backoff_ms = 1000;
  double backoff_multiplier = 2;
  std::int64_t max_backoff_ms = 300'000;
};

struct DeliveryAttempt {
  std::string alert_id, channel_id, channel_name, channel_type, event;
  int attempt = 0;  // 1-based
  std::int64_t ts_ms = 0;
  bool ok = false;
  long code = 0;
  std::string detail;
  bool will_retry = false;
  std::int64_t next_attempt_ms = 0;  // when will_retry
};

struct DispatcherCounters {
  std::uint64_t enqueued = 0, refused = 0, attempts = 0, delivered = 0, failed = 0;
};

class Dispatcher {
 public:
  Dispatcher(const Clock& clock, Transport& transport, DispatcherSettings settings = {});
  ~Dispatcher();  // stops the worker; what is still queued is not sent
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Set before start(); called on the delivery thread.
  void set_outcome_handler(std::function<void(const DeliveryAttempt&)> f) { on_outcome_ = std::move(f); }
  // The dashboard channel's live push (e.g. the SSE hub's publish); called on the delivery thread.
  void set_dashboard(std::function<void(const Notification&)> f) { dashboard_ = std::move(f); }

  // Queues one notification for one channel; false when the queue is full. Thread-safe.
  bool enqueue(const Channel& channel, Notification n);

  void start();  // the worker thread (idempotent)
  void stop();   // joins it (idempotent)

  // Sends everything due now (on the calling thread); returns the attempts made.
  std::size_t run_due();
  std::optional<std::int64_t> next_due_ms() const;
  std::size_t pending() const;
  DispatcherCounters counters() const;
  // Delay before attempt `next_attempt` (2..): initial * multiplier^(next_attempt-2), capped.
  std::int64_t backoff_ms(int next_attempt) const;

 private:
  struct Job {
    Channel channel;
    Notification n;
    int attempts = 0;
    std::int64_t due_ms = 0;
  };
  TransportResult send(const Job& j);
  void loop();

  const Clock& clock_;
  Transport& transport_;
  DispatcherSettings settings_;
  std::function<void(const DeliveryAttempt&)> on_outcome_;
  std::function<void(const Notification&)> dashboard_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::size_t in_flight_ = 0;
  bool stop_ = false, wake_ = false;
  DispatcherCounters counters_;
  std::thread worker_;
};

}  // namespace hs::notify
