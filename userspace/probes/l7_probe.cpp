#include "probes/l7_probe.h"

#include "common/clock.h"
#include "hostscope/wire.h"
#include "l7.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

namespace hs::probes {
namespace {

Status l7_error(std::string_view step, int err, std::string_view what = {}) { return bpf_error("l7", step, err, what); }

constexpr std::uint32_t kMinRingBytes = 1u << 20;

}  // namespace

L7Probe::L7Probe(SkelPtr skel, std::shared_ptr<SockHooks> hooks)
    : skel_(std::move(skel)), slot_(std::move(hooks), HS_SOCK_SLOT_L7) {}

L7Probe::~L7Probe() {
  detach();
  rings_.clear();  // unmapped before the maps close
  for (int fd : ring_fds_) ::close(fd);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

Result<std::unique_ptr<L7Probe>> L7Probe::load(const L7ProbeOptions& options) {
  const std::uint32_t page = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
  auto ncpus = possible_cpus("l7");
  if (!ncpus.ok()) return ncpus.status();
  // One ring per CPU (no lock or line shared between CPUs that send and receive
  // at once), sharing the budget, each of at least 1 MiB (or the whole budget).
  const std::uint32_t total = std::bit_ceil(std::max(options.ringbuf_bytes, page));
  const std::uint32_t share = total / std::bit_ceil(static_cast<std::uint32_t>(ncpus.value()));
  const std::uint32_t bytes = std::max({share, std::min(total, kMinRingBytes), page});
  SkelPtr skel(l7_bpf::open(), &l7_bpf::destroy);
  if (!skel) return l7_error("open", errno);
  if (int err = bpf_map__set_max_entries(skel->maps.hs_l7_rings, static_cast<std::uint32_t>(ncpus.value())))
    return l7_error("configure", err);
  skel->data->hs_l7_wakeup_bytes = bytes / 4;
  auto hooks = SockHooks::join(skel->obj);
  if (!hooks.ok()) return hooks.status();
  if (int err = l7_bpf::load(skel.get())) return l7_error("load", err);

  std::unique_ptr<L7Probe> probe(new L7Probe(std::move(skel), std::move(hooks.value())));
  probe->ncpus_ = ncpus.value();
  probe->ring_bytes_ = bytes;
  probe->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (probe->epoll_fd_ < 0) return l7_error("epoll", errno);
  for (std::uint32_t cpu = 0; cpu < static_cast<std::uint32_t>(probe->ncpus_); ++cpu) {
    if (Status st = probe->add_ring(cpu); !st.ok()) return st;
  }
  spdlog::info("l7: loaded, {} ring buffers of {} KiB", probe->ncpus_, bytes / 1024);
  return probe;
}

// Creates CPU cpu's ring, puts it in place for the programs and maps it. Its
// wake-ups are edge-triggered: records held in a ring for the next pass (see
// consume) would keep a level-triggered poll ready.
Status L7Probe::add_ring(std::uint32_t cpu) {
  int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "hs_l7_ring", 0, 0, ring_bytes_, nullptr);
  if (fd < 0) return l7_error("ringbuf", errno);
  ring_fds_.push_back(fd);
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.hs_l7_rings), &cpu, &fd, BPF_ANY)) return l7_error("ringbuf", errno);
  auto mapped = MappedRing::map(fd, ring_bytes_);
  if (!mapped.ok()) return mapped.status();
  rings_.push_back(std::move(mapped.value()));
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u32 = cpu;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) < 0) return l7_error("epoll", errno);
  return {};
}

Status L7Probe::attach() {
  if (attached()) return {};
  LinkPtr state(bpf_program__attach(skel_->progs.hs_l7_state), &bpf_link__destroy);
  if (!state) return l7_error("attach", errno, "hs_l7_state");
  if (Status st = slot_.fill(skel_->progs.hs_l7_send, skel_->progs.hs_l7_recv); !st.ok()) return st;
  state_link_ = std::move(state);
  return {};
}

void L7Probe::detach() {
  slot_.clear();
  state_link_.reset();
}

Status L7Probe::wait(int timeout_ms) const {
  std::array<epoll_event, 8> evs{};
  if (::epoll_wait(epoll_fd_, evs.data(), static_cast<int>(evs.size()), timeout_ms) < 0 && errno != EINTR)
    return l7_error("poll", errno);
  return {};
}

Result<int> L7Probe::consume(int timeout_ms, const Sink& sink, bool flush) {
  // Records are mostly submitted without a wake-up (see bpf/l7.bpf.c), so the wait
  // only paces the reader: whatever is there afterwards is read either way.
  if (timeout_ms > 0) {
    if (Status st = wait(timeout_ms); !st.ok()) return st;
  }
  // Every ring is read from here on: see common/l7_record_order.h.
  const std::uint64_t start_ns = kernel_clock_ns();
  order_.begin(rings_.size());
  for (std::size_t i = 0; i < rings_.size(); ++i) {
    rings_[i].scan([&](const MappedRing::Record& r) {
      const auto* rec = static_cast<const hs_l7_record*>(r.data);
      if (r.discarded || !l7_record_valid(rec, r.size)) {
        order_.add_skipped(i, r.end_pos, !r.discarded);
      } else {
        order_.add(i, *rec, r.end_pos);
      }
    });
  }
  const std::uint64_t cutoff = flush ? UINT64_MAX : start_ns - std::min(start_ns, kOrderMarginNs);
  const auto released = order_.release(cutoff, [&](const hs_l7_record& rec) { sink(L7Event{&rec}); });
  malformed_ += released.malformed;
  for (std::size_t i = 0; i < rings_.size(); ++i)
    if (std::uint64_t to = order_.released_to(i)) rings_[i].release_to(to);
  return static_cast<int>(released.handed);
}

std::array<std::uint64_t, HS_DROP_L7_COUNT> L7Probe::drops() const {
  std::array<std::uint64_t, HS_DROP_L7_COUNT> total{};
  auto sums = sum_percpu_counters(bpf_map__fd(skel_->maps.hs_l7_drops), HS_DROP_L7_COUNT, ncpus_);
  std::copy(sums.begin(), sums.end(), total.begin());
  return total;
}

std::uint64_t L7Probe::missed_runs() const { return probes::missed_runs(skel_->obj) + slot_.missed_runs(); }

std::uint32_t L7Probe::ringbuf_bytes() const { return ring_bytes_; }

std::vector<std::uint32_t> L7Probe::program_ids() const {
  std::vector<std::uint32_t> ids;
  for (const bpf_prog_info& info : loaded_program_infos(skel_->obj)) ids.push_back(info.id);
  return ids;
}

}  // namespace hs::probes
