// SPDX-License-Identifier: LGPL-2.1-or-later
/* proxy-bench.c - test helper: time N socket+connect+close to a loopback TCP listener */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/**
 * bench_serve() - accept and close connections on 127.0.0.1:@port forever
 * @port: TCP port
 * @ready: file created once listening
 *
 * Return: 1 on a set-up error (never returns otherwise).
 */
static int bench_serve(int port, const char *ready)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, fd, rfd;

	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4096))
		return 1;
	rfd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (rfd < 0)
		return 1;
	close(rfd);
	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (c >= 0)
			close(c);
	}
}

/* usage: proxy-bench PORT N - connects N times to 127.0.0.1:PORT, prints
 * "conns/s R" on success; exits 1 at the first failure.
 *        proxy-bench serve PORT READYFILE - the listener: accept, close. */
int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timespec t0, t1;
	long n, i;
	double s;

	if (argc == 4 && strcmp(argv[1], "serve") == 0)
		return bench_serve(atoi(argv[2]), argv[3]);
	if (argc != 3)
		return 2;
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = atol(argv[2]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "proxy-bench: %ld: %s\n", i, strerror(errno));
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("conns/s %.0f\n", (double)n / s);
	return 0;
}
