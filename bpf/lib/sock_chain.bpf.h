/* The chain of programs behind the socket send/receive tracepoints.
 *
 * Three probes (net, L7, TLS) look at every send and receive on a socket. Each
 * program attached to a tracepoint costs a dispatch of its own on every event
 * (about 40 ns here, with retpolines), so only one is attached per tracepoint
 * (bpf/sock_hooks.bpf.c). It tail-calls the probe in the first filled slot of
 * a program array; each probe's program, when done, tail-calls the next filled
 * slot after its own. An empty slot costs a few instructions; filling or
 * emptying one switches a probe on or off for the next event.
 *
 * The programs of one event share one reading of the clock (sock_chain__now).
 *
 * Every object that takes part declares these maps; userspace makes them all
 * the hooks' own (bpf_map__reuse_fd) before loading. */
#ifndef HOSTSCOPE_SOCK_CHAIN_BPF_H
#define HOSTSCOPE_SOCK_CHAIN_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "hostscope/wire.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, HS_SOCK_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} hs_sock_send_chain SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, HS_SOCK_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} hs_sock_recv_chain SEC(".maps");

/* The clock as read for the event in progress on this CPU: the hook forgets it
 * as each event begins, the first program that needs the time reads the clock,
 * the others reuse that reading (a clock read costs more than this lookup). */
struct hs_sock_clock {
	__u64 sk; /* the event's socket, or 0: no reading yet */
	__u64 ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hs_sock_clock);
} hs_sock_clock SEC(".maps");

/* In the hook, before the chain runs. */
static __always_inline void sock_chain__begin(void)
{
	__u32 zero = 0;
	struct hs_sock_clock *c = bpf_map_lookup_elem(&hs_sock_clock, &zero);
	if (c)
		c->sk = 0;
}

/* bpf_ktime_get_ns(), read at most once per event on sk. A task preempted
 * within its event may find another event's reading: then it reads again (a
 * reading for the same socket by another task is a moment later, no more). */
static __always_inline __u64 sock_chain__now(const struct sock *sk)
{
	__u32 zero = 0;
	struct hs_sock_clock *c = bpf_map_lookup_elem(&hs_sock_clock, &zero);
	if (!c)
		return bpf_ktime_get_ns();
	if (c->sk == (__u64)sk)
		return c->ns;
	__u64 ns = bpf_ktime_get_ns();
	c->sk = (__u64)sk;
	c->ns = ns;
	return ns;
}

/* Runs the program of the first filled slot after `slot` (a constant: each tail
 * call then compiles to a direct jump). Returns only if all of them are empty. */
static __always_inline void sock_chain__after(void *ctx, void *chain, const __u32 slot)
{
	if (slot < HS_SOCK_SLOT_L7)
		bpf_tail_call(ctx, chain, HS_SOCK_SLOT_L7);
	if (slot < HS_SOCK_SLOT_TLS)
		bpf_tail_call(ctx, chain, HS_SOCK_SLOT_TLS);
}

#endif /* HOSTSCOPE_SOCK_CHAIN_BPF_H */
