// SPDX-License-Identifier: LGPL-2.1-or-later
/* notify.c - receive seccomp notifications on a listener's own thread and answer them */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/net.h>
#include <seccomp.h>

#include "log.h"
#include "proxy_int.h"
#include "util.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

/* What a do_*() asks its wrapper to do besides replying with an errno. */
enum {
	NOTIFY_ANSWERED = 0, /* the reply has been sent (or the target is gone) */
	NOTIFY_CONTINUE = 1, /* let the kernel run the call natively */
};

/**
 * proxy_sysnr_add_nl() - the numbers of the calls trapped on endpoint fds
 * @s: the entry being filled in
 * @scmp_arch: SCMP_ARCH_* token
 * @audit_arch: AUDIT_ARCH_* of the entry
 * @x32: whether this is x32
 *
 * Only the native architecture traps them (seccomp_filter.c); -1 elsewhere.
 */
static void proxy_sysnr_add_nl(struct proxy_sysnr *s, uint32_t scmp_arch,
			       uint32_t audit_arch, bool x32)
{
	size_t i;

	for (i = 0; i < NLEP_N_CALLS; i++) {
		s->nr_nl[i] = -1;
		if (x32 || audit_arch != seccomp_arch_native())
			continue;
		s->nr_nl[i] = seccomp_syscall_resolve_name_arch(scmp_arch,
								nlep_call_names[i]);
		if (s->nr_nl[i] < 0)
			s->nr_nl[i] = -1;
	}
}

/**
 * proxy_sysnr_add() - resolve the trapped calls' numbers for one arch
 * @conf: configuration being filled in
 * @scmp_arch: SCMP_ARCH_* token
 * @audit_arch: AUDIT_ARCH_* the kernel reports in seccomp_data.arch
 * @x32: whether this is x32
 */
static void proxy_sysnr_add(struct proxy_conf *conf, uint32_t scmp_arch,
			    uint32_t audit_arch, bool x32)
{
	struct proxy_sysnr *s;

	if (conf->n_sysnr >= PROXY_MAX_ARCHES)
		return;
	s = &conf->sysnr[conf->n_sysnr++];
	s->arch = audit_arch;
	s->x32 = x32;
	s->nr_socket = seccomp_syscall_resolve_name_arch(scmp_arch, "socket");
	s->nr_socketcall =
		seccomp_syscall_resolve_name_arch(scmp_arch, "socketcall");
	s->nr_ioctl = seccomp_syscall_resolve_name_arch(scmp_arch, "ioctl");
	/* libseccomp's pseudo numbers for calls an arch lacks are negative. */
	if (s->nr_socket < 0)
		s->nr_socket = -1;
	if (s->nr_socketcall < 0)
		s->nr_socketcall = -1;
	if (s->nr_ioctl < 0)
		s->nr_ioctl = -1;
	s->nr_unshare = MAX(-1, seccomp_syscall_resolve_name_arch(scmp_arch,
								  "unshare"));
	s->nr_clone = MAX(-1, seccomp_syscall_resolve_name_arch(scmp_arch,
								"clone"));
	s->nr_setns = MAX(-1, seccomp_syscall_resolve_name_arch(scmp_arch,
								"setns"));
	proxy_sysnr_add_nl(s, scmp_arch, audit_arch, x32);
}

static void listener_on_wake(int sig)
{
	(void)sig;
}

/**
 * proxy_conf_init() - fill in the configuration the serving threads share
 * @conf: zero-initialised; sync_wakeup is left as the caller set it
 *
 * Runs at start-up, before any thread exists. Also installs the do-nothing
 * handler of LISTENER_WAKE_SIGNAL, without SA_RESTART, so that the signal
 * interrupts a serving thread's wait.
 *
 * Return: 0 or -errno (-EOPNOTSUPP without seccomp user notification).
 */
