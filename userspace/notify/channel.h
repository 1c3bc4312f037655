// Notification channels: where alerts go. Configured through alerts/channels (JSON below),
// kept in the state DB. Secrets (HMAC key, SMTP password) are never shown back by the API.
//
//   {"name":"ops","type":"webhook","url":"https://hooks.example/x","secret":"k","headers":{"X-Team":"ops"}}
//   {"name":"chat","type":"slack","url":"https://hooks.slack.com/services/..."}
//   {"name":"mail","type":"email","smtp":{"url":"smtp://mail.example:587","starttls":true,
//     "username":"u","password":"p","from":"hostscope@example","to":["ops@example"]}}
//   {"name":"pager","type":"sms","url":"https://sms.example/send","template":"{\"to\":\"+15550100\",\"text\":\"{{severity}} {{title}}\"}"}
//   {"name":"board","type":"dashboard"}
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "bottleneck/engine_error.h"

namespace hs::notify {

enum class ChannelKind { webhook, slack, email, sms, dashboard };
std::string_view channel_kind_name(ChannelKind k);
std::optional<ChannelKind> parse_channel_kind(std::string_view s);

struct SmtpSettings {
  std::string url;        // smtp://host[:port] or smtps://host[:port]
  bool starttls = false;  // require STARTTLS on a smtp:// connection
  std::string username, password;
  std::string from;
  std::vector<std::string> to;
  bool operator==(const SmtpSettings&) const = default;
};

struct Channel {
  std::string id;
  std::string name;
  ChannelKind kind = ChannelKind::webhook;
  bool enabled = true;
  std::string url;                             // webhook, slack, sms
  std::string secret;                          // webhook: HMAC-SHA256 key for X-Hostscope-Signature
  std::map<std::string, std::string> headers;  // webhook, sms: extra request headers
  std::string body_template;                   // sms: the request body, {{placeholders}} filled in
  std::string content_type = "application/json";  // sms: of the rendered template
  SmtpSettings smtp;                           // email
  std::int64_t timeout_ms = 10000;
  bool operator==(const Channel&) const = default;
};

// Validates a channel body (POST/PUT alerts/channels). `id` is not read from the body.
// Errors name the field ("url", "smtp.to[0]").
Outcome<Channel> channel_from_json(const boost::json::value& v);
// with_secrets: the stored document; without: the API view ("secret_set": true instead).
boost::json::object to_json(const Channel& c, bool with_secrets);

}  // namespace hs::notify
