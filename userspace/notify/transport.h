// How notifications leave the process. The production transport is libcurl
// (curl_transport.h); unit tests substitute a fake.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hs::notify {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::int64_t timeout_ms = 10000;
};

struct MailRequest {
  std::string url;  // smtp:// or smtps://
  bool starttls = false;
  std::string username, password;
  std::string from;
  std::vector<std::string> to;
  std::string message;  // the whole RFC 5322 message, CRLF line ends
  std::int64_t timeout_ms = 10000;
};

struct TransportResult {
  bool ok = false;
  long code = 0;       // HTTP status or last SMTP reply code; 0 when no answer came
  std::string detail;  // the transport's error text when !ok
};

class Transport {
 public:
  virtual ~Transport() = default;
  // POST; ok means a 2xx answer. Called from the delivery thread.
  virtual TransportResult post(const HttpRequest& r) = 0;
  virtual TransportResult send_mail(const MailRequest& m) = 0;
};

}  // namespace hs::notify
