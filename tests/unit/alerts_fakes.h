// Test doubles for the alert tests: a transport that records and fails on demand,
// and an in-memory persistence.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "alerts/alert_persistence.h"
#include "notify/transport.h"

namespace hs::alerts::testing {

class FakeTransport final : public notify::Transport {
 public:
  notify::TransportResult post(const notify::HttpRequest& r) override {
    std::lock_guard<std::mutex> g(mu);
    posts.push_back(r);
    return answer();
  }
  notify::TransportResult send_mail(const notify::MailRequest& m) override {
    std::lock_guard<std::mutex> g(mu);
    mails.push_back(m);
    return answer();
  }
  std::mutex mu;
  std::vector<notify::HttpRequest> posts;
  std::vector<notify::MailRequest> mails;
  int fail_next = 0;  // this many calls answer 503 before the rest succeed

 private:
  notify::TransportResult answer() {
    if (fail_next > 0) {
      --fail_next;
      return {false, 503, "HTTP 503"};
    }
    return {true, 200, {}};
  }
};

class MemoryPersistence final : public AlertPersistence {
 public:
  Status save_rule(const AlertRule& r) override { return fail ? failure() : (rules[r.id] = r, Status{}); }
  Status remove_rule(const std::string& id) override { return fail ? failure() : (rules.erase(id), Status{}); }
  Status save_channel(const notify::Channel& c) override { return fail ? failure() : (channels[c.id] = c, Status{}); }
  Status remove_channel(const std::string& id) override { return fail ? failure() : (channels.erase(id), Status{}); }
  Status save_alert(const Alert& a) override { return fail ? failure() : (alerts[a.id] = a, Status{}); }
  Status remove_alert(const std::string& id) override { return fail ? failure() : (alerts.erase(id), Status{}); }

  std::map<std::string, AlertRule> rules;
  std::map<std::string, notify::Channel> channels;
  std::map<std::string, Alert> alerts;
  bool fail = false;

 private:
  static Status failure() { return Status::error("test", "disk full"); }
};

}  // namespace hs::alerts::testing
