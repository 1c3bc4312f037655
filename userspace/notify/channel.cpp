#include "notify/channel.h"

#include <boost/json.hpp>

#include "bottleneck/strict_json.h"

namespace hs::notify {
namespace json = boost::json;

namespace {
constexpr std::string_view kKinds[] = {"webhook", "slack", "email", "sms", "dashboard"};
constexpr std::size_t kUrlBytes = 2048;
constexpr std::size_t kNameBytes = 128;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool has_host(std::string_view url, std::string_view scheme) {
  return url.size() > scheme.size() && url[scheme.size()] != '/' && url.find_first_of(" \r\n\t") == std::string_view::npos;
}

bool valid_http_url(std::string_view url) {
  if (starts_with(url, "http://")) return has_host(url, "http://");
  if (starts_with(url, "https://")) return has_host(url, "https://");
  return false;
}

bool valid_address(std::string_view a) {
  const auto at = a.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < a.size() &&
         a.find_first_of(" \r\n\t<>,") == std::string_view::npos;
}

void read_smtp(strict_json::ObjectReader& parent, Channel& c) {
  const json::value* v = parent.child("smtp");
  if (!parent.ok()) return;
  if (v == nullptr) return parent.fail("smtp", "is required for an email channel");
  strict_json::ObjectReader r(*v, "smtp");
  SmtpSettings& s = c.smtp;
  r.text("url", s.url, kUrlBytes, true);
  r.boolean("starttls", s.starttls);
  r.text("username", s.username, 256);
  r.text("password", s.password, 256);
  r.text("from", s.from, 256, true);
  r.text_list("to", s.to, 50, 256);
  if (r.ok() && !((starts_with(s.url, "smtp://") && has_host(s.url, "smtp://")) ||
                  (starts_with(s.url, "smtps://") && has_host(s.url, "smtps://")))) {
    r.fail("smtp.url", "must be smtp://host[:port] or smtps://host[:port]");
  }
  if (r.ok() && !valid_address(s.from)) r.fail("smtp.from", "must be an email address");
  if (r.ok() && s.to.empty()) r.fail("smtp.to", "must list at least one address");
  for (std::size_t i = 0; r.ok() && i < s.to.size(); ++i) {
    if (!valid_address(s.to[i])) r.fail("smtp.to[" + std::to_string(i) + "]", "must be an email address");
  }
  if (auto e = r.finish()) parent.fail(e->field, e->message);
}
}  // namespace

std::string_view channel_kind_name(ChannelKind k) { return kKinds[static_cast<int>(k)]; }

std::optional<ChannelKind> parse_channel_kind(std::string_view s) {
  for (std::size_t i = 0; i < std::size(kKinds); ++i) {
    if (kKinds[i] == s) return static_cast<ChannelKind>(i);
  }
  return std::nullopt;
}

Outcome<Channel> channel_from_json(const json::value& v) {
  Channel c;
  strict_json::ObjectReader r(v, "");
  r.allow("id");  // echoed back by clients that PUT what they got; the path decides
  r.allow("secret_set");
  r.text("name", c.name, kNameBytes, true);
  std::string type;
  r.text("type", type, 32, true);
  r.boolean("enabled", c.enabled);
  r.integer("timeout_ms", c.timeout_ms, 100, 120000);
  if (r.ok() && c.name.empty()) r.fail("name", "must not be empty");
  if (r.ok()) {
    if (auto k = parse_channel_kind(type)) {
      c.kind = *k;
    } else {
      r.fail("type", "must be one of webhook, slack, email, sms, dashboard");
    }
  }
  if (!r.ok()) return *r.finish();
  const bool http = c.kind == ChannelKind::webhook || c.kind == ChannelKind::slack || c.kind == ChannelKind::sms;
  if (http) {
    r.text("url", c.url, kUrlBytes, true);
    if (r.ok() && !valid_http_url(c.url)) r.fail("url", "must be an http:// or https:// URL");
  }
  if (c.kind == ChannelKind::webhook) r.text("secret", c.secret, 1024);
  if (c.kind == ChannelKind::webhook || c.kind == ChannelKind::sms) {
    r.text_map("headers", c.headers, 32, 1024);
    for (const auto& [k, val] : c.headers) {
      if (k.find_first_of(" :\r\n") != std::string::npos || val.find_first_of("\r\n") != std::string::npos) {
        r.fail("headers." + k, "must be a valid header name and value");
        break;
      }
    }
  }
  if (c.kind == ChannelKind::sms) {
    r.text("template", c.body_template, 8192, true);
    r.text("content_type", c.content_type, 128);
    if (r.ok() && c.body_template.empty()) r.fail("template", "must not be empty");
  }
  if (c.kind == ChannelKind::email) read_smtp(r, c);
  if (auto e = r.finish()) return *e;
  return c;
}

json::object to_json(const Channel& c, bool with_secrets) {
  json::object o;
  o["id"] = c.id;
  o["name"] = c.name;
  o["type"] = channel_kind_name(c.kind);
  o["enabled"] = c.enabled;
  o["timeout_ms"] = c.timeout_ms;
  const bool http = c.kind == ChannelKind::webhook || c.kind == ChannelKind::slack || c.kind == ChannelKind::sms;
  if (http) o["url"] = c.url;
  if (c.kind == ChannelKind::webhook) {
    if (with_secrets) {
      o["secret"] = c.secret;
    } else {
      o["secret_set"] = !c.secret.empty();
    }
  }
  if (c.kind == ChannelKind::webhook || c.kind == ChannelKind::sms) {
    json::object h;
    for (const auto& [k, v] : c.headers) h[k] = v;
    o["headers"] = std::move(h);
  }
  if (c.kind == ChannelKind::sms) {
    o["template"] = c.body_template;
    o["content_type"] = c.content_type;
  }
  if (c.kind == ChannelKind::email) {
    json::object s;
    s["url"] = c.smtp.url;
    s["starttls"] = c.smtp.starttls;
    s["username"] = c.smtp.username;
    if (with_secrets) s["password"] = c.smtp.password;
    s["from"] = c.smtp.from;
    json::array to;
    for (const auto& a : c.smtp.to) to.emplace_back(a);
    s["to"] = std::move(to);
    o["smtp"] = std::move(s);
  }
  return o;
}

}  // namespace hs::notify
