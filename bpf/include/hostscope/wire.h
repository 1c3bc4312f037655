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

/* ---- network (TCP) ------------------------------------------------------ */

/* Which side of a connection the owning process is on. */
#define HS_NET_ROLE_UNKNOWN 0
#define HS_NET_ROLE_CLIENT 1 /* connect()ed: addr:port is the server it talks to */
#define HS_NET_ROLE_SERVER 2 /* accepted: addr is the peer, port is our own (listening) port */

#define HS_AF_INET 2
#define HS_AF_INET6 10

/* Per-(process, remote) aggregate key. IPv4 (and IPv4-mapped IPv6) addresses
 * are stored as HS_AF_INET in addr[0..3], network byte order; port is in host
 * order. For servers the peer's ephemeral port is aggregated away. */
struct hs_net_key {
	__u32 tgid;
	__u16 family;
	__u16 port;
	__u8 role;
	__u8 pad[7];
	__u8 addr[16];
};
HS_STATIC_ASSERT(sizeof(struct hs_net_key) == 32, "hs_net_key size");

/* Cumulative aggregate, shared by all CPUs and updated atomically.
 * Histogram slots (hs_hist_slot, nanoseconds) are 32-bit and diffed modulo 2^32. */
struct hs_net_val {
	__u64 connects;         /* client: SYN_SENT -> ESTABLISHED; server: accepted connections */
	__u64 connect_failures; /* client: SYN_SENT -> CLOSE (refused, reset, timed out) */
	__u64 connect_total_ns; /* client handshake time summed over `connects` */
	__u64 srtt_samples;     /* tcp_probe samples folded into srtt_slots */
	__u64 srtt_total_us;    /* their smoothed RTT summed, microseconds */
	__u64 mdev_total_us;    /* their RTT mean deviation summed, microseconds */
	__u64 retransmits;      /* segments retransmitted */
	__u64 resets_sent;
	__u64 resets_received;
	__u64 round_trips;      /* request -> first response byte, see net.bpf.c */
	__u64 rtt_total_ns;
	__u64 rtt_max_ns;
	__u64 bytes_sent;
	__u64 bytes_received;
	__u32 connect_slots[HS_HIST_SLOTS];
	__u32 srtt_slots[HS_HIST_SLOTS];
	__u32 rtt_slots[HS_HIST_SLOTS];
};
HS_STATIC_ASSERT(sizeof(struct hs_net_val) == 14 * 8 + 3 * 4 * HS_HIST_SLOTS, "hs_net_val size");

/* One TCP socket as the connection iterator reports it (live connections list). */
struct hs_conn_rec {
	__u32 tgid;      /* owning process, 0 if unknown */
	__u16 family;    /* HS_AF_INET / HS_AF_INET6 (mapped IPv4 folded to HS_AF_INET) */
	__u8 state;      /* TCP state number (1 ESTABLISHED ... 10 LISTEN) */
	__u8 role;       /* HS_NET_ROLE_* */
	__u16 local_port;
	__u16 remote_port;
	__u32 srtt_us;   /* smoothed RTT, microseconds */
	__u32 mdev_us;   /* RTT mean deviation, microseconds */
	__u32 total_retrans;
	__u32 snd_cwnd;
	__u32 pad;
	__u64 bytes_acked;
	__u64 bytes_received;
	__u8 local_addr[16];
	__u8 remote_addr[16];
};
HS_STATIC_ASSERT(sizeof(struct hs_conn_rec) == 80, "hs_conn_rec size");

/* Reasons a network event can be lost: indexes of the per-CPU drop counter array. */
enum hs_net_drop {
	HS_DROP_NET_MAP_FULL = 0,     /* aggregate map had no room for a new (process, remote) */
	HS_DROP_NET_NO_STORAGE = 1,   /* socket storage could not be created */
	HS_DROP_NET_UNATTRIBUTED = 2, /* event on a socket no process was seen using yet */
	HS_DROP_NET_COUNT = 3,
};

#define HS_NET_DEFAULT_MAX_ENTRIES 4096
#define HS_NET_MAX_LISTEN_PORTS 1024

/* ---- socket send/receive hooks (see bpf/sock_hooks.bpf.c) ---------------
 * One program per tracepoint (sock_send_length, sock_recv_length) is attached;
 * it runs the probes' programs in these slots of a program array, in order. */
enum hs_sock_slot {
	HS_SOCK_SLOT_NET = 0,
	HS_SOCK_SLOT_L7 = 1,
	HS_SOCK_SLOT_TLS = 2,
	HS_SOCK_SLOTS = 3,
};

/* ---- L7 exchanges (database, cache, HTTP) -------------------------------- */

/* Protocol the kernel recognised on a connection (values of protocols::Protocol). */
#define HS_L7_UNKNOWN 0
#define HS_L7_HTTP 1
#define HS_L7_POSTGRESQL 2
#define HS_L7_REDIS 3
#define HS_L7_MYSQL 4

#define HS_L7_REQ_MAX 4096 /* request prefix kept per exchange (power of two) */
#define HS_L7_RESP_MAX 128 /* response prefix (power of two) */
#define HS_L7_PATH_MAX 64  /* Unix socket path kept for the remote */
#define HS_AF_UNIX 1

