/* tcp_pingpong: 1-byte request/response round trips over TCP on the loopback
 * between two processes; prints the mean time per round trip.
 *
 *   tcp_pingpong ROUNDS [redis]
 *
 * With "redis" the request is a RESP PING and the answer +PONG (an exchange the
 * L7 probe records); otherwise one byte each way (traffic it leaves alone).
 * Each round trip is two send()s and two recv()s, so it crosses every hook of
 * the TCP probe's data path (sock_send_length, sock_recv_length, tcp_probe) twice.
 * A tenth of ROUNDS warms up first. Output: "<ns> ns/round_trip <rounds>". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static const char *request = "x", *answer = "x";
static size_t request_len = 1, answer_len = 1;

/* Reads exactly len bytes. */
static int recv_all(int fd, size_t len)
{
	char buf[64];
	while (len) {
		ssize_t n = recv(fd, buf, len < sizeof(buf) ? len : sizeof(buf), 0);
		if (n <= 0)
			return -1;
		len -= (size_t)n;
	}
	return 0;
}

static int exchange(int fd, unsigned long n, int asking)
{
	for (unsigned long i = 0; i < n; i++) {
		if (asking && send(fd, request, request_len, 0) != (ssize_t)request_len)
			return -1;
		if (recv_all(fd, asking ? answer_len : request_len))
			return -1;
		if (!asking && send(fd, answer, answer_len, 0) != (ssize_t)answer_len)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2 && !(argc == 3 && strcmp(argv[2], "redis") == 0)) {
		fprintf(stderr, "usage: %s ROUNDS [redis]\n", argv[0]);
		return 2;
	}
	if (argc == 3) {
		request = "*1\r\n$4\r\nPING\r\n";
		answer = "+PONG\r\n";
		request_len = strlen(request);
		answer_len = strlen(answer);
	}
	unsigned long rounds = strtoul(argv[1], NULL, 10), warm = rounds / 10;
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&a, &len)) {
		perror("listen");
		return 1;
	}
	pid_t child = fork();
	if (child == 0) {
		int s = accept(lfd, NULL, NULL);
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		_exit(s < 0 || exchange(s, warm + rounds, 0) ? 1 : 0);
	}
	int c = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c, (struct sockaddr *)&a, sizeof(a)) || exchange(c, warm, 1)) {
		perror("client");
		return 1;
	}
	unsigned long long t0 = now_ns();
	if (exchange(c, rounds, 1)) {
		perror("exchange");
		return 1;
	}
	unsigned long long dt = now_ns() - t0;
	int status = 0;
	waitpid(child, &status, 0);
	printf("%llu ns/round_trip %lu\n", dt / rounds, rounds);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
