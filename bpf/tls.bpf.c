// SPDX-License-Identifier: GPL-2.0
/* TLS capture: the plaintext of OpenSSL connections, from uprobes on libssl,
 * turned into the same request/response records as l7.bpf.c (HS_L7_F_TLS set).
 *
 * SSL_write/SSL_write_ex: the plaintext is there at entry (no return probe).
 * SSL_read/SSL_read_ex: entry saves the buffer per thread, the return probe
 * learns how much was read. Per connection, keyed by (process, SSL object), an
 * LRU hash holds what l7.bpf.c keeps per socket: protocol from the first
 * plaintext, side, the exchange being built.
 *
 * The socket: while a thread is inside an SSL call (task storage), its own
 * sock_send_length / sock_recv_length events name the socket under it. Reads
 * always touch it before their plaintext comes back; a connection's first write
 * (a client's request) takes it from the send inside that write. Outside an SSL
 * call those programs do one global load and leave; the socket hooks' chain
 * runs them (lib/sock_chain.bpf.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "hostscope/wire.h"
#include "l7_detect.bpf.h"
#include "maps.bpf.h"
#include "l7_record.bpf.h"
#include "sock_addr.bpf.h"
#include "sock_unix.bpf.h"
#include "sock_chain.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define HS_IPPROTO_TCP 6
#define HS_SOCK_STREAM 1
#define HS_TLS_MAX_ATTEMPTS 4 /* plaintext chunks looked at before a connection is left alone */

enum { TLS_UNDECIDED = 0, TLS_ACTIVE = 1, TLS_IGNORED = 2 };
enum { TLS_CALL_NONE = 0, TLS_CALL_READ = 1, TLS_CALL_WRITE = 2 };

/* The socket under an SSL object, as far as its records need it. */
struct tls_sock {
	__u64 cookie;
	__u16 family;
	__u16 lport; /* own port, host order */
	__u16 rport; /* peer's port, host order */
	__u8 path_len;
	__u8 pad;
	__u8 addr[16]; /* peer's address as in hs_net_key */
	char path[HS_L7_PATH_MAX];
};

/* The SSL call in progress on a thread. */
struct tls_call {
	__u64 ssl;
	__u64 buf;
	__u64 readbytes; /* SSL_read_ex: where the count goes; 0 for SSL_read */
	__u8 op;         /* TLS_CALL_* */
	__u8 have_sock;  /* sock holds the socket this call went through */
	__u8 pad[6];
	struct tls_sock sock;
};

struct tls_key {
	__u32 tgid;
	__u32 pad;
	__u64 ssl;
};

struct tls_conn {
	__u8 state;     /* TLS_UNDECIDED / ACTIVE / IGNORED */
	__u8 attempts;  /* plaintext chunks seen while undecided */
	__u8 waiting;   /* a request is in flight, its response not begun */
	__u8 have_sock; /* rec names a real socket */
	__u16 lport, rport;
	__u8 path_len; /* of path */
	__u8 pad[7];
	char path[HS_L7_PATH_MAX]; /* Unix: the server's socket path, sent with each record */
	struct hs_l7_record rec;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tls_call);
} hs_tls_calls SEC(".maps");

/* Connection state per (process, SSL object); sized by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HS_TLS_DEFAULT_MAX_CONNS);
	__type(key, struct tls_key);
	__type(value, struct tls_conn);
} hs_tls_conns SEC(".maps");

/* All zeros: the initial value of a new connection (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tls_conn);
} hs_tls_zero SEC(".maps");

/* Processes that own connection state: only their exit walks hs_tls_conns. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HS_TLS_MAX_PROCS);
	__type(key, __u32);
	__type(value, __u8);
} hs_tls_users SEC(".maps");

/* Processes userspace counts as users of an attached library: their exit is reported. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HS_TLS_MAX_PROCS);
	__type(key, __u32);
	__type(value, __u8);
} hs_tls_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HS_TLS_DEFAULT_RINGBUF_BYTES);
} hs_tls_events SEC(".maps");

/* Exec and exit notices for the library tracker. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HS_TLS_PROC_RINGBUF_BYTES);
} hs_tls_proc_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HS_DROP_TLS_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} hs_tls_drops SEC(".maps");

/* Wake the reader each time this much more is waiting; it also drains on its own timer. */
__u64 hs_tls_wakeup_bytes = HS_TLS_DEFAULT_RINGBUF_BYTES / 4;

/* Threads with an SSL call in progress (a tls_call whose op is set), over all
 * processes. While there are none, the socket hooks have nothing to look for and
 * return after one load: the common case on a host whose traffic is not TLS. A
 * call a thread never finishes leaves it counted; the hooks then look, as they
 * always may. */
__u64 hs_tls_calls_open = 0;

