#include "notify/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace hs::notify {

namespace {
constexpr std::size_t kMaxResponseBytes = 64 * 1024;  // kept only for error details

struct Easy {
  CURL* h = curl_easy_init();
  curl_slist* list = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ~Easy() {
    curl_slist_free_all(list);
    if (h != nullptr) curl_easy_cleanup(h);
  }
};

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const std::size_t bytes = size * n;
  out->append(data, std::min(bytes, kMaxResponseBytes - std::min(out->size(), kMaxResponseBytes)));
  return bytes;
}

struct Upload {
  const std::string* text;
  std::size_t pos = 0;
};

std::size_t supply(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const std::size_t len = std::min(size * n, up->text->size() - up->pos);
  std::memcpy(buf, up->text->data() + up->pos, len);
  up->pos += len;
  return len;
}

TransportResult finish(Easy& e, CURLcode rc) {
  TransportResult r;
  curl_easy_getinfo(e.h, CURLINFO_RESPONSE_CODE, &r.code);
  if (rc != CURLE_OK) {
    r.detail = e.error[0] != '\0' ? e.error : curl_easy_strerror(rc);
    return r;
  }
  r.ok = true;
  return r;
}
}  // namespace

CurlTransport::CurlTransport() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

TransportResult CurlTransport::post(const HttpRequest& req) {
  Easy e;
  if (e.h == nullptr) return {false, 0, "curl_easy_init failed"};
  std::string response;
  for (const auto& [k, v] : req.headers) e.list = curl_slist_append(e.list, (k + ": " + v).c_str());
  e.list = curl_slist_append(e.list, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(e.h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e.h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e.h, CURLOPT_NOSIGNAL, 1L);  // we run on a worker thread
  curl_easy_setopt(e.h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_ms));
  curl_easy_setopt(e.h, CURLOPT_HTTPHEADER, e.list);
  curl_easy_setopt(e.h, CURLOPT_POST, 1L);
  curl_easy_setopt(e.h, CURLOPT_POSTFIELDS, req.body.data());
  curl_easy_setopt(e.h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  curl_easy_setopt(e.h, CURLOPT_USERAGENT, "hostscope");
  curl_easy_setopt(e.h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(e.h, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(e.h, CURLOPT_ERRORBUFFER, e.error);
  TransportResult r = finish(e, curl_easy_perform(e.h));
  if (r.ok && (r.code < 200 || r.code > 299)) {
    r.ok = false;
    r.detail = "HTTP " + std::to_string(r.code) + (response.empty() ? "" : ": " + response.substr(0, 200));
  }
  return r;
}

TransportResult CurlTransport::send_mail(const MailRequest& m) {
  Easy e;
  if (e.h == nullptr) return {false, 0, "curl_easy_init failed"};
  for (const auto& to : m.to) e.list = curl_slist_append(e.list, ("<" + to + ">").c_str());
  const std::string from = "<" + m.from + ">";
  Upload up{&m.message};
  curl_easy_setopt(e.h, CURLOPT_URL, m.url.c_str());
  curl_easy_setopt(e.h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(e.h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e.h, CURLOPT_TIMEOUT_MS, static_cast<long>(m.timeout_ms));
  // STARTTLS required when asked for: never fall back to plain text silently.
  if (m.starttls) curl_easy_setopt(e.h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!m.username.empty()) {
    curl_easy_setopt(e.h, CURLOPT_USERNAME, m.username.c_str());
    curl_easy_setopt(e.h, CURLOPT_PASSWORD, m.password.c_str());
  }
  curl_easy_setopt(e.h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(e.h, CURLOPT_MAIL_RCPT, e.list);
  curl_easy_setopt(e.h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(e.h, CURLOPT_READFUNCTION, supply);
  curl_easy_setopt(e.h, CURLOPT_READDATA, &up);
  curl_easy_setopt(e.h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(m.message.size()));
  curl_easy_setopt(e.h, CURLOPT_ERRORBUFFER, e.error);
  return finish(e, curl_easy_perform(e.h));
}

}  // namespace hs::notify
