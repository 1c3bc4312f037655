// One Server-Sent Events stream: takes over an HTTP connection after the response
// head, then writes frames from the EventHub (bounded queue) and a periodic ": ping".
// Internal to hs_web_server.
#pragma once

#include <array>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>

#include "web/server/event_hub.h"
#include "web/server/server_state.h"

namespace hs::web {

class SseSession : public Closable, public EventSink, public std::enable_shared_from_this<SseSession> {
 public:
  // `preamble`: the response head plus any initial body bytes, written first.
  SseSession(boost::beast::tcp_stream&& stream, ConnectionSlot slot, std::string preamble);

  // Must be called on the connection's strand (the HTTP session's handler is).
  void run();
  void deliver(Frame frame) override;
  void close() override;

 private:
  void enqueue(Frame frame);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void do_watch();
  void on_watch(boost::beast::error_code ec, std::size_t bytes);
  void schedule_ping();
  void shutdown();

  boost::beast::tcp_stream stream_;
  boost::asio::any_io_executor executor_;
  ConnectionSlot slot_;
  std::shared_ptr<EventHub> hub_;
  boost::asio::steady_timer ping_;
  FrameQueue queue_;
  bool writing_ = false;
  bool closed_ = false;
  std::array<char, 512> scratch_{};
};

}  // namespace hs::web
