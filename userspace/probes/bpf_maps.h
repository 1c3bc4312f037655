// Map and program plumbing shared by the probes: batched reads with a key-by-key
// fallback, batched deletes, per-CPU counter sums, program introspection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct bpf_object;
struct bpf_prog_info;

namespace hs::probes {

// An error Status "<probe>/<step>: [what: ]strerror(err)".
Status bpf_error(std::string_view probe, std::string_view step, int err, std::string_view what = {});

// Reads and deletes entries of hash maps whose keys are key_size bytes and whose
// values are value_size bytes per copy (per CPU for per-CPU maps, else 1).
class MapAccess {
 public:
  MapAccess(std::string probe, std::size_t key_size, std::size_t value_size, int copies,
            std::uint32_t max_entries);

  // Receives each entry: its key and `copies` consecutive values.
  using Sink = std::function<void(const unsigned char* key, const unsigned char* values)>;
  // Every entry, batched when the kernel supports it, else key by key.
  Status read(int map_fd, const Sink& sink);
  // Deletes n contiguous keys; keys already gone are skipped.
  Status remove(int map_fd, const void* keys, std::size_t n);

 private:
  Status read_batch(int fd, const Sink& sink);
  Status read_iter(int fd, const Sink& sink);

  std::string probe_;
  std::size_t key_size_, stride_;
  bool batch_unsupported_ = false;
  std::uint32_t batch_chunk_;
  std::vector<unsigned char> keys_, values_;  // scratch reused between reads
};

// Sums each index of a per-CPU u64 array over the CPUs.
std::vector<std::uint64_t> sum_percpu_counters(int map_fd, std::uint32_t count, int ncpus);

// Info of the programs of obj that were loaded (autoload on).
std::vector<bpf_prog_info> loaded_program_infos(const bpf_object* obj);
// Program runs the kernel skipped (recursion guard), summed over those programs.
std::uint64_t missed_runs(const bpf_object* obj);

// Possible CPUs as libbpf counts them (per-CPU value copies), or an error.
Result<int> possible_cpus(std::string_view probe);

}  // namespace hs::probes
