#include "web/server/http_server.h"

#include "web/server/listener.h"
#include "web/server/server_state.h"

namespace hs::web {

HttpServer::HttpServer(boost::asio::io_context& ioc, ServerOptions options, Handler handler)
    : ioc_(ioc), state_(std::make_shared<ServerState>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
  if (listener_) return Status::error("http/start", "server already started");
  if (!state_->handler) return Status::error("http/start", "no request handler");
  auto listener = std::make_shared<Listener>(ioc_, state_);
  if (Status s = listener->open(); !s.ok()) return s;
  listener_ = std::move(listener);
  listener_->run();
  return Status{};
}

void HttpServer::stop() {
  if (state_->stopping.exchange(true)) return;
  if (listener_) listener_->stop();
  state_->close_all();
}

std::uint16_t HttpServer::port() const { return listener_ ? listener_->port() : 0; }

std::size_t HttpServer::connections() const { return state_->connections.load(); }

EventHub& HttpServer::events() { return *state_->hub; }

std::shared_ptr<EventHub> HttpServer::event_hub() const { return state_->hub; }

}  // namespace hs::web
