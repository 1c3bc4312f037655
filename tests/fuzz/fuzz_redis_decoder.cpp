// libFuzzer target: the Redis decoder over several exchanges of one connection
// (input format in decoder_harness.h).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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
        check(op.text.empty() || op.text.compare(0, op.fingerprint.size(), op.fingerprint) == 0);
        check(op.error_text.size() <= 256 && valid_utf8(op.error_text));
        check(!op.method.empty() && op.method.size() <= 64);
        check(op.status == 0 && op.route.empty());
        check(op.replies_unseen <= op.count && (op.replies_unseen == 0 || !op.error));
        for (std::string_view secret : {"AUTH", "HELLO", "MIGRATE"}) {
          if (op.method == secret) check(op.text.empty() || op.text == op.method || op.text == op.method + " ?");
        }
      },
      [](const Exchange& ex) {
        // Leaving the texts out changes nothing else.
        std::vector<Operation> with, without;
        Exchange a = ex, b = ex;
        a.keep_text = true;
        b.keep_text = false;
        make_decoder(Protocol::redis)->decode(a, with);
        make_decoder(Protocol::redis)->decode(b, without);
        check(with.size() == without.size());
        for (std::size_t i = 0; i < with.size() && i < without.size(); ++i) {
          check(!with[i].text.empty() && without[i].text.empty());
          check(with[i].fingerprint == without[i].fingerprint && with[i].method == without[i].method);
          check(with[i].count == without[i].count && with[i].error == without[i].error);
          check(with[i].replies_unseen == without[i].replies_unseen);
          check(with[i].error_text == without[i].error_text && with[i].truncated == without[i].truncated);
        }
      });
  return 0;
}
