// SPDX-License-Identifier: LGPL-2.1-or-later
/* policy-swap.c - race a trapped call handed back to the kernel against a dup2() of a host socket */
/*
 * policy-swap MODE ADDR PORT N
 *
 * The call under test is made N times on one fd number, SLOT. One thread
 * keeps putting, with dup2(), a TCP socket of the host's (socket()
 * under the proxy) and a decoy at SLOT, in turn; another keeps rewriting
 * the shared address buffer between the decoy's kind of address and
 * ADDR:PORT, the destination the policy refuses. What the proxy decides on
 * is a decoy with a decoy's address, which it may hand back to the kernel
 * (CONTINUE); if the kernel then looks SLOT and the buffer up again, it
 * may find the host socket and ADDR:PORT: a connection nobody decided.
 * The server at ADDR:PORT counts arrivals; there must be none.
 *
 * MODE:
 *   unix      decoy: an AF_UNIX stream socket; call: connect()
 *   file      decoy: /dev/null; call: connect()
 *   fastopen  decoy: an AF_UNIX datagram socket; call: sendto() with
 *             MSG_FASTOPEN (an implicit TCP connect)
 *   bind      decoy: an AF_UNIX stream socket; call: bind() (ADDR:PORT is
 *             then a local address the policy refuses binding)
 *
 * Prints "calls N ok A eperm P eacces C other O bound B" (O: any other
 * errno, the last named; B: host sockets found bound to ADDR:PORT, which
 * no server sees, so counted here).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

#define SLOT 200

static union {
	struct sockaddr_un un;
	struct sockaddr_in in;
} addr;
static struct sockaddr_in refused;
static struct sockaddr_un decoy_name;
static atomic_int stop;
static atomic_int host_fd = -1;
static atomic_long bound;
static int decoy_fd = -1;

/* A TCP socket of the host's, unconnected (a fresh one once one got through). */
static int host_socket(void)
{
	return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

/* Whether @h got connected, or bound to the refused address (counted). */
static int host_used(int h)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getpeername(h, (struct sockaddr *)&sa, &len) == 0)
		return 1;
	len = sizeof(sa);
	if (getsockname(h, (struct sockaddr *)&sa, &len) == 0 &&
	    sa.sin_port == refused.sin_port) {
		atomic_fetch_add(&bound, 1);
		return 1;
	}
	return 0;
}

static void *swap(void *arg)
{
	unsigned int i = 0;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		int h = atomic_load(&host_fd);

		if ((++i & 1023) == 0 && host_used(h)) {
			/* later wins need a fresh one */
			int fresh = host_socket();

			if (fresh >= 0) {
				atomic_store(&host_fd, fresh);
				close(h);
				h = fresh;
			}
		}
		dup2(h, SLOT);
		dup2(decoy_fd, SLOT);
	}
	return NULL;
}

static void *flip(void *arg)
{
	unsigned int i = 0;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (i++ & 1)
			memcpy(&addr, &refused, sizeof(refused));
		else
			memcpy(&addr, &decoy_name, sizeof(decoy_name));
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long n, i, ok = 0, eperm = 0, eacces = 0, other = 0;
	int other_errno = 0, fastopen = 0, binds = 0;
	pthread_t t1, t2;

	if (argc != 5) {
		fprintf(stderr, "usage: policy-swap unix|file|fastopen|bind ADDR PORT N\n");
		return 2;
	}
	refused.sin_family = AF_INET;
	refused.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &refused.sin_addr) != 1)
		return 2;
	n = atol(argv[4]);
	decoy_name.sun_family = AF_UNIX;
	memcpy(decoy_name.sun_path, "\0lxnet-swap", 11);
	if (strcmp(argv[1], "unix") == 0) {
		decoy_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	} else if (strcmp(argv[1], "file") == 0) {
		decoy_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	} else if (strcmp(argv[1], "bind") == 0) {
		decoy_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		binds = 1;
	} else if (strcmp(argv[1], "fastopen") == 0) {
		decoy_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		fastopen = 1;
	} else {
		fprintf(stderr, "policy-swap: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	atomic_store(&host_fd, host_socket());
	if (decoy_fd < 0 || atomic_load(&host_fd) < 0) {
		perror("policy-swap: socket");
		return 1;
	}
	memcpy(&addr, &decoy_name, sizeof(decoy_name));
	if (pthread_create(&t1, NULL, swap, NULL) != 0 ||
	    pthread_create(&t2, NULL, flip, NULL) != 0)
		return 1;
	for (i = 0; i < n; i++) {
		int r = fastopen ?
			(int)sendto(SLOT, "x", 1, MSG_FASTOPEN | MSG_DONTWAIT,
				    (struct sockaddr *)&addr, sizeof(addr)) :
			binds ? bind(SLOT, (struct sockaddr *)&addr, sizeof(addr)) :
			connect(SLOT, (struct sockaddr *)&addr, sizeof(addr));

		if (r >= 0)
			ok++;
		else if (errno == EPERM)
			eperm++;
		else if (errno == EACCES)
			eacces++;
		else
			other++, other_errno = errno;
	}
	atomic_store(&stop, 1);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	(void)host_used(atomic_load(&host_fd));
	printf("calls %ld ok %ld eperm %ld eacces %ld other %ld bound %ld%s%s\n",
	       n, ok, eperm, eacces, other, atomic_load(&bound),
	       other ? " last: " : "", other ? strerror(other_errno) : "");
	return 0;
}
