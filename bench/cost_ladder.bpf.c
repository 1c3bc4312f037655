// SPDX-License-Identifier: GPL-2.0
/* A cost ladder for syscall latency capture: each level adds one piece of
 * what bpf/syscalls.bpf.c does, so the difference between two adjacent levels
 * is the price of that piece. The level is rodata: the verifier prunes the
 * branches a level does not take, so each level runs only its own code. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "hostscope/wire.h"
#include "maps.bpf.h"
#include "latency.bpf.h"
#include "cost_ladder.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 ladder_level = LADDER_EMPTY;

/* Start of the syscall in flight, as hostscoped keeps it. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct hs_sys_start);
} ladder_starts SEC(".maps");

/* Aggregates per (tgid, nr), same layout and flags as hostscoped's. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, HS_SYS_DEFAULT_MAX_ENTRIES);
	__type(key, struct hs_sys_key);
	__type(value, struct hs_sys_val);
} ladder_aggr SEC(".maps");

/* Where the clock-only level puts its readings, so they are used. */
__u64 ladder_sink = 0;

static const struct hs_sys_val ladder_zero;

SEC("tp_btf/sys_enter")
int BPF_PROG(ladder_enter, struct pt_regs *regs, long id)
{
	if (ladder_level < LADDER_CLOCK)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	if (ladder_level < LADDER_TASK_STORAGE) {
		ladder_sink = now;
		return 0;
	}
	struct hs_sys_start *start = bpf_task_storage_get(&ladder_starts, bpf_get_current_task_btf(), 0,
							  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!start)
		return 0;
	start->nr = (__u32)id;
	start->ts = now;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ladder_exit, struct pt_regs *regs, long ret)
{
	if (ladder_level < LADDER_CLOCK)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	if (ladder_level < LADDER_TASK_STORAGE) {
		ladder_sink = now;
		return 0;
	}
	struct hs_sys_start *start = bpf_task_storage_get(&ladder_starts, bpf_get_current_task_btf(), 0, 0);
	if (!start || !start->ts)
		return 0;
	__u64 lat = now - start->ts;
	start->ts = 0;
	if (ladder_level < LADDER_MAP_PLAIN) {
		ladder_sink = lat;
		return 0;
	}
	struct hs_sys_key key = {.tgid = bpf_get_current_pid_tgid() >> 32, .nr = start->nr};
	long err = 0;
	struct hs_sys_val *val = map__lookup_or_init(&ladder_aggr, &key, &ladder_zero, &err);
	if (!val)
		return 0;
	if (ladder_level < LADDER_MAP_ATOMIC) {
		/* The same fields as latency__record, without the lock prefix. */
		__u32 slot = hs_hist_slot(lat);
		asm volatile("" : "+r"(slot));
		if (slot >= HS_HIST_SLOTS)
			slot = HS_HIST_SLOTS - 1;
		val->count++;
		val->total_ns += lat;
		if (lat > val->max_ns)
			val->max_ns = lat;
		val->slots[slot]++;
		return 0;
	}
	latency__record(val, lat, ret < 0 && ret >= -4095);
	return 0;
}
