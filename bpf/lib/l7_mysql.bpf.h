/* MySQL/MariaDB recognition from a connection's first bytes, for l7.bpf.c
 * (and any program that applies its rules to plaintext from elsewhere).
 *
 * A packet is a 3-byte little-endian payload length, a sequence id, then the
 * payload. The server speaks first: its greeting (HandshakeV10) is payload
 * byte 10 followed by a version string such as "5.5.5-10.11.6-MariaDB". On a
 * connection that predates the capture, a command starts with sequence 0 and
 * the command byte. Userspace decides for good; these only keep other traffic
 * off the ring buffer. */
#ifndef HOSTSCOPE_L7_MYSQL_BPF_H
#define HOSTSCOPE_L7_MYSQL_BPF_H

#include "vmlinux.h"

#define HS_MYSQL_HEAD 16        /* bytes these checks look at */
#define HS_MYSQL_COM_QUERY 0x03
#define HS_MYSQL_COM_STMT_PREPARE 0x16
#define HS_MYSQL_COM_STMT_EXECUTE 0x17
#define HS_MYSQL_CLIENT_SSL 0x0800 /* capability bit of a handshake response: TLS follows */

static __always_inline __u32 mysql__len(const char *p)
{
	return (__u32)(__u8)p[0] | ((__u32)(__u8)p[1] << 8) | ((__u32)(__u8)p[2] << 16);
}

static __always_inline bool mysql__printable(char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r';
}

/* A greeting's payload from v: protocol 10, a version "N.", "NN." (MariaDB 11
 * drops the "5.5.5-" prefix), then printable bytes up to its NUL or as far as
 * we see (n bytes). */
static __always_inline bool mysql__greeting_payload(const char *v, __u32 n)
{
	if (n < 4 || v[0] != 0x0a || v[1] < '1' || v[1] > '9')
		return false;
	if (v[2] != '.' && !(v[2] >= '0' && v[2] <= '9' && v[3] == '.'))
		return false;
	/* A bounded loop (kernel 5.3+): at most 13 steps. */
	for (__u32 i = 3; i < HS_MYSQL_HEAD; i++) {
		if (i >= n || v[i] == '\0')
			return true;
		if (!mysql__printable(v[i]))
			return false;
	}
	return true;
}

/* The server greeting in the first n (<= HS_MYSQL_HEAD) of `moved` bytes: with
 * its header (the usual single read or write), or its payload alone (a client
 * that reads the 4-byte header first). */
static __always_inline bool mysql__greeting(const char *p, __u32 n, __u64 moved)
{
	if (n >= 9 && p[3] == 0 && p[4] == 0x0a) {
		__u32 len = mysql__len(p);
		return len >= 32 && len <= 1024 && moved >= len + 4 && mysql__greeting_payload(p + 4, n - 4);
	}
	return moved >= 32 && mysql__greeting_payload(p, n);
}

/* A query, prepare or execute as a connection that predates us sends it: the
 * whole first packet moved by this call, sequence 0, a command byte and the
 * shape that command has. Sent alone, so lengths must agree with `moved`. */
static __always_inline bool mysql__command(const char *p, __u32 n, __u64 moved)
{
	if (n < 6 || p[3] != 0)
		return false;
	__u32 len = mysql__len(p);
	if (len < 2 || moved < len + 4)
		return false;
	switch (p[4]) {
	case HS_MYSQL_COM_QUERY:
	case HS_MYSQL_COM_STMT_PREPARE:
		/* SQL text, or MySQL 8 query attributes (none: count 0, one set) first. */
		return mysql__printable(p[5]) || (n >= 7 && p[5] == 0 && p[6] == 1);
	case HS_MYSQL_COM_STMT_EXECUTE:
		/* statement id (4), flags (1), iteration count (4) which is always 1. */
		return len >= 10 && n >= 14 && (__u8)p[9] < 0x10 && p[10] == 1 && p[11] == 0 && p[12] == 0 && p[13] == 0;
	}
	return false;
}

/* A handshake response asking for TLS (sequence 1, 32 bytes, CLIENT_SSL): what
 * follows on this socket is encrypted. p holds n >= 9 bytes of the request. */
static __always_inline bool mysql__ssl_request(const char *p, __u32 n)
{
	return n >= 9 && mysql__len(p) == 32 && p[3] == 1 && ((__u8)p[5] & (HS_MYSQL_CLIENT_SSL >> 8));
}

#endif /* HOSTSCOPE_L7_MYSQL_BPF_H */
