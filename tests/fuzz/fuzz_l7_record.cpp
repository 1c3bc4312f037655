// libFuzzer target: what the L7 reader does with the bytes of ring buffer
// records. Input: a flags byte (bit 0 capture_literals), then records, each a
// 2-byte little-endian size and that many bytes, laid out as the kernel writes
// them (struct hs_l7_record, packed). Every record is checked as the probes
// check it; the valid ones go through one ConnectionTable, whose decoders keep
// state across them. A closed record (HS_L7_F_CLOSED) forgets its connection
// and gives no reading.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "common/l7_record.h"
#include "l7/connection_table.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  hs::l7::ConnectionTable table(hs::l7::TableLimits{.max_connections = 4, .idle_ns = 1'000'000});
  table.set_keep_texts(data[0] & 1);
  std::vector<hs::protocols::L7Reading> out;
  // As on the ring: 8-byte aligned, and never longer than the largest record.
  alignas(8) static unsigned char buf[sizeof(hs_l7_record)];
  std::size_t at = 1;
  std::uint64_t now = 0, exchanges = 0;
  while (at + 2 <= size) {
    std::size_t n = data[at] | (std::size_t{data[at + 1]} << 8);
    at += 2;
    n = std::min({n, size - at, sizeof(buf)});
    std::memset(buf, 0, sizeof(buf));
    std::memcpy(buf, data + at, n);
    at += n;
    const auto* rec = reinterpret_cast<const hs_l7_record*>(buf);
    if (!hs::l7_record_valid(rec, n)) continue;
    const bool closed = (rec->flags & HS_L7_F_CLOSED) != 0;
    exchanges += !closed;
    const std::string_view req = hs::l7_request(*rec), resp = hs::l7_response(*rec), path = hs::l7_path(*rec);
    // The views lie inside the record and follow each other.
    check(req.data() == rec->data && resp.data() == req.data() + req.size() &&
          path.data() == resp.data() + resp.size());
    check(HS_L7_RECORD_FIXED + req.size() + resp.size() + path.size() == n);
    now += 1'000'000;
    const std::size_t before = out.size();
    table.decode(*rec, req, resp, now, out);
    if (closed) check(out.size() == before && !table.contains(rec->conn_id));
    for (std::size_t i = before; i < out.size(); ++i) {
      check(out[i].tgid == rec->tgid && out[i].conn_id == rec->conn_id);
      check(!out[i].remote.empty());
      check(out[i].op.count >= 1);
    }
    if (now % 8'000'000 == 0) table.evict_idle(now);
  }
  check(table.size() <= 4);
  check(table.counters().exchanges == exchanges);
  check(table.kept_bytes() <= hs::l7::TableLimits{}.max_kept_bytes);
  // Forgetting every connection gives back all that was kept for other ends.
  table.evict_idle(now + 2'000'000);
  check(table.size() == 0 && table.kept_bytes() == 0);
  return 0;
}
