#include "probes/sock_hooks.h"

#include "probes/bpf_maps.h"
#include "sock_hooks.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <cerrno>

namespace hs::probes {
namespace {

Status hooks_error(std::string_view step, int err, std::string_view what = {}) {
  return bpf_error("sock_hooks", step, err, what);
}

std::mutex g_mu;
std::weak_ptr<SockHooks> g_hooks;  // the process's hooks while some probe holds them

}  // namespace

SockHooks::SockHooks(SkelPtr skel, LinkPtr send, LinkPtr recv)
    : skel_(std::move(skel)), send_link_(std::move(send)), recv_link_(std::move(recv)) {}

SockHooks::~SockHooks() {
  send_link_.reset();
  recv_link_.reset();
  spdlog::debug("sock_hooks: detached and unloaded");
}

Result<std::shared_ptr<SockHooks>> SockHooks::acquire() {
  std::lock_guard lock(g_mu);
  if (auto live = g_hooks.lock()) return live;
  SkelPtr skel(sock_hooks_bpf::open_and_load(), &sock_hooks_bpf::destroy);
  if (!skel) return hooks_error("load", errno);
  LinkPtr send(bpf_program__attach(skel->progs.hs_sock_send), &bpf_link__destroy);
  if (!send) return hooks_error("attach", errno, "hs_sock_send");
  LinkPtr recv(bpf_program__attach(skel->progs.hs_sock_recv), &bpf_link__destroy);
  if (!recv) return hooks_error("attach", errno, "hs_sock_recv");
  std::shared_ptr<SockHooks> hooks(new SockHooks(std::move(skel), std::move(send), std::move(recv)));
  g_hooks = hooks;
  spdlog::debug("sock_hooks: loaded and attached");
  return hooks;
}

std::shared_ptr<SockHooks> SockHooks::current() {
  std::lock_guard lock(g_mu);
  return g_hooks.lock();
}

std::vector<std::uint32_t> SockHooks::program_ids() const {
  std::vector<std::uint32_t> ids;
  for (const bpf_prog_info& info : loaded_program_infos(skel_->obj)) ids.push_back(info.id);
  return ids;
}

Result<std::shared_ptr<SockHooks>> SockHooks::join(bpf_object* probe) {
  auto hooks = acquire();
  if (!hooks.ok()) return hooks;
  if (Status st = hooks.value()->share_maps(probe); !st.ok()) return st;
  return hooks;
}

// Every map of the hooks' object (those of lib/sock_chain.bpf.h) must be one
// with the probe's: a probe with a clock map of its own would read stale times.
Status SockHooks::share_maps(bpf_object* probe) const {
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, skel_->obj) {
    if (bpf_map__is_internal(map)) continue;
    bpf_map* theirs = bpf_object__find_map_by_name(probe, bpf_map__name(map));
    if (!theirs) return hooks_error("share", ENOENT, bpf_map__name(map));
    if (int err = bpf_map__reuse_fd(theirs, bpf_map__fd(map))) return hooks_error("share", err, bpf_map__name(map));
  }
  return {};
}

std::uint64_t SockHooks::missed_runs() const { return probes::missed_runs(skel_->obj); }

Status SockHooks::fill(hs_sock_slot slot, const bpf_program* send, const bpf_program* recv) {
  std::lock_guard lock(mu_);
  if (filled_[slot]) return hooks_error("fill", EBUSY, "another probe of this process holds the slot");
  std::uint32_t key = slot;
  int send_fd = bpf_program__fd(send), recv_fd = bpf_program__fd(recv);
  if (int err = bpf_map_update_elem(bpf_map__fd(skel_->maps.hs_sock_send_chain), &key, &send_fd, BPF_ANY))
    return hooks_error("fill", err, bpf_program__name(send));
  if (int err = bpf_map_update_elem(bpf_map__fd(skel_->maps.hs_sock_recv_chain), &key, &recv_fd, BPF_ANY)) {
    bpf_map_delete_elem(bpf_map__fd(skel_->maps.hs_sock_send_chain), &key);
    return hooks_error("fill", err, bpf_program__name(recv));
  }
  filled_[slot] = true;
  return {};
}

void SockHooks::empty(hs_sock_slot slot) {
  std::lock_guard lock(mu_);
  std::uint32_t key = slot;
  bpf_map_delete_elem(bpf_map__fd(skel_->maps.hs_sock_send_chain), &key);
  bpf_map_delete_elem(bpf_map__fd(skel_->maps.hs_sock_recv_chain), &key);
  filled_[slot] = false;
}

Status SockSlot::fill(const bpf_program* send, const bpf_program* recv) {
  if (filled_) return {};
  if (!hooks_ || slot_ >= HS_SOCK_SLOTS) return hooks_error("fill", EINVAL);
  if (Status st = hooks_->fill(slot_, send, recv); !st.ok()) return st;
  missed_at_fill_ = hooks_->missed_runs();
  filled_ = true;
  return {};
}

void SockSlot::clear() {
  if (!filled_) return;
  missed_before_ += hooks_->missed_runs() - missed_at_fill_;
  hooks_->empty(slot_);
  filled_ = false;
}

std::uint64_t SockSlot::missed_runs() const {
  return missed_before_ + (filled_ ? hooks_->missed_runs() - missed_at_fill_ : 0);
}

}  // namespace hs::probes
