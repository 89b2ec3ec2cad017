// SPDX-License-Identifier: LGPL-2.1-or-later
/* lxnet-proxy.c - seccomp user-notification supervisor: gives sandboxes real host sockets */
/*
 * Theory of operation
 *
 * A sandbox (made by `lxnet run`, `lxnet shim` under unshare/bubblewrap/a
 * container runtime) lives in its own, empty network namespace. Before it
 * execs its program it installs a seccomp filter (src/seccomp_filter.c)
 * that turns socket(AF_INET|AF_INET6, ...) — and i386's
 * socketcall(SYS_SOCKET, ...) — into user notifications, and sends the
 * filter's listener fd to this process over SCM_RIGHTS (src/fdpass.h).
 *
 * Control side (this file, one GLib main loop): `--socket PATH` (default
 * $XDG_RUNTIME_DIR/lxnet/proxy.sock) listens on an AF_UNIX SOCK_SEQPACKET
 * socket (mode 0600, removed on exit) and accepts clients of the same user
 * or root (SO_PEERCRED; --allow-user names others) up to a bound, at most
 * PROXY_CLIENTS_PER_PEER per process, each dropped after
 * PROXY_CLIENT_IDLE_S idle, the oldest dropped for a new one at the bound;
 * `--fd N` serves one already connected socket from `lxnet run` and exits
 * when it is closed and no sandbox remains. Each FDPASS_SECCOMP_LISTENER
 * message whose fds are a seccomp listener and the sandbox's network
 * namespace is answered FDPASS_ACK status 0; anything else gets FDPASS_ACK
 * -EBADMSG and the client is dropped. SIGTERM/SIGINT end the loop.
 * `--oci-socket PATH` listens on an AF_UNIX SOCK_STREAM socket for OCI
 * runtimes (crun's run.oci.seccomp.receiver, the OCI listenerPath): the
 * same admission, then oci.c's protocol, which sends no answer. Two
 * sockets, because a runtime connects with SOCK_STREAM and the kernel does
 * not connect sockets of different types.
 *
 * Only callers in that network namespace are served (notify.c,
 * notify_gate()): a process of the sandbox that made a namespace of its
 * own (unshare -n, bwrap --unshare-net, a container) gets the kernel.
 *
 * Data side (notify.c, sockets.c): every listener gets a dedicated thread
 * blocked in SECCOMP_IOCTL_NOTIF_RECV, with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
 * set where the kernel has it (6.6+), so a trapped socket() wakes the thread
 * on the caller's CPU and the answer needs no hop through the main loop.
 * The thread creates the socket in this process's network namespace (the
 * host's), injects it with SECCOMP_IOCTL_NOTIF_ADDFD + SECCOMP_ADDFD_FLAG_SEND
 * (the injected fd number becomes the syscall's return value) and closes its
 * own copy. From then on the data path is the kernel's: the proxy keeps
 * nothing per socket and sees no packet. Errors are the kernel's errno for
 * the same call made here; SOCK_RAW is refused (EPERM) unless the caller
 * holds CAP_NET_RAW in the proxy's own user namespace, because the socket is
 * created with the proxy's credentials. When every task of a sandbox has
 * exited, NOTIF_RECV fails and the listener reports POLLHUP; the thread
 * closes the fd and the main loop joins it.
 *
 * Bounds: --max-listeners sandboxes (one thread, one listener fd and a
 * 256 KiB stack each), the same number of control clients; no per-socket
 * state. The proxy never blocks on a sandbox: socket creation does not
 * block, and a dead target only turns an ioctl into ENOENT.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/nsfs.h>
#include <glib-unix.h>

#include "cli.h"
#include "connlog.h"
#include "fdpass.h"
#include "log.h"
#include "netpolicy.h"
#include "proxy_int.h"
#include "util.h"
#include "view.h"

/*
 * struct proxy - the daemon's state, owned by main()
 * @conf: read-only configuration shared with the serving threads
 * @loop: the main loop
 * @ctx: its context (where finished listeners are reported)
 * @socket_path: --socket PATH, unlinked at exit (NULL in --fd mode)
 * @listen_fd: the listening socket (-1 in --fd mode)
 * @listen_src: its source id (0 while accepting is paused)
 * @accept_pause_src: the timeout ending that pause, or 0
 * @fd_mode: serving one connected socket (--fd)
 * @ctl_closed: in --fd mode, the connected socket is gone
 * @clients: connected control clients (struct client)
 * @listeners: sandboxes being served (struct listener, threads running)
 * @n_listeners: their number
 * @max_listeners: bound on @n_listeners and on connected clients
 * @allow_uids: uids besides this one's and root's whose clients are served
 * @allow_all: clients of any uid are served (--allow-user all)
 * @exit_status: main()'s return value
 * @model: the network model the sandboxes are shown (model.c)
 * @oci_path: --oci-socket PATH, unlinked at exit, or NULL
 * @oci_fd: its listening socket, or -1
 * @oci_src: its source id
 */
