#include "probes/bpf_maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hs::probes {
namespace {

constexpr std::size_t kBatchBytes = 4u << 20;  // bound on the scratch buffer of one batch
constexpr int kENOTSUPP = 524;                 // kernel-internal errno some map ops return

bool unsupported(int err) {
  err = err < 0 ? -err : err;
  return err == EINVAL || err == kENOTSUPP || err == EOPNOTSUPP;
}

}  // namespace

Status bpf_error(std::string_view probe, std::string_view step, int err, std::string_view what) {
  if (err < 0) err = -err;
  std::string msg = what.empty() ? std::string() : std::string(what) + ": ";
  msg += std::strerror(err);
  return Status::error(std::string(probe) + "/" + std::string(step), msg, err);
}

MapAccess::MapAccess(std::string probe, std::size_t key_size, std::size_t value_size, int copies,
                     std::uint32_t max_entries)
    : probe_(std::move(probe)),
      key_size_(key_size),
      // Values are laid out with an 8-byte stride per copy.
      stride_(((value_size + 7) / 8 * 8) * static_cast<std::size_t>(copies)),
      batch_chunk_(static_cast<std::uint32_t>(
          std::clamp<std::size_t>(kBatchBytes / stride_, 64, std::max<std::uint32_t>(max_entries, 64)))) {}

Status MapAccess::read(int fd, const Sink& sink) {
  if (!batch_unsupported_) {
    Status st = read_batch(fd, sink);
    // Lack of support shows on the first call, before any entry reached the sink.
    if (st.ok() || !unsupported(st.err())) return st;
    batch_unsupported_ = true;
  }
  return read_iter(fd, sink);
}

Status MapAccess::read_batch(int fd, const Sink& sink) {
  std::uint64_t cursor_in[8] = {}, cursor_out[8] = {};  // opaque cursor, at least key-sized
  if (key_size_ > sizeof(cursor_in)) return bpf_error(probe_, "read", EINVAL, "key too large for a batch cursor");
  bool first = true;
  for (;;) {
    keys_.resize(batch_chunk_ * key_size_);
    values_.resize(batch_chunk_ * stride_);
    __u32 n = batch_chunk_;
    int err = bpf_map_lookup_batch(fd, first ? nullptr : cursor_in, cursor_out, keys_.data(), values_.data(), &n,
                                   nullptr);
    if (err == -ENOSPC && batch_chunk_ < (1u << 20)) {  // a hash bucket holds more than a chunk: make room
      batch_chunk_ *= 2;
      continue;
    }
    if (err && err != -ENOENT) return bpf_error(probe_, "read", err, "lookup_batch");
    for (__u32 i = 0; i < n; ++i) sink(keys_.data() + i * key_size_, values_.data() + i * stride_);
    if (err == -ENOENT) return {};  // that was the last chunk
    std::memcpy(cursor_in, cursor_out, sizeof(cursor_in));
    first = false;
  }
}

Status MapAccess::read_iter(int fd, const Sink& sink) {
  std::vector<unsigned char> key(key_size_), next(key_size_), vals(stride_);
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
    key = next;
    prev = key.data();
    int err = bpf_map_lookup_elem(fd, key.data(), vals.data());
    if (err == -ENOENT) continue;  // deleted between get_next_key and lookup
    if (err) return bpf_error(probe_, "read", err, "lookup");
    sink(key.data(), vals.data());
  }
  return {};
}

Status MapAccess::remove(int fd, const void* keys, std::size_t n) {
  const auto* bytes = static_cast<const unsigned char*>(keys);
  std::size_t done = 0;
  while (done < n && !batch_unsupported_) {
    __u32 count = static_cast<__u32>(n - done);
    int err = bpf_map_delete_batch(fd, bytes + done * key_size_, &count, nullptr);
    done += count;
    if (!err) return {};
    if (err == -ENOENT) {  // the batch stops at a key that is already gone: skip it
      ++done;
      continue;
    }
    if (unsupported(err)) {
      batch_unsupported_ = true;
      break;
    }
    return bpf_error(probe_, "remove", err, "delete_batch");
  }
  for (; done < n; ++done) {
    int err = bpf_map_delete_elem(fd, bytes + done * key_size_);
    if (err && err != -ENOENT) return bpf_error(probe_, "remove", err, "delete");
  }
  return {};
}

std::vector<std::uint64_t> sum_percpu_counters(int fd, std::uint32_t count, int ncpus) {
  std::vector<std::uint64_t> total(count), percpu(static_cast<std::size_t>(std::max(ncpus, 1)));
  for (std::uint32_t i = 0; i < count; ++i) {
    if (bpf_map_lookup_elem(fd, &i, percpu.data()) != 0) continue;
    for (std::uint64_t v : percpu) total[i] += v;
  }
  return total;
}

std::vector<bpf_prog_info> loaded_program_infos(const bpf_object* obj) {
  std::vector<bpf_prog_info> infos;
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, obj) {
    if (!bpf_program__autoload(prog) || bpf_program__fd(prog) < 0) continue;  // left out of the kernel
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0) infos.push_back(info);
  }
  return infos;
}

std::uint64_t missed_runs(const bpf_object* obj) {
  std::uint64_t n = 0;
  for (const bpf_prog_info& info : loaded_program_infos(obj)) n += info.recursion_misses;
  return n;
}

Result<int> possible_cpus(std::string_view probe) {
  int n = libbpf_num_possible_cpus();
  if (n <= 0) return bpf_error(probe, "load", n, "possible cpus");
  return n;
}

}  // namespace hs::probes