static __always_inline void tls__set_op(struct tls_call *call, __u8 op)
{
	if (call->op == TLS_CALL_NONE && op != TLS_CALL_NONE)
		__sync_fetch_and_add(&hs_tls_calls_open, 1);
	else if (call->op != TLS_CALL_NONE && op == TLS_CALL_NONE)
		__sync_fetch_and_add(&hs_tls_calls_open, -1);
	call->op = op;
}

static __always_inline struct tls_conn *tls__conn(__u32 tgid, __u64 ssl, bool create)
{
	struct tls_key k = { .tgid = tgid, .ssl = ssl };
	struct tls_conn *c = bpf_map_lookup_elem(&hs_tls_conns, &k);
	if (c || !create)
		return c;
	__u32 zero = 0;
	struct tls_conn *init = bpf_map_lookup_elem(&hs_tls_zero, &zero);
	if (!init)
		return 0;
	long err = bpf_map_update_elem(&hs_tls_conns, &k, init, BPF_NOEXIST);
	c = bpf_map_lookup_elem(&hs_tls_conns, &k);
	if (!c) {
		counter__inc(&hs_tls_drops, HS_DROP_TLS_NO_CONN);
		return 0;
	}
	if (!err) {
		/* Until a socket shows up, an id no socket cookie can take. */
		c->rec.conn_id = HS_TLS_SYNTHETIC_CONN_ID | ((ssl ^ ((__u64)tgid << 40)) & ~HS_TLS_SYNTHETIC_CONN_ID);
		c->rec.flags = HS_L7_F_TLS | HS_L7_F_TLS_NO_SOCKET;
		__u8 one = 1;
		bpf_map_update_elem(&hs_tls_users, &tgid, &one, BPF_ANY);
	}
	return c;
}

/* Takes what a record needs from a TCP or Unix stream socket; false for others. */
static __always_inline bool tls__capture(struct sock *sk, struct tls_sock *s)
{
	__u16 family = sk->__sk_common.skc_family;
	__builtin_memset(s, 0, sizeof(*s));
	if (family == HS_AF_UNIX) {
		if (sk->sk_type != HS_SOCK_STREAM)
			return false;
		s->family = HS_AF_UNIX;
		s->path_len = sk__unix_server_path(sk, HS_NET_ROLE_UNKNOWN, s->path);
	} else if (family == HS_AF_INET || family == HS_AF_INET6) {
		if (sk->sk_protocol != HS_IPPROTO_TCP)
			return false;
		/* The client form gives the peer's address and port; the server form differs only in the port. */
		sk__remote(sk, HS_NET_ROLE_CLIENT, &s->family, &s->rport, s->addr);
		s->lport = sk->__sk_common.skc_num;
	} else {
		return false;
	}
	s->cookie = bpf_get_socket_cookie(sk);
	return true;
}

static __always_inline void tls__adopt(struct tls_conn *c, const struct tls_sock *s)
{
	c->rec.conn_id = s->cookie;
	c->rec.family = s->family;
	c->lport = s->lport;
	c->rport = s->rport;
	__builtin_memcpy(c->rec.addr, s->addr, sizeof(c->rec.addr));
	__builtin_memcpy(c->path, s->path, sizeof(c->path));
	c->path_len = s->path_len;
	c->rec.flags &= ~HS_L7_F_TLS_NO_SOCKET;
	c->have_sock = 1;
}

/* Copies up to cap (a power of two) of the n plaintext bytes at src; returns the count. */
static __always_inline __u32 tls__copy(char *dst, __u32 cap, const void *src, __u64 n)
{
	__u32 m = n < cap ? (__u32)n : cap;
	asm volatile("" : "+r"(m)); /* keep the clamp below for the verifier */
	if (m > cap)
		m = cap;
	if (bpf_probe_read_user(dst, m, src)) {
		counter__inc(&hs_tls_drops, HS_DROP_TLS_READ_FAILED);
		return 0;
	}
	return m;
}

static __always_inline void tls__emit(struct tls_conn *c)
{
	c->rec.port = c->rec.role == HS_NET_ROLE_SERVER ? c->lport : c->rport;
	c->rec.client_port = c->rec.role == HS_NET_ROLE_SERVER ? c->rport : c->lport;
	if (l7_record__output(&hs_tls_events, &c->rec, c->path, c->path_len, hs_tls_wakeup_bytes))
		counter__inc(&hs_tls_drops, HS_DROP_TLS_RINGBUF_FULL);
}

/* n plaintext bytes at buf, written (sending) or read by the process: the
 * exchange logic of l7.bpf.c's l7__io. */
