// The production transport: libcurl for both HTTP(S) POSTs and SMTP (plain, STARTTLS, SMTPS).
#pragma once

#include "notify/transport.h"

namespace hs::notify {

class CurlTransport final : public Transport {
 public:
  CurlTransport();  // initialises libcurl once per process
  TransportResult post(const HttpRequest& r) override;
  TransportResult send_mail(const MailRequest& m) override;
};

}  // namespace hs::notify
