// SPDX-License-Identifier: LGPL-2.1-or-later
/* connpool.c - blocking connects made on pool threads, ended by the callers' signals as the kernel's */
/*
 * A governed blocking connect() (govern.c, unixcross.c, publish.c) is made
 * on a pool thread (CONNPOOL_MAX_RUNNING per proxy, as many more queued),
 * holding a dup of the listener, which answers; so the sandbox's other
 * calls go on. The socket's own O_NONBLOCK and SO_SNDTIMEO apply, since it
 * is the same socket.
 *
 * Signals: the caller waits for an answer killable only
 * (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, which keeps a call the proxy
 * made once, a send, from being made twice by a restart), so the kernel
 * does not end its wait for a signal. For a blocking connect, which may
 * wait for minutes, a watcher thread does what the kernel's wait would:
 * every CONNPOOL_WATCH_MS (plus 1 ms per 8 in flight) it reads the caller's
 * /proc/TID/status, and once a signal is pending that this thread will
 * take (connpool_signal_due()), it interrupts the pool thread's connect()
 * (LISTENER_WAKE_SIGNAL, whose handler has no SA_RESTART) and answers as
 * the kernel's connect() does: -ERESTARTSYS without SO_SNDTIMEO (the
 * caller's signal code then restarts the call after an SA_RESTART handler
 * or a stop, and fails it EINTR otherwise), -EINTR with one. The attempt
 * goes on, as the kernel's does; a restarted connect() waits for it (one
 * still queued for a pool thread had not begun: the restarted call begins
 * it). A process-wide signal of a process with several threads gives its
 * first thread's connect EINTR (whatever SA_RESTART says: the kernel may
 * have given the signal to another thread, and a restart answer without
 * the signal here would reach the program as errno 512); other threads'
 * connects go on until answered. Connects to the host's loopback, and
 * those past the pool's bound, are made in place and are not interrupted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "connlog.h"
#include "connpool.h"
#include "ownserver.h"
#include "proxy_int.h"

/* Bounds: blocking connects running at once per proxy (as many queued). */
#define CONNPOOL_MAX_RUNNING 256
/*
 * Of those, the ones to a sandbox's own server (ownserver.c), per proxy.
 * Only a sandbox's own full accept queue makes such a connect wait (for
 * the SYN retries, about 127 s), and each sandbox may have 256 under way:
 * two sandboxes could take every pool thread, and every other sandbox's
 * blocking connect would wait in the queue for them. Past this bound
 * they are made in place, holding the serving thread of the sandbox
 * whose full queue it is; the connect to a listener with room is done
 * within connect().
 */
#define CONNPOOL_MAX_OWN 64
/*
 * How often the callers of blocking connects are looked at for signals,
 * and how many at most per look (the rest at the next).
 */
#define CONNPOOL_WATCH_MS 10
#define CONNPOOL_WATCH_MAX 1024
/*
 * The kernel's "restart the call if the handler has SA_RESTART, else
 * EINTR", as a system call's result (include/linux/errno.h; not in the
 * UAPI, since a program never sees it).
 */
#define CONNPOOL_ERESTARTSYS 512

/*
 * struct connpool_job - a blocking connect made on a pool thread
 * @listener: a dup of the listener (the serving thread may close its own)
 * @journal: a reference to its in-flight record, or NULL
 * @id: the notification
 * @tid: the calling thread, as the proxy's /proc names it
 * @sock: our copy of the socket
 * @sa, @len: our copy of the address, as connected to (a published PORT's
 *	HOSTPORT)
 * @where: the address as decided on and logged (what the sandbox named)
 * @timed: the socket has an SO_SNDTIMEO (a signal then gives EINTR)
 * @log: the connection log, or NULL
 * @event: what it is told once the connect returns
 * @rule: the job's copy of the deciding rule (the policy may be freed at
 *	exit while a connect still runs)
 * @link: in connpool_watch.jobs while queued or running
 * @thread: the pool thread running it, once @running
 * @running: a pool thread took it
 * @answered: the watcher answered it before any pool thread took it
 * @interrupt: the answer the watcher chose for a signal, or 0
 * @hold, @own: the sandbox's own listener held, and its set (a
 *	reference), or -1 and NULL
 *
 * @link, @thread, @running, @answered and @interrupt are under
 * connpool_watch.lock.
 */