/* One exchange: a request and the first bytes of its response, emitted on the
 * ring buffer when the response begins. Variable length: the fixed part, then
 * data[] holding req_len request bytes, resp_len response bytes and path_len
 * bytes of path, in that order and nothing else (a TCP exchange of a short
 * command is little more than the fixed part). */
struct hs_l7_record {
	__u64 conn_id;        /* socket cookie */
	__u64 req_ns;         /* first request byte: sent by a client, read by a server */
	__u64 resp_ns;        /* first response byte: read by a client, written by a server */
	__u64 req_bytes;      /* all request bytes before the response began */
	__u32 resp_bytes;     /* bytes of the first response read/write */
	__u32 tgid;
	__u32 tid;
	__u16 req_len;        /* captured prefix of the request, <= HS_L7_REQ_MAX */
	__u16 resp_len;       /* captured prefix of the response, <= HS_L7_RESP_MAX */
	__u8 role;            /* HS_NET_ROLE_CLIENT / HS_NET_ROLE_SERVER */
	__u8 protocol;        /* HS_L7_* */
	__u16 family;         /* HS_AF_INET / HS_AF_INET6 / HS_AF_UNIX */
	__u16 port;           /* as in hs_net_key: the server's port */
	__u8 flags;           /* HS_L7_F_* */
	__u8 path_len;        /* Unix: the server's socket path (no NUL), < HS_L7_PATH_MAX; else 0 */
	__u16 client_port;    /* TCP: the client's port, so both ends of a connection on one host name it alike; else 0 */
	__u8 pad[6];
	__u8 addr[16];        /* TCP: remote address as in hs_net_key; Unix: the peer socket's cookie (8 bytes, host order) */
	char data[HS_L7_REQ_MAX + HS_L7_RESP_MAX + HS_L7_PATH_MAX];
};
HS_STATIC_ASSERT(sizeof(struct hs_l7_record) == 64 + 16 + HS_L7_REQ_MAX + HS_L7_RESP_MAX + HS_L7_PATH_MAX,
		 "hs_l7_record size");
#define HS_L7_RECORD_FIXED (sizeof(struct hs_l7_record) - (HS_L7_REQ_MAX + HS_L7_RESP_MAX + HS_L7_PATH_MAX))

#define HS_L7_F_TLS 1 /* plaintext from TLS library hooks */
/* No exchange: the connection is closing (TCP) or its peer closed it (Unix, a
 * read of 0 bytes). Only the fixed part; conn_id and, for Unix, addr (the peer's
 * cookie) say which. Userspace forgets the connection (and, for Unix, the peer). */
#define HS_L7_F_CLOSED 4

enum hs_l7_drop {
	HS_DROP_L7_RINGBUF_FULL = 0, /* no room on the ring buffer: the exchange is lost */
	HS_DROP_L7_NO_STORAGE = 1,   /* socket storage could not be created */
	HS_DROP_L7_READ_FAILED = 2,  /* the payload could not be read from user memory */
	HS_DROP_L7_COUNT = 3,
};

#define HS_L7_DEFAULT_RINGBUF_BYTES (8u << 20)


/* ---- TLS plaintext (libssl uprobes, see bpf/tls.bpf.c) -------------------
 * Exchanges are struct hs_l7_record with HS_L7_F_TLS set, on their own ring
 * buffer. Connections are keyed by (process, SSL object), not by socket. */
#define HS_L7_F_TLS_NO_SOCKET 2 /* no socket seen under the SSL object (e.g. memory BIO): conn_id is synthetic */
#define HS_TLS_SYNTHETIC_CONN_ID (1ull << 63) /* set in such conn_ids; socket cookies never reach it */

enum hs_tls_drop {
	HS_DROP_TLS_RINGBUF_FULL = 0, /* no room on the record ring buffer: the exchange is lost */
	HS_DROP_TLS_NO_CONN = 1,      /* connection state could not be created */
	HS_DROP_TLS_READ_FAILED = 2,  /* the plaintext could not be read from user memory */
	HS_DROP_TLS_NO_CALL = 3,      /* per-thread call state could not be created: the call is not seen */
	HS_DROP_TLS_PROC_EVENTS = 4,  /* exec/exit notice lost (process ring buffer full) */
	HS_DROP_TLS_COUNT = 5,
};

/* A process event for the library tracker: an exec anywhere (its maps may hold
 * a libssl not attached yet), or the exit of a process userspace registered. */
#define HS_TLS_PROC_EXEC 1
#define HS_TLS_PROC_EXIT 2
struct hs_tls_proc_event {
	__u32 tgid;
	__u32 kind; /* HS_TLS_PROC_* */
};
HS_STATIC_ASSERT(sizeof(struct hs_tls_proc_event) == 8, "hs_tls_proc_event size");

#define HS_TLS_DEFAULT_MAX_CONNS 1024       /* (process, SSL object) states, LRU; ~4.7 KB each */
#define HS_TLS_DEFAULT_RINGBUF_BYTES (4u << 20)
#define HS_TLS_PROC_RINGBUF_BYTES (256u << 10)
#define HS_TLS_MAX_PROCS 16384              /* processes registered for exit notices */

#endif /* HOSTSCOPE_WIRE_H */
