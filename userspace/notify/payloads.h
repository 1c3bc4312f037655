// What each channel kind sends: pure functions from a channel and a notification
// to the transport's request.
#pragma once

#include <string>
#include <string_view>

#include "notify/channel.h"
#include "notify/notification.h"
#include "notify/transport.h"

namespace hs::notify {

inline constexpr std::string_view kSignatureHeader = "X-Hostscope-Signature";  // "sha256=<hex>"
inline constexpr std::string_view kEventHeader = "X-Hostscope-Event";

// {"event": ..., "alert": {...}}; signed with the channel's secret when it has one.
HttpRequest webhook_request(const Channel& c, const Notification& n);
// Slack incoming-webhook shape: {"text": "..."}.
HttpRequest slack_request(const Channel& c, const Notification& n);
// The channel's template with {{id}} {{event}} {{title}} {{message}} {{severity}} {{status}}
// {{source}} filled in (JSON-escaped when the content type is JSON).
HttpRequest sms_request(const Channel& c, const Notification& n);
MailRequest email_request(const Channel& c, const Notification& n);

std::string render_template(std::string_view tpl, const Notification& n, bool json_escape);
// One line: "[HIGH] raised: <title>".
std::string summary_line(const Notification& n);
// RFC 5322 date of a Unix time in milliseconds, in UTC ("Tue, 14 Nov 2023 22:13:20 +0000").
std::string rfc5322_date(std::int64_t ts_ms);

}  // namespace hs::notify
