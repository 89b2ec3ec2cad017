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
#include "netpolicy.h"
#include "ownserver.h"
#include "proxy_int.h"
#include "util.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif
/* i386's direct socket() (Linux 4.3; arch/x86/entry/syscalls/syscall_32.tbl) */
#ifdef __x86_64__
#define __NR_I386_SOCKET 359
#endif

/**
 * proxy_sysnr_row() - the number of a trapped call on one architecture
 * @row: the row of LXNET_TRAPPED_CALLS
 * @scmp_arch: SCMP_ARCH_* token
 * @audit_arch: AUDIT_ARCH_* of the entry
 * @x32: whether this is x32
 *
 * libseccomp gives the socket calls i386 multiplexes through socketcall()
 * pseudo numbers; the filter traps the direct call (Linux 4.3) as well,
 * under its own number, which is the one a caller's notification carries.
 *
 * Return: the number, or -1 where the row is not trapped.
 */
static int proxy_sysnr_row(const struct trap_row *row, uint32_t scmp_arch,
			   uint32_t audit_arch, bool x32)
{
	bool native;
	int nr;

	if (row->scope == TRAP_FAIL)
		return -1; /* the filter answers it */
	native = !x32 && audit_arch == seccomp_arch_native();
	if ((row->arches == TRAP_ARCH_NATIVE && !native) ||
	    (row->arches == TRAP_ARCH_FOREIGN && native))
		return -1;
	nr = seccomp_syscall_resolve_name_arch(scmp_arch, row->syscall);
#ifdef __NR_I386_SOCKET
	if (nr < 0 && audit_arch == AUDIT_ARCH_I386 &&
	    strcmp(row->syscall, "socket") == 0)
		nr = __NR_I386_SOCKET;
#endif
	return nr < 0 ? -1 : nr;
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
	size_t i;

	if (conf->n_sysnr >= PROXY_MAX_ARCHES)
		return;
	s = &conf->sysnr[conf->n_sysnr++];
	s->arch = audit_arch;
	s->x32 = x32;
	for (i = 0; i < TRAP_N; i++)
		s->nr[i] = proxy_sysnr_row(&trap_rows[i], scmp_arch,
					   audit_arch, x32);
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
	conf->netns_cookie = sockets_netns_cookie(-1);
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

/*
 * The handlers of the rows of LXNET_TRAPPED_CALLS (trapped.h): each reads
 * what it needs, does the call or decides it, and returns the result the
 * dispatcher answers with (seccomp_notif.h: a value, -errno,
 * NOTIF_CONTINUE, or NOTIF_ANSWERED when it answered itself or the caller
 * is gone). None of them sends a plain answer.
 */
typedef int64_t (*notify_handler_fn)(struct listener *l,
				     const struct seccomp_notif *req,
				     const struct proxy_sysnr *s,
				     enum trap_id id);

/*
 * Say once per sandbox that a program of another architecture (i386, x32)
 * was kept off the host's sockets under its connection policy.
 */
static void foreign_warn(struct listener *l)
{
	if (l->foreign_warned)
		return;
	l->foreign_warned = true;
	log_warn("sandbox of pid %d: an i386 or x32 program is kept off the "
		 "host's sockets: its calls cannot be held to the connection "
		 "policy", (int)l->pid);
}

/*
 * Whether a socket(AF_INET or AF_INET6) of a program of another
 * architecture stays the sandbox's own under a connection policy: the
 * proxy reads connect, bind and the sends in the native layout only, so
 * a socket of the host's would let such a program past every rule. It
 * gets one of its own namespace, which reaches nothing of the host's.
 */
static bool socket_foreign_governed(struct listener *l,
				    const struct proxy_sysnr *s)
{
	if (!l->conf->policy || (!s->x32 && s->arch == seccomp_arch_native()))
		return false;
	foreign_warn(l);
	return true;
}

/*
 * bind, connect and the sends of a program of another architecture under
 * a connection policy (the *32 rows; socketcall's through
 * do_socketcall()): on a socket of the host's (one a native program made
 * and handed over, by exec or SCM_RIGHTS; an AF_UNIX socket moved there)
 * EPERM, as for a refused destination; on any other the kernel's.
 */
static int64_t foreign_call(struct listener *l, const struct seccomp_notif *req,
			    int fd)
{
	int copy = -1;
	bool host;
	int r = task_getfd((pid_t)req->pid, fd, l->conf->pidfd_leader_only,
			   &copy);

	if (r < 0)
		return NOTIF_CONTINUE; /* no such fd: the kernel's EBADF */
	host = sockets_host_socket(l->conf, copy);
	close(copy);
	if (!host)
		return NOTIF_CONTINUE;
	foreign_warn(l);
	return -EPERM;
}

/*
 * The direct calls of the *32 rows: their flags are in registers, so a
 * send flagged MSG_FASTOPEN (an implicit TCP connect, which Landlock does
 * not see: govern.c) is refused before the kernel is let run it on an fd a
 * racing thread may have made a host socket. socketcall()'s arguments are
 * in memory, which the kernel reads again: docs/ARCHITECTURE.md says what
 * stays open there.
 */
static int64_t do_foreign(struct listener *l, const struct seccomp_notif *req,
			  const struct proxy_sysnr *s, enum trap_id id)
{
	uint64_t flags = id == TRAP_sendmsg32 ? req->data.args[2] :
			 id == TRAP_sendto32 || id == TRAP_sendmmsg32 ?
			 req->data.args[3] : 0;

	(void)s;
	if ((uint32_t)flags & MSG_FASTOPEN)
		return -EPERM;
	return foreign_call(l, req, (int)(uint32_t)req->data.args[0]);
}

/* socket(): AF_INET/AF_INET6 become host sockets, netlink the host's or an endpoint. */
static int64_t do_socket(struct listener *l, const struct seccomp_notif *req,
			 const struct proxy_sysnr *s, enum trap_id id)
{
	int domain = (int)req->data.args[0];
	int type = (int)req->data.args[1];
	int protocol = (int)req->data.args[2];
	int64_t r;

	(void)id;
	if (domain == AF_NETLINK) { /* trapped on the native architecture only */
		r = sockets_do_netlink(l->conf, l->fd, l->journal, req, type,
				       protocol);
		if (r != NOTIF_CONTINUE)
			return r;
		return l->nl ? nlep_do_socket(l->nl, req, type, protocol)
			     : NOTIF_CONTINUE;
	}
	/* a filter trapping every socket() (lxnet oci-profile --base) */
	if (domain != AF_INET && domain != AF_INET6)
		return NOTIF_CONTINUE;
	if (socket_foreign_governed(l, s))
		return NOTIF_CONTINUE;
	r = sockets_do_socket(l->conf, l->fd, l->journal, req, domain, type,
			      protocol);
	/* raw ICMP(v6) without CAP_NET_RAW: a ping socket, where calls on its fd are trapped */
	if (r == -EPERM && l->ping_sends &&
	    pingraw_wanted(domain, type, protocol) &&
	    !s->x32 && s->arch == seccomp_arch_native())
		r = pingraw_do_socket(l, req, domain, type);
	return r;
}

/*
 * i386 socketcall(SYS_SOCKET, args): the filter traps every SYS_SOCKET
 * socketcall because the domain is behind a pointer; the proxy reads its
 * own copy of the three arguments and serves AF_INET/AF_INET6 from that
 * copy, letting every other family through.
 */
static int64_t do_socketcall(struct listener *l,
			     const struct seccomp_notif *req,
			     const struct proxy_sysnr *s, enum trap_id id)
{
	uint32_t a[3];
	int r;

	(void)id;
	switch ((uint32_t)req->data.args[0]) {
	case SYS_SOCKET:
		break;
	case SYS_BIND:
	case SYS_CONNECT:
	case SYS_SENDTO:
	case SYS_SENDMSG:
	case SYS_SENDMMSG:
		/* trapped under a policy only: a[0] is the fd */
		r = sockets_read_socketcall_args(l->fd, req, a);
		if (r == -ENOENT)
			return NOTIF_ANSWERED;
		if (r < 0)
			return r;
		return foreign_call(l, req, (int)a[0]);
	default:
		return NOTIF_CONTINUE;
	}
	r = sockets_read_socketcall_args(l->fd, req, a);
	if (r == -ENOENT)
		return NOTIF_ANSWERED; /* target gone */
	if (r < 0)
		return r;
	if (a[0] != AF_INET && a[0] != AF_INET6)
		return NOTIF_CONTINUE;
	if (socket_foreign_governed(l, s))
		return NOTIF_CONTINUE;
	return sockets_do_socket(l->conf, l->fd, l->journal, req, (int)a[0],
				 (int)a[1],
				 (int)a[2]);
}

/* ioctl(SIOCGIF*, SIOCSIF*): answered from the view, changes refused. */
static int64_t do_ioctl(struct listener *l, const struct seccomp_notif *req,
			const struct proxy_sysnr *s, enum trap_id id)
{
	(void)id;
	if (trap_ioctl_kind((uint32_t)req->data.args[1]) == TRAP_IOCTL_NONE)
		return -ENOSYS; /* a filter trapping more than this proxy serves */
	return ifioctl_do(l->conf, l->fd, req, s);
}

/*
 * A call on an fd in an endpoint range: pingraw.c's for a raw ICMP socket,
 * nlep_call.c, or the kernel's own.
 */
static int64_t do_endpoint(struct listener *l, const struct seccomp_notif *req,
			   const struct proxy_sysnr *s, enum trap_id id)
{
	(void)s;
	if (trap_fd_ping(req->data.args[0])) {
		int64_t r = pingraw_do_call(l, req, id);

		if (r != NOTIF_CONTINUE || !trap_fd_endpoint(req->data.args[0]))
			return r;
	}
	if (!l->nl)
		return NOTIF_CONTINUE;
	return nlep_do_call(l->nl, id, req);
}

/*
 * connect() and bind(): on an endpoint fd, nlep.c's; on any other fd,
 * trapped only under a connection policy, decided and made by govern.c,
 * or with published ports (publish.c).
 */
static int64_t do_connect(struct listener *l, const struct seccomp_notif *req,
			  const struct proxy_sysnr *s, enum trap_id id)
{
	if (trap_fd_endpoint(req->data.args[0])) {
		int64_t r = do_endpoint(l, req, s, id);

		if (r != NOTIF_CONTINUE)
			return r;
	}
	if (l->conf->policy)
		return govern_connect(l, req);
	return l->conf->publish ? govern_publish_connect(l, req)
				: NOTIF_CONTINUE;
}

static int64_t do_bind(struct listener *l, const struct seccomp_notif *req,
		       const struct proxy_sysnr *s, enum trap_id id)
{
	if (trap_fd_endpoint(req->data.args[0])) {
		int64_t r = do_endpoint(l, req, s, id);

		if (r != NOTIF_CONTINUE)
			return r;
	}
	if (l->conf->policy)
		return govern_bind(l, req);
	return l->conf->publish ? publish_bind(l->conf, l->fd, req)
				: NOTIF_CONTINUE;
}

/*
 * getsockname(): on an endpoint fd, nlep.c's; on any other fd, trapped
 * only with published ports: a HOSTPORT is told as its PORT (publish.c).
 */
static int64_t do_getsockname(struct listener *l,
			      const struct seccomp_notif *req,
			      const struct proxy_sysnr *s, enum trap_id id)
{
	if (trap_fd_endpoint(req->data.args[0])) {
		int64_t r = do_endpoint(l, req, s, id);

		if (r != NOTIF_CONTINUE)
			return r;
	}
	return l->conf->publish ? publish_getsockname(l->conf, l->fd, req)
				: NOTIF_CONTINUE;
}

/*
 * sendto(): on a raw ICMP socket, pingraw.c's first; of 0 bytes on an
 * endpoint fd, nlep.c's (ENODATA, as netlink); with an address, trapped
 * only under a connection policy (govern.c). A 0-byte send without an
 * address on another fd of the range goes on.
 */
static int64_t do_sendto(struct listener *l, const struct seccomp_notif *req,
			 const struct proxy_sysnr *s, enum trap_id id)
{
	if (trap_fd_ping(req->data.args[0])) {
		int64_t r = pingraw_do_send(l, req, id);

		if (r != NOTIF_CONTINUE)
			return r;
	}
	if (req->data.args[2] == 0 && trap_fd_endpoint(req->data.args[0])) {
		int64_t r = do_endpoint(l, req, s, id);

		if (r != NOTIF_CONTINUE)
			return r;
	}
	return l->conf->policy && req->data.args[4] ?
	       govern_sendto(l, req) : NOTIF_CONTINUE;
}

/* sendmsg(): on a raw ICMP socket, pingraw.c's first; else under a policy only. */
static int64_t do_sendmsg(struct listener *l, const struct seccomp_notif *req,
			  const struct proxy_sysnr *s, enum trap_id id)
{
	(void)s;
	if (trap_fd_ping(req->data.args[0])) {
		int64_t r = pingraw_do_send(l, req, id);

		if (r != NOTIF_CONTINUE)
			return r;
	}
	return l->conf->policy ? govern_sendmsg(l, req)
			       : NOTIF_CONTINUE;
}

static int64_t do_sendmmsg(struct listener *l, const struct seccomp_notif *req,
			   const struct proxy_sysnr *s, enum trap_id id)
{
	(void)s;
	(void)id;
	return l->conf->policy ? govern_sendmmsg(l, req)
			       : NOTIF_CONTINUE;
}

/*
 * setsockopt(): on an endpoint fd, nlep.c's; SO_BINDTODEVICE and
 * SO_BINDTOIFINDEX on any other socket are decided against the view (the
 * filter traps those on every fd).
 */
static int64_t do_setsockopt(struct listener *l,
			     const struct seccomp_notif *req,
			     const struct proxy_sysnr *s, enum trap_id id)
{
	int level = (int)req->data.args[1];
	int optname = (int)req->data.args[2];
	int64_t r;

	r = trap_fd_endpoint(req->data.args[0]) || trap_fd_ping(req->data.args[0]) ?
	    do_endpoint(l, req, s, id) : NOTIF_CONTINUE;
	if (r != NOTIF_CONTINUE || level != SOL_SOCKET ||
	    (optname != SO_BINDTODEVICE && optname != SO_BINDTOIFINDEX))
		return r;
	return sockets_do_bindtodevice(l->conf, l->fd, req);
}

/*
 * unshare()/clone() with CLONE_NEWNET, setns(): from now on callers of this
 * sandbox may be in namespaces of their own (notify_gate()). Seen before
 * the kernel runs the call, which it then does.
 */
static int64_t do_netns_move(struct listener *l,
			     const struct seccomp_notif *req,
			     const struct proxy_sysnr *s, enum trap_id id)
{
	(void)req;
	(void)s;
	(void)id;
	l->netns_moved = true;
	return NOTIF_CONTINUE;
}

#define NOTIFY_HANDLER_ROW(id, name, scope, arches, rules, handler) \
	[TRAP_##id] = handler,
static const notify_handler_fn notify_handlers[TRAP_N] = {
	LXNET_TRAPPED_CALLS(NOTIFY_HANDLER_ROW)
};
#undef NOTIFY_HANDLER_ROW

/* Which row of LXNET_TRAPPED_CALLS call number @nr is, or -1. */
static int notify_row(const struct proxy_sysnr *s, int nr)
{
	int i;

	for (i = 0; i < TRAP_N; i++)
		if (s->nr[i] == nr)
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
 * @row: the call's row of LXNET_TRAPPED_CALLS
 * @req: the notification
 *
 * The one place that decides it, before any handler runs, by the row's
 * scope. A TRAP_NETNS call (it makes or asks about network objects:
 * socket(), socketcall(), ioctl()) is served only for a caller in the
 * sandbox's own network namespace (notify_caller_netns()): a process that
 * made a namespace of its own (unshare -n, bwrap --unshare-net, a
 * container) gets the kernel's answer there, which can reach nothing the
 * sandbox could not. A TRAP_ENDPOINT call is judged by its fd instead, as
 * the kernel judges a socket by the namespace it was made in: an emulated
 * endpoint stays one whoever holds it, and any other fd is let through by
 * nlep_do_call() (CONTINUE). A TRAP_ALWAYS call (one that moves a task to
 * another namespace) always reaches its handler.
 *
 * The namespace is read only once the sandbox may have left its own: the
 * filter traps every way into another network namespace (unshare() and
 * clone() with CLONE_NEWNET, setns(); clone3() fails ENOSYS), and
 * do_netns_move() sets @l->netns_moved for good. Until then every caller
 * is where the filter was installed, and a trapped socket() costs no
 * look-up (measured: one readlink adds 4-11 us to a ~35 us trapped
 * socket() on these loaded VMs).
 *
 * Return: true to dispatch to the row's handler, false to answer CONTINUE.
 */
static bool notify_gate(struct listener *l, const struct trap_row *row,
			const struct seccomp_notif *req)
{
	if (row->scope != TRAP_NETNS || !l->netns_moved)
		return true;
	return notify_caller_netns(l, req->pid);
}

/**
 * notify_handle() - answer one notification
 * @l: the listener (configuration, fd, sandbox state)
 * @req: the notification
 *
 * Finds the call's row, lets notify_gate() decide whether it is served,
 * runs the row's handler and answers with its result: the only place a
 * trapped call is answered, except where a handler must answer in the same
 * step as it acts (an fd added with its answer, a receive completed later).
 *
 * Return: 0, or -errno when the listener itself failed.
 */
static int notify_handle(struct listener *l, const struct seccomp_notif *req)
{
	const struct proxy_sysnr *s = notify_find_arch(l->conf, &req->data);
	int64_t r;
	int row;

	row = s ? notify_row(s, (int)req->data.nr) : -1;
	if (row < 0)
		r = -ENOSYS; /* a filter trapping more than this proxy serves */
	else if (!notify_gate(l, &trap_rows[row], req))
		r = NOTIF_CONTINUE;
	else
		r = notify_handlers[row](l, req, s, (enum trap_id)row);
	return notif_reply(l->journal, l->fd, req->id, r);
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
	g_autofree struct seccomp_notif *req = g_malloc0(l->conf->notif_size);
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
		/* receives the main loop completed: written here, not there */
		nlep_run_deferred(l->nl);
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
		pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
		r = notif_recv(l->fd, req, l->conf->notif_size);
		e = -r;
		pthread_sigmask(SIG_BLOCK, &wake, NULL);
		if (r == 0 && !notif_journal_add(l->journal, req->id) &&
		    !l->journal_full) {
			l->journal_full = true;
			log_warn("sandbox of pid %d: too many calls wait at once "
				 "to record them all for a restart", (int)l->pid);
		}
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
	nlep_sandbox_close(l->nl);
	if (g_atomic_int_get(&l->stop))
		log_debug("stopped serving the sandbox of pid %d", (int)l->pid);
	else
		log_debug("sandbox of pid %d is gone", (int)l->pid);
	close(l->fd);
	l->fd = -1;
	l->done(l, l->done_data);
	return NULL;
}

/* Wake a serving thread waiting for a notification (nlep's completions). */
static void listener_wake(void *data)
{
	struct listener *l = data;

	pthread_kill(l->thread, LISTENER_WAKE_SIGNAL);
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

	if (l->conf->sync_wakeup && (r = notif_set_sync_wakeup(l->fd)) < 0)
		log_debug("no synchronous wake-up: %s", g_strerror(-r));
	if (l->conf->nlep && !l->nl)
		l->nl = nlep_sandbox_new(l->conf->nlep, l->fd, l->journal,
					 l->conf->pidfd_leader_only);
	if (l->conf->policy && netpolicy_active(l->conf->policy) && !l->own)
		l->own = ownserver_set_new(l->netns_ino);
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
	if (r == 0 && l->nl)
		nlep_sandbox_set_waker(l->nl, listener_wake, l);
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
	pingraw_set_free(l->ping);
	ownserver_set_close(l->own);
	ownserver_set_unref(l->own);
	notif_journal_unref(l->journal);
	g_free(l);
}
