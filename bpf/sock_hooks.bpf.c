// SPDX-License-Identifier: GPL-2.0
/* The one program attached to each socket send/receive tracepoint: it runs the
 * probes' programs in the chain's slots (see lib/sock_chain.bpf.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "sock_chain.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sock_send_length")
int BPF_PROG(hs_sock_send, struct sock *sk, int ret, int flags)
{
	sock_chain__begin();
	bpf_tail_call(ctx, &hs_sock_send_chain, HS_SOCK_SLOT_NET);
	sock_chain__after(ctx, &hs_sock_send_chain, HS_SOCK_SLOT_NET);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(hs_sock_recv, struct sock *sk, int ret, int flags)
{
	sock_chain__begin();
	bpf_tail_call(ctx, &hs_sock_recv_chain, HS_SOCK_SLOT_NET);
	sock_chain__after(ctx, &hs_sock_recv_chain, HS_SOCK_SLOT_NET);
	return 0;
}
