#include "web/server/sse_session.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace hs::web {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
const Frame& ping_frame() {
  static const Frame kPing = std::make_shared<const std::string>(": ping\n\n");
  return kPing;
}
}  // namespace

SseSession::SseSession(beast::tcp_stream&& stream, ConnectionSlot slot, std::string preamble)
    : stream_(std::move(stream)),
      executor_(stream_.get_executor()),
      slot_(std::move(slot)),
      hub_(slot_.state().hub),
      ping_(executor_),
      queue_(slot_.state().options.sse_queue_limit) {
  queue_.push(std::make_shared<const std::string>(std::move(preamble)), false);
}

void SseSession::run() {
  slot_.track(weak_from_this());
  hub_->add(shared_from_this());
  do_write();
  do_watch();
  schedule_ping();
}

void SseSession::deliver(Frame frame) {
  // Called from any thread: hop onto this connection's strand.
  net::post(executor_, [self = shared_from_this(), frame = std::move(frame)]() mutable {
    self->enqueue(std::move(frame));
  });
}

void SseSession::close() {
  net::post(executor_, [self = shared_from_this()] { self->shutdown(); });
}

void SseSession::enqueue(Frame frame) {
  if (closed_) return;
  if (queue_.push(std::move(frame), writing_)) hub_->count_dropped(1);
  if (!writing_) do_write();
}

void SseSession::do_write() {
  if (closed_ || writing_ || queue_.empty()) return;
  writing_ = true;
  const Frame& f = queue_.front();
  // A client that stops reading is dropped after write_timeout instead of pinning memory.
  stream_.expires_after(slot_.state().options.write_timeout);
  net::async_write(stream_, net::buffer(f->data(), f->size()),
                   beast::bind_front_handler(&SseSession::on_write, shared_from_this()));
}

void SseSession::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) return shutdown();
  queue_.pop();
  do_write();
}

// Clients never send on an event stream; a read completing means close (or garbage).
void SseSession::do_watch() {
  // Straight on the socket: the tcp_stream deadline is for writes only here.
  stream_.socket().async_read_some(net::buffer(scratch_),
                                   beast::bind_front_handler(&SseSession::on_watch, shared_from_this()));
}

void SseSession::on_watch(beast::error_code ec, std::size_t) {
  if (ec) return shutdown();
  do_watch();
}

void SseSession::schedule_ping() {
  if (closed_) return;
  ping_.expires_after(slot_.state().options.sse_ping_interval);
  ping_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closed_) return;
    self->enqueue(ping_frame());
    self->schedule_ping();
  });
}

void SseSession::shutdown() {
  if (closed_) return;
  closed_ = true;
  hub_->remove(this);
  ping_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
  spdlog::debug("sse: stream closed ({} frames dropped)", queue_.dropped());
}

}  // namespace hs::web
