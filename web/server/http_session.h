// One HTTP/1.1 connection: read a request (with limits and a timeout), hand it to the
// Handler as a transport-free Request, write the Response, repeat while keep-alive.
// Internal to hs_web_server.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "web/server/server_state.h"

namespace hs::web {

class HttpSession : public Closable, public std::enable_shared_from_this<HttpSession> {
 public:
  // `reject`: the server is at max_connections; answer 503 and close.
  HttpSession(boost::asio::ip::tcp::socket&& socket, ConnectionSlot slot, bool reject);

  void run();
  void close() override;

 private:
  using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
  using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

  void do_read();
  void on_header(boost::beast::error_code ec, std::size_t bytes);
  void on_continue(boost::beast::error_code ec, std::size_t bytes);
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_error(boost::beast::error_code ec);
  void handle();
  Request to_request(BeastRequest& req, Status& target_status) const;
  void send(Response&& r, unsigned version, bool keep_alive);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void start_event_stream(Response&& r, unsigned version);
  // Server-initiated close: stop sending, then read and discard what the peer still
  // sends until it closes (or a short timeout), so the kernel does not answer its
  // unread bytes with a RST that could destroy the response we just wrote.
  void linger();
  void on_linger(boost::beast::error_code ec, std::size_t bytes);
  void shutdown();

  boost::beast::tcp_stream stream_;
  boost::asio::any_io_executor executor_;  // kept: stream_ is moved away for SSE
  ConnectionSlot slot_;
  const ServerOptions& options_;
  bool reject_;
  bool handed_off_ = false;
  bool head_request_ = false;  // the request being answered is a HEAD
  std::string remote_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  BeastResponse res_;
  std::array<char, 4096> discard_{};
};

}  // namespace hs::web
