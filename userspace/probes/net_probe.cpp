#include "probes/net_probe.h"

#include "hostscope/wire.h"
#include "net.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hs::probes {
namespace {

Status net_error(std::string_view step, int err, std::string_view what = {}) {
  return bpf_error("net", step, err, what);
}

constexpr std::size_t kMaxIteratorBytes = 64u << 20;  // 64 MiB: ~800k sockets

}  // namespace

NetProbe::NetProbe(SkelPtr skel, std::shared_ptr<SockHooks> hooks)
    : skel_(std::move(skel)), slot_(std::move(hooks), HS_SOCK_SLOT_NET) {}

NetProbe::~NetProbe() { detach(); }

Result<std::unique_ptr<NetProbe>> NetProbe::load(const NetProbeOptions& options) {
  if (options.max_entries == 0) return Status::error("net/configure", "max_entries must be > 0", EINVAL);
  SkelPtr skel(net_bpf::open(), &net_bpf::destroy);
  if (!skel) return net_error("open", errno);
  if (int err = bpf_map__set_max_entries(skel->maps.hs_net_aggr, options.max_entries)) return net_error("configure", err);
  auto hooks = SockHooks::join(skel->obj);
  if (!hooks.ok()) return hooks.status();
  if (int err = net_bpf::load(skel.get())) return net_error("load", err);

  std::unique_ptr<NetProbe> probe(new NetProbe(std::move(skel), std::move(hooks.value())));
  auto ncpus = possible_cpus("net");
  if (!ncpus.ok()) return ncpus.status();
  probe->ncpus_ = ncpus.value();
  probe->aggr_access_ =
      std::make_unique<MapAccess>("net", sizeof(hs_net_key), sizeof(hs_net_val), 1, options.max_entries);
  spdlog::info("net: loaded, max_entries={}", options.max_entries);
  return probe;
}

Status NetProbe::attach() {
  if (attached()) return {};
  bpf_program* progs[] = {skel_->progs.hs_net_state, skel_->progs.hs_net_tcp_probe, skel_->progs.hs_net_retransmit,
                          skel_->progs.hs_net_reset_sent, skel_->progs.hs_net_reset_received};
  for (bpf_program* prog : progs) {
    bpf_link* link = bpf_program__attach(prog);
    if (!link) {
      int err = errno;
      detach();
      return net_error("attach", err, bpf_program__name(prog));
    }
    links_.emplace_back(link, &bpf_link__destroy);
  }
  if (Status st = slot_.fill(skel_->progs.hs_net_send, skel_->progs.hs_net_recv); !st.ok()) {
    detach();
    return st;
  }
  // Sockets opened from now on are seen being set up; older ones are found in the file tables.
  if (Status st = own_open_sockets(); !st.ok()) spdlog::warn("net: sockets open before attach stay unowned: {}", st.text());
  return {};
}

void NetProbe::detach() {
  slot_.clear();
  links_.clear();
}

Status NetProbe::own_open_sockets() {
  // The TCP iterator first (re)learns the listening ports, which tell accepted sockets from connected ones.
  std::vector<unsigned char> listing;
  if (Status st = run_iterator(skel_->progs.hs_net_connections, listing); !st.ok()) return st;
  std::vector<unsigned char> none;
  if (Status st = run_iterator(skel_->progs.hs_net_own_files, none); !st.ok()) return st;
  // Count what is owned now: sockets listed with a process.
  found_open_ = 0;
  std::vector<ConnectionReading> conns;
  if (Status st = connections(conns); !st.ok()) return st;
  for (const auto& c : conns) found_open_ += c.tgid != 0;
  return {};
}

Status NetProbe::run_iterator(bpf_program* prog, std::vector<unsigned char>& output) {
  output.clear();
  LinkPtr link(bpf_program__attach_iter(prog, nullptr), &bpf_link__destroy);
  if (!link) return net_error("iterate", errno, bpf_program__name(prog));
  int fd = bpf_iter_create(bpf_link__fd(link.get()));
  if (fd < 0) return net_error("iterate", fd, bpf_program__name(prog));
  unsigned char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return net_error("iterate", err, bpf_program__name(prog));
    }
    if (output.size() + static_cast<std::size_t>(n) > kMaxIteratorBytes) {
      ::close(fd);
      return Status::error("net/iterate", "iterator output over 64 MiB", E2BIG);
    }
    output.insert(output.end(), buf, buf + n);
  }
  ::close(fd);
  return {};
}

Status NetProbe::connections(std::vector<ConnectionReading>& out) {
  out.clear();
  if (Status st = run_iterator(skel_->progs.hs_net_connections, iter_buf_); !st.ok()) return st;
  out.resize(iter_buf_.size() / sizeof(hs_conn_rec));
  if (!out.empty()) std::memcpy(out.data(), iter_buf_.data(), out.size() * sizeof(hs_conn_rec));
  return {};
}

Status NetProbe::read_all(std::vector<NetReading>& out) {
  out.clear();
  out.reserve(entries_ + entries_ / 8 + 16);
  Status st = aggr_access_->read(bpf_map__fd(skel_->maps.hs_net_aggr),
                                 [&](const unsigned char* key, const unsigned char* val) {
                                   NetReading& r = out.emplace_back();
                                   std::memcpy(&r.key, key, sizeof(r.key));
                                   std::memcpy(&r.val, val, sizeof(r.val));
                                 });
  if (st.ok()) entries_ = out.size();
  return st;
}

Status NetProbe::remove(std::span<const hs_net_key> keys) {
  return aggr_access_->remove(bpf_map__fd(skel_->maps.hs_net_aggr), keys.data(), keys.size());
}

std::array<std::uint64_t, HS_DROP_NET_COUNT> NetProbe::drops() const {
  std::array<std::uint64_t, HS_DROP_NET_COUNT> total{};
  auto sums = sum_percpu_counters(bpf_map__fd(skel_->maps.hs_net_drops), HS_DROP_NET_COUNT, ncpus_);
  std::copy(sums.begin(), sums.end(), total.begin());
  return total;
}

std::uint64_t NetProbe::missed_runs() const { return probes::missed_runs(skel_->obj) + slot_.missed_runs(); }

std::uint32_t NetProbe::max_entries() const { return bpf_map__max_entries(skel_->maps.hs_net_aggr); }

std::vector<std::uint32_t> NetProbe::program_ids() const {
  std::vector<std::uint32_t> ids;
  for (const bpf_prog_info& info : loaded_program_infos(skel_->obj)) ids.push_back(info.id);
  return ids;
}

}  // namespace hs::probes