struct connpool_job {
	int listener;
	struct notif_journal *journal;
	uint64_t id;
	pid_t tid;
	int sock;
	struct sockaddr_storage sa;
	socklen_t len;
	struct sockaddr_storage where;
	bool timed;
	struct connlog *log;
	struct connlog_event event;
	char *rule;
	GList link;
	pthread_t thread;
	bool running;
	bool answered;
	int interrupt;
	int hold;
	struct ownserver_set *own;
};

/*
 * The blocking connects in flight, looked at by the watcher thread for
 * their callers' signals; it sleeps on @cond while there is none.
 */
static struct {
	GMutex lock;
	GCond cond;
	GQueue jobs;
} connpool_watch;

/* Jobs to a sandbox's own server, queued or running (g_atomic). */
static gint connpool_own_jobs;

static void connpool_job_free(struct connpool_job *j)
{
	g_free(j->rule);
	if (j->sock >= 0)
		close(j->sock);
	if (j->listener >= 0)
		close(j->listener);
	if (j->hold >= 0) /* answered before it ran */
		close(j->hold);
	if (j->own)
		g_atomic_int_add(&connpool_own_jobs, -1);
	ownserver_set_unref(j->own);
	notif_journal_unref(j->journal);
	g_free(j);
}

static void connpool_run(gpointer data, gpointer user_data)
{
	struct connpool_job *j = data;
	sigset_t wake, old;
	int64_t r;
	int intr;

	(void)user_data;
	g_mutex_lock(&connpool_watch.lock);
	if (j->answered) {
		g_queue_unlink(&connpool_watch.jobs, &j->link);
		g_mutex_unlock(&connpool_watch.lock);
		connpool_job_free(j);
		return;
	}
	j->thread = pthread_self();
	j->running = true;
	g_mutex_unlock(&connpool_watch.lock);

	/*
	 * connect() is always entered, so the attempt is made as the
	 * kernel's would be before it sleeps; the watcher's signal may come
	 * before it is (then the watcher signals again at its next look).
	 */
	sigemptyset(&wake);
	sigaddset(&wake, LISTENER_WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &wake, &old);
	do {
		r = connect(j->sock, (struct sockaddr *)&j->sa, j->len) < 0 ?
		    -errno : 0;
	} while (r == -EINTR && !__atomic_load_n(&j->interrupt,
						  __ATOMIC_RELAXED));
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	g_mutex_lock(&connpool_watch.lock);
	g_queue_unlink(&connpool_watch.jobs, &j->link);
	intr = j->interrupt;
	g_mutex_unlock(&connpool_watch.lock);
	if (j->hold >= 0) {
		int64_t made = r;

		r = ownserver_end(j->own, j->sock, j->hold, r);
		if (r == -EPERM && made != -EPERM) { /* it ended elsewhere */
			j->event.allowed = false;
			j->event.rule = OWNSERVER_ELSEWHERE;
		}
		j->hold = -1;
	}

	(void)notif_reply(j->journal, j->listener, j->id,
			  r == -EINTR && intr ? intr : r);
	if (j->log) {
		j->event.sock = j->sock;
		j->event.remote = &j->where;
		j->event.result = (int)r;
		connlog_event(j->log, &j->event);
	}
	connpool_job_free(j);
}