int proxy_conf_init(struct proxy_conf *conf)
{
	struct seccomp_notif_sizes sizes;
	struct stat st;
	uint32_t native = seccomp_arch_native();
	struct sigaction sa = { .sa_handler = listener_on_wake };
	sigset_t wake;

	sigemptyset(&sa.sa_mask);
	if (sigaction(LISTENER_WAKE_SIGNAL, &sa, NULL) < 0)
		return -errno;
	/* Only a waiting serving thread takes it (threads made later inherit). */
	sigemptyset(&wake);
	sigaddset(&wake, LISTENER_WAKE_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &wake, NULL);
	conf->pidfd_leader_only = task_leader_only();
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return errno == EINVAL ? -EOPNOTSUPP : -errno;
	conf->notif_size = MAX((size_t)sizes.seccomp_notif,
			       sizeof(struct seccomp_notif));
	conf->resp_size = MAX((size_t)sizes.seccomp_notif_resp,
			      sizeof(struct seccomp_notif_resp));
	proxy_sysnr_add(conf, native, native, false);
	if (native == SCMP_ARCH_X86_64) {
		proxy_sysnr_add(conf, SCMP_ARCH_X86, AUDIT_ARCH_I386, false);
		proxy_sysnr_add(conf, SCMP_ARCH_X32, AUDIT_ARCH_X86_64, true);
	}
	if (stat("/proc/self/ns/user", &st) < 0)
		return -errno;
	conf->userns_dev = st.st_dev;
	conf->userns_ino = st.st_ino;
	return 0;
}

/**
 * notify_reply_error() - fail the trapped call with an errno
 * @listener: the listener fd
 * @id: the notification's id
 * @err: negative errno the caller's syscall returns
 *
 * Return: 0, also when the target is gone (ENOENT), or -errno.
 */