static __always_inline void tls__data(struct tls_conn *c, bool sending, const void *buf, __u64 n)
{
	if (c->state == TLS_IGNORED)
		return;
	if (c->state == TLS_UNDECIDED) {
		char head[8] = {};
		__u32 m = n < sizeof(head) ? (__u32)n : sizeof(head);
		asm volatile("" : "+r"(m));
		if (m > sizeof(head))
			m = sizeof(head);
		__u8 proto = HS_L7_UNKNOWN;
		if (!bpf_probe_read_user(head, m, buf))
			proto = l7_detect__protocol(head, m);
		if (proto == HS_L7_UNKNOWN) {
			if (++c->attempts >= HS_TLS_MAX_ATTEMPTS)
				c->state = TLS_IGNORED;
			return;
		}
		c->state = TLS_ACTIVE;
		c->rec.protocol = proto;
		/* Whoever sends the request is the client. */
		c->rec.role = sending ? HS_NET_ROLE_CLIENT : HS_NET_ROLE_SERVER;
	}

	bool request = (c->rec.role == HS_NET_ROLE_CLIENT) == sending;
	if (request) {
		if (c->waiting) {
			c->rec.req_bytes += n;
			return;
		}
		c->rec.req_ns = bpf_ktime_get_ns();
		c->rec.req_bytes = n;
		c->rec.req_len = tls__copy(c->rec.data, HS_L7_REQ_MAX, buf, n);
		c->waiting = 1;
		return;
	}
	if (!c->waiting)
		return; /* more of a response already reported */
	c->waiting = 0;
	c->rec.resp_ns = bpf_ktime_get_ns();
	c->rec.resp_bytes = n > 0xffffffffu ? 0xffffffffu : (__u32)n;
	c->rec.resp_len = tls__copy(l7_record__resp(&c->rec), HS_L7_RESP_MAX, buf, n);
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	c->rec.tgid = pid_tgid >> 32;
	c->rec.tid = (__u32)pid_tgid;
	tls__emit(c);
}

static __always_inline void tls__write(__u64 ssl, const void *buf, __u64 n)
{
	if (!n || !ssl)
		return;
	struct tls_conn *c = tls__conn(bpf_get_current_pid_tgid() >> 32, ssl, true);
	if (!c)
		return;
	struct task_struct *task = bpf_get_current_task_btf();
	if (c->have_sock) {
		/* Nothing to learn from the socket: make sure no stale call listens to it. */
		struct tls_call *call = bpf_task_storage_get(&hs_tls_calls, task, 0, 0);
		if (call)
			tls__set_op(call, TLS_CALL_NONE);
	} else {
		struct tls_call *call = bpf_task_storage_get(&hs_tls_calls, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!call) {
			counter__inc(&hs_tls_drops, HS_DROP_TLS_NO_CALL);
		} else {
			call->ssl = ssl;
			call->have_sock = 0;
			tls__set_op(call, TLS_CALL_WRITE);
		}
	}
	tls__data(c, true, buf, n);
}

static __always_inline void tls__read_enter(__u64 ssl, const void *buf, const void *readbytes)
{
	struct tls_call *call =
		bpf_task_storage_get(&hs_tls_calls, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!call) {
		counter__inc(&hs_tls_drops, HS_DROP_TLS_NO_CALL);
		return;
	}
	call->ssl = ssl;
	call->buf = (__u64)buf;
	call->readbytes = (__u64)readbytes;
	call->have_sock = 0;
	tls__set_op(call, TLS_CALL_READ);
}

/* ret: SSL_read's byte count, or SSL_read_ex's 1/0 with the count at *readbytes. */
static __always_inline void tls__read_exit(long ret, bool ex)
{
	struct tls_call *call = bpf_task_storage_get(&hs_tls_calls, bpf_get_current_task_btf(), 0, 0);
	if (!call || call->op != TLS_CALL_READ)
		return;
	tls__set_op(call, TLS_CALL_NONE);
	__u64 n = 0;
	if (ex) {
		if ((int)ret != 1 || !call->readbytes)
			return;
		if (bpf_probe_read_user(&n, sizeof(n), (const void *)call->readbytes)) {
			counter__inc(&hs_tls_drops, HS_DROP_TLS_READ_FAILED);
			return;
		}
	} else {
		if ((int)ret <= 0)
			return;
		n = (__u64)(int)ret;
	}
	if (!n || !call->ssl)
		return;
	struct tls_conn *c = tls__conn(bpf_get_current_pid_tgid() >> 32, call->ssl, true);
	if (!c)
		return;
	if (call->have_sock && (!c->have_sock || c->rec.conn_id != call->sock.cookie))
		tls__adopt(c, &call->sock);
	tls__data(c, false, (const void *)call->buf, n);
}

