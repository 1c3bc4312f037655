/* sock_exchange: request/response exchanges over a Unix socket pair in one
 * thread; prints the best mean time per exchange over 5 runs.
 *
 *   sock_exchange EXCHANGES [opaque | pipeline N]
 *
 * Each exchange is write, read, write, read: four socket events, both ends of a
 * connection the L7 probe records (a RESP SET and +OK; with "pipeline N", N SETs
 * in one write and N +OKs in one reply, as redis-benchmark -P N sends them), or
 * with "opaque" bytes it leaves alone after a few tries. One thread and no waiting, so the time is
 * the syscalls and whatever the probes add to them, with no scheduler in it.
 * Output: "<ns> ns/exchange <exchanges>". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static int move(int from, int to, const char *msg, size_t len)
{
	char buf[8192];
	return write(from, msg, len) == (ssize_t)len && read(to, buf, sizeof(buf)) == (ssize_t)len ? 0 : -1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int opaque = argc > 2 && strcmp(argv[2], "opaque") == 0;
	long pipeline = argc > 3 && strcmp(argv[2], "pipeline") == 0 ? atol(argv[3]) : 1;
	if (n <= 0 || n > 100000000 || pipeline < 1 || pipeline > 64) {
		fprintf(stderr, "usage: %s EXCHANGES [opaque | pipeline 1..64]\n", argv[0]);
		return 2;
	}
	const char *one_req = opaque ? "~~ not a protocol any probe knows ~~~~~~~~~~~~~~~"
				     : "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000042\r\n$3\r\nxxx\r\n";
	const char *one_resp = opaque ? "~~~~~" : "+OK\r\n";
	static char req[4096], resp[1024];
	for (long i = 0; i < pipeline; i++) {
		strcat(req, one_req);
		strcat(resp, one_resp);
	}
	size_t req_len = strlen(req), resp_len = strlen(resp);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("socketpair");
		return 1;
	}
	double best = 0;
	for (int run = 0; run < 5; run++) {
		unsigned long long t0 = now_ns();
		for (long i = 0; i < n; i++) {
			if (move(sv[0], sv[1], req, req_len) || move(sv[1], sv[0], resp, resp_len)) {
				perror("exchange");
				return 1;
			}
		}
		double ns = (double)(now_ns() - t0) / (double)n;
		if (run == 0 || ns < best)
			best = ns;
	}
	printf("%.0f ns/exchange %ld\n", best, n);
	return 0;
}
