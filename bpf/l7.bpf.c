// SPDX-License-Identifier: GPL-2.0
/* L7 capture: request/response exchanges of database, cache and HTTP
 * connections, seen at the socket layer with no change to the application.
 *
 * sock_send_length / sock_recv_length fire inside every send and receive on a
 * socket, in the calling task, with the socket at hand (no fd lookup). The
 * user buffer comes from the syscall's own arguments in the task's saved user
 * registers (read/write/readv/writev/sendto/recvfrom/sendmsg/recvmsg), so no
 * program runs on any other syscall. The programs are not attached themselves:
 * the socket hooks' chain runs them (lib/sock_chain.bpf.h).
 *
 * Per socket (SK_STORAGE): the protocol, recognised from the first request
 * bytes (connections that never look like one are ignored after a few tries),
 * the side we are on, and the exchange being built. The first request byte
 * starts an exchange (its prefix is copied); the first response byte completes
 * it: the record goes to this CPU's ring buffer. Pipelined requests are one
 * exchange; userspace finds the requests in the prefix. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "hostscope/wire.h"
#include "l7_mysql.bpf.h"
#include "maps.bpf.h"
#include "l7_record.bpf.h"
#include "sock_unix.bpf.h"
#include "sock_addr.bpf.h"
#include "l7_detect.bpf.h"
#include "sock_chain.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define HS_IPPROTO_TCP 6
#define HS_TCP_CLOSE 7
#define HS_MSG_PEEK 2
#define HS_PF_KTHREAD 0x00200000
#define HS_L7_MAX_ATTEMPTS 4 /* data events looked at before a connection is left alone */
#define HS_L7_SERVER_FIRST 0x80 /* with a protocol from l7__detect: the bytes came from the server */

#if defined(__TARGET_ARCH_x86)
enum { HS_NR_READ = 0, HS_NR_WRITE = 1, HS_NR_READV = 19, HS_NR_WRITEV = 20,
       HS_NR_SENDTO = 44, HS_NR_RECVFROM = 45, HS_NR_SENDMSG = 46, HS_NR_RECVMSG = 47 };
#define HS_SYSCALL_NR(regs) ((regs)->orig_ax)
#define HS_SYSCALL_ARG2(regs) ((regs)->si)
#define HS_SYSCALL_ARG3(regs) ((regs)->dx)
#elif defined(__TARGET_ARCH_arm64)
enum { HS_NR_READ = 63, HS_NR_WRITE = 64, HS_NR_READV = 65, HS_NR_WRITEV = 66,
       HS_NR_SENDTO = 206, HS_NR_RECVFROM = 207, HS_NR_SENDMSG = 211, HS_NR_RECVMSG = 212 };
#define HS_SYSCALL_NR(regs) ((regs)->syscallno)
#define HS_SYSCALL_ARG2(regs) ((regs)->regs[1])
#define HS_SYSCALL_ARG3(regs) ((regs)->regs[2])
#else
#error "l7.bpf.c: syscall numbers for this architecture are missing"
#endif

enum { HS_L7_UNDECIDED = 0, HS_L7_ACTIVE = 1, HS_L7_IGNORED = 2 };

struct hs_l7_conn {
	__u8 state;    /* HS_L7_UNDECIDED / ACTIVE / IGNORED */
	__u8 attempts; /* data events seen while undecided */
	__u8 waiting;  /* a request is in flight, its response not begun */
	__u8 path_len; /* of path */
	__u8 eof_seen; /* Unix: a read of 0 bytes was reported (every later read returns 0 too) */
	__u8 pad[3];
	char path[HS_L7_PATH_MAX]; /* Unix: the server's socket path, sent with each record */
	struct hs_l7_record rec;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct hs_l7_conn);
} hs_l7_conns SEC(".maps");

/* One ring buffer per CPU, so that the CPUs of a client and its server never
 * write the same ring's lock and positions. Userspace creates them and puts
 * them in place; this inner definition is only their template. */
struct hs_l7_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct hs_l7_ring);
} hs_l7_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HS_DROP_L7_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} hs_l7_drops SEC(".maps");

/* Wake the reader each time this much more is waiting; it also drains on its own timer. */
__u64 hs_l7_wakeup_bytes = HS_L7_DEFAULT_RINGBUF_BYTES / 4;

