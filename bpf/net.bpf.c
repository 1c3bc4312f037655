// SPDX-License-Identifier: GPL-2.0
/* TCP capture: connect latency and outcome, accepted connections, smoothed RTT,
 * retransmits, resets and request->response round trips, aggregated in the
 * kernel per (process, remote).
 *
 * Every socket we follow carries a struct hs_sk_state in socket storage (freed
 * with the socket). Its owner is taken in process context: at connect() (the
 * CLOSE->SYN_SENT transition runs in the connecting task), at the first send or
 * receive (accepted sockets), or by the task_file iterator for sockets that
 * existed before the probe was loaded. Softirq events (handshake completion,
 * tcp_probe, retransmits, resets) then find the owner on the socket.
 *
 * Only tp_btf tracepoints and iterators are used: this kernel has no kprobes.
 * The send/receive programs run from the socket hooks' chain (lib/sock_chain.bpf.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "hostscope/wire.h"
#include "maps.bpf.h"
#include "latency.bpf.h"
#include "sock_addr.bpf.h"
#include "sock_chain.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define HS_IPPROTO_TCP 6
#define HS_MSG_PEEK 2
#define HS_PF_KTHREAD 0x00200000
/* tcp_probe fires on every received segment; one srtt sample per socket per
 * this interval is plenty (srtt is already a moving average) and keeps the
 * per-packet cost to a storage lookup. */
#define HS_NET_SRTT_SAMPLE_NS 10000000ULL

enum {
	HS_TCP_ESTABLISHED = 1,
	HS_TCP_SYN_SENT = 2,
	HS_TCP_SYN_RECV = 3,
	HS_TCP_CLOSE = 7,
	HS_TCP_LISTEN = 10,
};

/* What we know about one socket. */
struct hs_sk_state {
	struct hs_net_key key;  /* key.tgid == 0 until a process is seen using it */
	__u64 connect_start_ns; /* CLOSE->SYN_SENT time, 0 once the outcome is known */
	__u64 rt_start_ns;      /* start of the request in flight */
	__u64 srtt_sampled_ns;  /* last srtt sample taken from tcp_probe */
	__u64 pending_sent;     /* bytes not yet folded into the aggregate */
	__u64 pending_recv;
	__u32 listener_tgid;    /* accepted socket not used yet: who listens on its port */
	__u8 keyed;             /* key's role/family/addr/port are filled */
	__u8 rt_waiting;        /* a request was seen, its response's first byte not yet */
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct hs_sk_state);
} hs_sk_states SEC(".maps");

/* Aggregates per (tgid, role, remote); capacity set from userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, HS_NET_DEFAULT_MAX_ENTRIES);
	__type(key, struct hs_net_key);
	__type(value, struct hs_net_val);
} hs_net_aggr SEC(".maps");

/* Local ports something listens on, with the process that called listen() (0 if
 * unknown): classifies sockets found already open, and names the likely owner of
 * an accepted connection until a process actually uses it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HS_NET_MAX_LISTEN_PORTS);
	__type(key, __u16);
	__type(value, __u32);
} hs_listen_ports SEC(".maps");

/* Lost events per reason (enum hs_net_drop), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HS_DROP_NET_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} hs_net_drops SEC(".maps");

/* Zeroed value for new keys: too large for the stack. */
static const struct hs_net_val hs_net_zero;

/* Socket pointers here are BTF-typed (tracepoint arguments, iterator context):
 * fields are read with plain loads, which cost far less than probe-read helpers. */
static __always_inline bool sk__is_tcp(const struct sock *sk)
{
	__u16 family = sk->__sk_common.skc_family;
	if (family != HS_AF_INET && family != HS_AF_INET6)
		return false;
	return sk->sk_protocol == HS_IPPROTO_TCP;
}

static __always_inline bool task__is_kthread(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	return task->flags & HS_PF_KTHREAD;
}

/* Fills the key's role and remote (see sk__remote). */
static __always_inline void sk__fill_key(struct hs_sk_state *st, const struct sock *sk, __u8 role)
{
	st->key.role = role;
	sk__remote(sk, role, &st->key.family, &st->key.port, st->key.addr);
	st->keyed = 1;
}

/* Role of a socket we did not see being set up: a server if its local port listens. */
static __always_inline __u8 sk__guess_role(const struct sock *sk)
{
	__u16 port = sk->__sk_common.skc_num;
	return bpf_map_lookup_elem(&hs_listen_ports, &port) ? HS_NET_ROLE_SERVER : HS_NET_ROLE_CLIENT;
}

