// SPDX-License-Identifier: LGPL-2.1-or-later
/* run_named.c - `lxnet run --name`: register the sandbox, relay exec's listeners */
/*
 * Theory of operation
 *
 * `lxnet run --name NAME` claims NAME in the registry (src/registry.c)
 * before it starts anything, publishes the sandbox's info once lxnet-proxy
 * serves the sandbox (set-up is then complete: mounts, pivot_root, view),
 * and removes the entry when it ends.
 *
 * `lxnet exec` joins the sandbox's namespaces and installs the same seccomp
 * filter, but its listener must reach this sandbox's lxnet-proxy. The
 * proxy (--fd mode) accepts any number of FDPASS_SECCOMP_LISTENER messages
 * on its control socket and answers each, in order, with FDPASS_ACK; so
 * lxnet run keeps that socket open and relays: it accepts a connection on
 * the entry's socket (same uid only), reads one listener with its network
 * namespace (which must be the sandbox's: the proxy serves only callers
 * in it), sends them to the
 * proxy tagged with the sandbox's pid (the identity the proxy was given
 * for the sandbox's own listener) and queues the connection; each later
 * ACK from the proxy goes to the oldest queued connection. Connections are
 * accepted only once the proxy has answered for the sandbox's own listener,
 * so the answers cannot be mixed up.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdpass.h"
#include "log.h"
#include "registry.h"
#include "run_named.h"
#include "seccomp_notif.h"
#include "util.h"

/* Bound on exec requests waiting for the proxy's answer. */
#define RUN_NAMED_MAX_WAITING 16
/* How long an accepted exec client has to send its listener. */
#define RUN_NAMED_CLIENT_MS 2000

struct run_named {
	struct registry_entry *entry;
	char *name;
	uint64_t netns_ino; /* the sandbox's network namespace, once published */
	int client; /* the exec client being received, or -1 */
	gint64 client_deadline; /* when that client is dropped (monotonic µs) */
	GQueue waiting; /* GINT_TO_POINTER(fd), oldest first */
	bool published;
};

/**
 * run_named_claim() - claim @name before the sandbox starts
 * @name: the --name
 * @ret: the registration (run_named_free())
 *
 * Return: 0 or -errno (reported: one line).
 */
int run_named_claim(const char *name, struct run_named **ret)
{
	struct registry_entry *e = NULL;
	g_autofree char *dir = NULL;
	struct run_named *n;
	int r;

	if (registry_name_check(name) < 0) {
		log_err("invalid --name '%s': use 1 to %d letters, digits, '_', '.' or '-', starting with a letter or digit",
			name, REGISTRY_NAME_MAX);
		return -EINVAL;
	}
	r = registry_claim(name, &e);
	if (r == -EADDRINUSE) {
		log_err("the name '%s' is in use by a running sandbox", name);
		return r;
	}
	if (r < 0) {
		if (registry_dir(false, &dir) < 0)
			dir = g_strdup("the registry directory");
		log_err("cannot register sandbox '%s' in %s: %s", name, dir,
			strerror(-r));
		return r;
	}
	n = g_new0(struct run_named, 1);
	n->entry = e;
	n->name = g_strdup(name);
	n->client = -1;
	g_queue_init(&n->waiting);
	*ret = n;
	return 0;
}

static void run_named_reply(int fd, int status)
{
	struct fdpass_msg m = { .kind = FDPASS_ACK, .status = status };

	(void)fdpass_send(fd, &m, NULL, 0);
	close(fd);
}

void run_named_free(struct run_named *n)
{
	if (!n)
		return;
	while (!g_queue_is_empty(&n->waiting))
		run_named_reply(GPOINTER_TO_INT(g_queue_pop_head(&n->waiting)),
				-ESRCH);
	closep(&n->client);
	registry_entry_free(n->entry);
	g_free(n->name);
	g_free(n);
}

/**
 * run_named_publish() - the sandbox is set up: tell exec and ps about it
 * @n: registration (NULL: not named, nothing to do)
 * @pid: the sandbox's first process
 * @pid_ns: --pid
 * @has_root: --root
 * @filter_flags: TRAP_FILTER_* of the sandbox's filter
 * @argv: CMD
 *
 * A failure is reported and leaves the sandbox running, unnamed.
 */
void run_named_publish(struct run_named *n, pid_t pid, bool pid_ns,
		       bool has_root, unsigned int filter_flags, char **argv)
{
	struct registry_info info;
	int r;

	if (!n || n->published)
		return;
	r = registry_fill(&info, n->name, pid, pid_ns, has_root, argv);
	if (r == 0) {
		info.filter_flags = filter_flags;
		n->netns_ino = info.ns[REGISTRY_NS_NET];
		r = registry_publish(n->entry, &info);
		g_free(info.name);
		g_free(info.command);
	}
	if (r == -ESRCH || r == -ENOENT) /* CMD ended already */
		log_debug("sandbox ended before it could be published");
	else if (r < 0)
		log_warn("cannot publish the sandbox's registry entry: %s",
			 strerror(-r));
	else
		n->published = true;
}

/**
 * run_named_fd() - the socket to poll for exec requests
 * @n: registration or NULL
 *
 * Return: the exec client being received, else the listening socket; -1
 * when not named or not published yet.
 */
