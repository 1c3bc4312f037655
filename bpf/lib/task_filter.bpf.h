/* Who gets traced: pid, comm and cgroup sets, ANDed across the enabled kinds. */
#ifndef HOSTSCOPE_TASK_FILTER_BPF_H
#define HOSTSCOPE_TASK_FILTER_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "hostscope/wire.h"

/* True if the current task's cgroup, or one of its ancestors, is in the set. */
static __always_inline bool task_filter__match_cgroup(void *cgroups)
{
	__u64 id = bpf_get_current_cgroup_id();
	if (bpf_map_lookup_elem(cgroups, &id))
		return true;
	/* Level 0 is the root; the helper returns 0 once level passes the task's own depth. */
	for (int level = 0; level < HS_CGROUP_MAX_DEPTH; level++) {
		id = bpf_get_current_ancestor_cgroup_id(level);
		if (!id)
			break;
		if (bpf_map_lookup_elem(cgroups, &id))
			return true;
	}
	return false;
}

/* True if the current task passes every filter kind enabled in flags
 * (OR within a kind: the key only has to be in that kind's set). */
static __always_inline bool task_filter__match(__u32 flags, __u32 tgid, void *pids, void *comms,
					      void *cgroups)
{
	if ((flags & HS_FILTER_PID) && !bpf_map_lookup_elem(pids, &tgid))
		return false;
	if (flags & HS_FILTER_COMM) {
		struct hs_comm comm = {};
		/* The helper zero-pads, so the whole 16 bytes are a stable hash key. */
		bpf_get_current_comm(comm.comm, sizeof(comm.comm));
		if (!bpf_map_lookup_elem(comms, &comm))
			return false;
	}
	if ((flags & HS_FILTER_CGROUP) && !task_filter__match_cgroup(cgroups))
		return false;
	return true;
}

#endif /* HOSTSCOPE_TASK_FILTER_BPF_H */
