// libFuzzer target: the HTTP/1.x decoder over several exchanges of one connection
// (input format in decoder_harness.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "decoder_harness.h"
#include "protocols/http_decoder.h"
#include "protocols/http_route.h"

using hs::fuzz::check;
using hs::fuzz::valid_utf8;
using namespace hs::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hs::fuzz::decode_exchanges(
      data, size, Protocol::http, kMaxHttpOps,
      [](const Operation& op) {
        check(op.text.size() <= kMaxHttpText && valid_utf8(op.text));
        check(!op.route.empty() && op.route.size() <= kMaxRoute && valid_utf8(op.route));
        check(op.fingerprint == op.method + " " + op.route);
        check(op.status == 0 || (op.status >= 100 && op.status <= 999));
        check(op.error == (op.status >= 500));
        check(op.error_text.size() <= 256 && valid_utf8(op.error_text));
      },
      [](const Exchange& ex) {
        std::string route = http_route(ex.request);
        check(!route.empty() && route.size() <= kMaxRoute && valid_utf8(route));
      });
  return 0;
}
