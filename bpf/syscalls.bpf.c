// SPDX-License-Identifier: GPL-2.0
/* Per-(process, syscall) latency capture: sys_enter stores {ts, nr} in task
 * storage, sys_exit folds the latency into a per-CPU aggregate map.
 * Two variants of each entry point (tp_btf, raw_tp) share the handlers;
 * userspace autoloads exactly one pair. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "hostscope/wire.h"
#include "maps.bpf.h"
#include "latency.bpf.h"
#include "task_filter.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Start of the syscall in flight, one per thread, freed with the task. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct hs_sys_start);
} hs_sys_starts SEC(".maps");

/* Aggregates per (tgid, nr); entries allocated on first use, capacity set from userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, HS_SYS_DEFAULT_MAX_ENTRIES);
	__type(key, struct hs_sys_key);
	__type(value, struct hs_sys_val);
} hs_sys_aggr SEC(".maps");

/* Same aggregates, shared by all CPUs, for samples whose per-CPU value could not be
 * allocated (bursts of new keys outrun the per-CPU allocator); sized like hs_sys_aggr. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, HS_SYS_DEFAULT_MAX_ENTRIES);
	__type(key, struct hs_sys_key);
	__type(value, struct hs_sys_val);
} hs_sys_spill SEC(".maps");

/* Name of each process with aggregates (its group leader's comm), written when a new
 * key appears: processes that exit before userspace reads /proc still get a name. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, HS_SYS_DEFAULT_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, struct hs_comm);
} hs_proc_comms SEC(".maps");

/* Lost events per reason (enum hs_sys_drop), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HS_DROP_SYS_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} hs_sys_drops SEC(".maps");

/* Filter set of tgids (HS_FILTER_PID); the value is unused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HS_FILTER_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, __u8);
} hs_sys_pids SEC(".maps");

/* Filter set of thread comms (HS_FILTER_COMM); the value is unused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HS_FILTER_MAX_ENTRIES);
	__type(key, struct hs_comm);
	__type(value, __u8);
} hs_sys_comms SEC(".maps");

/* Filter set of cgroup v2 ids, matched against the task's cgroup and ancestors. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HS_FILTER_MAX_ENTRIES);
	__type(key, __u64);
	__type(value, __u8);
} hs_sys_cgroups SEC(".maps");

/* Live settings in .bss: userspace rewrites them through the mmapped skeleton. */
struct hs_sys_filter hs_filter = {};
/* bpf_ktime_get_ns() at the last attach: older starts predate a detach and are stale. */
__u64 hs_attach_ns = 0;

/* Source of a zeroed value for new keys: 592 bytes do not fit the 512-byte stack. */
static const struct hs_sys_val hs_zero_val;

/* Linux returns -1..-4095 for errors; anything else is a value (e.g. an address). */
static __always_inline bool sys__failed(long ret)
{
	return ret < 0 && ret >= -4095;
}

static __always_inline void proc__remember_comm(__u32 tgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct hs_comm comm = {};
	/* The group leader's comm is the process name (threads may rename themselves). */
	BPF_CORE_READ_STR_INTO(&comm.comm, task, group_leader, comm);
	if (bpf_map_update_elem(&hs_proc_comms, &tgid, &comm, BPF_ANY))
		counter__inc(&hs_sys_drops, HS_DROP_SYS_COMM_FULL);
}

static __always_inline int sys__enter(long id)
{
	__u32 flags = hs_filter.flags;
	/* The common unfiltered case costs no map lookup. */
	if (flags && !task_filter__match(flags, bpf_get_current_pid_tgid() >> 32, &hs_sys_pids,
					 &hs_sys_comms, &hs_sys_cgroups))
		return 0;

	struct hs_sys_start *start = bpf_task_storage_get(&hs_sys_starts, bpf_get_current_task_btf(),
							  0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!start) {
		counter__inc(&hs_sys_drops, HS_DROP_SYS_NO_STORAGE);
		return 0;
	}
	start->nr = (__u32)id;
	start->ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int sys__exit(long ret)
{
	/* No create: tasks filtered out at enter, or never seen, stop here. */
	struct hs_sys_start *start = bpf_task_storage_get(&hs_sys_starts, bpf_get_current_task_btf(),
							  0, 0);
	if (!start)
		return 0;
	__u64 ts = start->ts;
	/* ts == 0: already consumed or filtered; ts < attach: entered before a detach/attach cycle. */
	if (!ts || ts < hs_attach_ns)
		return 0;
	start->ts = 0;

	__u64 lat = bpf_ktime_get_ns() - ts;
	if (lat < hs_filter.min_latency_ns)
		return 0;

	struct hs_sys_key key = {
		.tgid = bpf_get_current_pid_tgid() >> 32,
		.nr = start->nr,
	};
	long err = 0;
	struct hs_sys_val *val = bpf_map_lookup_elem(&hs_sys_aggr, &key);
	if (!val) {
		/* First call of this syscall by this process: a rare path, so naming it costs nothing. */
		proc__remember_comm(key.tgid);
		val = map__lookup_or_init(&hs_sys_aggr, &key, &hs_zero_val, &err);
	}
	if (!val) {
		if (err != -HS_ENOMEM) {
			counter__inc(&hs_sys_drops, HS_DROP_SYS_MAP_FULL);
			return 0;
		}
		/* Transient: keep the count exact in the spill map, which userspace merges. */
		val = map__lookup_or_init(&hs_sys_spill, &key, &hs_zero_val, &err);
		if (!val) {
			counter__inc(&hs_sys_drops, HS_DROP_SYS_NO_MEMORY);
			return 0;
		}
	}
	latency__record(val, lat, sys__failed(ret));
	return 0;
}

/* ---- entry points: BTF-typed tracepoints (preferred) ---- */

SEC("tp_btf/sys_enter")
int BPF_PROG(hs_sys_enter, struct pt_regs *regs, long id)
{
	return sys__enter(id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(hs_sys_exit, struct pt_regs *regs, long ret)
{
	return sys__exit(ret);
}

/* ---- entry points: raw tracepoints (fallback; same arguments, untyped) ---- */

SEC("raw_tp/sys_enter")
int BPF_PROG(hs_sysenter_raw, struct pt_regs *regs, long id)
{
	return sys__enter(id);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(hs_sysexit_raw, struct pt_regs *regs, long ret)
{
	return sys__exit(ret);
}
