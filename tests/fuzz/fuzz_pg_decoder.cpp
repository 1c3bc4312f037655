// libFuzzer target: the PostgreSQL decoder over several exchanges of one connection
// (input format in decoder_harness.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "decoder_harness.h"
#include "protocols/postgres_decoder.h"
#include "protocols/sql_fingerprint.h"

using hs::fuzz::check;
using hs::fuzz::valid_utf8;
using namespace hs::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hs::fuzz::decode_exchanges(
      data, size, Protocol::postgresql, kMaxPgOps + 1,
      [](const Operation& op) {
        check(op.text.size() <= kMaxSqlText && valid_utf8(op.text));
        check(op.fingerprint.size() <= kMaxFingerprint && valid_utf8(op.fingerprint));
        check(op.error_text.size() <= 512 && valid_utf8(op.error_text));
        check(op.status == 0 && op.route.empty());
        check(op.replies_unseen <= op.count && (op.replies_unseen == 0 || !op.error));
        check(!op.method.empty());
      },
      [](const Exchange& ex) {
        (void)ex;
      });
  return 0;
}