struct proxy {
	struct proxy_conf conf;
	struct proxy_model model;
	GMainLoop *loop;
	GMainContext *ctx;
	char *socket_path;
	int listen_fd;
	guint listen_src;
	guint accept_pause_src;
	bool fd_mode;
	bool ctl_closed;
	GList *clients;
	GList *listeners;
	unsigned int n_listeners;
	unsigned int max_listeners;
	GArray *allow_uids;
	bool allow_all;
	int exit_status;
	char *oci_path;
	int oci_fd;
	guint oci_src;
};

/*
 * struct client - one connection on the control socket
 * @p: the proxy
 * @fd: the connection (owned)
 * @src: its source id
 * @idle_src: the timeout dropping it when idle (0 for the --fd socket)
 * @peer_pid: the connecting process (SO_PEERCRED), 0 for the --fd socket
 * @peer_uid: its uid (SO_PEERCRED; the proxy's own for the --fd socket):
 *	the owner of the sandboxes whose listeners it sends
 * @is_ctl: the --fd socket
 * @oci: an OCI runtime's connection (--oci-socket): its message so far
 * @retry_src: the timeout asking again for its container's namespace, or 0
 */
struct client {
	struct proxy *p;
	int fd;
	guint src;
	guint idle_src;
	pid_t peer_pid;
	uid_t peer_uid;
	bool is_ctl;
	bool hello;
	struct oci_msg *oci;
	guint retry_src;
};

static void proxy_maybe_exit(struct proxy *p)
{
	if (p->fd_mode && p->ctl_closed && p->n_listeners == 0)
		g_main_loop_quit(p->loop);
}

static void client_free(struct client *c)
{
	struct proxy *p = c->p;

	if (c->src)
		g_source_remove(c->src);
	if (c->idle_src)
		g_source_remove(c->idle_src);
	if (c->retry_src)
		g_source_remove(c->retry_src);
	if (c->fd >= 0)
		close(c->fd);
	oci_msg_free(c->oci);
	p->clients = g_list_remove(p->clients, c);
	if (c->is_ctl) {
		p->ctl_closed = true;
		proxy_maybe_exit(p);
	}
	g_free(c);
}

static gboolean listener_done_idle(gpointer data)
{
	struct listener *l = data;
	struct proxy *p = l->done_data;

	listener_join_free(l);
	p->listeners = g_list_remove(p->listeners, l);
	p->n_listeners--;
	proxy_maybe_exit(p);
	return G_SOURCE_REMOVE;
}

/* Runs on the listener's thread: hand the join over to the main loop. */
static void listener_done(struct listener *l, void *data)
{
	struct proxy *p = data;
	GSource *s = g_idle_source_new();

	g_source_set_callback(s, listener_done_idle, l, NULL);
	g_source_attach(s, p->ctx);
	g_source_unref(s);
}

/**
 * proxy_netns_ino() - the inode of a network namespace fd
 * @fd: what the client sent as its sandbox's namespace
 * @ret_ino: its nsfs inode number
 *
 * NS_GET_NSTYPE (Linux 4.11) tells a namespace fd, and its type, from any
 * other file.
 *
 * Return: 0, or -EBADMSG when @fd is not a network namespace.
 */
static int proxy_netns_ino(int fd, ino_t *ret_ino)
{
	struct stat st;

	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET || fstat(fd, &st) < 0)
		return -EBADMSG;
	*ret_ino = st.st_ino;
	return 0;
}

/**
 * proxy_do_add_listener() - start serving a received listener
 * @p: the proxy
 * @fds: the listener, then the sandbox's network namespace (fdpass.h),
 *	or the listener alone (a client from before the namespace was sent:
 *	its every caller is served), then optionally the in-flight record's
 *	file (from lxnet run's --fd socket only; mapped, left to the caller
 *	to close); the first two owned by the serving thread on success
 * @n_fds: 1 to 3
 * @pid: the client's idea of the sandbox's pid
 * @owner: the uid of the client that sent it (the sandbox's owner)
 * @gate_always: read every caller's network namespace from the start
 *	(an OCI container: its profile need not trap the calls that move a
 *	task to another namespace, see notify.c's notify_gate())
 *
 * Return: 0, -EBADMSG (not a seccomp listener, or not a network
 * namespace), -EUSERS (bound reached) or -errno.
 */
