// State shared by the listener and every session; sessions hold it by shared_ptr so
// it outlives the HttpServer object if connections are still draining. Internal.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "web/server/http_server.h"

namespace hs::web {

// A connection the server can close on stop(); close() is thread-safe (it posts).
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void close() = 0;
};

struct ServerState {
  ServerState(ServerOptions o, Handler h)
      : options(std::move(o)), handler(std::move(h)), hub(std::make_shared<EventHub>()) {}

  const ServerOptions options;
  const Handler handler;
  const std::shared_ptr<EventHub> hub;
  std::atomic<std::size_t> connections{0};  // counted against max_connections
  std::atomic<bool> stopping{false};

  std::uint64_t open(std::weak_ptr<Closable> c) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::uint64_t id = next_id_++;
    open_.emplace(id, std::move(c));
    return id;
  }
  // A connection changing hands (HTTP session → SSE session) keeps its id.
  void retrack(std::uint64_t id, std::weak_ptr<Closable> c) {
    std::lock_guard<std::mutex> lock(mu_);
    open_[id] = std::move(c);
  }
  void forget(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    open_.erase(id);
  }
  void close_all() {
    std::vector<std::shared_ptr<Closable>> live;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [id, weak] : open_) {
        if (auto c = weak.lock()) live.push_back(std::move(c));
      }
    }
    for (auto& c : live) c->close();
  }

 private:
  std::mutex mu_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::weak_ptr<Closable>> open_;
};

// One accepted connection's place in the server: counted (unless it is being
// rejected) and registered for stop(); released when the last session holding it dies.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(std::shared_ptr<ServerState> state, bool counted)
      : state_(std::move(state)), counted_(counted) {
    if (counted_) state_->connections.fetch_add(1);
  }
  ConnectionSlot(ConnectionSlot&& o) noexcept
      : state_(std::move(o.state_)), counted_(o.counted_), id_(o.id_) {
    o.state_.reset();
  }
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ~ConnectionSlot() {
    if (!state_) return;
    if (id_ != 0) state_->forget(id_);
    if (counted_) state_->connections.fetch_sub(1);
  }

  void track(std::weak_ptr<Closable> c) {
    if (id_ == 0) {
      id_ = state_->open(std::move(c));
    } else {
      state_->retrack(id_, std::move(c));
    }
  }
  ServerState& state() const { return *state_; }
  const std::shared_ptr<ServerState>& shared_state() const { return state_; }

 private:
  std::shared_ptr<ServerState> state_;
  bool counted_ = false;
  std::uint64_t id_ = 0;
};

}  // namespace hs::web
