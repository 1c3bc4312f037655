/* When a ring buffer record wakes its reader. */
#ifndef HOSTSCOPE_RINGBUF_BPF_H
#define HOSTSCOPE_RINGBUF_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* Flags for a record of `size` bytes about to be written to `rb`: only the record
 * that takes the waiting data past a multiple of `step` wakes the reader; all
 * others are written without a wake-up. A wake-up is an interrupt the writing CPU
 * sends itself, dear in a VM (over a microsecond each); waking on every record
 * past the mark, until the reader had run and drained, made the output cost ten
 * times the rest of the program. Two writers racing past a mark may both miss
 * it; the next mark, or the reader's own timer, catches up. */
static __always_inline __u64 rb__wakeup_flags(void *rb, __u64 size, __u64 step)
{
	if (!step)
		return BPF_RB_NO_WAKEUP;
	__u64 waiting = bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA);
	bool crossed;
	if (step & (step - 1)) /* not a power of two: divide */
		crossed = (waiting + size) / step > waiting / step;
	else /* the usual case (a fraction of a ring's size): two divisions saved per record */
		crossed = ((waiting + size) & ~(step - 1)) != (waiting & ~(step - 1));
	return crossed ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

#endif
