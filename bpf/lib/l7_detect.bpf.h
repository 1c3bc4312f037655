/* Recognising an L7 request from its first bytes (HTTP, Redis, PostgreSQL),
 * shared by the socket-layer capture (l7.bpf.c, which adds MySQL's server-first
 * rules) and the TLS one (tls.bpf.c). */
#ifndef HOSTSCOPE_L7_DETECT_BPF_H
#define HOSTSCOPE_L7_DETECT_BPF_H

#include "vmlinux.h"
#include "hostscope/wire.h"

/* The first 4 bytes as a big-endian integer (PostgreSQL lengths and codes). */
static __always_inline __u32 l7_detect__be32(const char *p)
{
	return ((__u32)(__u8)p[0] << 24) | ((__u32)(__u8)p[1] << 16) | ((__u32)(__u8)p[2] << 8) | (__u8)p[3];
}

static __always_inline bool l7_detect__starts4(const char *p, char a, char b, char c, char d)
{
	return p[0] == a && p[1] == b && p[2] == c && p[3] == d;
}

/* The protocol of a request starting with the n bytes at p (n <= 8 is enough),
 * or HS_L7_UNKNOWN. Userspace decides for good; this only keeps other traffic
 * off the ring buffer. */
static __always_inline __u8 l7_detect__protocol(const char *p, __u32 n)
{
	if (n < 4)
		return HS_L7_UNKNOWN;
	if (l7_detect__starts4(p, 'G', 'E', 'T', ' ') || l7_detect__starts4(p, 'P', 'O', 'S', 'T') ||
	    l7_detect__starts4(p, 'P', 'U', 'T', ' ') || l7_detect__starts4(p, 'H', 'E', 'A', 'D') ||
	    l7_detect__starts4(p, 'D', 'E', 'L', 'E') || l7_detect__starts4(p, 'P', 'A', 'T', 'C') ||
	    l7_detect__starts4(p, 'O', 'P', 'T', 'I'))
		return HS_L7_HTTP;
	/* RESP array of bulk strings: *<digits>\r\n$ */
	if (p[0] == '*' && p[1] >= '1' && p[1] <= '9' && n >= 5 &&
	    ((p[2] == '\r' && p[3] == '\n' && p[4] == '$') || (n >= 6 && p[3] == '\r' && p[4] == '\n' && p[5] == '$')))
		return HS_L7_REDIS;
	if (n >= 8) {
		/* PostgreSQL startup (protocol 3.0), SSL or GSS encryption request. */
		__u32 len = l7_detect__be32(p), code = l7_detect__be32(p + 4);
		if (len >= 8 && len <= 10000 && (code == 196608 || code == 80877103 || code == 80877104))
			return HS_L7_POSTGRESQL;
	}
	if (n >= 5 && (p[0] == 'Q' || p[0] == 'P')) {
		/* A query or Parse message on a connection that predates us. */
		__u32 len = l7_detect__be32(p + 1);
		if (len >= 5 && len < (1u << 24))
			return HS_L7_POSTGRESQL;
	}
	return HS_L7_UNKNOWN;
}

#endif /* HOSTSCOPE_L7_DETECT_BPF_H */