static __always_inline struct hs_sk_state *sk__state(const struct sock *sk, __u64 flags)
{
	struct hs_sk_state *st = bpf_sk_storage_get(&hs_sk_states, (void *)sk, 0, flags);
	if (!st && flags)
		counter__inc(&hs_net_drops, HS_DROP_NET_NO_STORAGE);
	return st;
}

static __always_inline struct hs_net_val *net__aggr(const struct hs_net_key *key)
{
	long err = 0;
	struct hs_net_val *v = map__lookup_or_init(&hs_net_aggr, key, &hs_net_zero, &err);
	if (!v)
		counter__inc(&hs_net_drops, HS_DROP_NET_MAP_FULL);
	return v;
}

/* The aggregate of an owned socket; events on sockets nobody owns yet are counted as such. */
static __always_inline struct hs_net_val *sk__owned_aggr(struct hs_sk_state *st)
{
	if (!st || !st->key.tgid || !st->keyed) {
		counter__inc(&hs_net_drops, HS_DROP_NET_UNATTRIBUTED);
		return 0;
	}
	return net__aggr(&st->key);
}

static __always_inline void net__flush_bytes(struct hs_sk_state *st, struct hs_net_val *v)
{
	__u64 sent = __sync_lock_test_and_set(&st->pending_sent, 0);
	__u64 recv = __sync_lock_test_and_set(&st->pending_recv, 0);
	if (sent)
		__sync_fetch_and_add(&v->bytes_sent, sent);
	if (recv)
		__sync_fetch_and_add(&v->bytes_received, recv);
}

/* ---- connection life cycle ---------------------------------------------- */

static __always_inline void net__connect_started(const struct sock *sk)
{
	if (task__is_kthread())
		return;
	struct hs_sk_state *st = sk__state(sk, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st)
		return;
	sk__fill_key(st, sk, HS_NET_ROLE_CLIENT);
	st->key.tgid = bpf_get_current_pid_tgid() >> 32;
	st->rt_waiting = 0;
	st->connect_start_ns = bpf_ktime_get_ns();
}