/* A user buffer of the syscall in progress: where the data is and how much is there. */
struct l7_buf {
	const void *base;
	__u64 len;
};

/* The first buffer of the current read/write/send/recv-family syscall, from the
 * task's saved user registers. False for any other syscall (io_uring, splice, ...). */
static __always_inline bool l7__syscall_buffer(struct l7_buf *b)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs)
		return false;
	long nr = HS_SYSCALL_NR(regs);
	__u64 arg2 = HS_SYSCALL_ARG2(regs), arg3 = HS_SYSCALL_ARG3(regs);
	/* Scalars from here on: keeps clang from merging these loads with the stack
	 * loads below into one instruction on two kinds of pointer (the verifier refuses). */
	asm volatile("" : "+r"(arg2), "+r"(arg3));
	struct iovec iov;
	switch (nr) {
	case HS_NR_READ:
	case HS_NR_WRITE:
	case HS_NR_SENDTO:
	case HS_NR_RECVFROM:
		b->base = (const void *)arg2;
		b->len = arg3;
		return true;
	case HS_NR_READV:
	case HS_NR_WRITEV:
		if (bpf_probe_read_user(&iov, sizeof(iov), (const void *)arg2))
			return false;
		break;
	case HS_NR_SENDMSG:
	case HS_NR_RECVMSG: {
		struct user_msghdr msg;
		if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)arg2) || !msg.msg_iovlen)
			return false;
		if (bpf_probe_read_user(&iov, sizeof(iov), msg.msg_iov))
			return false;
		break;
	}
	default:
		return false;
	}
	b->base = iov.iov_base;
	b->len = iov.iov_len;
	return true;
}

/* Copies of at most this many bytes go through the stack. With hardened
 * usercopy, a copy from user memory into a heap object (the socket's storage)
 * is checked against the object's slab, which costs more than the copy; one
 * onto the stack is checked by its bounds only. */
#define HS_L7_BOUNCE 128

/* Copies up to cap (a constant) of the n bytes the syscall moved; returns the
 * count. dst must have room for cap bytes, and for HS_L7_BOUNCE at least (a
 * short copy moves whole words). */
static __always_inline __u32 l7__copy(char *dst, __u32 cap, const struct l7_buf *b, __u64 moved)
{
	__u64 avail = moved < b->len ? moved : b->len;
	__u32 n = avail < cap ? (__u32)avail : cap;
	asm volatile("" : "+r"(n));
	if (n > cap)
		n = cap;
	if (n <= HS_L7_BOUNCE) {
		__u64 words[HS_L7_BOUNCE / 8] = {};
		if (bpf_probe_read_user(words, n, b->base))
			goto failed;
		for (__u32 i = 0; i < HS_L7_BOUNCE / 8; i++) {
			if (i * 8 >= n)
				break;
			__builtin_memcpy(dst + i * 8, &words[i], 8);
		}
		return n;
	}
	if (bpf_probe_read_user(dst, n, b->base))
		goto failed;
	return n;
failed:
	counter__inc(&hs_l7_drops, HS_DROP_L7_READ_FAILED);
	return 0;
}

/* The protocol of a request, from its first n bytes of the `moved` the syscall
 * moved, or HS_L7_UNKNOWN; or'ed with HS_L7_SERVER_FIRST for a server's greeting
 * (MySQL). Userspace decides for good; this only keeps other traffic off the
 * ring buffer. */
static __always_inline __u8 l7__detect(const char *p, __u32 n, __u64 moved)
{
	if (n < 4)
		return HS_L7_UNKNOWN;
	__u8 proto = l7_detect__protocol(p, n);
	if (proto != HS_L7_UNKNOWN)
		return proto;
	/* After PostgreSQL's checks: a 'P'/'Q' packet length with a MySQL command
	 * byte is PostgreSQL's here, userspace sorts out the rare MySQL one. */
	if (mysql__greeting(p, n, moved))
		return HS_L7_MYSQL | HS_L7_SERVER_FIRST;
	if (mysql__command(p, n, moved))
		return HS_L7_MYSQL;
	return HS_L7_UNKNOWN;
}

/* MySQL after a request's first bytes were kept: the server reads a packet's
 * 4-byte header and its payload apart, so the payload joins a bare header; a
 * handshake response asking for TLS leaves the connection alone from here on
 * (the rest is encrypted). */
