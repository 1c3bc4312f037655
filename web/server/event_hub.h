// Server-Sent Events fan-out: publish() formats one frame, shares it as one immutable
// buffer with every connected client, and each client queues it (bounded) on its strand.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hs::web {

using Frame = std::shared_ptr<const std::string>;

// What the hub delivers to: one SSE connection. deliver() is called from any thread
// and must not block (the session posts to its own strand).
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void deliver(Frame frame) = 0;
};

// A client's pending frames. When full, the oldest frame that is not being written
// right now is dropped (a slow client loses old events, never blocks the hub).
class FrameQueue {
 public:
  explicit FrameQueue(std::size_t limit) : limit_(limit < 2 ? 2 : limit) {}
  // Appends `f`; returns true if a frame had to be dropped to make room.
  bool push(Frame f, bool front_in_flight);
  bool empty() const { return frames_.empty(); }
  std::size_t size() const { return frames_.size(); }
  const Frame& front() const { return frames_.front(); }
  void pop() { frames_.pop_front(); }
  std::uint64_t dropped() const { return dropped_; }

 private:
  std::size_t limit_;
  std::deque<Frame> frames_;
  std::uint64_t dropped_ = 0;
};

class EventHub {
 public:
  // Sends "event: <event>\ndata: <json>\n\n" to every client (a multi-line payload
  // becomes several data: lines). Thread-safe.
  void publish(std::string event, std::string json_data);
  // Number of connected SSE clients.
  std::size_t clients() const;
  // Frames dropped across all clients because their queues were full.
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t published() const { return published_.load(std::memory_order_relaxed); }

  // The SSE wire form of one event (exposed for tests).
  static std::string format(std::string_view event, std::string_view data);

  // Used by the SSE sessions.
  void add(const std::shared_ptr<EventSink>& sink);
  void remove(const EventSink* sink);
  void count_dropped(std::uint64_t n) { dropped_.fetch_add(n, std::memory_order_relaxed); }

 private:
  struct Entry {
    const EventSink* key;
    std::weak_ptr<EventSink> sink;
  };
  mutable std::mutex mu_;
  std::vector<Entry> sinks_;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> published_{0};
};

}  // namespace hs::web
