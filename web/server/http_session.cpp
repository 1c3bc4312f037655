#include "web/server/http_session.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string_view>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "web/routes/json_error.h"
#include "web/routes/router.h"
#include "web/server/sse_session.h"

namespace hs::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kServerName = "hostscoped";
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

char lower_char(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower_char(x) == lower_char(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "Bearer <token>" with the scheme in any case; any other scheme gives "".
std::string bearer_token(std::string_view authorization) {
  authorization = trim(authorization);
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() + 1) return {};
  if (!iequals(authorization.substr(0, kScheme.size()), kScheme)) return {};
  const char sep = authorization[kScheme.size()];
  if (sep != ' ' && sep != '\t') return {};
  return std::string(trim(authorization.substr(kScheme.size() + 1)));
}

std::string remote_of(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const std::string addr = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + addr + "]" : addr) + ":" + std::to_string(ep.port());
}

bool unsafe_header(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos; }

// Server defaults, then the handler's headers (see Response::headers for the rules).
void apply_headers(http::fields& f, const Response& r, bool default_no_store) {
  f.set(http::field::server, kServerName);
  if (!r.content_type.empty()) f.set(http::field::content_type, r.content_type);
  if (default_no_store) f.set(http::field::cache_control, "no-store");
  for (const auto& [name, value] : r.headers) {
    if (name.empty() || unsafe_header(name) || unsafe_header(value)) continue;  // no response splitting
    if (iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "connection")) {
      continue;  // framing belongs to the server
    }
    if (iequals(name, "server") || iequals(name, "content-type") || iequals(name, "cache-control")) {
      f.set(name, value);
    } else {
      f.insert(name, value);
    }
  }
}

bool is_json(const Response& r) { return r.content_type.rfind("application/json", 0) == 0; }

}  // namespace

HttpSession::HttpSession(tcp::socket&& socket, ConnectionSlot slot, bool reject)
    : stream_(std::move(socket)),
      executor_(stream_.get_executor()),
      slot_(std::move(slot)),
      options_(slot_.state().options),
      reject_(reject),
      remote_(remote_of(stream_.socket())) {}

void HttpSession::run() {
  // Accepted sockets run on their own strand; start there.
  net::dispatch(executor_, [self = shared_from_this()] {
    self->slot_.track(self->weak_from_this());
    if (self->slot_.state().stopping.load()) return self->shutdown();
    if (self->reject_) {
      spdlog::warn("http: {} refused: {} connections open", self->remote_, self->options_.max_connections);
      return self->send(json_error(503, "unavailable", "too many connections"), 11, false);
    }
    self->do_read();
  });
}

void HttpSession::close() {
  net::post(executor_, [self = shared_from_this()] {
    if (!self->handed_off_) self->shutdown();
  });
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->body_limit(static_cast<std::uint64_t>(options_.body_limit));
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options_.header_limit, std::numeric_limits<std::uint32_t>::max())));
  stream_.expires_after(options_.read_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
}

void HttpSession::on_header(beast::error_code ec, std::size_t) {
  if (ec) return on_error(ec);
  // Refuse an announced oversize body before the client sends it.
  if (const auto length = parser_->content_length(); length && *length > options_.body_limit) {
    return on_error(http::error::body_limit);
  }
  if (parser_->is_done()) return on_read({}, 0);
  if (iequals(sv(parser_->get()[http::field::expect]), "100-continue")) {
    stream_.expires_after(options_.write_timeout);
    return net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                            beast::bind_front_handler(&HttpSession::on_continue, shared_from_this()));
  }
  on_continue({}, 0);
}

void HttpSession::on_continue(beast::error_code ec, std::size_t) {
  if (ec) return shutdown();
  stream_.expires_after(options_.read_timeout);
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) return on_error(ec);
  handle();
}

void HttpSession::on_error(beast::error_code ec) {
  static const beast::error_category& http_category = http::make_error_code(http::error::bad_target).category();
  if (ec == http::error::body_limit) {
    return send(json_error(413, "payload_too_large",
                           "request body exceeds " + std::to_string(options_.body_limit) + " bytes"),
                11, false);
  }
  if (ec == http::error::header_limit) {
    return send(json_error(431, "header_too_large",
                           "request header exceeds " + std::to_string(options_.header_limit) + " bytes"),
                11, false);
  }
  if (ec.category() == http_category && ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return send(json_error(400, "bad_request", "malformed HTTP request: " + ec.message()), 11, false);
  }
  // Peer closed, timed out, or the socket failed: nothing useful can be sent.
  if (ec != http::error::end_of_stream && ec != net::error::operation_aborted) {
    spdlog::debug("http: {}: {}", remote_, ec.message());
  }
  shutdown();
}