static int proxy_do_add_listener(struct proxy *p, const int *fds,
				 size_t n_fds, pid_t pid, uid_t owner,
				 bool gate_always)
{
	struct listener *l;
	ino_t ino = 0;
	int r;

	if (!notif_is_listener(fds[0]))
		return -EBADMSG;
	if (n_fds > 1 && proxy_netns_ino(fds[1], &ino) < 0)
		return -EBADMSG;
	if (p->n_listeners >= p->max_listeners)
		return -EUSERS;
	l = g_new0(struct listener, 1);
	l->fd = fds[0];
	l->netns_fd = n_fds > 1 ? fds[1] : -1;
	l->netns_ino = ino;
	l->pid = pid;
	l->owner_uid = owner;
	l->netns_moved = gate_always && n_fds > 1;
	/* an OCI profile does not trap sends on raw ICMP sockets' fds */
	l->ping_sends = !gate_always;
	l->conf = &p->conf;
	l->done = listener_done;
	l->done_data = p;
	if (n_fds > 2) {
		unsigned int n = 0;

		r = notif_journal_open(fds[0], fds[2], &l->journal, &n);
		if (r < 0) {
			g_free(l);
			return r;
		}
		if (n > 0)
			log_warn("answered %u call%s an earlier lxnet-proxy left "
				 "unanswered (EINTR)", n, n == 1 ? "" : "s");
	}
	r = listener_start(l);
	if (r < 0) {
		notif_journal_unref(l->journal);
		g_free(l);
		return r;
	}
	p->listeners = g_list_prepend(p->listeners, l);
	p->n_listeners++;
	log_debug("serving sandbox of pid %d (%u now)", (int)pid, p->n_listeners);
	return 0;
}

static void client_touch(struct client *c);

/**
 * client_oci_serve() - serve a runtime's container once its namespace
 * can be opened
 * @data: the client, its message complete
 *
 * Runs from client_on_oci_input() and then every OCI_NETNS_RETRY_MS while
 * the namespace is refused (oci_msg_netns()); the client is freed when it
 * is done, served or not: the protocol has no answer.
 *
 * Return: G_SOURCE_CONTINUE to be called again.
 */
static gboolean client_oci_serve(gpointer data)
{
	struct client *c = data;
	int fds[2] = { -1, -1 };
	pid_t pid = 0;
	int r;

	r = oci_msg_netns(c->oci, &fds[0], &fds[1], &pid);
	if (r == -EAGAIN) {
		if (!c->retry_src)
			c->retry_src = g_timeout_add(OCI_NETNS_RETRY_MS,
						     client_oci_serve, c);
		return G_SOURCE_CONTINUE;
	}
	if (r == 0) {
		r = proxy_do_add_listener(c->p, fds, 2, pid, c->peer_uid,
					  true);
		if (r < 0) {
			close(fds[0]);
			close(fds[1]);
		}
	}
	if (r < 0)
		log_warn("refused an OCI container (pid %d): %s", (int)pid,
			 g_strerror(-r));
	c->retry_src = 0; /* when it runs this: removed by the return */
	client_free(c);
	return G_SOURCE_REMOVE;
}

/**
 * client_on_oci_input() - an OCI runtime's connection is readable
 * @c: the client
 * @fd: its socket
 *
 * Gathers the runtime's message (oci.c); once it is complete the socket
 * is read no more and the container is served (client_oci_serve()). The
 * connection is closed then, or on any error: the protocol has no answer.
 *
 * Return: whether the source stays.
 */
static gboolean client_on_oci_input(struct client *c, int fd)
{
	int r;

	r = oci_recv(c->oci, fd);
	if (r == -EAGAIN) {
		client_touch(c); /* idle is counted from the last bytes */
		return G_SOURCE_CONTINUE;
	}
	c->src = 0;
	if (r == 0) {
		(void)client_oci_serve(c);
		return G_SOURCE_REMOVE;
	}
	if (r != -ECONNRESET)
		log_warn("refused an OCI container: %s", g_strerror(-r));
	client_free(c);
	return G_SOURCE_REMOVE;
}

