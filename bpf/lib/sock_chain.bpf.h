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
 * Every object that takes part declares these maps; userspace makes them all
 * one pair (bpf_map__reuse_fd) before loading. */
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
