// libFuzzer target: the Redis decoder over several exchanges of one connection
// (input format in decoder_harness.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "decoder_harness.h"
#include "protocols/redis_decoder.h"

using hs::fuzz::check;
using hs::fuzz::valid_utf8;
using namespace hs::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hs::fuzz::decode_exchanges(
      data, size, Protocol::redis, kMaxRedisOps,
      [](const Operation& op) {
        check(op.text.size() <= kMaxRedisText && valid_utf8(op.text));
        check(!op.fingerprint.empty() && op.fingerprint.size() <= 2 * 64 + 1 && valid_utf8(op.fingerprint));
        check(op.text.compare(0, op.fingerprint.size(), op.fingerprint) == 0);
        check(op.error_text.size() <= 256 && valid_utf8(op.error_text));
        check(!op.method.empty() && op.method.size() <= 64);
        check(op.status == 0 && op.route.empty());
        for (std::string_view secret : {"AUTH", "HELLO", "MIGRATE"}) {
          if (op.method == secret) check(op.text == op.method || op.text == op.method + " ?");
        }
      },
      [](const Exchange& ex) {
        (void)ex;
      });
  return 0;
}
