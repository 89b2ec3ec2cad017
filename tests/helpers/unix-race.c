// SPDX-License-Identifier: LGPL-2.1-or-later
/* unix-race.c - connect N times to an abstract AF_UNIX name while a thread flips it */
/*
 * unix-race [dgram] ALLOWED PRIVATE N
 *	One struct sockaddr_un is shared with a thread that rewrites its
 *	abstract name between ALLOWED and PRIVATE (same length) as fast as
 *	it can; the main thread connects N fresh stream sockets with it (with
 *	dgram: sends one datagram from each of N fresh datagram sockets).
 *	Under a policy letting only ALLOWED cross, nothing may reach a host
 *	server on PRIVATE. Prints "connected C refused R other O".
 * unix-race bench NAME N
 *	N socket+connect+close to NAME, no flipping; prints
 *	"connects N us_per_connect U".
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_un target;
static atomic_int stop;
static const char *names[2];
static size_t name_len;

static void *flip(void *arg)
{
	volatile char *p = target.sun_path + 1;
	unsigned int i = 0;
	size_t k;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		const char *n = names[i++ & 1];

		for (k = 0; k < name_len; k++)
			p[k] = n[k];
	}
	return NULL;
}

static socklen_t set_name(const char *name)
{
	memset(&target, 0, sizeof(target));
	target.sun_family = AF_UNIX;
	memcpy(target.sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   strlen(name));
}

static int bench(const char *name, long n)
{
	socklen_t len = set_name(name);
	struct timespec a, b;
	long i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0 || connect(s, (struct sockaddr *)&target, len) < 0) {
			perror("connect");
			return 1;
		}
		close(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("connects %ld us_per_connect %.1f\n", n,
	       ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3) / n);
	return 0;
}

/* One try: a connect, or a datagram sent; 0 or the errno. */
static int try_once(bool dgram, socklen_t len)
{
	int s = socket(AF_UNIX, (dgram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	int r;

	if (s < 0)
		return errno;
	if (dgram)
		r = sendto(s, "x", 1, 0, (struct sockaddr *)&target, len) < 0 ? errno : 0;
	else
		r = connect(s, (struct sockaddr *)&target, len) < 0 ? errno : 0;
	close(s);
	return r;
}

int main(int argc, char **argv)
{
	long n, i, connected = 0, refused = 0, other = 0;
	int other_errno = 0;
	bool dgram = false;
	socklen_t len;
	pthread_t th;

	if (argc == 4 && strcmp(argv[1], "bench") == 0)
		return bench(argv[2], atol(argv[3]));
	if (argc == 5 && strcmp(argv[1], "dgram") == 0) {
		dgram = true;
		argc--;
		argv++;
	}
	if (argc != 4 || strlen(argv[1]) != strlen(argv[2]) ||
	    strlen(argv[1]) > sizeof(target.sun_path) - 2) {
		fprintf(stderr, "usage: unix-race [dgram] ALLOWED PRIVATE N (names of one length)\n"
			"       unix-race bench NAME N\n");
		return 2;
	}
	names[0] = argv[1];
	names[1] = argv[2];
	name_len = strlen(argv[1]);
	len = set_name(argv[1]);
	n = atol(argv[3]);
	if (pthread_create(&th, NULL, flip, NULL) != 0)
		return 1;
	for (i = 0; i < n; i++) {
		int e = try_once(dgram, len);

		if (e == 0)
			connected++;
		else if (e == ECONNREFUSED)
			refused++;
		else
			other++, other_errno = e;
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	printf("connected %ld refused %ld other %ld%s%s\n", connected, refused,
	       other, other ? " last: " : "", other ? strerror(other_errno) : "");
	return 0;
}
