/* The wire format shared by the BPF programs (C) and userspace (C++):
 * map keys, map values, limits and the histogram slot math. Fixed-width
 * fields, explicit padding, sizes checked on both sides. */
#ifndef HOSTSCOPE_WIRE_H
#define HOSTSCOPE_WIRE_H

#ifdef __cplusplus
#include <linux/types.h>
#define HS_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__VMLINUX_H__)
#define HS_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
#include <linux/types.h>
#define HS_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* ---- log-linear latency histogram -------------------------------------
 * Values below 4 get a slot each; every power of two 2^k (k >= 2) is split
 * into HS_HIST_SUBS equal sub-buckets, so a bucket spans at most 25 % of its
 * lower bound. Values >= 2^HS_HIST_MAX_POW ns (~68.7 s) share the last slot. */
#define HS_HIST_SUB_BITS 2
#define HS_HIST_SUBS (1u << HS_HIST_SUB_BITS)
#define HS_HIST_MAX_POW 36
#define HS_HIST_SLOTS ((HS_HIST_MAX_POW - 1) * HS_HIST_SUBS)

/* floor(log2(v)) for v > 0, branchy but loop-free so the verifier is happy. */
static inline __u32 hs_log2_u64(__u64 v)
{
	__u32 r = 0;
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

static inline __u32 hs_hist_slot(__u64 v)
{
	if (v < HS_HIST_SUBS)
		return (__u32)v;
	__u32 k = hs_log2_u64(v);
	if (k >= HS_HIST_MAX_POW)
		return HS_HIST_SLOTS - 1;
	return (k - HS_HIST_SUB_BITS + 1) * HS_HIST_SUBS +
	       (__u32)((v >> (k - HS_HIST_SUB_BITS)) & (HS_HIST_SUBS - 1));
}

/* Inclusive lower bound of a slot (userspace uses it for percentiles). */
static inline __u64 hs_hist_slot_lower(__u32 slot)
{
	if (slot < HS_HIST_SUBS)
		return slot;
	__u32 k = slot / HS_HIST_SUBS + HS_HIST_SUB_BITS - 1;
	__u64 sub = slot % HS_HIST_SUBS;
	return (HS_HIST_SUBS + sub) << (k - HS_HIST_SUB_BITS);
}

/* ---- syscalls ----------------------------------------------------------- */

/* Per-(process, syscall) aggregate key. */
struct hs_sys_key {
	__u32 tgid;
	__u32 nr;
};
HS_STATIC_ASSERT(sizeof(struct hs_sys_key) == 8, "hs_sys_key size");

/* Per-CPU aggregate value. Slots are 32-bit to halve per-CPU memory;
 * userspace reads far more often than a slot can wrap and sums deltas
 * modulo 2^32. count/errors/total are exact 64-bit counters. */
struct hs_sys_val {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
	__u64 max_ns;
	__u32 slots[HS_HIST_SLOTS];
};
HS_STATIC_ASSERT(sizeof(struct hs_sys_val) == 32 + 4 * HS_HIST_SLOTS, "hs_sys_val size");

/* Start of the syscall in flight on a thread, kept in task storage. */
struct hs_sys_start {
	__u64 ts;
	__u32 nr;
	__u32 pad;
};
HS_STATIC_ASSERT(sizeof(struct hs_sys_start) == 16, "hs_sys_start size");

/* Live filter settings, a global in .bss that userspace rewrites in place. */
#define HS_FILTER_PID (1u << 0)
#define HS_FILTER_COMM (1u << 1)
#define HS_FILTER_CGROUP (1u << 2)
#define HS_COMM_LEN 16
#define HS_CGROUP_MAX_DEPTH 16

struct hs_sys_filter {
	__u32 flags;
	__u32 pad;
	__u64 min_latency_ns;
};
HS_STATIC_ASSERT(sizeof(struct hs_sys_filter) == 16, "hs_sys_filter size");

struct hs_comm {
	char comm[HS_COMM_LEN];
};
HS_STATIC_ASSERT(sizeof(struct hs_comm) == 16, "hs_comm size");

/* Reasons an event can be lost, indexes of the per-CPU drop counter array. */
enum hs_sys_drop {
	HS_DROP_SYS_MAP_FULL = 0,   /* aggregate map had no room for a new key */
	HS_DROP_SYS_NO_STORAGE = 1, /* task storage could not be created */
	HS_DROP_SYS_NO_MEMORY = 2,  /* no memory for a new key, per-CPU nor in the shared spill map */
	HS_DROP_SYS_COMM_FULL = 3,  /* process-name map had no room (names only, counts unaffected) */
	HS_DROP_SYS_COUNT = 4,
};

#define HS_SYS_DEFAULT_MAX_ENTRIES 8192
#define HS_FILTER_MAX_ENTRIES 1024

#endif /* HOSTSCOPE_WIRE_H */