static gboolean client_on_input(gint fd, GIOCondition cond, gpointer data)
{
	struct client *c = data;
	struct fdpass_msg msg, ack = { .kind = FDPASS_ACK };
	int fds[FDPASS_MAX_FDS];
	size_t n_fds = 0, i;
	int r;

	if (c->oci)
		return client_on_oci_input(c, fd);
	r = fdpass_recv(fd, &msg, fds, ELEMENTSOF(fds), &n_fds);
	if (r == -EAGAIN)
		return G_SOURCE_CONTINUE;
	client_touch(c);
	if (r == -ECONNRESET || (r < 0 && r != -EBADMSG)) {
		c->src = 0;
		client_free(c);
		return G_SOURCE_REMOVE;
	}
	if (r == 0 && msg.kind == FDPASS_HELLO && n_fds == 0) {
		/* what the shim's filter must trap for this proxy */
		c->hello = true;
		ack.status = (c->p->conf.policy ? (int32_t)TRAP_FILTER_GOVERN
						: 0) |
			     (c->p->conf.publish ? (int32_t)TRAP_FILTER_PUBLISH
						 : 0);
		(void)fdpass_send(fd, &ack, NULL, 0);
		return G_SOURCE_CONTINUE;
	}
	/*
	 * A shim that did not ask what to trap (lxnet-shim 0.1) built a filter
	 * that traps nothing of a policy or of published ports, nor entered
	 * the Landlock domain: its sandbox would not be held to them.
	 * (lxnet run's own socket relays lxnet exec's, filtered as recorded.)
	 */
	if (r == 0 && msg.kind == FDPASS_SECCOMP_LISTENER && !c->is_ctl &&
	    !c->hello && (c->p->conf.policy || c->p->conf.publish)) {
		log_warn("a shim that did not ask what to trap (lxnet-shim 0.1?) "
			 "would not hold its sandbox to the policy or the "
			 "published ports: use this lxnet's shim");
		r = -EPROTO;
	} else if (r == 0 && msg.kind == FDPASS_SECCOMP_LISTENER &&
		   n_fds >= 1 && n_fds <= (c->is_ctl ? 3u : 2u)) {
		/* an in-flight record only from lxnet run's own socket (--fd) */
		r = proxy_do_add_listener(c->p, fds, n_fds, msg.pid,
					  c->peer_uid, false);
		if (r == 0) {
			if (n_fds > 2)
				close(fds[2]);
			n_fds = 0; /* the thread owns the rest */
		}
	} else {
		r = -EBADMSG;
	}
	for (i = 0; i < n_fds; i++)
		close(fds[i]);
	ack.status = r;
	(void)fdpass_send(fd, &ack, NULL, 0);
	/* lxnet run's own socket (--fd) stays: it relays exec's listeners */
	if (r == -EBADMSG && !c->is_ctl) {
		log_warn("dropping a control client: malformed message");
		c->src = 0;
		client_free(c);
		return G_SOURCE_REMOVE;
	}
	if (r < 0)
		log_warn("refused a sandbox: %s", g_strerror(-r));
	return G_SOURCE_CONTINUE;
}

static gboolean client_on_idle(gpointer data)
{
	struct client *c = data;

	log_debug("dropping a control client of pid %d: idle for %d s",
		  (int)c->peer_pid, PROXY_CLIENT_IDLE_S);
	c->idle_src = 0;
	client_free(c);
	return G_SOURCE_REMOVE;
}

/* client_touch() - restart @c's idle timeout (not for the --fd socket). */
static void client_touch(struct client *c)
{
	if (c->is_ctl)
		return;
	if (c->idle_src)
		g_source_remove(c->idle_src);
	c->idle_src = g_timeout_add_seconds(PROXY_CLIENT_IDLE_S,
					    client_on_idle, c);
}

static int client_add(struct proxy *p, int fd, bool is_ctl,
		      const struct ucred *peer, bool oci)
{
	struct client *c = g_new0(struct client, 1);

	c->oci = oci ? oci_msg_new() : NULL;
	c->p = p;
	c->fd = fd;
	c->is_ctl = is_ctl;
	c->peer_pid = peer ? peer->pid : 0;
	c->peer_uid = peer ? peer->uid : geteuid();
	c->src = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
			       client_on_input, c);
	client_touch(c);
	p->clients = g_list_prepend(p->clients, c);
	return 0;
}

/**
 * proxy_refuse() - answer a control client @status and close it
 * @fd: the client's socket (non-blocking)
 * @status: the FDPASS_ACK status, a -errno
 *
 * A shim sends its listener without waiting to be admitted. Closing a
 * socket with that message still queued makes the kernel report
 * ECONNRESET to the peer before it can read our answer, so the peer is
 * first shut out (its later sends fail with EPIPE and it reads the answer
 * then), what it sent is drained (the fds in it closed), and only then is
 * the socket closed.
 */
static void proxy_refuse(int fd, int status)
{
	struct fdpass_msg ack = { .kind = FDPASS_ACK, .status = status };
	struct fdpass_msg msg;
	int fds[FDPASS_MAX_FDS];
	size_t n_fds;
	int i, r;

	(void)fdpass_send(fd, &ack, NULL, 0);
	(void)shutdown(fd, SHUT_RDWR);
	for (i = 0; i < PROXY_REFUSE_DRAIN; i++) {
		n_fds = 0;
		r = fdpass_recv(fd, &msg, fds, ELEMENTSOF(fds), &n_fds);
		while (n_fds > 0)
			close(fds[--n_fds]);
		if (r < 0 && r != -EBADMSG)
			break;
	}
	close(fd);
}

static gboolean proxy_on_accept(gint fd, GIOCondition cond, gpointer data);

/* The pause after EMFILE/ENFILE is over: accept again. */
static gboolean proxy_resume_accept(gpointer data)
{
	struct proxy *p = data;

	p->accept_pause_src = 0;
	p->listen_src = g_unix_fd_add(p->listen_fd, G_IO_IN, proxy_on_accept, p);
	return G_SOURCE_REMOVE;
}

