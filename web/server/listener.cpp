#include "web/server/listener.h"

#include <chrono>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <spdlog/spdlog.h>

#include "web/server/http_session.h"

namespace hs::web {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& ioc, std::shared_ptr<ServerState> state)
    : ioc_(ioc), state_(std::move(state)), acceptor_(net::make_strand(ioc)), backoff_(acceptor_.get_executor()) {}

Status Listener::open() {
  const ServerOptions& o = state_->options;
  const std::string where = o.address + ":" + std::to_string(o.port);
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(o.address, ec);
  if (ec) return Status::error("http/bind", "bad listen address '" + o.address + "'", ec.value());
  const tcp::endpoint endpoint{address, o.port};

  const auto failed = [&](const char* step) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return Status::error("http/bind", std::string(step) + " " + where + ": " + ec.message(), ec.value());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return failed("open");
  // Lets a restarted daemon bind while old connections sit in TIME_WAIT; a live
  // listener on the port still makes bind fail.
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return failed("setsockopt");
  acceptor_.bind(endpoint, ec);
  if (ec) return failed("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return failed("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  return Status{};
}

void Listener::run() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->backoff_.cancel();
    self->acceptor_.close(ec);
  });
}

void Listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand so handlers of one connection never overlap.
  acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // EMFILE and friends: retrying at once would spin; pause briefly.
    spdlog::warn("http: accept failed: {}", ec.message());
    backoff_.expires_after(std::chrono::milliseconds(100));
    backoff_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (!e) self->do_accept();
    });
    return;
  }
  const bool reject = state_->connections.load() >= state_->options.max_connections;
  ConnectionSlot slot(state_, !reject);
  std::make_shared<HttpSession>(std::move(socket), std::move(slot), reject)->run();
  do_accept();
}

}  // namespace hs::web
