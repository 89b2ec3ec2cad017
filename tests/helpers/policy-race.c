// SPDX-License-Identifier: LGPL-2.1-or-later
/* policy-race.c - connect N times while a thread flips the sockaddr between two ports */
/*
 * policy-race ADDR ALLOWED_PORT REFUSED_PORT N
 *
 * One struct sockaddr_in is shared with a thread that rewrites its port
 * between ALLOWED_PORT and REFUSED_PORT as fast as it can; the main thread
 * connects N fresh TCP sockets to it. Under a policy allowing only
 * ALLOWED_PORT, whatever the interleaving, nothing may reach REFUSED_PORT
 * (the server there counts). Prints "connected C refused R other O".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in target;
static atomic_int stop;
static uint16_t ports[2];

static void *flip(void *arg)
{
	volatile uint16_t *p = &target.sin_port;
	unsigned int i = 0;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		*p = ports[i++ & 1];
	return NULL;
}

int main(int argc, char **argv)
{
	long n, i, connected = 0, refused = 0, other = 0;
	int other_errno = 0;
	pthread_t th;

	if (argc != 5) {
		fprintf(stderr, "usage: policy-race ADDR ALLOWED_PORT REFUSED_PORT N\n");
		return 2;
	}
	target.sin_family = AF_INET;
	if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1)
		return 2;
	ports[0] = htons((uint16_t)atoi(argv[2]));
	ports[1] = htons((uint16_t)atoi(argv[3]));
	target.sin_port = ports[0];
	n = atol(argv[4]);
	if (pthread_create(&th, NULL, flip, NULL) != 0)
		return 1;
	for (i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0) {
			perror("socket");
			break;
		}
		if (connect(s, (struct sockaddr *)&target, sizeof(target)) == 0)
			connected++;
		else if (errno == EPERM)
			refused++;
		else
			other++, other_errno = errno;
		close(s);
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	printf("connected %ld refused %ld other %ld%s%s\n", connected, refused,
	       other, other ? " last: " : "", other ? strerror(other_errno) : "");
	return 0;
}