/**
 * proxy_trusts_uid() - whether clients of @uid are served
 * @p: the proxy
 * @uid: the client's uid (SO_PEERCRED, in this user namespace)
 *
 * This user's and root's are; others only when --allow-user named them:
 * a listener hands over every socket() of its sandbox, and answering one of
 * another user's would act on that user's processes with this one's rights.
 */
static bool proxy_trusts_uid(const struct proxy *p, uid_t uid)
{
	guint i;

	if (uid == geteuid() || uid == 0 || p->allow_all)
		return true;
	for (i = 0; p->allow_uids && i < p->allow_uids->len; i++)
		if (g_array_index(p->allow_uids, uid_t, i) == uid)
			return true;
	return false;
}

/**
 * proxy_admit() - decide whether a new control connection is kept
 * @p: the proxy
 * @fd: the accepted connection
 * @ret_cred: the peer's credentials
 *
 * Keeps at most PROXY_CLIENTS_PER_PEER connections per process; at the
 * bound on clients the oldest other one is dropped, so a legitimate shim,
 * which sends its listener at once, is served however many idle
 * connections others open.
 *
 * Return: 0, -EPERM (an untrusted uid), -EUSERS (this process has too
 * many), or -errno of SO_PEERCRED.
 */
static int proxy_admit(struct proxy *p, int fd, struct ucred *ret_cred)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	unsigned int same = 0, n = 0;
	struct client *oldest = NULL;
	GList *i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (!proxy_trusts_uid(p, cred.uid)) {
		log_debug("refused a control client of uid %u (pid %d)",
			  (unsigned int)cred.uid, (int)cred.pid);
		return -EPERM;
	}
	for (i = p->clients; i; i = i->next) {
		struct client *c = i->data;

		if (c->is_ctl)
			continue;
		n++;
		oldest = c; /* the list is newest first */
		/* pid 0: the peer is in no pid namespace of ours (unknown) */
		if (cred.pid != 0 && c->peer_pid == cred.pid)
			same++;
	}
	if (same >= PROXY_CLIENTS_PER_PEER)
		return -EUSERS;
	if (n >= p->max_listeners && oldest) {
		log_debug("at %u control clients: dropping the oldest (pid %d)",
			  n, (int)oldest->peer_pid);
		client_free(oldest);
	}
	*ret_cred = cred;
	return 0;
}

static gboolean proxy_on_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct proxy *p = data;
	struct ucred peer;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0 && (errno == EMFILE || errno == ENFILE)) {
		/*
		 * The connection stays queued and the socket readable: without
		 * a pause this would spin. Sandboxes closing sockets free fds.
		 */
		log_warn("accept: %s; not accepting for %d ms",
			 g_strerror(errno), PROXY_ACCEPT_PAUSE_MS);
		p->listen_src = 0;
		p->accept_pause_src = g_timeout_add(PROXY_ACCEPT_PAUSE_MS,
						    proxy_resume_accept, p);
		return G_SOURCE_REMOVE;
	}
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept: %s", g_strerror(errno));
		return G_SOURCE_CONTINUE;
	}
	r = proxy_admit(p, cfd, &peer);
	if (r < 0) {
		proxy_refuse(cfd, r);
		return G_SOURCE_CONTINUE;
	}
	client_add(p, cfd, false, &peer, false);
	return G_SOURCE_CONTINUE;
}

/*
 * An OCI runtime connects (--oci-socket): admitted as a control client is;
 * refused ones are closed, the protocol having no answer.
 */
static gboolean proxy_on_oci_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct proxy *p = data;
	struct ucred peer;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept: %s", g_strerror(errno));
		return G_SOURCE_CONTINUE;
	}
	r = proxy_admit(p, cfd, &peer);
	if (r < 0) {
		log_warn("refused an OCI runtime: %s", g_strerror(-r));
		close(cfd);
		return G_SOURCE_CONTINUE;
	}
	client_add(p, cfd, false, &peer, true);
	return G_SOURCE_CONTINUE;
}

static gboolean proxy_on_signal(gpointer data)
{
	struct proxy *p = data;

	g_main_loop_quit(p->loop);
	return G_SOURCE_CONTINUE;
}

/*
 * SIGHUP, which asks daemons to read their configuration again: the
 * policy is read once, at start, so it is refused, loudly, and the proxy
 * goes on with the policy it has (rather than die, SIGHUP's default).
 */
static gboolean proxy_on_hangup(gpointer data)
{
	(void)data;
	log_warn("SIGHUP: the policy is not read again while running; it stays "
		 "as it was at start (start the proxy again to change it)");
	return G_SOURCE_CONTINUE;
}

/**
 * proxy_stop_listeners() - end the serving threads and free their listeners
 * @p: the proxy, its main loop no longer running
 *
 * Each sandbox still served loses its proxy: the listeners close, and its
 * trapped calls then fail ENOSYS, as when the proxy is killed. A thread
 * answering a call finishes it first (host queries have deadlines). The
 * wake-up is repeated because it may land just before a thread waits
 * again; the wait is bounded (PROXY_STOP_WAIT_MS).
 */
