/* Folding latency samples into histograms and struct hs_sys_val aggregates. */
#ifndef HOSTSCOPE_LATENCY_BPF_H
#define HOSTSCOPE_LATENCY_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "hostscope/wire.h"

/* Adds one sample of value v (nanoseconds) to a HS_HIST_SLOTS-slot histogram. */
static __always_inline void hist__add(__u32 *slots, __u64 v)
{
	__u32 slot = hs_hist_slot(v);
	/* Hide the slot's range from clang so the bound check below survives for the verifier. */
	asm volatile("" : "+r"(slot));
	if (slot >= HS_HIST_SLOTS)
		slot = HS_HIST_SLOTS - 1;
	__sync_fetch_and_add(&slots[slot], 1);
}

/* Records one call of lat_ns; failed says the call returned an error.
 * Every counter is added atomically so counts stay exact even if the
 * program is preempted and another task updates the same per-CPU value. */
static __always_inline void latency__record(struct hs_sys_val *v, __u64 lat_ns, bool failed)
{
	__sync_fetch_and_add(&v->count, 1);
	if (failed)
		__sync_fetch_and_add(&v->errors, 1);
	__sync_fetch_and_add(&v->total_ns, lat_ns);
	/* A lost race here only loses a max that the racing writer also beat. */
	if (lat_ns > v->max_ns)
		v->max_ns = lat_ns;

	hist__add(v->slots, lat_ns);
}

#endif /* HOSTSCOPE_LATENCY_BPF_H */