/*
 * What a signal pending for @tid means for its connect: 0 (none it will
 * take), -CONNPOOL_ERESTARTSYS or -EINTR as the kernel's connect() gives
 * (@timed: SO_SNDTIMEO), or -EINTR alone. A signal counts when this thread
 * will take it: its own; its process's when it is the only thread (the
 * kernel's signal code then sees it on this thread and restarts or fails
 * the call by its handler's SA_RESTART). A process's signal pending while
 * other threads exist, seen by the first thread (which the kernel offers
 * a process's signal first, but not always: a child's SIGCHLD goes to the
 * thread that forked it), gives -EINTR: a restart answer without the
 * signal on this thread would reach the program as errno 512. Blocked and
 * ignored signals do not count; SIGKILL ends the wait itself.
 */
static int connpool_signal_due(pid_t tid, bool timed)
{
	struct task_sigstate st;
	uint64_t mask, own, shared;

	if (task_sigstate(tid, &st) < 0)
		return 0;
	mask = ~(st.blocked | st.ignored | (UINT64_C(1) << (SIGKILL - 1)));
	own = st.own & mask;
	shared = st.shared & mask;
	if (own || (shared && st.threads == 1))
		return timed ? -EINTR : -CONNPOOL_ERESTARTSYS;
	return shared && st.first ? -EINTR : 0;
}

/* A job the watcher looks at without the lock: which, and for whom. */
struct connpool_look {
	struct connpool_job *j;
	uint64_t id;
	pid_t tid;
	bool timed;
	bool gone;
	int answer;
};

/* Whether @j (of notification @id) is still in flight. */
static bool connpool_has(struct connpool_job *j, uint64_t id)
{
	GList *l;

	for (l = connpool_watch.jobs.head; l; l = l->next)
		if (l->data == j)
			return j->id == id && !j->answered;
	return false;
}

/*
 * The watcher thread: see the comment at the top. Under the lock it notes
 * the jobs to look at and signals again the pool threads of interrupted
 * ones; the callers' /proc files are read without it (pool threads take it
 * to start and end a job). A job found with a signal due is answered here
 * while no pool thread has it (its socket and listener closed at once: its
 * attempt had not begun), else its pool thread is interrupted (again at
 * every look, until it answers).
 */
static gpointer connpool_watch_thread(gpointer data)
{
	g_autofree struct connpool_look *look =
		g_new(struct connpool_look, CONNPOOL_WATCH_MAX);

	(void)data;
	g_mutex_lock(&connpool_watch.lock);
	for (;;) {
		guint n, i;
		GList *l;

		while (g_queue_is_empty(&connpool_watch.jobs))
			g_cond_wait(&connpool_watch.cond, &connpool_watch.lock);
		n = g_queue_get_length(&connpool_watch.jobs);
		g_mutex_unlock(&connpool_watch.lock);
		g_usleep((CONNPOOL_WATCH_MS + n / 8) * G_TIME_SPAN_MILLISECOND);
		g_mutex_lock(&connpool_watch.lock);
		n = 0;
		for (l = connpool_watch.jobs.head; l; l = l->next) {
			struct connpool_job *j = l->data;

			if (j->answered)
				continue;
			if (j->interrupt) {
				if (j->running)
					pthread_kill(j->thread,
						     LISTENER_WAKE_SIGNAL);
				continue;
			}
			if (n < CONNPOOL_WATCH_MAX)
				look[n++] = (struct connpool_look){
					j, j->id, j->tid, j->timed,
					j->own && ownserver_closed(j->own), 0 };
		}
		g_mutex_unlock(&connpool_watch.lock);
		/* a connect to the own server of a sandbox that is gone
		 * ends, so its listener is let go (ownserver_end()) */
		for (i = 0; i < n; i++)
			look[i].answer = look[i].gone ? -EINTR :
					 connpool_signal_due(look[i].tid,
							     look[i].timed);
		g_mutex_lock(&connpool_watch.lock);
		for (i = 0; i < n; i++) {
			struct connpool_job *j = look[i].j;

			if (!look[i].answer ||
			    !connpool_has(j, look[i].id) || j->interrupt)
				continue;
			__atomic_store_n(&j->interrupt, look[i].answer,
					 __ATOMIC_RELAXED);
			if (j->running) {
				pthread_kill(j->thread, LISTENER_WAKE_SIGNAL);
				continue;
			}
			j->answered = true;
			(void)notif_reply(j->journal, j->listener, j->id,
					  j->interrupt);
			close(j->sock);
			close(j->listener);
			j->sock = j->listener = -1;
		}
	}
	return NULL;
}