Request HttpSession::to_request(BeastRequest& breq, Status& target_status) const {
  Request req;
  req.method = std::string(sv(breq.method_string()));
  target_status = parse_target(sv(breq.target()), req.path, req.query);
  for (const auto& field : breq) {
    std::string name(sv(field.name_string()));
    std::transform(name.begin(), name.end(), name.begin(), lower_char);
    auto [it, inserted] = req.headers.try_emplace(std::move(name), std::string(sv(field.value())));
    if (!inserted) it->second += ", " + std::string(sv(field.value()));
  }
  req.content_type = std::string(sv(breq[http::field::content_type]));
  req.bearer_token = bearer_token(sv(breq[http::field::authorization]));
  req.body = std::move(breq.body());
  req.remote = remote_;
  return req;
}

void HttpSession::handle() {
  BeastRequest& breq = parser_->get();
  const unsigned version = breq.version();
  const bool keep_alive = breq.keep_alive() && !slot_.state().stopping.load();
  head_request_ = breq.method() == http::verb::head;
  Status target_status;
  Request req = to_request(breq, target_status);
  if (!target_status.ok()) return send(json_error(400, "bad_request", target_status.message()), version, keep_alive);

  Response res;
  try {
    res = slot_.state().handler(req);
  } catch (const std::exception& e) {
    spdlog::error("http: {} {} from {}: handler threw: {}", req.method, req.path, remote_, e.what());
    res = json_error(500, "internal", "internal server error");
  } catch (...) {
    spdlog::error("http: {} {} from {}: handler threw a non-std exception", req.method, req.path, remote_);
    res = json_error(500, "internal", "internal server error");
  }
  if (res.event_stream && res.status == 200) return start_event_stream(std::move(res), version);
  send(std::move(res), version, keep_alive);
}

void HttpSession::send(Response&& r, unsigned version, bool keep_alive) {
  if (r.status < 200 || r.status > 999) {
    spdlog::error("http: handler answered invalid status {}", r.status);
    r = json_error(500, "internal", "internal server error");
  }
  if (r.status == 204 || r.status == 304) r.body.clear();  // these never carry a body
  const bool no_store = is_json(r) && std::none_of(r.headers.begin(), r.headers.end(), [](const auto& h) {
                          return iequals(h.first, "cache-control");
                        });
  res_ = BeastResponse{};
  res_.version(version);
  res_.result(static_cast<unsigned>(r.status));
  apply_headers(res_, r, no_store);
  res_.body() = std::move(r.body);
  res_.keep_alive(keep_alive);
  res_.prepare_payload();
  if (head_request_) {
    // A HEAD answer announces the length it would have sent, and sends no body.
    const std::size_t length = res_.body().size();
    res_.body().clear();
    res_.content_length(length);
    head_request_ = false;
  }
  stream_.expires_after(options_.write_timeout);
  http::async_write(stream_, res_, beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  if (ec) return shutdown();
  if (!keep_alive) return linger();
  do_read();
}

void HttpSession::start_event_stream(Response&& r, unsigned version) {
  http::response<http::empty_body> head{http::status::ok, version};
  r.content_type = "text/event-stream";
  const bool no_store = std::none_of(r.headers.begin(), r.headers.end(),
                                     [](const auto& h) { return iequals(h.first, "cache-control"); });
  apply_headers(head, r, no_store);
  // No Content-Length: the stream's body runs until either side closes.
  std::ostringstream os;
  os << head.base();
  handed_off_ = true;
  auto sse = std::make_shared<SseSession>(std::move(stream_), std::move(slot_), os.str() + r.body);
  sse->run();
}

void HttpSession::linger() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return shutdown();
  stream_.expires_after(kLingerTimeout);  // one deadline for the whole drain
  stream_.async_read_some(net::buffer(discard_), beast::bind_front_handler(&HttpSession::on_linger, shared_from_this()));
}

void HttpSession::on_linger(beast::error_code ec, std::size_t) {
  if (ec) return shutdown();
  stream_.async_read_some(net::buffer(discard_), beast::bind_front_handler(&HttpSession::on_linger, shared_from_this()));
}

void HttpSession::shutdown() {
  if (handed_off_) return;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace hs::web
