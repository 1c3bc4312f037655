#include "probes/syscall_probe.h"

#include "common/clock.h"

// The skeleton names struct hs_sys_filter, so the wire header comes first.
#include "hostscope/wire.h"
#include "syscalls.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <set>
#include <unordered_map>

namespace hs::probes {
namespace {

constexpr std::size_t kValSize = sizeof(hs_sys_val);  // already a multiple of 8, the per-CPU stride
static_assert(kValSize % 8 == 0, "per-CPU values are laid out with an 8-byte stride");

Status bpf_error(std::string_view step, int err, std::string_view what = {}) {
  return probes::bpf_error("syscalls", step, err, what);
}

std::uint64_t key_id(std::uint32_t tgid, std::uint32_t nr) { return (std::uint64_t{tgid} << 32) | nr; }

// Adds `copies` consecutive hs_sys_val (one per CPU, or one) to r.
void add_values(SyscallRecord& r, const unsigned char* vals, int copies) {
  for (int c = 0; c < copies; ++c) {
    hs_sys_val v;
    std::memcpy(&v, vals + static_cast<std::size_t>(c) * kValSize, sizeof(v));
    r.count += v.count;
    r.errors += v.errors;
    r.total_ns += v.total_ns;
    r.max_ns = std::max<std::uint64_t>(r.max_ns, v.max_ns);
    for (std::size_t i = 0; i < r.slots.size(); ++i) r.slots[i] += v.slots[i];  // wraps mod 2^32 by design
  }
}

template <typename T>
std::vector<unsigned char> key_bytes(const T& v) {
  const auto* p = reinterpret_cast<const unsigned char*>(&v);
  return {p, p + sizeof(T)};
}

}  // namespace

SyscallProbe::SyscallProbe(SkelPtr skel, Variant variant) : skel_(std::move(skel)), variant_(variant) {}

SyscallProbe::~SyscallProbe() { detach(); }  // skel_ then unloads programs and maps

Result<std::unique_ptr<SyscallProbe>> SyscallProbe::load(const SyscallProbeOptions& options) {
  if (!options.force_raw_tp) {
    auto probe = load_variant(options, Variant::kTpBtf);
    if (probe.ok()) return probe;
    spdlog::warn("syscalls: tp_btf variant failed ({}), falling back to raw_tp", probe.status().text());
  }
  return load_variant(options, Variant::kRawTp);
}

Result<std::unique_ptr<SyscallProbe>> SyscallProbe::load_variant(const SyscallProbeOptions& options,
                                                                  Variant variant) {
  if (options.max_entries == 0) return Status::error("syscalls/configure", "max_entries must be > 0", EINVAL);
  SkelPtr skel(syscalls_bpf::open(), &syscalls_bpf::destroy);
  if (!skel) return bpf_error("open", errno);

  const bool btf = variant == Variant::kTpBtf;
  int err = 0;
  // Exactly one pair of entry points is loaded; the other pair is left out of the kernel.
  for (auto [prog, on] : {std::pair{skel->progs.hs_sys_enter, btf}, {skel->progs.hs_sys_exit, btf},
                          {skel->progs.hs_sysenter_raw, !btf}, {skel->progs.hs_sysexit_raw, !btf}}) {
    if (!err) err = bpf_program__set_autoload(prog, on);
  }
  if (!err) err = bpf_map__set_max_entries(skel->maps.hs_sys_aggr, options.max_entries);
  if (!err) err = bpf_map__set_max_entries(skel->maps.hs_sys_spill, options.max_entries);
  if (!err) err = bpf_map__set_max_entries(skel->maps.hs_proc_comms, options.max_entries);
  if (err) return bpf_error("configure", err);

  err = syscalls_bpf::load(skel.get());
  if (err) return bpf_error("load", err, btf ? "tp_btf" : "raw_tp");

  std::unique_ptr<SyscallProbe> probe(new SyscallProbe(std::move(skel), variant));
  auto ncpus = possible_cpus("syscalls");
  if (!ncpus.ok()) return ncpus.status();
  probe->ncpus_ = ncpus.value();
  probe->aggr_access_ =
      std::make_unique<MapAccess>("syscalls", sizeof(hs_sys_key), kValSize, probe->ncpus_, options.max_entries);
  probe->spill_access_ = std::make_unique<MapAccess>("syscalls", sizeof(hs_sys_key), kValSize, 1, options.max_entries);
  spdlog::info("syscalls: loaded {} variant, max_entries={}, {} cpus", probe->variant(), options.max_entries, probe->ncpus_);
  return probe;
}

std::string_view SyscallProbe::variant() const { return variant_ == Variant::kTpBtf ? "tp_btf" : "raw_tp"; }

Status SyscallProbe::attach() {
  if (attached()) return {};
  // Starts recorded before this instant belong to an earlier attachment: ignore them.
  std::atomic_ref<__u64>(skel_->bss->hs_attach_ns).store(kernel_clock_ns(), std::memory_order_release);
  bpf_program* progs[2];
  if (variant_ == Variant::kTpBtf) {
    progs[0] = skel_->progs.hs_sys_enter;
    progs[1] = skel_->progs.hs_sys_exit;
  } else {
    progs[0] = skel_->progs.hs_sysenter_raw;
    progs[1] = skel_->progs.hs_sysexit_raw;
  }
  // Exit first: an enter without its exit would leave starts nobody consumes yet.
  for (bpf_program* prog : {progs[1], progs[0]}) {
    bpf_link* link = bpf_program__attach(prog);
    if (!link) {
      int err = errno;
      detach();
      return bpf_error("attach", err, bpf_program__name(prog));
    }
    links_.emplace_back(link, &bpf_link__destroy);
  }
  return {};
}

void SyscallProbe::detach() {
  // Enter first, mirroring attach().
  while (!links_.empty()) links_.pop_back();
}

Status SyscallProbe::set_filter(const SyscallFilter& filter) {
  if (filter.pids.size() > HS_FILTER_MAX_ENTRIES || filter.comms.size() > HS_FILTER_MAX_ENTRIES ||
      filter.cgroup_ids.size() > HS_FILTER_MAX_ENTRIES)
    return Status::error("syscalls/filter",
                         "more than " + std::to_string(HS_FILTER_MAX_ENTRIES) + " entries of one kind", E2BIG);

  std::vector<std::vector<unsigned char>> pids, comms, cgroups;
  for (std::uint32_t pid : filter.pids) pids.push_back(key_bytes(pid));
  for (const std::string& c : filter.comms) {
    hs_comm comm{};
    // The kernel keeps 15 chars + NUL, so a longer name matches its truncation.
    std::memcpy(comm.comm, c.data(), std::min<std::size_t>(c.size(), HS_COMM_LEN - 1));
    comms.push_back(key_bytes(comm));
  }
  for (std::uint64_t id : filter.cgroup_ids) cgroups.push_back(key_bytes(id));

  std::uint32_t flags = (pids.empty() ? 0 : HS_FILTER_PID) | (comms.empty() ? 0 : HS_FILTER_COMM) |
                        (cgroups.empty() ? 0 : HS_FILTER_CGROUP);
  const std::uint8_t one = 1;
  // 1) add the new members, 2) switch flags, 3) prune old members: while this
  // runs the filter passes old ∪ new, never "everything" or "nothing".
  struct Set {
    bpf_map* map;
    const std::vector<std::vector<unsigned char>>* keys;
    std::size_t key_size;
    const char* what;
  } sets[] = {{skel_->maps.hs_sys_pids, &pids, sizeof(std::uint32_t), "pids"},
              {skel_->maps.hs_sys_comms, &comms, sizeof(hs_comm), "comms"},
              {skel_->maps.hs_sys_cgroups, &cgroups, sizeof(std::uint64_t), "cgroups"}};
  for (const Set& s : sets) {
    for (const auto& k : *s.keys) {
      if (int err = bpf_map_update_elem(bpf_map__fd(s.map), k.data(), &one, BPF_ANY))
        return bpf_error("filter", err, s.what);
    }
  }
  std::atomic_ref<__u64>(skel_->bss->hs_filter.min_latency_ns)
      .store(filter.min_latency_ns, std::memory_order_release);
  std::atomic_ref<__u32>(skel_->bss->hs_filter.flags).store(flags, std::memory_order_release);
  for (const Set& s : sets) {
    Status st = sync_set(bpf_map__fd(s.map), *s.keys, s.key_size, s.what);
    if (!st.ok()) return st;
  }
  return {};
}

// Deletes every key of map_fd that is not in keep.
Status SyscallProbe::sync_set(int map_fd, const std::vector<std::vector<unsigned char>>& keep,
                              std::size_t key_size, std::string_view what) {
  std::set<std::vector<unsigned char>> wanted(keep.begin(), keep.end());
  std::vector<std::vector<unsigned char>> stale;
  std::vector<unsigned char> cur(key_size), next(key_size);
  const void* prev = nullptr;
  while (bpf_map_get_next_key(map_fd, prev, next.data()) == 0) {
    if (!wanted.count(next)) stale.push_back(next);
    cur = next;
    prev = cur.data();
  }
  for (const auto& k : stale) {
    int err = bpf_map_delete_elem(map_fd, k.data());
    if (err && err != -ENOENT) return bpf_error("filter", err, what);
  }
  return {};
}

Status SyscallProbe::read_all(std::vector<SyscallRecord>& out) {
  out.clear();
  out.reserve(entries_ + entries_ / 8 + 16);  // the map rarely changes size much between reads
  const int aggr_fd = bpf_map__fd(skel_->maps.hs_sys_aggr), spill_fd = bpf_map__fd(skel_->maps.hs_sys_spill);
  Status st = aggr_access_->read(aggr_fd, [&](const unsigned char* kbytes, const unsigned char* vals) {
    hs_sys_key key;
    std::memcpy(&key, kbytes, sizeof(key));
    SyscallRecord& r = out.emplace_back();
    r.tgid = key.tgid;
    r.nr = key.nr;
    add_values(r, vals, ncpus_);
  });
  if (!st.ok()) return st;

  // The spill map (usually empty) adds to the records of the same keys.
  spill_keys_.clear();
  std::unordered_map<std::uint64_t, std::size_t> index;
  st = spill_access_->read(spill_fd, [&](const unsigned char* kbytes, const unsigned char* vals) {
    hs_sys_key key;
    std::memcpy(&key, kbytes, sizeof(key));
    if (index.empty())  // built only once something spilled
      for (std::size_t i = 0; i < out.size(); ++i) index.emplace(key_id(out[i].tgid, out[i].nr), i);
    auto [it, added] = index.try_emplace(key_id(key.tgid, key.nr), out.size());
    if (added) {
      out.emplace_back();
      out.back().tgid = key.tgid;
      out.back().nr = key.nr;
    }
    add_values(out[it->second], vals, 1);
    spill_keys_.insert(key_id(key.tgid, key.nr));
  });
  if (st.ok()) entries_ = out.size();
  return st;
}

std::string SyscallProbe::process_comm(std::uint32_t tgid) const {
  hs_comm c{};
  if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.hs_proc_comms), &tgid, &c) != 0) return {};
  return std::string(c.comm, strnlen(c.comm, sizeof(c.comm)));
}

