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
    : skel_(std::move(skel)), ring_(nullptr, &ring_buffer__free), slot_(std::move(hooks), HS_SOCK_SLOT_L7) {}

L7Probe::~L7Probe() {
  detach();
  ring_.reset();  // before the skeleton closes the map
  for (int fd : ring_fds_) ::close(fd);
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
  const int outer = bpf_map__fd(probe->skel_->maps.hs_l7_rings);
  for (std::uint32_t cpu = 0; cpu < static_cast<std::uint32_t>(probe->ncpus_); ++cpu) {
    int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "hs_l7_ring", 0, 0, bytes, nullptr);
    if (fd < 0) return l7_error("ringbuf", errno);
    probe->ring_fds_.push_back(fd);
    if (bpf_map_update_elem(outer, &cpu, &fd, BPF_ANY)) return l7_error("ringbuf", errno);
    if (!probe->ring_) {
      probe->ring_.reset(ring_buffer__new(fd, &L7Probe::on_record, probe.get(), nullptr));
      if (!probe->ring_) return l7_error("ringbuf", errno);
    } else if (int err = ring_buffer__add(probe->ring_.get(), fd, &L7Probe::on_record, probe.get())) {
      return l7_error("ringbuf", err);
    }
  }
  spdlog::info("l7: loaded, {} ring buffers of {} KiB", probe->ncpus_, bytes / 1024);
  return probe;
}

Status L7Probe::attach() {
  if (attached()) return {};
  return slot_.fill(skel_->progs.hs_l7_send, skel_->progs.hs_l7_recv);
}

void L7Probe::detach() { slot_.clear(); }

int L7Probe::on_record(void* ctx, void* data, std::size_t size) {
  auto* self = static_cast<L7Probe*>(ctx);
  const auto* rec = static_cast<const hs_l7_record*>(data);
  if (!l7_record_valid(rec, size)) {
    ++self->malformed_;
    return 0;
  }
  self->order_.add(*rec, size);
  return 0;
}

Result<int> L7Probe::consume(int timeout_ms, const Sink& sink, bool flush) {
  // Records are mostly submitted without a wake-up (see bpf/l7.bpf.c), so the wait
  // only paces the reader: whatever is there afterwards is consumed either way.
  if (timeout_ms > 0) {
    epoll_event ev{};
    if (::epoll_wait(ring_buffer__epoll_fd(ring_.get()), &ev, 1, timeout_ms) < 0 && errno != EINTR)
      return l7_error("poll", errno);
  }
  // Every ring is read from here on: see common/l7_record_order.h.
  const std::uint64_t start_ns = kernel_clock_ns();
  int n = ring_buffer__consume(ring_.get());
  if (n < 0) return l7_error("consume", n);
  const std::uint64_t cutoff = flush ? UINT64_MAX : start_ns - std::min(start_ns, kOrderMarginNs);
  return static_cast<int>(order_.release(cutoff, [&](const hs_l7_record& rec) { sink(L7Event{&rec}); }));
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
