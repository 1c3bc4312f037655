#include "web/server/event_hub.h"

#include <algorithm>

namespace hs::web {

bool FrameQueue::push(Frame f, bool front_in_flight) {
  bool dropped = false;
  if (frames_.size() >= limit_) {
    // The frame at the front may be half on the wire: dropping it would corrupt the stream.
    frames_.erase(frames_.begin() + (front_in_flight ? 1 : 0));
    ++dropped_;
    dropped = true;
  }
  frames_.push_back(std::move(f));
  return dropped;
}

std::string EventHub::format(std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(event.size() + data.size() + 24);
  if (!event.empty()) {
    out += "event: ";
    for (char c : event) {
      if (c != '\r' && c != '\n') out += c;  // a newline would end the field early
    }
    out += '\n';
  }
  // Every line of the payload is its own data: field; the client rejoins them with '\n'.
  std::size_t start = 0;
  while (true) {
    std::size_t nl = data.find('\n', start);
    std::string_view line = data.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += "data: ";
    out += line;
    out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out += '\n';
  return out;
}

void EventHub::publish(std::string event, std::string json_data) {
  const Frame frame = std::make_shared<const std::string>(format(event, json_data));
  published_.fetch_add(1, std::memory_order_relaxed);
  std::vector<std::shared_ptr<EventSink>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    live.reserve(sinks_.size());
    for (const Entry& e : sinks_) {
      if (auto s = e.sink.lock()) live.push_back(std::move(s));
    }
  }
  // Outside the lock: deliver() posts to the session's strand and may run user code paths.
  for (const auto& s : live) s->deliver(frame);
}

std::size_t EventHub::clients() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<std::size_t>(std::count_if(sinks_.begin(), sinks_.end(),
                                                [](const Entry& e) { return !e.sink.expired(); }));
}

void EventHub::add(const std::shared_ptr<EventSink>& sink) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(sinks_, [](const Entry& e) { return e.sink.expired(); });
  sinks_.push_back(Entry{sink.get(), sink});
}

void EventHub::remove(const EventSink* sink) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(sinks_, [sink](const Entry& e) { return e.key == sink || e.sink.expired(); });
}

}  // namespace hs::web
