// SPDX-License-Identifier: GPL-2.0
/* The floor of syscall tracing: BTF tracepoints on sys_enter and sys_exit that
 * do nothing. Whatever a tracer adds beyond this is the cost of its own work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_empty_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(bench_empty_exit, struct pt_regs *regs, long ret)
{
	return 0;
}
