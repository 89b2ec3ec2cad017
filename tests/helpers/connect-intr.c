// SPDX-License-Identifier: LGPL-2.1-or-later
/* connect-intr.c - what signals do to a blocking connect() */
/*
 * connect-intr MODE ADDR PORT
 *
 * Connects a blocking TCP socket to ADDR:PORT, which must not answer (a
 * black hole), while signals arrive; prints
 * "MODE result=ERRNO-NAME a=N b=N ms=T": the connect's result, how often
 * the handlers of signal A (SIGALRM) and B (SIGUSR2) ran, and the time the
 * connect took. MODE:
 *   eintr     A at 300 ms, no SA_RESTART: EINTR then
 *   restart   A at 300 ms with SA_RESTART (the call goes on), B at 800 ms
 *             without: EINTR at 800 ms
 *   sndtimeo  SO_SNDTIMEO 5 s, A at 300 ms with SA_RESTART: a connect with
 *             a timeout is not restarted, EINTR at 300 ms
 *   timeout   SO_SNDTIMEO 400 ms, no signal: EINPROGRESS at 400 ms
 *   stop      SIGSTOP at 300 ms, SIGCONT at 500 ms (the call goes on), B at
 *             800 ms: EINTR at 800 ms
 *   main      a second thread exists; A (no SA_RESTART) sent to the
 *             process at 300 ms: the kernel gives it to the first thread,
 *             which connects
 *   other     the second thread connects while the first waits; A sent to
 *             the process at 300 ms (the first thread takes it: the
 *             connect goes on), B sent to the connecting thread at 800 ms
 * Signals are sent by a child process (kill() or tgkill() at their times),
 * so that the connecting process has no timer of its own.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static atomic_int a_count, b_count;
static const char *mode;
static struct sockaddr_in dst;
static atomic_int conn_tid;
static int result;
static long took_ms;

static void on_a(int sig)
{
	(void)sig;
	a_count++;
}

static void on_b(int sig)
{
	(void)sig;
	b_count++;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void *do_connect(void *arg)
{
	long t0;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	(void)arg;
	if (s < 0) {
		perror("connect-intr: socket");
		exit(2);
	}
	if (!strcmp(mode, "sndtimeo") || !strcmp(mode, "timeout")) {
		struct timeval tv = { .tv_sec = 5 };

		if (!strcmp(mode, "timeout"))
			tv = (struct timeval){ .tv_usec = 400000 };
		setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	conn_tid = (int)syscall(SYS_gettid);
	t0 = now_ms();
	result = connect(s, (struct sockaddr *)&dst, sizeof(dst)) < 0 ? errno : 0;
	took_ms = now_ms() - t0;
	return NULL;
}

static void *wait_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* Send @sig at @ms after @start to @pid, or to its thread @tid if not 0. */
static void at(long start, long ms, int sig, pid_t pid, int tid)
{
	long d = start + ms - now_ms();

	if (d > 0)
		usleep((useconds_t)d * 1000);
	if (tid)
		syscall(SYS_tgkill, pid, tid, sig);
	else
		kill(pid, sig);
}

int main(int argc, char **argv)
{
	pid_t me = getpid(), sender;
	pthread_t th;
	long start;
	int other, tid;

	if (argc != 4) {
		fprintf(stderr, "usage: connect-intr MODE ADDR PORT\n");
		return 2;
	}
	mode = argv[1];
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1) {
		fprintf(stderr, "connect-intr: bad address %s\n", argv[2]);
		return 2;
	}
	handle(SIGALRM, on_a,
	       strcmp(mode, "eintr") && strcmp(mode, "main") ? SA_RESTART : 0);
	handle(SIGUSR2, on_b, 0);
	other = !strcmp(mode, "other");
	if ((!strcmp(mode, "main") || other) &&
	    pthread_create(&th, NULL, other ? do_connect : wait_forever, NULL)) {
		fprintf(stderr, "connect-intr: no thread\n");
		return 2;
	}
	if (other) {
		for (int i = 0; i < 5000 && !conn_tid; i++)
			usleep(1000);
		tid = conn_tid;
	} else {
		tid = (int)syscall(SYS_gettid);
	}
	start = now_ms();
	sender = fork();
	if (sender == 0) {
		if (!strcmp(mode, "stop")) {
			at(start, 300, SIGSTOP, me, 0);
			at(start, 500, SIGCONT, me, 0);
			at(start, 800, SIGUSR2, me, tid);
		} else if (!strcmp(mode, "restart") || other) {
			at(start, 300, SIGALRM, me, 0);
			at(start, 800, SIGUSR2, me, tid);
		} else if (strcmp(mode, "timeout")) {
			at(start, 300, SIGALRM, me, 0);
		}
		_exit(0);
	}
	if (other)
		pthread_join(th, NULL);
	else
		do_connect(NULL);
	waitpid(sender, NULL, 0);
	printf("%s result=%s a=%d b=%d ms=%ld\n", mode,
	       result ? strerrorname_np(result) : "0", (int)a_count,
	       (int)b_count, took_ms);
	return 0;
}
