/* Map helpers shared by the probes: insert-or-find and per-CPU counters. */
#ifndef HOSTSCOPE_MAPS_BPF_H
#define HOSTSCOPE_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* vmlinux.h carries no errno macros. */
#define HS_ENOENT 2
#define HS_ENOMEM 12
#define HS_EEXIST 17

/* Returns the value for key, inserting *init first if the key is new.
 * On NULL, *err says why: -E2BIG map full, -ENOMEM allocation failed. */
static __always_inline void *map__lookup_or_init(void *map, const void *key, const void *init, long *err)
{
	void *val = bpf_map_lookup_elem(map, key);
	if (val)
		return val;
	/* NOEXIST so a racing insert of the same key from another CPU is not overwritten. */
	*err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	if (*err && *err != -HS_EEXIST)
		return NULL;
	val = bpf_map_lookup_elem(map, key);
	/* Deleted by userspace between insert and lookup: rare, counted as no room. */
	if (!val)
		*err = -HS_ENOENT;
	return val;
}

/* Adds one to slot idx of a per-CPU u64 array (drop counters). */
static __always_inline void counter__inc(void *percpu_array, __u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(percpu_array, &idx);
	/* Atomic: faultable syscall tracepoints may be preempted mid-update. */
	if (c)
		__sync_fetch_and_add(c, 1);
}

#endif /* HOSTSCOPE_MAPS_BPF_H */