/* A socket send or receive: names the socket of the SSL call in progress, if any. */
static __always_inline void tls__sock(struct sock *sk, bool sending)
{
	if (!sk || !*(volatile __u64 *)&hs_tls_calls_open)
		return;
	struct tls_call *call = bpf_task_storage_get(&hs_tls_calls, bpf_get_current_task_btf(), 0, 0);
	if (!call || call->op == TLS_CALL_NONE || call->have_sock)
		return;
	if (call->op == TLS_CALL_WRITE && !sending)
		return;
	if (!tls__capture(sk, &call->sock))
		return;
	call->have_sock = 1;
	if (call->op != TLS_CALL_WRITE)
		return; /* the read's return probe hands it to the connection */
	/* Writes have no return probe: this send is the one the call is waited for. */
	tls__set_op(call, TLS_CALL_NONE);
	struct tls_conn *c = tls__conn(bpf_get_current_pid_tgid() >> 32, call->ssl, false);
	if (c)
		tls__adopt(c, &call->sock);
}

static long tls__drop_conn(struct bpf_map *map, struct tls_key *key, struct tls_conn *val, __u32 *tgid)
{
	if (key->tgid == *tgid)
		bpf_map_delete_elem(map, key);
	return 0;
}

/* The process's connection state goes with its address space (exit or exec). */
static __always_inline void tls__forget(__u32 tgid)
{
	if (!bpf_map_lookup_elem(&hs_tls_users, &tgid))
		return;
	bpf_map_delete_elem(&hs_tls_users, &tgid);
	bpf_for_each_map_elem(&hs_tls_conns, tls__drop_conn, &tgid, 0);
}

static __always_inline void tls__notify(__u32 tgid, __u32 kind)
{
	struct hs_tls_proc_event e = { .tgid = tgid, .kind = kind };
	if (bpf_ringbuf_output(&hs_tls_proc_events, &e, sizeof(e),
			       rb__wakeup_flags(&hs_tls_proc_events, sizeof(e), HS_TLS_PROC_RINGBUF_BYTES / 8)))
		counter__inc(&hs_tls_drops, HS_DROP_TLS_PROC_EVENTS);
}

SEC("uprobe")
int BPF_KPROBE(hs_tls_write, void *ssl, const void *buf, int num)
{
	tls__write((__u64)ssl, buf, num > 0 ? (__u64)num : 0);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(hs_tls_write_ex, void *ssl, const void *buf, __u64 num)
{
	tls__write((__u64)ssl, buf, num);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(hs_tls_read, void *ssl, void *buf, int num)
{
	tls__read_enter((__u64)ssl, buf, 0);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(hs_tls_read_ex, void *ssl, void *buf, __u64 num, __u64 *readbytes)
{
	tls__read_enter((__u64)ssl, buf, readbytes);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(hs_tls_read_ret, long ret)
{
	tls__read_exit(ret, false);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(hs_tls_read_ex_ret, long ret)
{
	tls__read_exit(ret, true);
	return 0;
}

/* SSL_free: the object's address may be reused by the next connection, and
 * userspace may forget a connection it decoded (a closed record). */
SEC("uprobe")
int BPF_KPROBE(hs_tls_free, void *ssl)
{
	struct tls_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .ssl = (__u64)ssl };
	struct tls_conn *c = bpf_map_lookup_elem(&hs_tls_conns, &k);
	if (c && c->state == TLS_ACTIVE &&
	    l7_record__closed(&hs_tls_events, &c->rec, bpf_ktime_get_ns(), hs_tls_wakeup_bytes))
		counter__inc(&hs_tls_drops, HS_DROP_TLS_RINGBUF_FULL);
	bpf_map_delete_elem(&hs_tls_conns, &k);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(hs_tls_send, struct sock *sk, int ret, int flags)
{
	tls__sock(sk, true);
	sock_chain__after(ctx, &hs_sock_send_chain, HS_SOCK_SLOT_TLS);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(hs_tls_recv, struct sock *sk, int ret, int flags)
{
	tls__sock(sk, false);
	sock_chain__after(ctx, &hs_sock_recv_chain, HS_SOCK_SLOT_TLS);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(hs_tls_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	tls__forget(tgid);
	tls__notify(tgid, HS_TLS_PROC_EXEC);
	return 0;
}

/* Every thread's exit passes here; the process is gone when the last one does. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(hs_tls_exit, struct task_struct *p)
{
	struct tls_call *call = bpf_task_storage_get(&hs_tls_calls, p, 0, 0);
	if (call)
		tls__set_op(call, TLS_CALL_NONE); /* a thread that ends inside a call */
	if (p->signal->live.counter != 0)
		return 0;
	__u32 tgid = p->tgid;
	tls__forget(tgid);
	if (bpf_map_delete_elem(&hs_tls_procs, &tgid) == 0)
		tls__notify(tgid, HS_TLS_PROC_EXIT);
	return 0;
}