static __always_inline void net__connect_done(const struct sock *sk, bool ok)
{
	struct hs_sk_state *st = sk__state(sk, 0);
	if (!st || !st->connect_start_ns)
		return;
	__u64 lat = bpf_ktime_get_ns() - st->connect_start_ns;
	st->connect_start_ns = 0;
	struct hs_net_val *v = sk__owned_aggr(st);
	if (!v)
		return;
	if (!ok) {
		__sync_fetch_and_add(&v->connect_failures, 1);
		return;
	}
	__sync_fetch_and_add(&v->connects, 1);
	__sync_fetch_and_add(&v->connect_total_ns, lat);
	hist__add(v->connect_slots, lat);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(hs_net_state, const struct sock *sk, const int oldstate, const int newstate)
{
	if (!sk || !sk__is_tcp(sk))
		return 0;
	if (newstate == HS_TCP_LISTEN) {
		/* listen() runs in the owner: remember it for the connections list. */
		__u16 port = sk->__sk_common.skc_num;
		__u32 tgid = task__is_kthread() ? 0 : bpf_get_current_pid_tgid() >> 32;
		bpf_map_update_elem(&hs_listen_ports, &port, &tgid, BPF_ANY);
		struct hs_sk_state *st = tgid ? sk__state(sk, BPF_SK_STORAGE_GET_F_CREATE) : 0;
		if (st)
			st->key.tgid = tgid;
		return 0;
	}
	if (oldstate == HS_TCP_CLOSE && newstate == HS_TCP_SYN_SENT) {
		net__connect_started(sk);
		return 0;
	}
	if (oldstate == HS_TCP_SYN_SENT) {
		net__connect_done(sk, newstate == HS_TCP_ESTABLISHED);
		return 0;
	}
	if (oldstate == HS_TCP_SYN_RECV && newstate == HS_TCP_ESTABLISHED) {
		/* An accepted connection, in softirq: keyed now, owned at its first read or
		 * write (by whichever process accepted it). Until then the listener's process
		 * is the best guess, shown in the connections list only. */
		struct hs_sk_state *st = sk__state(sk, BPF_SK_STORAGE_GET_F_CREATE);
		if (st && !st->keyed) {
			sk__fill_key(st, sk, HS_NET_ROLE_SERVER);
			__u32 *listener = bpf_map_lookup_elem(&hs_listen_ports, &st->key.port);
			st->listener_tgid = listener ? *listener : 0;
		}
		return 0;
	}
	/* Leaving ESTABLISHED or closing: fold the socket's last bytes in. */
	struct hs_sk_state *st = sk__state(sk, 0);
	if (st && st->key.tgid && st->keyed && (st->pending_sent || st->pending_recv)) {
		struct hs_net_val *v = net__aggr(&st->key);
		if (v)
			net__flush_bytes(st, v);
	}
	return 0;
}

/* ---- data: ownership of accepted and pre-existing sockets, round trips ---- */

/* A round trip is measured on the side that asks: a client from the first byte
 * it writes after a read to the first byte it reads after that write; a server
 * from the first byte it reads after a write to the first byte it writes after
 * that read. Pipelined requests are one round trip (the first response byte). */
static __always_inline void net__io(struct sock *sk, int ret, int flags, bool sending)
{
	if (ret <= 0 || !sk)
		return;
	if (!sending && (flags & HS_MSG_PEEK))
		return;
	/* Only TCP sockets ever get a state, so an owned one is the whole check. */
	struct hs_sk_state *st = sk__state(sk, 0);
	if (!st || !st->key.tgid) {
		if (!sk__is_tcp(sk) || task__is_kthread())
			return;
		if (!st)
			st = sk__state(sk, BPF_SK_STORAGE_GET_F_CREATE);
		if (!st)
			return;
		/* Keyed but unowned: a connection accepted while we watched. Otherwise one
		 * that predates the probe and escaped the file-table scan. */
		bool accepted = st->keyed;
		if (!st->keyed)
			sk__fill_key(st, sk, sk__guess_role(sk));
		st->key.tgid = bpf_get_current_pid_tgid() >> 32;
		if (accepted && st->key.role == HS_NET_ROLE_SERVER) {
			/* First use of an accepted connection by its process: count the accept. */
			struct hs_net_val *v = net__aggr(&st->key);
			if (v)
				__sync_fetch_and_add(&v->connects, 1);
		}
	}

	if (sending)
		__sync_fetch_and_add(&st->pending_sent, (__u64)ret);
	else
		__sync_fetch_and_add(&st->pending_recv, (__u64)ret);

	bool asking = (st->key.role == HS_NET_ROLE_CLIENT) == sending;
	if (asking) {
		if (!st->rt_waiting) {
			st->rt_start_ns = sock_chain__now(sk);
			st->rt_waiting = 1;
		}
		return;
	}
	if (!st->rt_waiting)
		return;
	st->rt_waiting = 0;
	__u64 lat = sock_chain__now(sk) - st->rt_start_ns;
	struct hs_net_val *v = net__aggr(&st->key);
	if (!v)
		return;
	__sync_fetch_and_add(&v->round_trips, 1);
	__sync_fetch_and_add(&v->rtt_total_ns, lat);
	if (lat > v->rtt_max_ns)
		v->rtt_max_ns = lat;
	hist__add(v->rtt_slots, lat);
	net__flush_bytes(st, v);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(hs_net_send, struct sock *sk, int ret, int flags)
{
	net__io(sk, ret, flags, true);
	sock_chain__after(ctx, &hs_sock_send_chain, HS_SOCK_SLOT_NET);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(hs_net_recv, struct sock *sk, int ret, int flags)
{
	net__io(sk, ret, flags, false);
	sock_chain__after(ctx, &hs_sock_recv_chain, HS_SOCK_SLOT_NET);
	return 0;
}

/* ---- softirq-side TCP events --------------------------------------------- */

SEC("tp_btf/tcp_probe")
int BPF_PROG(hs_net_tcp_probe, struct sock *sk, const struct sk_buff *skb)
{
	if (!sk)
		return 0;
	struct hs_sk_state *st = sk__state(sk, 0);
	/* Not yet owned (an accepted socket before its first read): a sample, not an event. */
	if (!st || !st->key.tgid || !st->keyed)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	if (now - st->srtt_sampled_ns < HS_NET_SRTT_SAMPLE_NS)
		return 0;
	st->srtt_sampled_ns = now;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 0;
	__u32 srtt_us = tp->srtt_us >> 3;
	__u32 mdev_us = tp->mdev_us >> 2;
	if (!srtt_us)
		return 0;
	struct hs_net_val *v = net__aggr(&st->key);
	if (!v)
		return 0;
	__sync_fetch_and_add(&v->srtt_samples, 1);
	__sync_fetch_and_add(&v->srtt_total_us, srtt_us);
	__sync_fetch_and_add(&v->mdev_total_us, mdev_us);
	hist__add(v->srtt_slots, (__u64)srtt_us * 1000);
	net__flush_bytes(st, v);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(hs_net_retransmit, const struct sock *sk)
{
	if (!sk)
		return 0;
	struct hs_net_val *v = sk__owned_aggr(sk__state(sk, 0));
	if (v)
		__sync_fetch_and_add(&v->retransmits, 1);
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(hs_net_reset_sent, const struct sock *sk)
{
	/* No socket (a RST for a closed port) or a mini socket: nobody to attribute it to. */
	if (!sk)
		return 0;
	struct hs_sk_state *st = sk__state(sk, 0);
	if (!st)
		return 0;
	struct hs_net_val *v = sk__owned_aggr(st);
	if (v)
		__sync_fetch_and_add(&v->resets_sent, 1);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(hs_net_reset_received, struct sock *sk)
{
	if (!sk)
		return 0;
	struct hs_net_val *v = sk__owned_aggr(sk__state(sk, 0));
	if (v)
		__sync_fetch_and_add(&v->resets_received, 1);
	return 0;
}

/* ---- iterators ------------------------------------------------------------ */

/* Every TCP socket of this network namespace, as struct hs_conn_rec records.
 * Also (re)learns the listening ports, which classify sockets found open. */
SEC("iter/tcp")
int hs_net_connections(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	if (!skc)
		return 0;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0; /* time-wait and request sockets carry no process */
	struct sock *sk = &tp->inet_conn.icsk_inet.sk;
	struct hs_conn_rec rec = {};
	rec.state = sk->__sk_common.skc_state;
	rec.local_port = sk->__sk_common.skc_num;
	struct hs_sk_state *st = bpf_sk_storage_get(&hs_sk_states, sk, 0, 0);
	if (rec.state == HS_TCP_LISTEN) {
		__u32 owner = st ? st->key.tgid : 0;
		/* Never replace a known listener process with "unknown". */
		bpf_map_update_elem(&hs_listen_ports, &rec.local_port, &owner, owner ? BPF_ANY : BPF_NOEXIST);
	}
	rec.remote_port = bpf_ntohs(sk->__sk_common.skc_dport);
	if (sk->__sk_common.skc_family == HS_AF_INET) {
		rec.family = HS_AF_INET;
		__u32 l = sk->__sk_common.skc_rcv_saddr, r = sk->__sk_common.skc_daddr;
		__builtin_memcpy(rec.local_addr, &l, 4);
		__builtin_memcpy(rec.remote_addr, &r, 4);
	} else {
		__u32 l6[4], r6[4];
		sk__v6_addr(l6, &sk->__sk_common.skc_v6_rcv_saddr);
		sk__v6_addr(r6, &sk->__sk_common.skc_v6_daddr);
		if (addr__is_v4_mapped(l6) && (addr__is_v4_mapped(r6) || rec.state == HS_TCP_LISTEN)) {
			rec.family = HS_AF_INET;
			__builtin_memcpy(rec.local_addr, &l6[3], 4);
			__builtin_memcpy(rec.remote_addr, &r6[3], 4);
		} else {
			rec.family = HS_AF_INET6;
			__builtin_memcpy(rec.local_addr, l6, 16);
			__builtin_memcpy(rec.remote_addr, r6, 16);
		}
	}
	rec.srtt_us = tp->srtt_us >> 3;
	rec.mdev_us = tp->mdev_us >> 2;
	rec.total_retrans = tp->total_retrans;
	rec.snd_cwnd = tp->snd_cwnd;
	rec.bytes_acked = tp->bytes_acked;
	rec.bytes_received = tp->bytes_received;
	if (st) {
		rec.tgid = st->key.tgid ? st->key.tgid : st->listener_tgid;
		rec.role = st->key.role;
	}
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}

/* Every open file of every process: TCP sockets nobody owns yet get their
 * process (sockets that existed before the probe was loaded). */
SEC("iter/task_file")
int hs_net_own_files(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	if (!task || !file || (task->flags & HS_PF_KTHREAD))
		return 0;
	struct socket *sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	struct sock *sk = sock->sk;
	if (!sk || !sk__is_tcp(sk))
		return 0;
	__u8 state = sk->__sk_common.skc_state;
	if (state == HS_TCP_CLOSE)
		return 0;
	struct hs_sk_state *st = sk__state(sk, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st || st->key.tgid)
		return 0;
	/* A listener only needs its owner (for the connections list): it has no aggregates. */
	if (state != HS_TCP_LISTEN && !st->keyed)
		sk__fill_key(st, sk, state == HS_TCP_SYN_SENT ? HS_NET_ROLE_CLIENT : sk__guess_role(sk));
	st->key.tgid = task->tgid;
	return 0;
}
