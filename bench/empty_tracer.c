/* empty_tracer: loads bench/empty_tp.bpf.c and keeps it attached until
 * SIGINT/SIGTERM. Prints "attached" once the programs are live.
 *
 *   empty_tracer [--enter-only]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bench_empty.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	int enter_only = argc == 2 && strcmp(argv[1], "--enter-only") == 0;
	if (argc > 2 || (argc == 2 && !enter_only)) {
		fprintf(stderr, "usage: empty_tracer [--enter-only]\n");
		return 2;
	}
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct bench_empty_bpf *skel = bench_empty_bpf__open();
	if (!skel) {
		fprintf(stderr, "empty_tracer: open: %s\n", strerror(errno));
		return 1;
	}
	if (enter_only)
		bpf_program__set_autoload(skel->progs.bench_empty_exit, false);
	int err = bench_empty_bpf__load(skel);
	if (!err)
		err = bench_empty_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "empty_tracer: load/attach: %s\n", strerror(-err));
		bench_empty_bpf__destroy(skel);
		return 1;
	}
	printf("attached (%s)\n", enter_only ? "sys_enter" : "sys_enter+sys_exit");
	fflush(stdout);
	/* pause() returns on every handled signal; loop in case of others. */
	while (!stop)
		pause();
	bench_empty_bpf__destroy(skel);
	return 0;
}
