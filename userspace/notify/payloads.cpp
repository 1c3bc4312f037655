#include "notify/payloads.h"

#include <boost/json.hpp>

#include <algorithm>
#include <ctime>

#include "notify/hmac.h"

namespace hs::notify {
namespace json = boost::json;

namespace {
std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Header values must stay on one line.
std::string one_line(std::string_view s) {
  std::string out(s);
  std::replace_if(out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return out;
}

std::string json_escaped(std::string_view s) {
  const std::string quoted = json::serialize(json::value(json::string(s)));
  return quoted.substr(1, quoted.size() - 2);
}

// Normalises every line end to CRLF, as SMTP wants.
std::string crlf(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') continue;
    if (s[i] == '\n') out += "\r\n";
    else out.push_back(s[i]);
  }
  return out;
}

void add_channel_headers(const Channel& c, HttpRequest& r) {
  for (const auto& [k, v] : c.headers) r.headers.emplace_back(k, v);
}
}  // namespace

std::string summary_line(const Notification& n) { return "[" + upper(n.severity) + "] " + n.event + ": " + n.title; }

std::string rfc5322_date(std::int64_t ts_ms) {
  const std::time_t t = static_cast<std::time_t>(ts_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);  // C locale names
  return buf;
}

std::string render_template(std::string_view tpl, const Notification& n, bool json_escape) {
  const std::pair<std::string_view, const std::string*> vars[] = {
      {"id", &n.alert_id},   {"event", &n.event},   {"title", &n.title},   {"message", &n.message},
      {"severity", &n.severity}, {"status", &n.status}, {"source", &n.source}};
  std::string out;
  std::size_t i = 0;
  while (i < tpl.size()) {
    const std::size_t open = tpl.find("{{", i);
    if (open == std::string_view::npos) break;
    const std::size_t close = tpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(tpl.substr(i, open - i));
    const std::string_view name = tpl.substr(open + 2, close - open - 2);
    const std::string* value = nullptr;
    for (const auto& [k, v] : vars) {
      if (k == name) value = v;
    }
    if (value != nullptr) {
      out += json_escape ? json_escaped(*value) : *value;
    } else {
      out.append(tpl.substr(open, close + 2 - open));  // unknown placeholders stay as written
    }
    i = close + 2;
  }
  out.append(tpl.substr(std::min(i, tpl.size())));
  return out;
}

HttpRequest webhook_request(const Channel& c, const Notification& n) {
  HttpRequest r;
  r.url = c.url;
  r.timeout_ms = c.timeout_ms;
  r.body = json::serialize(json::object{{"event", n.event}, {"alert", n.alert}});
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back(std::string(kEventHeader), one_line(n.event));
  if (!c.secret.empty()) r.headers.emplace_back(std::string(kSignatureHeader), "sha256=" + hmac_sha256_hex(c.secret, r.body));
  add_channel_headers(c, r);
  return r;
}

HttpRequest slack_request(const Channel& c, const Notification& n) {
  HttpRequest r;
  r.url = c.url;
  r.timeout_ms = c.timeout_ms;
  std::string text = "*" + summary_line(n) + "*";
  if (!n.message.empty()) text += "\n" + n.message;
  text += "\nstatus: " + n.status + " · source: " + n.source + " · alert " + n.alert_id;
  r.body = json::serialize(json::object{{"text", text}});
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

HttpRequest sms_request(const Channel& c, const Notification& n) {
  HttpRequest r;
  r.url = c.url;
  r.timeout_ms = c.timeout_ms;
  const bool json_body = c.content_type.find("json") != std::string::npos;
  r.body = render_template(c.body_template, n, json_body);
  r.headers.emplace_back("Content-Type", c.content_type);
  add_channel_headers(c, r);
  return r;
}

MailRequest email_request(const Channel& c, const Notification& n) {
  MailRequest m;
  m.url = c.smtp.url;
  m.starttls = c.smtp.starttls;
  m.username = c.smtp.username;
  m.password = c.smtp.password;
  m.from = c.smtp.from;
  m.to = c.smtp.to;
  m.timeout_ms = c.timeout_ms;
  std::string to_line;
  for (const auto& a : c.smtp.to) to_line += (to_line.empty() ? "" : ", ") + a;
  std::string msg;
  msg += "From: " + c.smtp.from + "\n";
  msg += "To: " + to_line + "\n";
  msg += "Subject: [hostscope] " + one_line(summary_line(n)) + "\n";
  msg += "Date: " + rfc5322_date(n.ts_ms) + "\n";
  msg += "Message-ID: <" + one_line(n.alert_id) + "." + one_line(n.event) + "." + std::to_string(n.ts_ms) + "@hostscope>\n";
  msg += "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n";
  msg += n.title + "\n\n";
  if (!n.message.empty()) msg += n.message + "\n\n";
  msg += "Severity: " + n.severity + "\nStatus: " + n.status + "\nSource: " + n.source + "\nAlert: " + n.alert_id + "\n";
  m.message = crlf(msg);
  return m;
}

}  // namespace hs::notify