/* The pool blocking connects run on, made at the first (never freed). */
static GThreadPool *connpool_pool(void)
{
	static gsize once;
	static GThreadPool *pool;

	if (g_once_init_enter(&once)) {
		pool = g_thread_pool_new(connpool_run, NULL,
					 CONNPOOL_MAX_RUNNING, FALSE, NULL);
		if (pool && !g_thread_try_new("lxnet-connwatch",
					      connpool_watch_thread, NULL, NULL)) {
			g_thread_pool_free(pool, TRUE, FALSE);
			pool = NULL;
		}
		g_once_init_leave(&once, 1);
	}
	return pool;
}

/* Whether a socket has a send timeout (which connect() also waits by). */
static bool connpool_sndtimeo(int sock)
{
	struct timeval tv = { 0 };
	socklen_t len = sizeof(tv);

	return getsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) == 0 &&
	       (tv.tv_sec || tv.tv_usec);
}

/**
 * connpool_submit() - make a blocking connect on a pool thread
 * @r: the call; on success its socket is the pool's (closed when done)
 *
 * At most CONNPOOL_MAX_RUNNING run at once, and as many more wait in the
 * pool's queue (their callers wait in the kernel's, and are answered by
 * the watcher when a signal comes), CONNPOOL_MAX_OWN of them to
 * sandboxes' own servers; past that the caller connects in place, so only
 * that sandbox's calls wait and a sandbox restarting interrupted connects
 * cannot queue jobs without bound. An idle thread is
 * kept for the next, so a connect costs a hand-off, not a thread.
 *
 * Return: NOTIF_ANSWERED when a pool thread (or the watcher) answers, or
 * -errno (-EAGAIN: the pool is full; the caller then connects in place).
 */
int64_t connpool_submit(const struct connpool_req *r)
{
	struct connpool_job *j;
	GThreadPool *pool = connpool_pool();

	if (!pool || g_thread_pool_unprocessed(pool) >= CONNPOOL_MAX_RUNNING)
		return -EAGAIN;
	if (r->own && g_atomic_int_add(&connpool_own_jobs, 1) >=
		      CONNPOOL_MAX_OWN) {
		g_atomic_int_add(&connpool_own_jobs, -1);
		return -EAGAIN;
	}
	j = g_new0(struct connpool_job, 1);
	j->listener = fcntl(r->listener, F_DUPFD_CLOEXEC, 0);
	if (j->listener < 0) {
		int e = errno;

		if (r->own)
			g_atomic_int_add(&connpool_own_jobs, -1);
		g_free(j);
		return -e;
	}
	j->journal = notif_journal_ref(r->journal);
	j->hold = r->hold;
	j->own = r->own ? g_atomic_rc_box_acquire(r->own) : NULL;
	j->id = r->id;
	j->tid = r->tid;
	j->sock = r->sock;
	j->sa = *r->sa;
	j->len = r->len;
	j->where = *r->where;
	j->timed = connpool_sndtimeo(r->sock);
	j->link.data = j;
	if (r->log) {
		j->log = r->log;
		j->rule = g_strdup(r->event.rule);
		j->event = r->event;
		j->event.rule = j->rule; /* sock, remote, result: once it ran */
	}
	g_mutex_lock(&connpool_watch.lock);
	g_queue_push_tail_link(&connpool_watch.jobs, &j->link);
	g_cond_signal(&connpool_watch.cond);
	g_mutex_unlock(&connpool_watch.lock);
	/*
	 * FALSE means no new thread could be made; the job is queued all the
	 * same (GLib's documented behaviour) and runs when a thread is free.
	 */
	(void)g_thread_pool_push(pool, j, NULL);
	return NOTIF_ANSWERED;
}
