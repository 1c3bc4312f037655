// Real deliveries through libcurl to servers this test runs on 127.0.0.1: a webhook
// receiver (body and HMAC checked, retried after failures) and an SMTP sink.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "alerts/alert_engine.h"
#include "alerts_local_servers.h"
#include "notify/curl_transport.h"
#include "notify/hmac.h"
#include "notify/payloads.h"

namespace hs::alerts {
namespace {

using testing::HttpReceiver;
using testing::SmtpSink;

// Counts outcomes and lets the test wait for a number of them, with a deadline.
class Outcomes {
 public:
  void add(const notify::DeliveryAttempt& a) {
    std::lock_guard<std::mutex> g(mu_);
    seen_.push_back(a);
    cv_.notify_all();
  }
  bool wait_for(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return seen_.size() >= n; });
  }
  std::vector<notify::DeliveryAttempt> seen() {
    std::lock_guard<std::mutex> g(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<notify::DeliveryAttempt> seen_;
};

notify::DispatcherSettings quick_retries() {
  notify::DispatcherSettings s;
  s.initial_backoff_ms = 20;
  s.max_attempts = 5;
  return s;
}

TEST(AlertDeliveryLocal, WebhookBodyAndHmacReachAReceiver) {
  HttpReceiver receiver;
  receiver.serve(1);
  SystemClock clock;
  notify::CurlTransport transport;
  notify::Dispatcher dispatcher(clock, transport, quick_retries());
  AlertEngine engine(clock, &dispatcher);
  Outcomes outcomes;
  dispatcher.set_outcome_handler([&](const notify::DeliveryAttempt& a) {
    engine.record_delivery(a);
    outcomes.add(a);
  });
  dispatcher.start();

  auto channel = notify::channel_from_json(boost::json::parse(
      R"({"name":"ops","type":"webhook","secret":"s3cret","url":"http://127.0.0.1:)" +
      std::to_string(receiver.port()) + R"(/hook"})"));
  ASSERT_TRUE(channel.ok()) << channel.error().text();
  const std::string ch = engine.create_channel(*channel)->id;
  AlertRule rule;
  rule.name = "DB slow";
  rule.selector = metric_selector(Layer::database, "latency");
  rule.condition = {ConditionType::percentile, Comparison::above, 100, 95};
  rule.severity = Severity::critical;
  rule.channels = {ch};
  ASSERT_TRUE(engine.create_rule(rule).ok());
  bottleneck::MetricsSnapshot m;
  m.database.push_back({42, "app", "postgresql", "fp9", "SELECT pg_sleep($1)", 3, 0, 0, 250'000'000, 0});
  engine.evaluate(m);

  ASSERT_TRUE(outcomes.wait_for(1));
  dispatcher.stop();
  const auto reqs = receiver.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].request_line, "POST /hook HTTP/1.1");
  EXPECT_EQ(reqs[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(reqs[0].headers.at("x-hostscope-event"), "raised");
  EXPECT_EQ(reqs[0].headers.at("x-hostscope-signature"), "sha256=" + notify::hmac_sha256_hex("s3cret", reqs[0].body));
  const auto body = boost::json::parse(reqs[0].body).as_object();
  EXPECT_EQ(body.at("event").as_string(), "raised");
  const auto& alert = body.at("alert").as_object();
  EXPECT_EQ(alert.at("title").as_string(), "DB slow: postgresql fp9");
  EXPECT_EQ(alert.at("severity").as_string(), "critical");
  EXPECT_EQ(alert.at("labels").at("process").as_string(), "app[42]");
  const auto delivered = engine.list({}).alerts.at(0).deliveries;
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_TRUE(delivered[0].ok);
  EXPECT_EQ(delivered[0].code, 200);
}

TEST(AlertDeliveryLocal, FailingReceiverGetsTheAlertAfterRetries) {
  HttpReceiver receiver(2);
  receiver.serve(3);
  SystemClock clock;
  notify::CurlTransport transport;
  notify::Dispatcher dispatcher(clock, transport, quick_retries());
  AlertSettings settings;
  settings.default_channels = {"ch-1"};  // custom alerts go to the default channels; ids count from 1
  AlertEngine engine(clock, &dispatcher, settings);
  Outcomes outcomes;
  dispatcher.set_outcome_handler([&](const notify::DeliveryAttempt& a) {
    engine.record_delivery(a);
    outcomes.add(a);
  });
  notify::Channel c;
  c.name = "flaky";
  c.url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/in";
  ASSERT_EQ(engine.create_channel(c)->id, "ch-1");
  dispatcher.start();
  CustomAlertRequest req;
  req.title = "Deploy finished";
  req.message = "v2";
  req.severity = Severity::low;
  const std::string id = engine.create_custom(req)->id;

  ASSERT_TRUE(outcomes.wait_for(3));
  dispatcher.stop();
  const auto seen = outcomes.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_FALSE(seen[0].ok);
  EXPECT_EQ(seen[0].code, 500);
  EXPECT_TRUE(seen[0].will_retry);
  EXPECT_FALSE(seen[1].ok);
  EXPECT_TRUE(seen[2].ok);
  EXPECT_EQ(seen[2].attempt, 3);
  const auto deliveries = engine.get(id)->deliveries;
  ASSERT_EQ(deliveries.size(), 3u);
  EXPECT_EQ(deliveries[0].detail, "HTTP 500: boom");
  const auto reqs = receiver.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].body, reqs[2].body);
}

