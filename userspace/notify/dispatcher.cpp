#include "notify/dispatcher.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "notify/payloads.h"

namespace hs::notify {

Dispatcher::Dispatcher(const Clock& clock, Transport& transport, DispatcherSettings settings)
    : clock_(clock), transport_(transport), settings_(settings) {}

Dispatcher::~Dispatcher() { stop(); }

bool Dispatcher::enqueue(const Channel& channel, Notification n) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (queue_.size() + in_flight_ >= settings_.queue_limit) {
      ++counters_.refused;
      return false;
    }
    queue_.push_back(Job{channel, std::move(n), 0, clock_.now_ms()});
    ++counters_.enqueued;
    wake_ = true;
  }
  cv_.notify_one();
  return true;
}

std::int64_t Dispatcher::backoff_ms(int next_attempt) const {
  const double d = static_cast<double>(settings_.initial_backoff_ms) *
                   std::pow(settings_.backoff_multiplier, std::max(0, next_attempt - 2));
  return static_cast<std::int64_t>(std::min(d, static_cast<double>(settings_.max_backoff_ms)));
}

TransportResult Dispatcher::send(const Job& j) {
  switch (j.channel.kind) {
    case ChannelKind::webhook: return transport_.post(webhook_request(j.channel, j.n));
    case ChannelKind::slack: return transport_.post(slack_request(j.channel, j.n));
    case ChannelKind::sms: return transport_.post(sms_request(j.channel, j.n));
    case ChannelKind::email: return transport_.send_mail(email_request(j.channel, j.n));
    case ChannelKind::dashboard:
      if (!dashboard_) return {false, 0, "no dashboard attached"};
      dashboard_(j.n);
      return {true, 0, {}};
  }
  return {false, 0, "unknown channel type"};
}

std::size_t Dispatcher::run_due() {
  const std::int64_t now = clock_.now_ms();
  std::vector<Job> due;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->due_ms <= now) {
        due.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    in_flight_ += due.size();
  }
  for (Job& j : due) {
    DeliveryAttempt a;
    a.alert_id = j.n.alert_id;
    a.channel_id = j.channel.id;
    a.channel_name = j.channel.name;
    a.channel_type = std::string(channel_kind_name(j.channel.kind));
    a.event = j.n.event;
    a.attempt = ++j.attempts;
    a.ts_ms = clock_.now_ms();
    const TransportResult r = send(j);
    a.ok = r.ok;
    a.code = r.code;
    a.detail = r.detail;
    a.will_retry = !r.ok && j.attempts < settings_.max_attempts;
    if (a.will_retry) a.next_attempt_ms = clock_.now_ms() + backoff_ms(j.attempts + 1);
    {
      std::lock_guard<std::mutex> g(mu_);
      --in_flight_;
      ++counters_.attempts;
      if (r.ok) ++counters_.delivered;
      if (!r.ok && !a.will_retry) ++counters_.failed;
      if (a.will_retry) {
        j.due_ms = a.next_attempt_ms;
        queue_.push_back(std::move(j));
      }
    }
    if (on_outcome_) on_outcome_(a);
  }
  return due.size();
}

std::optional<std::int64_t> Dispatcher::next_due_ms() const {
  std::lock_guard<std::mutex> g(mu_);
  std::optional<std::int64_t> next;
  for (const auto& j : queue_) {
    if (!next || j.due_ms < *next) next = j.due_ms;
  }
  return next;
}

std::size_t Dispatcher::pending() const {
  std::lock_guard<std::mutex> g(mu_);
  return queue_.size() + in_flight_;
}

DispatcherCounters Dispatcher::counters() const {
  std::lock_guard<std::mutex> g(mu_);
  return counters_;
}

void Dispatcher::start() {
  std::lock_guard<std::mutex> g(mu_);
  if (worker_.joinable()) return;
  stop_ = false;
  worker_ = std::thread([this] { loop(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!worker_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void Dispatcher::loop() {
  for (;;) {
    run_due();
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) return;
    std::optional<std::int64_t> next;
    for (const auto& j : queue_) {
      if (!next || j.due_ms < *next) next = j.due_ms;
    }
    const auto woken = [this] { return stop_ || wake_; };
    if (!next) {
      cv_.wait(lock, woken);
    } else {
      const std::int64_t delay = std::max<std::int64_t>(0, *next - clock_.now_ms());
      cv_.wait_for(lock, std::chrono::milliseconds(delay), woken);
    }
    wake_ = false;
    if (stop_) return;
  }
}

}  // namespace hs::notify
