// SPDX-License-Identifier: LGPL-2.1-or-later
/* proxy-bench.c - test helper: time N socket+connect+close to a loopback TCP listener */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* usage: proxy-bench PORT N - connects N times to 127.0.0.1:PORT, prints
 * "conns/s R" on success; exits 1 at the first failure. The listener is
 * whoever serves PORT (the test starts one with a big backlog that accepts
 * and closes). */
int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timespec t0, t1;
	long n, i;
	double s;

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
