// Channel payloads (webhook + HMAC, Slack, SMS template, email) and asynchronous
// delivery with exponential backoff against a failing fake transport.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "alerts_fakes.h"
#include "notify/channel.h"
#include "notify/dispatcher.h"
#include "notify/hmac.h"
#include "notify/payloads.h"

namespace hs::notify {
namespace {

Notification sample() {
  Notification n;
  n.event = "raised";
  n.alert_id = "al-7";
  n.title = "API slow: server GET /a";
  n.message = "p95 latency 300 ms > 200 ms";
  n.severity = "high";
  n.status = "active";
  n.source = "rule";
  n.ts_ms = 1'700'000'000'000;
  n.alert = boost::json::object{{"id", "al-7"}, {"severity", "high"}};
  return n;
}

Channel channel_of(std::string_view json) {
  auto c = channel_from_json(boost::json::parse(json));
  EXPECT_TRUE(c.ok()) << c.error().text();
  return c.ok() ? *c : Channel{};
}

std::string header(const HttpRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

TEST(AlertChannelPayload, HmacSha256KnownVector) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(AlertChannelPayload, WebhookIsSignedJson) {
  const Channel c = channel_of(R"({"name":"ops","type":"webhook","url":"https://hooks.example/x","secret":"s3cret",
                                    "headers":{"X-Team":"ops"}})");
  const HttpRequest r = webhook_request(c, sample());
  EXPECT_EQ(r.url, "https://hooks.example/x");
  EXPECT_EQ(r.body, R"({"event":"raised","alert":{"id":"al-7","severity":"high"}})");
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_EQ(header(r, "X-Hostscope-Event"), "raised");
  EXPECT_EQ(header(r, "X-Hostscope-Signature"), "sha256=" + hmac_sha256_hex("s3cret", r.body));
  EXPECT_EQ(header(r, "X-Team"), "ops");
  Channel unsigned_channel = c;
  unsigned_channel.secret.clear();
  EXPECT_EQ(header(webhook_request(unsigned_channel, sample()), "X-Hostscope-Signature"), "<none>");
}

TEST(AlertChannelPayload, SlackText) {
  const Channel c = channel_of(R"({"name":"chat","type":"slack","url":"https://hooks.slack.com/services/T/B/X"})");
  const auto body = boost::json::parse(slack_request(c, sample()).body).as_object();
  EXPECT_EQ(body.size(), 1u);
  EXPECT_EQ(body.at("text").as_string(),
            "*[HIGH] raised: API slow: server GET /a*\np95 latency 300 ms > 200 ms\nstatus: active · source: rule · alert al-7");
}

TEST(AlertChannelPayload, SmsTemplateIsEscapedForJson) {
  const Channel c = channel_of(R"({"name":"pager","type":"sms","url":"https://sms.example/send",
      "template":"{\"to\":\"+15550100\",\"text\":\"{{severity}}: {{title}} {{unknown}}\"}"})");
  Notification n = sample();
  n.title = "quote \" here";
  const HttpRequest r = sms_request(c, n);
  EXPECT_EQ(r.body, R"({"to":"+15550100","text":"high: quote \" here {{unknown}}"})");
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_EQ(render_template("{{id}}/{{event}}/{{status}}/{{source}}", n, false), "al-7/raised/active/rule");
}

TEST(AlertChannelPayload, EmailMessage) {
  const Channel c = channel_of(R"({"name":"mail","type":"email","smtp":{"url":"smtp://127.0.0.1:2525",
      "starttls":true,"username":"u","password":"p","from":"hostscope@example.org","to":["ops@example.org","b@example.org"]}})");
  Notification n = sample();
  n.title = "two\r\nlines";
  const MailRequest m = email_request(c, n);
  EXPECT_EQ(m.url, "smtp://127.0.0.1:2525");
  EXPECT_TRUE(m.starttls);
  EXPECT_EQ(m.to, (std::vector<std::string>{"ops@example.org", "b@example.org"}));
  EXPECT_EQ(m.message,
            "From: hostscope@example.org\r\n"
            "To: ops@example.org, b@example.org\r\n"
            "Subject: [hostscope] [HIGH] raised: two  lines\r\n"
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "Message-ID: <al-7.raised.1700000000000@hostscope>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "two\r\nlines\r\n\r\n"
            "p95 latency 300 ms > 200 ms\r\n\r\n"
            "Severity: high\r\nStatus: active\r\nSource: rule\r\nAlert: al-7\r\n");
}

