/* Reading a socket's remote endpoint into the (family, port, addr[16]) form the
 * wire structs use. Socket pointers are BTF-typed: plain loads. */
#ifndef HOSTSCOPE_SOCK_ADDR_BPF_H
#define HOSTSCOPE_SOCK_ADDR_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "hostscope/wire.h"

static __always_inline bool addr__is_v4_mapped(const __u32 *a)
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0xffff);
}

static __always_inline void sk__v6_addr(__u32 *out, const struct in6_addr *a)
{
	out[0] = a->in6_u.u6_addr32[0];
	out[1] = a->in6_u.u6_addr32[1];
	out[2] = a->in6_u.u6_addr32[2];
	out[3] = a->in6_u.u6_addr32[3];
}

/* The remote a connection is keyed by: a client's is the server's address and
 * port; a server's is the peer's address with its own (listening) port, so one
 * client host is one key. IPv4-mapped IPv6 addresses fold to IPv4. */
static __always_inline void sk__remote(const struct sock *sk, __u8 role, __u16 *family, __u16 *port, __u8 *addr)
{
	if (role == HS_NET_ROLE_SERVER)
		*port = sk->__sk_common.skc_num;
	else
		*port = bpf_ntohs(sk->__sk_common.skc_dport);
	if (sk->__sk_common.skc_family == HS_AF_INET) {
		__u32 a = sk->__sk_common.skc_daddr;
		*family = HS_AF_INET;
		__builtin_memcpy(addr, &a, 4);
		return;
	}
	__u32 a6[4];
	sk__v6_addr(a6, &sk->__sk_common.skc_v6_daddr);
	if (addr__is_v4_mapped(a6)) {
		*family = HS_AF_INET;
		__builtin_memcpy(addr, &a6[3], 4);
	} else {
		*family = HS_AF_INET6;
		__builtin_memcpy(addr, a6, 16);
	}
}

#endif /* HOSTSCOPE_SOCK_ADDR_BPF_H */