static void proxy_stop_listeners(struct proxy *p)
{
	gint64 deadline = g_get_monotonic_time() +
			  PROXY_STOP_WAIT_MS * G_TIME_SPAN_MILLISECOND;
	GList *i;

	while (p->listeners && g_get_monotonic_time() < deadline) {
		for (i = p->listeners; i; i = i->next)
			listener_stop(i->data);
		g_usleep(G_TIME_SPAN_MILLISECOND);
		/* listener_done_idle() joins and frees the finished ones */
		while (g_main_context_iteration(p->ctx, FALSE))
			;
	}
}

/* Sockets for many sandboxes: take the hard limit on open files. */
static void proxy_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The name usage lines and usage errors give. */
#define PROXY_PROG "lxnet-proxy"

/*
 * struct proxy_opts - the command line (read with src/cli.c)
 */
struct proxy_opts {
	char *socket_path;
	char *oci_path;
	bool default_path;
	char **allow_users;
	int fd;
	int max_listeners;
	gboolean no_sync_wakeup;
	gboolean poll_wait;
	gboolean no_sched_batch;
	gboolean verbose;
	char *netlink;
	struct view_policy policy;
	struct netpolicy netpolicy;
};

static void proxy_parse(int argc, char **argv, struct proxy_opts *o)
{
	const GOptionEntry entries[] = {
		{ "socket", 's', 0, G_OPTION_ARG_FILENAME, &o->socket_path,
		  "listen for lxnet shim clients at PATH (mode 0600; default "
		  "proxy.sock in $XDG_RUNTIME_DIR/lxnet, else /run/user/UID/"
		  "lxnet or $TMPDIR/lxnet-UID)", "PATH" },
		{ "oci-socket", 0, 0, G_OPTION_ARG_FILENAME, &o->oci_path,
		  "also listen at PATH (mode 0600) for OCI runtimes: crun's "
		  "run.oci.seccomp.receiver annotation, the OCI seccomp "
		  "listenerPath", "PATH" },
		{ "allow-user", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->allow_users,
		  "also serve shims of USER (name or uid; 'all' for any user); "
		  "by default only this user's and root's", "USER" },
		{ "fd", 0, 0, G_OPTION_ARG_INT, &o->fd,
		  "serve the connected socket N (from lxnet run); exit when it "
		  "is closed and no sandbox remains", "N" },
		{ "max-listeners", 'm', 0, G_OPTION_ARG_INT, &o->max_listeners,
		  "most sandboxes served at once (default 1024)", "N" },
		{ "no-sync-wakeup", 0, 0, G_OPTION_ARG_NONE, &o->no_sync_wakeup,
		  "do not ask for synchronous wake-ups (for measurements)", NULL },
		{ "poll-wait", 0, 0, G_OPTION_ARG_NONE, &o->poll_wait,
		  "wait in poll() before each receive (for measurements)", NULL },
		{ "no-sched-batch", 0, 0, G_OPTION_ARG_NONE, &o->no_sched_batch,
		  "serving threads stay SCHED_OTHER (for measurements)", NULL },
		{ "netlink", 0, 0, G_OPTION_ARG_STRING, &o->netlink,
		  "auto (the default): NETLINK_ROUTE sockets are the host's own "
		  "while the view hides no interface; emulated: always the "
		  "proxy's endpoints", "MODE" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose,
		  "debug messages", NULL },
		{ NULL },
	};
	const struct cli_spec spec = {
		.prog = PROXY_PROG,
		.summary =
		"Serve seccomp user notifications of sandboxes: create their\n"
		"AF_INET/AF_INET6 sockets in this network namespace. Listens at\n"
		"--socket PATH (by default proxy.sock in the user's runtime\n"
		"directory, said at start) or\n"
		"serves --fd N. See lxnet-proxy(8).",
		.entries = entries,
		.view = &o->policy,
		.policy = &o->netpolicy,
		.flags = CLI_VERSION,
	};
	int r = cli_parse(&spec, &argc, &argv);

	if (r != 0)
		exit(cli_exit_status(r));
	if (o->netlink && strcmp(o->netlink, "auto") != 0 &&
	    strcmp(o->netlink, "emulated") != 0) {
		cli_usage_error(PROXY_PROG, "invalid --netlink '%s' (want auto or emulated)",
				o->netlink);
		exit(CLI_EXIT_USAGE);
	}
	if (argc > 1 || (o->socket_path && o->fd >= 0) ||
	    (o->oci_path && o->fd >= 0) ||
	    o->max_listeners < 1 || o->max_listeners > PROXY_MAX_LISTENERS_LIMIT) {
		cli_usage_error(PROXY_PROG, "%s",
			argc > 1 ? "unexpected argument" :
			(o->max_listeners < 1 ||
			 o->max_listeners > PROXY_MAX_LISTENERS_LIMIT) ?
			"--max-listeners must be 1..65536" :
			o->oci_path && o->fd >= 0 ?
			"--oci-socket goes with --socket, not with --fd" :
			"give one of --socket PATH and --fd N, not both");
		exit(CLI_EXIT_USAGE);
	}
	if (!o->socket_path && o->fd < 0) {
		r = fdpass_default_path(&o->socket_path);
		if (r == -ENOENT)
			die("no default --socket path here: nested user "
			    "namespaces hide which user this is; give --socket "
			    "PATH");
		if (r < 0)
			die("out of memory");
		o->default_path = true;
	}
}

