// SPDX-License-Identifier: LGPL-2.1-or-later
/* proxy-sockstress.c - test helper: many threads creating and closing inet sockets in a tight loop */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * struct stress - one thread's work and tally
 * @n: sockets to create
 * @keep: keep every socket open until the end (drives the fd table to EMFILE)
 * @ok, @emfile, @other: outcomes
 * @bogus: "successes" that are no socket (a call answered with a number
 *	that is not the injected fd, e.g. 0, our stdin)
 * @enosys: ENOSYS (the proxy is gone): the thread stops
 * @other_errno: the last unexpected errno
 */
struct stress {
	long n;
	int keep;
	long ok, emfile, other, bogus, enosys;
	int other_errno;
};

static void *stress_thread(void *arg)
{
	struct stress *s = arg;
	int *fds = s->keep ? calloc((size_t)s->n, sizeof(int)) : NULL;
	long i, kept = 0;

	for (i = 0; i < s->n; i++) {
		int fd = socket(i & 1 ? AF_INET6 : AF_INET,
				(i & 2 ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

		struct stat st;

		if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))) {
			s->bogus++;
		} else if (fd >= 0) {
			s->ok++;
			if (fds)
				fds[kept++] = fd;
			else
				close(fd);
		} else if (errno == EMFILE) {
			s->emfile++;
		} else if (errno == ENOSYS) {
			s->enosys++;
			break;
		} else {
			s->other++;
			s->other_errno = errno;
		}
	}
	while (kept > 0)
		close(fds[--kept]);
	free(fds);
	return NULL;
}

/* usage: proxy-sockstress THREADS SOCKETS-PER-THREAD [keep]
 * prints "ok N emfile N other N bogus N enosys N" and exits 0 when other and
 * bogus are 0. A thread stops at its first ENOSYS (the proxy is gone). */
int main(int argc, char **argv)
{
	struct stress st[64];
	pthread_t th[64];
	long ok = 0, emfile = 0, other = 0, bogus = 0, enosys = 0;
	int n, i, last = 0;

	if (argc < 3)
		return 2;
	n = atoi(argv[1]);
	if (n < 1 || n > 64)
		return 2;
	for (i = 0; i < n; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		st[i].n = atol(argv[2]);
		st[i].keep = argc > 3;
		if (pthread_create(&th[i], NULL, stress_thread, &st[i]))
			return 1;
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		ok += st[i].ok;
		emfile += st[i].emfile;
		other += st[i].other;
		bogus += st[i].bogus;
		enosys += st[i].enosys;
		if (st[i].other)
			last = st[i].other_errno;
	}
	printf("ok %ld emfile %ld other %ld bogus %ld enosys %ld%s%s\n", ok,
	       emfile, other, bogus, enosys, other ? " last " : "",
	       other ? strerror(last) : "");
	return other || bogus ? 1 : 0;
}
