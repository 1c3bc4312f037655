/* Writing an exchange record (struct hs_l7_record) to a ring buffer: only the
 * bytes it holds, its request, response and path packed after the fixed part. */
#ifndef HOSTSCOPE_L7_RECORD_BPF_H
#define HOSTSCOPE_L7_RECORD_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "hostscope/wire.h"
#include "ringbuf.bpf.h"

/* Where the response goes: right after the request's captured prefix. */
static __always_inline char *l7_record__resp(struct hs_l7_record *rec)
{
	__u32 req = rec->req_len;
	asm volatile("" : "+r"(req)); /* keep the clamp below for the verifier */
	if (req > HS_L7_REQ_MAX)
		req = HS_L7_REQ_MAX;
	return rec->data + req;
}

/* Appends the path_len bytes of path (a Unix server's socket path, kept by the
 * connection) after the response and writes the record to rb. Returns what
 * bpf_ringbuf_output returns. */
static __always_inline long l7_record__output(void *rb, struct hs_l7_record *rec, const char *path, __u32 path_len,
					      __u64 wakeup_step)
{
	__u32 req = rec->req_len, resp = rec->resp_len, plen = path_len;
	asm volatile("" : "+r"(req));
	asm volatile("" : "+r"(resp));
	asm volatile("" : "+r"(plen));
	if (req > HS_L7_REQ_MAX)
		req = HS_L7_REQ_MAX;
	if (resp > HS_L7_RESP_MAX)
		resp = HS_L7_RESP_MAX;
	if (plen > HS_L7_PATH_MAX - 1)
		plen = HS_L7_PATH_MAX - 1;
	__u32 used = req + resp;
	if (plen && bpf_probe_read_kernel(rec->data + used, plen, path))
		plen = 0;
	rec->path_len = (__u8)plen;
	__u64 size = HS_L7_RECORD_FIXED + used + plen;
	return bpf_ringbuf_output(rb, rec, size, rb__wakeup_flags(rb, size, wakeup_step));
}

/* Tells userspace that a connection is gone: the fixed part of its record alone,
 * flagged HS_L7_F_CLOSED, built apart from the exchange in progress. Returns what
 * bpf_ringbuf_output returns. */
static __always_inline long l7_record__closed(void *rb, const struct hs_l7_record *conn, __u64 now_ns,
					      __u64 wakeup_step)
{
	__u64 head[HS_L7_RECORD_FIXED / 8];
	__builtin_memcpy(head, conn, sizeof(head));
	struct hs_l7_record *rec = (struct hs_l7_record *)head;
	rec->flags |= HS_L7_F_CLOSED;
	rec->req_ns = rec->resp_ns = now_ns;
	rec->req_bytes = 0;
	rec->resp_bytes = 0;
	rec->req_len = rec->resp_len = 0;
	rec->path_len = 0;
	rec->tgid = rec->tid = 0;
	return bpf_ringbuf_output(rb, head, sizeof(head), rb__wakeup_flags(rb, sizeof(head), wakeup_step));
}

#endif /* HOSTSCOPE_L7_RECORD_BPF_H */