/**
 * proxy_parse_users() - the uids of --allow-user
 * @p: the proxy; its allow list is filled in
 * @users: the option's values (names, numbers, or "all")
 *
 * Runs at start-up: an unknown name is fatal (exit 2).
 */
static void proxy_parse_users(struct proxy *p, char **users)
{
	char **u;

	for (u = users; u && *u; u++) {
		struct passwd *pw;
		guint64 n;
		uid_t uid;

		if (strcmp(*u, "all") == 0) {
			p->allow_all = true;
			continue;
		}
		if (g_ascii_string_to_unsigned(*u, 10, 0, (uid_t)-2, &n, NULL)) {
			uid = (uid_t)n;
		} else if ((pw = getpwnam(*u))) {
			uid = pw->pw_uid;
		} else {
			cli_usage_error(PROXY_PROG, "--allow-user %s: no such user",
					*u);
			exit(CLI_EXIT_USAGE);
		}
		if (!p->allow_uids)
			p->allow_uids = g_array_new(FALSE, FALSE, sizeof(uid_t));
		g_array_append_val(p->allow_uids, uid);
	}
}

/* The default socket's directory (fdpass_runtime_dir()): made 0700, and
 * refused when another user owns it or may enter it. */
static void proxy_make_default_dir(const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);
	int r = fdpass_private_dir(dir, true, 022);

	if (r == -EPERM || r == -ENOTDIR)
		die("%s is not a directory only this user may change (another "
		    "owner, or others may write it): a socket there could be "
		    "replaced; remove it, or give --socket PATH", dir);
	if (r < 0)
		die("cannot create %s: %s", dir, g_strerror(-r));
}

static void proxy_setup_fd(struct proxy *p, int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		die("--fd %d: not a socket: %s", fd, g_strerror(errno));
	if (util_set_cloexec_nonblock(fd, true) < 0)
		die("--fd %d: %s", fd, g_strerror(errno));
	p->fd_mode = true;
	client_add(p, fd, true, NULL, false);
}

/**
 * proxy_start_model() - follow the host's network for the SIOCGIF* and
 * NETLINK_ROUTE answers, with the view policy of the command line
 * @p: the proxy; its main context exists
 * @policy: --hide-if and the other view options
 *
 * Runs at start-up, before any serving thread exists.
 */
static void proxy_start_model(struct proxy *p, const struct view_policy *policy)
{
	int r = proxy_model_start(&p->model, policy, p->ctx);

	if (r < 0)
		die("cannot follow the host's network: %s", g_strerror(-r));
	p->conf.model = &p->model;
	r = nlep_hub_new(&p->model, p->ctx, &p->conf.nlep);
	if (r < 0)
		die("cannot serve NETLINK_ROUTE: %s", g_strerror(-r));
}