int run_named_fd(const struct run_named *n)
{
	if (!n || !n->published)
		return -1;
	return n->client >= 0 ? n->client : registry_entry_sock(n->entry);
}

/*
 * Read the listener and network namespace the client sends (fdpass.h);
 * -EAGAIN while it has not yet. The namespace must be the sandbox's and
 * the listener a listener: anything else relayed would make the proxy
 * drop lxnet run's own control connection, and every later exec with it.
 */
static int run_named_recv(const struct run_named *n, int cfd, int *ret_fds)
{
	struct fdpass_msg m;
	int fds[FDPASS_MAX_FDS];
	size_t n_fds = 0, i;
	struct stat st;
	int r;

	r = fdpass_recv(cfd, &m, fds, ELEMENTSOF(fds), &n_fds);
	if (r < 0)
		return r;
	if (m.kind != FDPASS_SECCOMP_LISTENER || n_fds != 2 ||
	    fstat(fds[1], &st) < 0 || st.st_ino != n->netns_ino ||
	    !notif_is_listener(fds[0])) {
		for (i = 0; i < n_fds; i++)
			close(fds[i]);
		return -EBADMSG;
	}
	ret_fds[0] = fds[0];
	ret_fds[1] = fds[1];
	return 0;
}

/* Accept one exec client (same uid or root) as the one being received. */
static void run_named_accept(struct run_named *n)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	_cleanup_close_ int cfd = -1;

	cfd = accept4(registry_entry_sock(n->entry), NULL, NULL,
		      SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != getuid() && cred.uid != 0))
		return;
	if (g_queue_get_length(&n->waiting) >= RUN_NAMED_MAX_WAITING) {
		run_named_reply(steal_fd(&cfd), -EUSERS);
		return;
	}
	n->client = steal_fd(&cfd);
	n->client_deadline = g_get_monotonic_time() +
			     RUN_NAMED_CLIENT_MS * G_TIME_SPAN_MILLISECOND;
}

/**
 * run_named_timeout() - milliseconds until the exec client being received
 * is dropped, for the loop's poll()
 * @n: registration, or NULL
 *
 * Return: -1 when no client is being received.
 */
int run_named_timeout(const struct run_named *n)
{
	gint64 left;

	if (!n || n->client < 0)
		return -1;
	left = n->client_deadline - g_get_monotonic_time();
	return left > 0 ? (int)(left / 1000) + 1 : 0;
}

/**
 * run_named_tick() - drop the exec client being received when it has not
 * sent its listener in time (a stopped or hostile client must not keep
 * every other lxnet exec out); it gets ETIMEDOUT
 * @n: registration, or NULL
 */
void run_named_tick(struct run_named *n)
{
	if (!n || n->client < 0 || g_get_monotonic_time() < n->client_deadline)
		return;
	log_debug("exec client silent for %d ms: dropped", RUN_NAMED_CLIENT_MS);
	run_named_reply(n->client, -ETIMEDOUT);
	n->client = -1;
}

/**
 * run_named_ready() - the socket of run_named_fd() is readable
 * @n: registration
 * @proxy_sock: lxnet run's control socket to lxnet-proxy, or -1
 * @sandbox_pid: the sandbox's first process (the proxy's identity for it)
 *
 * One exec client is received at a time: it connected before it joined
 * the sandbox and sends its listener a few milliseconds later, and the
 * loop must not wait for it. The listener is relayed to the proxy and the
 * client queued for the answer (at most RUN_NAMED_MAX_WAITING); others
 * wait in the listen backlog meanwhile. A client that ends first is
 * dropped.
 */
void run_named_ready(struct run_named *n, int proxy_sock, pid_t sandbox_pid)
{
	struct fdpass_msg m = { .kind = FDPASS_SECCOMP_LISTENER,
				.pid = sandbox_pid };
	int fds[2] = { -1, -1 };
	int r;

	if (n->client < 0) {
		run_named_accept(n);
		return;
	}
	r = run_named_recv(n, n->client, fds);
	if (r == -EAGAIN || r == -EINTR)
		return;
	if (r == 0)
		r = proxy_sock < 0 ? -EIO : fdpass_send(proxy_sock, &m, fds, 2);
	closep(&fds[0]);
	closep(&fds[1]);
	if (r < 0) {
		log_debug("exec request dropped: %s", strerror(-r));
		run_named_reply(n->client, r == -EPIPE ? -EIO : r);
	} else {
		log_debug("relayed an exec listener to lxnet-proxy");
		g_queue_push_tail(&n->waiting, GINT_TO_POINTER(n->client));
	}
	n->client = -1;
}

/**
 * run_named_answer() - the proxy answered a relayed listener
 * @n: registration
 * @status: the proxy's FDPASS_ACK status, or -EIO when it has gone (then
 *          every waiting client gets it)
 */
void run_named_answer(struct run_named *n, int status)
{
	if (!n)
		return;
	do {
		if (g_queue_is_empty(&n->waiting))
			return;
		run_named_reply(GPOINTER_TO_INT(g_queue_pop_head(&n->waiting)),
				status);
	} while (status == -EIO);
}

/* In the cloned child: drop our copies without touching the entry. */
void run_named_child_close(struct run_named *n)
{
	if (!n)
		return;
	closep(&n->client);
	registry_entry_forget(n->entry);
}
