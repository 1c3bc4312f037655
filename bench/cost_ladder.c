/* cost_ladder: loads bench/cost_ladder.bpf.c at one level and keeps it
 * attached until SIGINT/SIGTERM. Prints "attached" once the programs are live.
 *
 *   cost_ladder LEVEL    (0..4, see cost_ladder.h)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bench_ladder.skel.h"
#include "cost_ladder.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	char *end = NULL;
	long level = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (argc != 2 || *end || level < 0 || level >= LADDER_LEVELS) {
		fprintf(stderr, "usage: cost_ladder LEVEL (0..%d)\n", LADDER_LEVELS - 1);
		return 2;
	}
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct bench_ladder_bpf *skel = bench_ladder_bpf__open();
	if (!skel) {
		fprintf(stderr, "cost_ladder: open: %s\n", strerror(errno));
		return 1;
	}
	/* rodata: fixed before load so the verifier prunes the other levels. */
	skel->rodata->ladder_level = (__u32)level;
	int err = bench_ladder_bpf__load(skel);
	if (!err)
		err = bench_ladder_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "cost_ladder: load/attach: %s\n", strerror(-err));
		bench_ladder_bpf__destroy(skel);
		return 1;
	}
	printf("attached (level %ld)\n", level);
	fflush(stdout);
	while (!stop)
		pause();
	bench_ladder_bpf__destroy(skel);
	return 0;
}
