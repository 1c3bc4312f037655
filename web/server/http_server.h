// The daemon's HTTP/1.1 server (Boost.Beast, async): sessions only move bytes; every
// request is turned into a transport-free hs::web::Request and answered by one Handler.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/status.h"
#include "web/routes/http_types.h"
#include "web/server/event_hub.h"

namespace hs::web {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 9851;                            // 0 picks a free port (tests)
  std::size_t body_limit = 1 << 20;                     // larger bodies → 413
  std::chrono::milliseconds read_timeout{10000};        // every read, including keep-alive idle
  std::size_t max_connections = 256;                    // beyond this: 503 and close
  std::size_t header_limit = 16 * 1024;                 // larger request heads → 431
  std::chrono::milliseconds write_timeout{30000};       // a peer that stops reading is dropped
  std::chrono::milliseconds sse_ping_interval{15000};   // ": ping" keeps idle streams alive
  std::size_t sse_queue_limit = 256;                    // pending frames per SSE client
};

// Called for every well-formed request. It may throw: the client then gets a 500
// JSON `internal` error and the exception is logged. A Response with
// event_stream = true (and status 200) turns the connection into an SSE stream fed by
// events() — see http_types.h.
using Handler = std::function<Response(Request&)>;

struct ServerState;
class Listener;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens, then accepts on the io_context. Error Status ("http/bind", ...)
  // if the address is bad or the port is taken. Call once.
  Status start();
  // Stops accepting and closes every open connection, SSE streams included.
  // Thread-safe; idempotent.
  void stop();
  // The port actually bound (useful with port 0); 0 before start().
  std::uint16_t port() const;
  // Connections counted against max_connections right now.
  std::size_t connections() const;

  // The live-push hub; publish() from any thread.
  EventHub& events();
  std::shared_ptr<EventHub> event_hub() const;

 private:
  boost::asio::io_context& ioc_;
  std::shared_ptr<ServerState> state_;
  std::shared_ptr<Listener> listener_;
};

}  // namespace hs::web