int main(int argc, char **argv)
{
	struct proxy_opts o = { .fd = -1,
				.max_listeners = PROXY_MAX_LISTENERS_DEFAULT };
	/* static: see the end of main() */
	static struct proxy p = { .listen_fd = -1, .oci_fd = -1,
				  .exit_status = 0 };
	struct hostnames *names = NULL;
	int r;

	log_init("lxnet-proxy", LOG_LVL_WARN);
	view_policy_init(&o.policy);
	netpolicy_init(&o.netpolicy);
	proxy_parse(argc, argv, &o);
	if (o.verbose)
		log_set_level(LOG_LVL_DEBUG);
	signal(SIGPIPE, SIG_IGN);
	proxy_raise_nofile();
	p.conf.sync_wakeup = !o.no_sync_wakeup;
	p.conf.wait_poll = o.poll_wait;
	p.conf.sched_batch = !o.no_sched_batch;
	p.max_listeners = (unsigned int)o.max_listeners;
	if (netpolicy_active(&o.netpolicy))
		p.conf.policy = &o.netpolicy;
	if (netpolicy_publishing(&o.netpolicy)) {
		p.conf.publish = &o.netpolicy;
		p.conf.publish_said = g_new0(gint, NETPOLICY_MAX_PUBLISH);
	}
	if ((p.conf.policy || p.conf.publish) && o.oci_path) {
		/* an OCI profile does not trap connect/bind/sends (oci.c) */
		cli_usage_error(PROXY_PROG, "--oci-socket cannot enforce a "
				"connection policy or publish ports yet: give no "
				"--allow, --deny, --no-host-loopback, --policy, "
				"--log-connections or --publish with it");
		exit(CLI_EXIT_USAGE);
	}
	if (o.netpolicy.log_path) {
		r = connlog_open(o.netpolicy.log_path, &p.conf.connlog);
		if (r < 0)
			die("cannot open the connection log %s: %s",
			    o.netpolicy.log_path, g_strerror(-r));
	}
	r = proxy_conf_init(&p.conf);
	if (r == -EOPNOTSUPP)
		die("this kernel has no seccomp user notification (Linux 5.14 or later needed)");
	if (r < 0)
		die("cannot set up: %s", g_strerror(-r));
	p.conf.netlink_host = (!o.netlink || strcmp(o.netlink, "auto") == 0) &&
			      !(o.policy.hide_if && o.policy.hide_if[0]);
	if (p.conf.netlink_host && (r = sockets_netlink_host_init(&p.conf)) < 0)
		log_debug("NETLINK_ROUTE stays emulated: %s", g_strerror(-r));
	p.ctx = g_main_context_default();
	p.loop = g_main_loop_new(p.ctx, FALSE);
	/* before the start-up's waits (host names: up to 3 s), not after */
	g_unix_signal_add(SIGHUP, proxy_on_hangup, &p);
	proxy_parse_users(&p, o.allow_users);
	proxy_start_model(&p, &o.policy);
	if (p.conf.policy) {
		r = hostnames_start(p.conf.policy, &p.model, &names);
		if (r < 0)
			die("cannot resolve the policy's host names: %s",
			    g_strerror(-r));
	}
	startwarn_all(p.conf.policy, p.conf.publish);
	if (o.default_path)
		proxy_make_default_dir(o.socket_path);
	if (o.socket_path) {
		r = fdpass_listen(o.socket_path, SOCK_SEQPACKET, &p.listen_fd);
		if (r == -EADDRINUSE)
			die("another lxnet-proxy is listening at %s", o.socket_path);
		if (r == -EEXIST)
			die("%s exists and is not a socket", o.socket_path);
		if (r < 0)
			die("cannot listen at %s: %s", o.socket_path, g_strerror(-r));
		p.socket_path = o.socket_path;
		p.listen_src = g_unix_fd_add(p.listen_fd, G_IO_IN,
					     proxy_on_accept, &p);
		/* a default path depends on the environment: say which */
		if (o.default_path)
			fprintf(stderr, "lxnet-proxy: listening at %s\n",
				o.socket_path);
	} else {
		proxy_setup_fd(&p, o.fd);
	}
	if (o.oci_path) {
		r = fdpass_listen(o.oci_path, SOCK_STREAM, &p.oci_fd);
		if (r == -EADDRINUSE)
			die("something is listening at %s", o.oci_path);
		if (r == -EEXIST)
			die("%s exists and is not a socket", o.oci_path);
		if (r < 0)
			die("cannot listen at %s: %s", o.oci_path, g_strerror(-r));
		p.oci_path = o.oci_path;
		p.oci_src = g_unix_fd_add(p.oci_fd, G_IO_IN,
					  proxy_on_oci_accept, &p);
	}
	g_unix_signal_add(SIGTERM, proxy_on_signal, &p);
	g_unix_signal_add(SIGINT, proxy_on_signal, &p);

	g_main_loop_run(p.loop);

	if (p.socket_path)
		unlink(p.socket_path);
	if (p.oci_path)
		unlink(p.oci_path);
	if (p.oci_src)
		g_source_remove(p.oci_src);
	if (p.oci_fd >= 0)
		close(p.oci_fd);
	while (p.clients)
		client_free(p.clients->data);
	if (p.listen_src)
		g_source_remove(p.listen_src);
	if (p.accept_pause_src)
		g_source_remove(p.accept_pause_src);
	if (p.listen_fd >= 0)
		close(p.listen_fd);
	proxy_stop_listeners(&p);
	hostnames_stop(names);
	/*
	 * A thread that did not end in time is still using the hub and the
	 * model: both are then left to process exit instead of freed under it
	 * (p is static for the same reason).
	 */
	if (p.n_listeners == 0) {
		nlep_hub_free(p.conf.nlep);
		proxy_model_stop(&p.model);
		connlog_close(p.conf.connlog);
		g_free(p.conf.publish_said);
	} else {
		log_warn("%u serving threads did not end; exiting under them",
			 p.n_listeners);
	}
	g_main_loop_unref(p.loop);
	g_free(o.socket_path);
	g_free(o.oci_path);
	g_free(o.netlink);
	g_strfreev(o.allow_users);
	if (p.allow_uids)
		g_array_free(p.allow_uids, TRUE);
	view_policy_clear(&o.policy);
	netpolicy_clear(&o.netpolicy);
	return p.exit_status;
}