TEST(AlertDeliveryLocal, EmailReachesAnSmtpSink) {
  SmtpSink sink;
  sink.serve(1);
  auto channel = notify::channel_from_json(boost::json::parse(
      R"({"name":"mail","type":"email","smtp":{"url":"smtp://127.0.0.1:)" + std::to_string(sink.port()) +
      R"(","from":"hostscope@example.org","to":["ops@example.org"]}})"));
  ASSERT_TRUE(channel.ok()) << channel.error().text();
  notify::Notification n;
  n.event = "raised";
  n.alert_id = "al-3";
  n.title = "CPU saturated";
  n.message = ".leading dot survives";
  n.severity = "medium";
  n.status = "active";
  n.source = "rule";
  n.ts_ms = 1'700'000'000'000;
  notify::CurlTransport transport;
  const auto result = transport.send_mail(notify::email_request(*channel, n));
  ASSERT_TRUE(result.ok) << result.detail;
  const auto mail = sink.mail();
  EXPECT_NE(std::find(mail.commands.begin(), mail.commands.end(), "MAIL FROM:<hostscope@example.org>"),
            mail.commands.end());
  EXPECT_NE(std::find(mail.commands.begin(), mail.commands.end(), "RCPT TO:<ops@example.org>"), mail.commands.end());
  EXPECT_NE(mail.data.find("Subject: [hostscope] [MEDIUM] raised: CPU saturated\r\n"), std::string::npos);
  EXPECT_NE(mail.data.find("To: ops@example.org\r\n"), std::string::npos);
  EXPECT_NE(mail.data.find("\r\n..leading dot survives\r\n"), std::string::npos);  // dot-stuffed on the wire
  EXPECT_NE(mail.data.find("Alert: al-3"), std::string::npos);
}

TEST(AlertDeliveryLocal, StartTlsIsRequiredWhenAsked) {
  SmtpSink sink;
  sink.serve(1);
  notify::MailRequest m;
  m.url = "smtp://127.0.0.1:" + std::to_string(sink.port());
  m.starttls = true;
  m.from = "a@example.org";
  m.to = {"b@example.org"};
  m.message = "Subject: x\r\n\r\nbody\r\n";
  notify::CurlTransport transport;
  const auto result = transport.send_mail(m);
  EXPECT_FALSE(result.ok);  // the sink offers no TLS: nothing is sent in clear text
  EXPECT_TRUE(sink.mail().data.empty());
}

}  // namespace
}  // namespace hs::alerts
