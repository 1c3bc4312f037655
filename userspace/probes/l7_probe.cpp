#include "probes/l7_probe.h"

#include "hostscope/wire.h"
#include "l7.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

namespace hs::probes {
namespace {

Status l7_error(std::string_view step, int err, std::string_view what = {}) { return bpf_error("l7", step, err, what); }

}  // namespace

L7Probe::L7Probe(SkelPtr skel, std::shared_ptr<SockHooks> hooks)
    : skel_(std::move(skel)), ring_(nullptr, &ring_buffer__free), slot_(std::move(hooks), HS_SOCK_SLOT_L7) {}

L7Probe::~L7Probe() {
  detach();
  ring_.reset();  // before the skeleton closes the map
}

Result<std::unique_ptr<L7Probe>> L7Probe::load(const L7ProbeOptions& options) {
  const std::uint32_t page = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
  std::uint32_t bytes = std::bit_ceil(std::max(options.ringbuf_bytes, page));
  SkelPtr skel(l7_bpf::open(), &l7_bpf::destroy);
  if (!skel) return l7_error("open", errno);
  if (int err = bpf_map__set_max_entries(skel->maps.hs_l7_events, bytes)) return l7_error("configure", err);
  skel->data->hs_l7_wakeup_bytes = bytes / 4;
  auto hooks = SockHooks::join(skel->maps.hs_sock_send_chain, skel->maps.hs_sock_recv_chain);
  if (!hooks.ok()) return hooks.status();
  if (int err = l7_bpf::load(skel.get())) return l7_error("load", err);

  std::unique_ptr<L7Probe> probe(new L7Probe(std::move(skel), std::move(hooks.value())));
  auto ncpus = possible_cpus("l7");
  if (!ncpus.ok()) return ncpus.status();
  probe->ncpus_ = ncpus.value();
  probe->ring_.reset(ring_buffer__new(bpf_map__fd(probe->skel_->maps.hs_l7_events), &L7Probe::on_record,
                                      probe.get(), nullptr));
  if (!probe->ring_) return l7_error("ringbuf", errno);
  spdlog::info("l7: loaded, ring buffer {} KiB", bytes / 1024);
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
  l7_record_prefetch(data, size);
  if (!l7_record_valid(rec, size)) {
    ++self->malformed_;
    return 0;
  }
  if (self->sink_) (*self->sink_)(L7Event{rec});
  return 0;
}

Result<int> L7Probe::consume(int timeout_ms, const Sink& sink) {
  sink_ = &sink;
  // Records are mostly submitted without a wake-up (see bpf/l7.bpf.c), so the wait
  // only paces the reader: whatever is there afterwards is consumed either way.
  int waited = timeout_ms > 0 ? ring_buffer__poll(ring_.get(), timeout_ms) : 0;
  int n = ring_buffer__consume(ring_.get());
  sink_ = nullptr;
  if (waited < 0 && waited != -EINTR) return l7_error("poll", waited);
  if (n < 0) return l7_error("consume", n);
  return std::max(waited, 0) + n;
}

std::array<std::uint64_t, HS_DROP_L7_COUNT> L7Probe::drops() const {
  std::array<std::uint64_t, HS_DROP_L7_COUNT> total{};
  auto sums = sum_percpu_counters(bpf_map__fd(skel_->maps.hs_l7_drops), HS_DROP_L7_COUNT, ncpus_);
  std::copy(sums.begin(), sums.end(), total.begin());
  return total;
}

std::uint64_t L7Probe::missed_runs() const { return probes::missed_runs(skel_->obj) + slot_.missed_runs(); }

std::uint32_t L7Probe::ringbuf_bytes() const { return bpf_map__max_entries(skel_->maps.hs_l7_events); }

std::vector<std::uint32_t> L7Probe::program_ids() const {
  std::vector<std::uint32_t> ids;
  for (const bpf_prog_info& info : loaded_program_infos(skel_->obj)) ids.push_back(info.id);
  return ids;
}

}  // namespace hs::probes