static __always_inline void l7__mysql_request(struct hs_l7_conn *c, const struct l7_buf *b, __u64 moved,
					      bool first)
{
	if (!first) {
		if (c->rec.req_len != 4)
			return;
		c->rec.req_len = 4 + l7__copy(c->rec.data + 4, HS_L7_REQ_MAX - 4, b, moved);
	}
	if (mysql__ssl_request(c->rec.data, c->rec.req_len))
		c->state = HS_L7_IGNORED;
}

/* Names the connection's remote and, for TCP, the client's port; for Unix
 * sockets the server's path, and the peer socket's cookie in addr. */
static __always_inline void l7__remote(struct hs_l7_conn *c, struct sock *sk)
{
	struct hs_l7_record *rec = &c->rec;
	__u16 family = sk->__sk_common.skc_family;
	if (family != HS_AF_UNIX) {
		sk__remote(sk, rec->role, &rec->family, &rec->port, rec->addr);
		rec->client_port = rec->role == HS_NET_ROLE_SERVER ? bpf_ntohs(sk->__sk_common.skc_dport)
								    : sk->__sk_common.skc_num;
		return;
	}
	rec->family = HS_AF_UNIX;
	c->path_len = sk__unix_server_path(sk, rec->role, c->path);
	__u64 peer = sk__unix_peer_cookie(sk);
	__builtin_memcpy(rec->addr, &peer, sizeof(peer));
}

static __always_inline void l7__emit(struct hs_l7_conn *c)
{
	__u32 cpu = bpf_get_smp_processor_id();
	void *rb = bpf_map_lookup_elem(&hs_l7_rings, &cpu);
	if (!rb || l7_record__output(rb, &c->rec, c->path, c->path_len, hs_l7_wakeup_bytes))
		counter__inc(&hs_l7_drops, HS_DROP_L7_RINGBUF_FULL);
}

/* Tells userspace that an adopted connection is gone (see l7_record__closed). */
static __always_inline void l7__closed(struct hs_l7_conn *c, __u64 now_ns)
{
	__u32 cpu = bpf_get_smp_processor_id();
	void *rb = bpf_map_lookup_elem(&hs_l7_rings, &cpu);
	if (!rb || l7_record__closed(rb, &c->rec, now_ns, hs_l7_wakeup_bytes))
		counter__inc(&hs_l7_drops, HS_DROP_L7_RINGBUF_FULL);
}

/* Looks at the data of an undecided connection: adopts it if it carries a request. */
static __always_inline void l7__decide(struct hs_l7_conn *c, struct sock *sk, bool sending, const struct l7_buf *b,
				       __u64 moved)
{
	char head[HS_MYSQL_HEAD] = {};
	__u64 avail = moved < b->len ? moved : b->len;
	__u32 n = avail < sizeof(head) ? (__u32)avail : sizeof(head);
	asm volatile("" : "+r"(n));
	if (n > sizeof(head))
		n = sizeof(head);
	__u8 proto = HS_L7_UNKNOWN;
	if (!bpf_probe_read_user(head, n, b->base))
		proto = l7__detect(head, n, moved);
	if (proto == HS_L7_UNKNOWN) {
		if (++c->attempts >= HS_L7_MAX_ATTEMPTS)
			c->state = HS_L7_IGNORED;
		return;
	}
	c->state = HS_L7_ACTIVE;
	c->rec.protocol = proto & ~HS_L7_SERVER_FIRST;
	/* Whoever sends the request is the client; whoever sends a greeting, the
	 * server (the greeting itself is no request: it starts no exchange). */
	bool client = sending != !!(proto & HS_L7_SERVER_FIRST);
	c->rec.role = client ? HS_NET_ROLE_CLIENT : HS_NET_ROLE_SERVER;
	c->rec.conn_id = bpf_get_socket_cookie(sk);
	l7__remote(c, sk);
}

/* A read of 0 bytes from a Unix stream socket that asked for some: its peer
 * has closed (or shut down its sending side). TCP connections are seen closing
 * in hs_l7_state instead. */
static __always_inline void l7__eof(struct sock *sk)
{
	if (sk->__sk_common.skc_family != HS_AF_UNIX)
		return;
	struct hs_l7_conn *c = bpf_sk_storage_get(&hs_l7_conns, sk, 0, 0);
	struct l7_buf b;
	if (!c || c->state != HS_L7_ACTIVE || c->eof_seen || !l7__syscall_buffer(&b) || b.len == 0)
		return;
	c->eof_seen = 1; /* once: a program that keeps reading the end sends no more */
	l7__closed(c, sock_chain__now(sk));
}

