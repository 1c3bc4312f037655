/* syscall_loop: a tight syscall loop that prints the mean time per call.
 *
 *   syscall_loop getpid|read1 ITERATIONS
 *
 * getpid calls syscall(SYS_getpid) directly (glibc may cache getpid());
 * read1 reads one byte from /dev/zero per iteration. A warm-up of a tenth of
 * the iterations runs first; then ITERATIONS calls are timed with
 * CLOCK_MONOTONIC. Output: "<ns/op> ns/op <mode> <iterations> cpu <ns/op>", the
 * last field from CLOCK_THREAD_CPUTIME_ID: time the loop spent on a CPU, which
 * leaves out the time other tasks took the CPU away (a noise check on busy hosts). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_GETPID, MODE_READ1 };

static unsigned long long now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Runs n calls; returns 0, or -1 if a call failed (the loop must measure real work). */
static int run(enum mode m, int fd, unsigned long n)
{
	char byte;
	for (unsigned long i = 0; i < n; i++) {
		if (m == MODE_GETPID) {
			if (syscall(SYS_getpid) <= 0)
				return -1;
		} else if (read(fd, &byte, 1) != 1) {
			return -1;
		}
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: syscall_loop getpid|read1 ITERATIONS\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return usage();
	enum mode m;
	if (strcmp(argv[1], "getpid") == 0)
		m = MODE_GETPID;
	else if (strcmp(argv[1], "read1") == 0)
		m = MODE_READ1;
	else
		return usage();
	char *end;
	errno = 0;
	unsigned long iters = strtoul(argv[2], &end, 10);
	if (errno || *end || iters == 0)
		return usage();

	int fd = -1;
	if (m == MODE_READ1) {
		fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror("syscall_loop: /dev/zero");
			return 1;
		}
	}
	/* Warm-up: fault in the code, settle the CPU frequency and the tracer's per-task state. */
	unsigned long warm = iters / 10 > 1000 ? iters / 10 : 1000;
	if (run(m, fd, warm) != 0) {
		perror("syscall_loop: warm-up");
		return 1;
	}
	unsigned long long c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	unsigned long long t0 = now_ns(CLOCK_MONOTONIC);
	if (run(m, fd, iters) != 0) {
		perror("syscall_loop");
		return 1;
	}
	unsigned long long t1 = now_ns(CLOCK_MONOTONIC);
	unsigned long long c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	printf("%.2f ns/op %s %lu cpu %.2f\n", (double)(t1 - t0) / (double)iters, argv[1], iters,
	       (double)(c1 - c0) / (double)iters);
	if (fd >= 0)
		close(fd);
	return 0;
}