int notify_reply_error(int listener, uint64_t id, int err)
{
	struct seccomp_notif_resp resp = { .id = id, .error = err };

	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

/**
 * notify_reply_continue() - let the kernel execute the trapped call itself
 * @listener: the listener fd
 * @id: the notification's id
 *
 * Only for calls the proxy does not serve: the kernel re-reads the caller's
 * memory, so nothing decided on a copy of it may rely on CONTINUE.
 *
 * Return: 0, also when the target is gone, or -errno.
 */
int notify_reply_continue(int listener, uint64_t id)
{
	struct seccomp_notif_resp resp = {
		.id = id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE,
	};

	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

static const struct proxy_sysnr *notify_find_arch(const struct proxy_conf *conf,
						  const struct seccomp_data *d)
{
	bool x32 = d->arch == AUDIT_ARCH_X86_64 && (d->nr & __X32_SYSCALL_BIT);
	size_t i;

	for (i = 0; i < conf->n_sysnr; i++)
		if (conf->sysnr[i].arch == d->arch && conf->sysnr[i].x32 == x32)
			return &conf->sysnr[i];
	return NULL;
}

/**
 * do_socketcall() - i386 socketcall(SYS_SOCKET, args)
 * @conf: shared configuration
 * @listener: the listener fd
 * @req: the notification
 *
 * The filter traps every SYS_SOCKET socketcall because the domain is behind
 * a pointer; the proxy reads its own copy of the three arguments and serves
 * AF_INET/AF_INET6 from that copy, letting every other family through.
 *
 * Return: NOTIFY_ANSWERED, NOTIFY_CONTINUE or -errno to fail the call with.
 */
static int do_socketcall(const struct proxy_conf *conf, int listener,
			 const struct seccomp_notif *req)
{
	uint32_t a[3];
	int r;

	if ((uint32_t)req->data.args[0] != SYS_SOCKET)
		return NOTIFY_CONTINUE;
	r = sockets_read_socketcall_args(listener, req, a);
	if (r == -ENOENT)
		return NOTIFY_ANSWERED; /* target gone */
	if (r < 0)
		return r;
	if (a[0] != AF_INET && a[0] != AF_INET6)
		return NOTIFY_CONTINUE;
	return sockets_do_socket(conf, listener, req, (int)a[0], (int)a[1],
				 (int)a[2]);
}

/* Which enum nlep_call @nr is, or -1. */
static int notify_nl_call(const struct proxy_sysnr *s, int nr)
{
	int i;

	for (i = 0; i < NLEP_N_CALLS; i++)
		if (s->nr_nl[i] >= 0 && nr == s->nr_nl[i])
			return i;
	return -1;
}

/**
 * notify_caller_netns() - whether a caller is in the sandbox's own network
 * namespace
 * @l: the listener (its sandbox's namespace)
 * @pid: the notification's pid: the calling thread's id
 *
 * One readlink of /proc/TID/ns/net ("net:[INO]"), the calling thread's own
 * (a thread that called unshare(CLONE_NEWNET) or setns() has a namespace
 * of its own; its siblings keep theirs). Cheaper than a stat, which
 * follows the link into nsfs (measured: ~3 us against ~6 us on these
 * VMs); the inode alone names a namespace, since nsfs has one superblock,
 * and @l->netns_fd keeps the sandbox's alive, so its number is never
 * reused. A caller cannot change its own namespace while it waits in the
 * trapped call, and no other task can change it.
 *
 * Pid reuse: the answer that follows (SEND, ADDFD, CONTINUE) fails ENOENT
 * unless the notification is still pending, and a pending notification
 * holds its thread, so the thread named @pid at the readlink was the
 * caller whenever the answer takes effect. Nothing else is done with the
 * result, so no separate NOTIF_ID_VALID is needed here.
 *
 * Return: true when the caller is proven in the sandbox's namespace (or
 * the client sent no namespace); false otherwise, also when it cannot be
 * read (a caller outside our pid namespace, pid 0; one we may not inspect):
 * such a caller gets the kernel, in its own namespace.
 */
static bool notify_caller_netns(const struct listener *l, uint32_t pid)
{
	char path[40], link[48];
	unsigned long long ino = 0;
	const char *p;
	ssize_t n;

	if (l->netns_fd < 0)
		return true;
	if (pid == 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%u/ns/net", pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 5 || memcmp(link, "net:[", 5) != 0)
		return false;
	link[n] = '\0';
	for (p = link + 5; *p >= '0' && *p <= '9'; p++)
		ino = ino * 10 + (unsigned long long)(*p - '0');
	return *p == ']' && ino == (unsigned long long)l->netns_ino;
}

/**
 * notify_gate() - whether the proxy serves this call at all
 * @l: the listener
 * @s: the caller's architecture's numbers
 * @req: the notification
 *
 * The one place that decides it, before any handler runs. A call that
 * makes or asks about network objects (socket(), socketcall(), ioctl())
 * is served only for a caller in the sandbox's own network namespace
 * (notify_caller_netns()): a process that made a namespace of its own
 * (unshare -n, bwrap --unshare-net, a container) gets the kernel's answer
 * there, which can reach nothing the sandbox could not. A call on an fd in
 * the endpoint range is judged by the fd instead, as the kernel judges a
 * socket by the namespace it was made in: an emulated endpoint stays one
 * whoever holds it, and any other fd is let through by nlep_do_call()
 * (CONTINUE), so the namespace is not read for those.
 *
 * The namespace is read only once the sandbox may have left its own: the
 * filter traps every way into another network namespace (unshare() and
 * clone() with CLONE_NEWNET, setns(); clone3() fails ENOSYS), and such a
 * call, seen here before the kernel runs it (CONTINUE), sets
 * @l->netns_moved for good. Until then every caller is where the filter
 * was installed, and a trapped socket() costs no look-up (measured: one
 * readlink adds 4-11 us to a ~35 us trapped socket() on these loaded VMs).
 *
 * Return: true to dispatch to a handler, false to answer CONTINUE.
 */
static bool notify_gate(struct listener *l, const struct proxy_sysnr *s,
			const struct seccomp_notif *req)
{
	int nr = (int)req->data.nr;

	if (nr == s->nr_unshare || nr == s->nr_clone || nr == s->nr_setns) {
		l->netns_moved = true;
		return false;
	}
	if (!l->netns_moved || notify_nl_call(s, nr) >= 0)
		return true;
	return notify_caller_netns(l, req->pid);
}

/**
 * notify_handle() - answer one notification
 * @l: the listener (configuration, fd, sandbox state)
 * @req: the notification
 *
 * Return: 0, or -errno when the listener itself failed.
 */
static int notify_handle(struct listener *l, const struct seccomp_notif *req)
{
	const struct proxy_conf *conf = l->conf;
	const struct proxy_sysnr *s = notify_find_arch(conf, &req->data);
	struct nlep_sandbox *nl = l->nl;
	int listener = l->fd;
	int nr = req->data.nr;
	int r;

	if (!s)
		r = -ENOSYS;
	else if (!notify_gate(l, s, req))
		r = NOTIFY_CONTINUE;
	else if (nr == s->nr_socket && (int)req->data.args[0] == AF_NETLINK &&
		 s->nr_nl[0] >= 0)
		r = nl ? nlep_do_socket(nl, req, (int)req->data.args[1],
					(int)req->data.args[2])
		       : NOTIFY_CONTINUE;
	else if (nr == s->nr_socket)
		r = sockets_do_socket(conf, listener, req,
				      (int)req->data.args[0],
				      (int)req->data.args[1],
				      (int)req->data.args[2]);
	else if (nr == s->nr_socketcall)
		r = do_socketcall(conf, listener, req);
	else if (nr == s->nr_ioctl && ifioctl_traps(req->data.args[1]))
		r = ifioctl_do(conf, listener, req, s); /* SIOCGIF*, SIOCSIF* */
	else if ((r = notify_nl_call(s, nr)) >= 0)
		r = nl ? nlep_do_call(nl, (enum nlep_call)r, req)
		       : NOTIFY_CONTINUE;
	else
		r = -ENOSYS; /* a filter trapping more than this proxy serves */
	if (r == NOTIFY_ANSWERED)
		return 0;
	if (r == NOTIFY_CONTINUE)
		return notify_reply_continue(listener, req->id);
	return notify_reply_error(listener, req->id, r);
}

/**
 * listener_gone() - whether every task using the filter has exited
 * @fd: the listener
 */
static bool listener_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 0) < 0)
		return false;
	return p.revents & (POLLHUP | POLLERR | POLLNVAL);
}

/**
 * listener_sched_batch() - make the calling serving thread SCHED_BATCH
 *
 * A trapped call takes two hand-offs: the caller wakes this thread
 * (synchronously, on its own CPU) and sleeps; this thread answers with
 * ADDFD+FLAG_SEND, which wakes the caller and then waits until the caller
 * has installed the fd. That last wake-up comes from the caller, which goes
 * on running; as SCHED_NORMAL this thread preempts it there only to go back
 * to sleep in NOTIF_RECV a few microseconds later: two extra context
 * switches per socket(). A SCHED_BATCH thread is not preempted for nor does
 * it preempt on wake-up (it still gets its fair share of CPU and the same
 * nice level): it runs when the caller next blocks, which is usually its
 * next trapped call. Measured on 2 busy vCPUs (caller and thread sharing
 * one): 2.0 instead of 2.3-3.7 context switches per trapped socket(), the
 * short-connection rate +8% to +28% (medians of paired runs). Nothing
 * depends on it: failure only costs that gain.
 */
static void listener_sched_batch(void)
{
	struct sched_param sp = { .sched_priority = 0 };

	if (sched_setscheduler(0, SCHED_BATCH, &sp) < 0)
		log_debug("serving thread stays SCHED_OTHER: %s",
			  g_strerror(errno));
}

/**
 * listener_thread() - serve one listener until its sandbox is gone
 * @arg: the struct listener
 *
 * Blocks in SECCOMP_IOCTL_NOTIF_RECV so the kernel's (synchronous) wake-up
 * lands directly in the code that answers. NOTIF_RECV fails with ENOENT
 * both when a notification was withdrawn (the caller got a signal) and when
 * no task uses the filter any more; POLLHUP tells the two apart. The
 * thread runs SCHED_BATCH unless conf->sched_batch is off
 * (listener_sched_batch()). It also ends when listener_stop() asks.
 *
 * Return: NULL.
 */
static void *listener_thread(void *arg)
{
	struct listener *l = arg;
	_cleanup_free_ struct seccomp_notif *req = g_malloc0(l->conf->notif_size);
	sigset_t wake, waiting;
	int r, e;

	/* Blocked (listener_start()) except while waiting for a notification. */
	sigemptyset(&wake);
	sigaddset(&wake, LISTENER_WAKE_SIGNAL);
	sigfillset(&waiting);
	sigdelset(&waiting, LISTENER_WAKE_SIGNAL);
	if (l->conf->sched_batch)
		listener_sched_batch();
	while (!g_atomic_int_get(&l->stop)) {
		if (l->conf->wait_poll) {
			struct pollfd p = { .fd = l->fd, .events = POLLIN };

			if (ppoll(&p, 1, NULL, &waiting) < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
				break;
		}
		memset(req, 0, l->conf->notif_size);
		pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
		r = ioctl(l->fd, SECCOMP_IOCTL_NOTIF_RECV, req);
		e = errno;
		pthread_sigmask(SIG_BLOCK, &wake, NULL);
		if (r < 0) {
			if (e == EINTR)
				continue;
			if (e == ENOENT && !listener_gone(l->fd))
				continue;
			if (e != ENOENT)
				log_warn("listener of pid %d: %s", (int)l->pid,
					 g_strerror(e));
			break;
		}
		if (notify_handle(l, req) < 0 &&
		    listener_gone(l->fd))
			break;
	}
	if (g_atomic_int_get(&l->stop))
		log_debug("stopped serving the sandbox of pid %d", (int)l->pid);
	else
		log_debug("sandbox of pid %d is gone", (int)l->pid);
	close(l->fd);
	l->fd = -1;
	l->done(l, l->done_data);
	return NULL;
}

/**
 * listener_start() - start serving a listener on its own thread
 * @l: filled in except @thread; @l->fd is owned by the thread on success
 *
 * Asks the kernel for synchronous wake-ups first when @l->conf says so
 * (Linux 6.6; older kernels answer EINVAL and are served anyway). The thread
 * runs with every signal blocked; LISTENER_WAKE_SIGNAL is let through only
 * while it waits for a notification, never while it answers one (an
 * interrupted NOTIF_ADDFD with FLAG_SEND leaves the caller's socket()
 * returning 0, and an interrupted NOTIF_SEND an unanswered call).
 *
 * Return: 0 or -errno (the caller still owns @l->fd on failure).
 */
int listener_start(struct listener *l)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int r;

	if (l->conf->sync_wakeup &&
	    ioctl(l->fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		  (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0)
		log_debug("no synchronous wake-up: %s", g_strerror(errno));
	if (l->conf->nlep && !l->nl)
		l->nl = nlep_sandbox_new(l->conf->nlep, l->fd,
					 l->conf->pidfd_leader_only);
	r = pthread_attr_init(&attr);
	if (r)
		return -r;
	r = pthread_attr_setstacksize(&attr, PROXY_THREAD_STACK);
	if (r == 0) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		r = pthread_create(&l->thread, &attr, listener_thread, l);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_attr_destroy(&attr);
	if (r) {
		nlep_sandbox_unref(l->nl);
		l->nl = NULL;
	}
	return -r;
}

/**
 * listener_stop() - ask a serving thread to end
 * @l: a started listener whose @done has not run yet
 *
 * Wakes the thread if it waits for a notification; a call being answered
 * is answered first. The signal may land just before the thread waits
 * again: call this repeatedly until @done runs.
 */
void listener_stop(struct listener *l)
{
	g_atomic_int_set(&l->stop, 1);
	pthread_kill(l->thread, LISTENER_WAKE_SIGNAL);
}

/**
 * listener_join_free() - join a finished listener's thread and free it
 * @l: the listener, after its @done ran (NULL is fine)
 */
void listener_join_free(struct listener *l)
{
	if (!l)
		return;
	pthread_join(l->thread, NULL);
	if (l->fd >= 0)
		close(l->fd);
	if (l->netns_fd >= 0)
		close(l->netns_fd);
	nlep_sandbox_unref(l->nl);
	g_free(l);
}
