// libFuzzer target: protocol detection, then the detected protocol's decoder on
// the same exchange. Input: a flags byte (bit 0 server side, bit 1 request cut),
// then the request and the response separated by "\n#~#\n".
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocols/exchange.h"

namespace {

using namespace hs::protocols;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t sep = in.find("\n#~#\n");
  Exchange ex;
  ex.server_side = data[0] & 1;
  ex.request = in.substr(0, sep);
  ex.request_bytes = ex.request.size() + ((data[0] & 2) ? 4096 : 0);
  ex.response = sep == std::string_view::npos ? std::string_view() : in.substr(sep + 5);
  ex.response_bytes = ex.response.size();
  Protocol p = detect(ex);
  check(p == Protocol::unknown || p == Protocol::http || p == Protocol::postgresql || p == Protocol::redis ||
        p == Protocol::mysql);
  check(!protocol_name(p).empty());
  check(detect(ex) == p);  // deterministic, no hidden state
  if (ex.request.empty()) check(p == Protocol::unknown);
  auto decoder = make_decoder(p);
  check((decoder == nullptr) == (p == Protocol::unknown));
  if (decoder) {
    std::vector<Operation> ops;
    decoder->decode(ex, ops);
    decoder->decode(ex, ops);  // the same bytes again, after state from the first pass
    for (const Operation& op : ops) check(op.protocol == p);
  }
  return 0;
}