static __always_inline void l7__io(struct sock *sk, int ret, int flags, bool sending)
{
	if (!sk || (!sending && (flags & HS_MSG_PEEK)))
		return;
	if (ret <= 0) {
		if (ret == 0 && !sending)
			l7__eof(sk);
		return;
	}
	struct hs_l7_conn *c = bpf_sk_storage_get(&hs_l7_conns, sk, 0, 0);
	if (c && c->state == HS_L7_IGNORED)
		return;
	if (!c) {
		__u16 family = sk->__sk_common.skc_family;
		if (family == HS_AF_UNIX) {
			if (sk->sk_type != 1 /* SOCK_STREAM */)
				return;
		} else if (family != HS_AF_INET && family != HS_AF_INET6) {
			return;
		} else if (sk->sk_protocol != HS_IPPROTO_TCP) {
			return;
		}
		struct task_struct *task = bpf_get_current_task_btf();
		if (task->flags & HS_PF_KTHREAD)
			return;
		c = bpf_sk_storage_get(&hs_l7_conns, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (!c) {
			counter__inc(&hs_l7_drops, HS_DROP_L7_NO_STORAGE);
			return;
		}
	}
	struct l7_buf b;
	if (!l7__syscall_buffer(&b))
		return;
	if (c->state == HS_L7_UNDECIDED) {
		l7__decide(c, sk, sending, &b, (__u64)ret);
		if (c->state != HS_L7_ACTIVE)
			return;
	}

	bool request = (c->rec.role == HS_NET_ROLE_CLIENT) == sending;
	if (request) {
		if (c->waiting) {
			c->rec.req_bytes += ret;
			if (c->rec.protocol == HS_L7_MYSQL)
				l7__mysql_request(c, &b, (__u64)ret, false);
			return;
		}
		c->rec.req_ns = sock_chain__now(sk);
		c->rec.req_bytes = ret;
		c->rec.req_len = l7__copy(c->rec.data, HS_L7_REQ_MAX, &b, (__u64)ret);
		c->waiting = 1;
		if (c->rec.protocol == HS_L7_MYSQL)
			l7__mysql_request(c, &b, (__u64)ret, true);
		return;
	}
	if (!c->waiting)
		return; /* more of a response already reported */
	c->waiting = 0;
	c->rec.resp_ns = sock_chain__now(sk);
	c->rec.resp_bytes = ret;
	c->rec.resp_len = l7__copy(l7_record__resp(&c->rec), HS_L7_RESP_MAX, &b, (__u64)ret);
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	c->rec.tgid = pid_tgid >> 32;
	c->rec.tid = (__u32)pid_tgid;
	l7__emit(c);
	/* PostgreSQL that accepted an SSLRequest ('S'): the rest is encrypted. */
	if (c->rec.protocol == HS_L7_POSTGRESQL && c->rec.req_len == 8 && l7_detect__be32(c->rec.data + 4) == 80877103 &&
	    c->rec.resp_len >= 1 && c->rec.data[8] == 'S') /* the response follows the 8 request bytes */
		c->state = HS_L7_IGNORED;
}

/* Every TCP socket ends in TCP_CLOSE (after FIN, RST, or TIME_WAIT's handover):
 * userspace may forget the connection, and nothing more is recorded on it. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(hs_l7_state, struct sock *sk, int oldstate, int newstate)
{
	if (newstate != HS_TCP_CLOSE)
		return 0;
	struct hs_l7_conn *c = bpf_sk_storage_get(&hs_l7_conns, sk, 0, 0);
	if (!c || c->state != HS_L7_ACTIVE)
		return 0;
	c->state = HS_L7_IGNORED;
	l7__closed(c, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(hs_l7_send, struct sock *sk, int ret, int flags)
{
	l7__io(sk, ret, flags, true);
	sock_chain__after(ctx, &hs_sock_send_chain, HS_SOCK_SLOT_L7);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(hs_l7_recv, struct sock *sk, int ret, int flags)
{
	l7__io(sk, ret, flags, false);
	sock_chain__after(ctx, &hs_sock_recv_chain, HS_SOCK_SLOT_L7);
	return 0;
}