TEST(AlertChannelConfig, ValidationNamesTheField) {
  const auto err = [](std::string_view json) {
    auto c = channel_from_json(boost::json::parse(json));
    return c.ok() ? std::string("ok") : c.error().text();
  };
  EXPECT_EQ(err(R"({"type":"webhook","url":"http://x"})"), "name: is required");
  EXPECT_EQ(err(R"({"name":"a","type":"pigeon"})"), "type: must be one of webhook, slack, email, sms, dashboard");
  EXPECT_EQ(err(R"({"name":"a","type":"webhook","url":"ftp://x"})"), "url: must be an http:// or https:// URL");
  EXPECT_EQ(err(R"({"name":"a","type":"webhook"})"), "url: is required");
  EXPECT_EQ(err(R"({"name":"a","type":"slack","url":"https://x","secret":"k"})"), "secret: unknown field");
  EXPECT_EQ(err(R"({"name":"a","type":"sms","url":"https://x"})"), "template: is required");
  EXPECT_EQ(err(R"({"name":"a","type":"email"})"), "smtp: is required for an email channel");
  EXPECT_EQ(err(R"({"name":"a","type":"email","smtp":{"url":"http://x","from":"a@b","to":["c@d"]}})"),
            "smtp.url: must be smtp://host[:port] or smtps://host[:port]");
  EXPECT_EQ(err(R"({"name":"a","type":"email","smtp":{"url":"smtp://x","from":"a@b","to":["c@d","nope"]}})"),
            "smtp.to[1]: must be an email address");
  EXPECT_EQ(err(R"({"name":"a","type":"email","smtp":{"url":"smtp://x","from":"a@b"}})"),
            "smtp.to: must list at least one address");
  EXPECT_EQ(err(R"({"name":"a","type":"webhook","url":"http://x","headers":{"Bad Name":"v"}})"),
            "headers.Bad Name: must be a valid header name and value");
  EXPECT_EQ(err(R"({"name":"a","type":"dashboard"})"), "ok");
}

TEST(AlertChannelConfig, SecretsAreNotShownBack) {
  Channel c = channel_of(R"({"name":"ops","type":"webhook","url":"https://x","secret":"k"})");
  c.id = "ch-1";
  const auto view = to_json(c, false);
  EXPECT_FALSE(view.contains("secret"));
  EXPECT_TRUE(view.at("secret_set").as_bool());
  auto back = channel_from_json(to_json(c, true));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->secret, "k");
  Channel mail = channel_of(R"({"name":"m","type":"email","smtp":{"url":"smtps://x","password":"pw","from":"a@b","to":["c@d"]}})");
  EXPECT_FALSE(to_json(mail, false).at("smtp").as_object().contains("password"));
  EXPECT_EQ(channel_from_json(to_json(mail, true))->smtp.password, "pw");
}

class AlertDispatch : public ::testing::Test {
 protected:
  AlertDispatch() : dispatcher_(clock_, transport_, settings()) {
    dispatcher_.set_outcome_handler([this](const DeliveryAttempt& a) { attempts_.push_back(a); });
    hook_.id = "ch-1";
    hook_.name = "ops";
    hook_.url = "http://127.0.0.1:1/hook";
  }
  static DispatcherSettings settings() {
    DispatcherSettings s;
    s.queue_limit = 3;
    s.max_attempts = 4;
    s.initial_backoff_ms = 1000;
    s.backoff_multiplier = 2;
    s.max_backoff_ms = 3000;
    return s;
  }
  FakeClock clock_;
  alerts::testing::FakeTransport transport_;
  Dispatcher dispatcher_;
  Channel hook_;
  std::vector<DeliveryAttempt> attempts_;
};

TEST_F(AlertDispatch, RetriesWithExponentialBackoffThenSucceeds) {
  transport_.fail_next = 2;
  const std::int64_t t0 = clock_.now_ms();
  ASSERT_TRUE(dispatcher_.enqueue(hook_, sample()));
  EXPECT_EQ(dispatcher_.run_due(), 1u);
  ASSERT_EQ(attempts_.size(), 1u);
  EXPECT_FALSE(attempts_[0].ok);
  EXPECT_EQ(attempts_[0].code, 503);
  EXPECT_TRUE(attempts_[0].will_retry);
  EXPECT_EQ(attempts_[0].next_attempt_ms, t0 + 1000);
  EXPECT_EQ(dispatcher_.next_due_ms(), t0 + 1000);

  clock_.advance_ms(999);
  EXPECT_EQ(dispatcher_.run_due(), 0u);
  clock_.advance_ms(1);
  EXPECT_EQ(dispatcher_.run_due(), 1u);
  EXPECT_EQ(attempts_[1].attempt, 2);
  EXPECT_EQ(attempts_[1].next_attempt_ms, t0 + 1000 + 2000);
  clock_.advance_ms(2000);
  EXPECT_EQ(dispatcher_.run_due(), 1u);
  ASSERT_EQ(attempts_.size(), 3u);
  EXPECT_TRUE(attempts_[2].ok);
  EXPECT_EQ(attempts_[2].attempt, 3);
  EXPECT_FALSE(attempts_[2].will_retry);
  EXPECT_EQ(dispatcher_.pending(), 0u);
  EXPECT_EQ(transport_.posts.size(), 3u);
  EXPECT_EQ(transport_.posts[0].body, transport_.posts[2].body);  // the same notification each time
  const auto c = dispatcher_.counters();
  EXPECT_EQ(c.attempts, 3u);
  EXPECT_EQ(c.delivered, 1u);
  EXPECT_EQ(c.failed, 0u);
}

TEST_F(AlertDispatch, GivesUpAfterMaxAttemptsWithCappedBackoff) {
  transport_.fail_next = 100;
  dispatcher_.enqueue(hook_, sample());
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 10 && dispatcher_.pending() > 0; ++i) {
    const std::int64_t before = clock_.now_ms();
    dispatcher_.run_due();
    if (auto next = dispatcher_.next_due_ms()) {
      delays.push_back(*next - before);
      clock_.advance_ms(*next - before);
    }
  }
  EXPECT_EQ(delays, (std::vector<std::int64_t>{1000, 2000, 3000}));  // 4000 capped at 3000
  ASSERT_EQ(attempts_.size(), 4u);
  EXPECT_FALSE(attempts_.back().will_retry);
  EXPECT_EQ(dispatcher_.counters().failed, 1u);
  EXPECT_EQ(dispatcher_.pending(), 0u);
}

TEST_F(AlertDispatch, BoundedQueueRefuses) {
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(dispatcher_.enqueue(hook_, sample()));
  EXPECT_FALSE(dispatcher_.enqueue(hook_, sample()));
  EXPECT_EQ(dispatcher_.counters().refused, 1u);
  EXPECT_EQ(dispatcher_.run_due(), 3u);
  EXPECT_TRUE(dispatcher_.enqueue(hook_, sample()));
}

TEST_F(AlertDispatch, DashboardAndEmailGoTheirWay) {
  std::vector<std::string> pushed;
  dispatcher_.set_dashboard([&](const Notification& n) { pushed.push_back(n.alert_id + " " + n.event); });
  Channel board;
  board.id = "ch-2";
  board.kind = ChannelKind::dashboard;
  Channel mail = channel_of(R"({"name":"m","type":"email","smtp":{"url":"smtp://127.0.0.1:1","from":"a@b","to":["c@d"]}})");
  dispatcher_.enqueue(board, sample());
  dispatcher_.enqueue(mail, sample());
  EXPECT_EQ(dispatcher_.run_due(), 2u);
  EXPECT_EQ(pushed, (std::vector<std::string>{"al-7 raised"}));
  ASSERT_EQ(transport_.mails.size(), 1u);
  EXPECT_EQ(transport_.mails[0].from, "a@b");
  EXPECT_TRUE(attempts_[0].ok);
  EXPECT_EQ(attempts_[0].channel_type, "dashboard");
}

TEST_F(AlertDispatch, WorkerThreadDeliversWithoutBlockingTheCaller) {
  SystemClock real;
  alerts::testing::FakeTransport transport;
  Dispatcher d(real, transport, settings());
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  d.set_outcome_handler([&](const DeliveryAttempt&) {
    std::lock_guard<std::mutex> g(mu);
    ++done;
    cv.notify_all();
  });
  d.start();
  ASSERT_TRUE(d.enqueue(hook_, sample()));
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done == 1; }));
  lock.unlock();
  d.stop();
  std::lock_guard<std::mutex> g(transport.mu);
  EXPECT_EQ(transport.posts.size(), 1u);
}

}  // namespace
}  // namespace hs::notify
