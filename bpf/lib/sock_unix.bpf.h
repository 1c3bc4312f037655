/* The path a Unix stream socket's server listens on, as l7.bpf.c names the
 * remote of Unix connections. */
#ifndef HOSTSCOPE_SOCK_UNIX_BPF_H
#define HOSTSCOPE_SOCK_UNIX_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "hostscope/wire.h"

/* Copies the server's socket path into out (HS_L7_PATH_MAX bytes, NUL
 * terminated) and returns its length (0: none, or an abstract name): the
 * socket's own address on the server side (accepted sockets carry the
 * listener's), its peer's on the client side. role HS_NET_ROLE_UNKNOWN takes
 * the own address if the socket has one, else the peer's: right for the usual
 * unbound client and for every accepted socket. */
static __always_inline __u8 sk__unix_server_path(const struct sock *sk, __u8 role, char *out)
{
	struct unix_sock *u = bpf_skc_to_unix_sock((void *)sk);
	if (!u)
		return 0;
	struct unix_address *a = u->addr;
	if (role == HS_NET_ROLE_CLIENT || (role == HS_NET_ROLE_UNKNOWN && !a)) {
		struct unix_sock *peer = bpf_skc_to_unix_sock(u->peer);
		a = peer ? peer->addr : 0;
	}
	if (!a)
		return 0;
	long n = bpf_probe_read_kernel_str(out, HS_L7_PATH_MAX, a->name[0].sun_path);
	return n > 1 && n <= HS_L7_PATH_MAX ? (__u8)(n - 1) : 0;
}

/* The cookie of a connected Unix socket's peer (0 if it has none): the two ends
 * of a connection each name the other, so userspace can pair them. */
static __always_inline __u64 sk__unix_peer_cookie(struct sock *sk)
{
	struct unix_sock *u = bpf_skc_to_unix_sock((void *)sk);
	if (!u || !u->peer)
		return 0;
	return bpf_get_socket_cookie(u->peer);
}

#endif /* HOSTSCOPE_SOCK_UNIX_BPF_H */
