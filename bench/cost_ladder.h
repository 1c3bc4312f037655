/* Levels of bench/cost_ladder.bpf.c, each including the ones below it. */
#ifndef HOSTSCOPE_BENCH_COST_LADDER_H
#define HOSTSCOPE_BENCH_COST_LADDER_H

enum ladder_level {
	LADDER_EMPTY = 0,        /* empty tp_btf sys_enter + sys_exit */
	LADDER_CLOCK = 1,        /* + bpf_ktime_get_ns() in both */
	LADDER_TASK_STORAGE = 2, /* + start time in task storage, latency at exit */
	LADDER_MAP_PLAIN = 3,    /* + per-CPU hash (tgid, nr) lookup, plain adds */
	LADDER_MAP_ATOMIC = 4,   /* + atomic adds (latency__record): hostscoped's per-call work */
	LADDER_LEVELS
};

#endif /* HOSTSCOPE_BENCH_COST_LADDER_H */