Status SyscallProbe::remove(std::span<const hs_sys_key> keys) {
  // Names go with the process's last key; deleting one twice is harmless.
  const int comm_fd = bpf_map__fd(skel_->maps.hs_proc_comms);
  std::uint32_t last = 0;
  for (const hs_sys_key& k : keys) {
    if (k.tgid != last) bpf_map_delete_elem(comm_fd, &k.tgid);
    last = k.tgid;
  }
  Status st = aggr_access_->remove(bpf_map__fd(skel_->maps.hs_sys_aggr), keys.data(), keys.size());
  if (!st.ok() || spill_keys_.empty()) return st;
  // Only keys seen in the spill map at the last read can be there: skip the rest.
  std::vector<hs_sys_key> spilled;
  for (const hs_sys_key& k : keys)
    if (spill_keys_.erase(key_id(k.tgid, k.nr))) spilled.push_back(k);
  return spill_access_->remove(bpf_map__fd(skel_->maps.hs_sys_spill), spilled.data(), spilled.size());
}

std::array<std::uint64_t, HS_DROP_SYS_COUNT> SyscallProbe::drops() const {
  std::array<std::uint64_t, HS_DROP_SYS_COUNT> total{};
  auto sums = sum_percpu_counters(bpf_map__fd(skel_->maps.hs_sys_drops), HS_DROP_SYS_COUNT, ncpus_);
  std::copy(sums.begin(), sums.end(), total.begin());
  return total;
}

std::uint32_t SyscallProbe::max_entries() const { return bpf_map__max_entries(skel_->maps.hs_sys_aggr); }

std::vector<std::string> SyscallProbe::program_names() const {
  std::vector<std::string> names;
  for (const bpf_prog_info& info : loaded_program_infos(skel_->obj)) names.emplace_back(info.name);
  return names;
}

std::uint64_t SyscallProbe::missed_runs() const { return probes::missed_runs(skel_->obj); }

std::vector<std::uint32_t> SyscallProbe::program_ids() const {
  std::vector<std::uint32_t> ids;
  for (const bpf_prog_info& info : loaded_program_infos(skel_->obj)) ids.push_back(info.id);
  return ids;
}

}  // namespace hs::probes
