// The variable part of an hs_l7_record (bpf/include/hostscope/wire.h) as it
// comes off a ring buffer: the request prefix, the response prefix, then the
// path of a Unix socket's server.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>

#include "hostscope/wire.h"

namespace hs {

// Whether the `size` bytes at rec are one record: its lengths within their
// limits and exactly what follows the fixed part.
inline bool l7_record_valid(const hs_l7_record* rec, std::size_t size) {
  if (size < HS_L7_RECORD_FIXED) return false;
  if (rec->req_len > HS_L7_REQ_MAX || rec->resp_len > HS_L7_RESP_MAX || rec->path_len >= HS_L7_PATH_MAX) return false;
  return size == HS_L7_RECORD_FIXED + std::size_t{rec->req_len} + rec->resp_len + rec->path_len;
}

// Views into a valid record.
inline std::string_view l7_request(const hs_l7_record& r) { return {r.data, r.req_len}; }
inline std::string_view l7_response(const hs_l7_record& r) { return {r.data + r.req_len, r.resp_len}; }
inline std::string_view l7_path(const hs_l7_record& r) { return {r.data + r.req_len + r.resp_len, r.path_len}; }

// Asks for every cache line of a record off the ring, and the two after it (the
// next record's start), at once: the kernel wrote them on another CPU, and a
// decoder walking them would otherwise wait for each line in turn.
inline void l7_record_prefetch(const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  for (std::size_t off = 0; off < size + 128; off += 64) __builtin_prefetch(p + off);
}

// Fills the variable part of r (each piece cut to its limit) as the kernel
// does; returns the record's size on the ring. For tests and benchmarks.
inline std::size_t l7_record_fill(hs_l7_record& r, std::string_view request, std::string_view response,
                                  std::string_view path = {}) {
  r.req_len = static_cast<std::uint16_t>(std::min<std::size_t>(request.size(), HS_L7_REQ_MAX));
  r.resp_len = static_cast<std::uint16_t>(std::min<std::size_t>(response.size(), HS_L7_RESP_MAX));
  r.path_len = static_cast<std::uint8_t>(std::min<std::size_t>(path.size(), HS_L7_PATH_MAX - 1));
  std::memcpy(r.data, request.data(), r.req_len);
  std::memcpy(r.data + r.req_len, response.data(), r.resp_len);
  std::memcpy(r.data + r.req_len + r.resp_len, path.data(), r.path_len);
  return HS_L7_RECORD_FIXED + r.req_len + r.resp_len + r.path_len;
}

}  // namespace hs
