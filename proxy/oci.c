// SPDX-License-Identifier: LGPL-2.1-or-later
/* oci.c - the seccomp receiver protocol of OCI runtimes (crun's run.oci.seccomp.receiver, OCI listenerPath) */
/*
 * An OCI runtime that is told where a seccomp agent listens (the
 * `listenerPath` of the config's seccomp section, or crun's
 * `run.oci.seccomp.receiver` annotation) connects there with an AF_UNIX
 * SOCK_STREAM socket before it starts the container, and, once the
 * container's filter is loaded, sends one message: the listener fd as
 * SCM_RIGHTS and, in the same bytes, a JSON document (the OCI "container
 * process state": ociVersion, fds, pid, metadata, and the container's
 * state with its id, status, pid, bundle and annotations). It waits for no
 * answer. Stream sockets keep no message boundaries, so the bytes are
 * gathered until they parse as one JSON object, up to OCI_MSG_MAX.
 *
 * The container's network namespace is the one the proxy serves: it is
 * opened through a pidfd of the pid in the message, which is checked to
 * be still alive after the open, so a reused pid cannot name another
 * process's namespace.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "jsonscan.h"
#include "proxy_int.h"
#include "util.h"

/*
 * struct oci_msg - what has arrived of one runtime's message
 * @buf: the bytes so far (at most OCI_MSG_MAX)
 * @fd: the listener fd it carried, or -1
 * @pid: the container's pid, once the message is complete (else 0)
 * @pidfd: a pidfd of @pid taken then, or -1
 * @deadline: until when (g_get_monotonic_time()) its namespace may still
 *	be refused to us
 */
struct oci_msg {
	GByteArray *buf;
	int fd;
	pid_t pid;
	int pidfd;
	gint64 deadline;
};

struct oci_msg *oci_msg_new(void)
{
	struct oci_msg *m = g_new0(struct oci_msg, 1);

	m->buf = g_byte_array_new();
	m->fd = -1;
	m->pidfd = -1;
	return m;
}

void oci_msg_free(struct oci_msg *m)
{
	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);
	if (m->pidfd >= 0)
		close(m->pidfd);
	g_byte_array_unref(m->buf);
	g_free(m);
}

/**
 * oci_read() - read what is there from a runtime's connection into @m
 * @m: the message so far
 * @fd: the connection (non-blocking)
 * @ret_eof: set when the runtime closed its end
 *
 * Takes one fd from the first SCM_RIGHTS and closes any other.
 *
 * Return: 0, -EAGAIN (nothing to read), -EMSGSIZE (past OCI_MSG_MAX) or
 * -errno.
 */
static int oci_read(struct oci_msg *m, int fd, bool *ret_eof)
{
	char data[4096];
	char ctrl[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctrl, .msg_controllen = sizeof(ctrl),
	};
	struct cmsghdr *cm;
	ssize_t n;

	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t i, nfd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int rfd;

			memcpy(&rfd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (m->fd < 0)
				m->fd = rfd;
			else
				close(rfd);
		}
	}
	*ret_eof = n == 0;
	if (m->buf->len + (size_t)n > OCI_MSG_MAX)
		return -EMSGSIZE;
	g_byte_array_append(m->buf, (const guint8 *)data, (guint)n);
	return 0;
}

/**
 * oci_msg_pid() - the container's pid from a message
 * @m: the message so far
 * @ret: the pid
 *
 * The OCI container process state carries the pid twice: at the top and
 * in "state"; either will do, the top one first.
 *
 * Return: 0, -EAGAIN when the bytes so far are the start of a JSON
 * document, or -EBADMSG (not JSON, or no pid in it).
 */
static int oci_msg_pid(const struct oci_msg *m, pid_t *ret)
{
	static const char *const top[] = { "pid", NULL };
	static const char *const in_state[] = { "state", "pid", NULL };
	const char *text = (const char *)m->buf->data;
	int64_t pid = 0;
	int r;

	r = jsonscan_int(text, m->buf->len, top, &pid);
	if (r == -ENOENT || (r == 0 && pid <= 0))
		r = jsonscan_int(text, m->buf->len, in_state, &pid);
	if (r == -EAGAIN)
		return r;
	if (r < 0 || pid <= 0 || pid >= INT32_MAX)
		return -EBADMSG;
	*ret = (pid_t)pid;
	return 0;
}

/* oci_pid_exited() - whether the process of @pidfd has exited (its pidfd is readable then) */
static bool oci_pid_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) != 0;
}

/**
 * oci_msg_netns() - open the network namespace of the message's container
 * @m: a complete message (oci_recv() returned 0)
 * @ret_listener: the seccomp listener fd (the caller owns it)
 * @ret_netns: the container's network namespace (the caller owns it)
 * @ret_pid: the container's pid
 *
 * The pidfd was taken when the message was complete and is checked after
 * the open (a pidfd turns readable when its process exits; no permission
 * to signal is needed): a pid reused since cannot name another process's
 * namespace. The runtime sends the listener before the container execs
 * its command: until then the process may not be dumpable, and
 * /proc/PID/ns is refused to a proxy without CAP_SYS_PTRACE over the
 * user namespace its memory belongs to (rootless crun: the initial one).
 * Such a refusal is -EAGAIN until OCI_NETNS_WAIT_MS after the message.
 *
 * Return: 0 (the fds handed over), -EAGAIN (ask again later), -ESRCH
 * (the container is gone) or -errno.
 */
int oci_msg_netns(struct oci_msg *m, int *ret_listener, int *ret_netns,
		  pid_t *ret_pid)
{
	_cleanup_close_ int ns = -1;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)m->pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0 && (errno == EACCES || errno == EPERM) &&
	    g_get_monotonic_time() < m->deadline && !oci_pid_exited(m->pidfd))
		return -EAGAIN;
	if (ns < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if (oci_pid_exited(m->pidfd))
		return -ESRCH;
	*ret_listener = m->fd;
	m->fd = -1;
	*ret_netns = steal_fd(&ns);
	*ret_pid = m->pid;
	return 0;
}

/**
 * oci_recv() - take in what a runtime sent
 * @m: the connection's message so far
 * @fd: the connection (non-blocking)
 *
 * Once the message is all there (a JSON object, and the listener fd), the
 * container's pid is read from it and a pidfd taken; then
 * oci_msg_netns() hands over what the listener needs.
 *
 * Return: 0 when the message is complete, -EAGAIN when more is to come,
 * -ECONNRESET when the runtime left before sending it all, -EBADMSG for
 * anything else than the protocol (too long, no fd, not JSON, no pid),
 * -ESRCH when the container is already gone, or -errno.
 */
int oci_recv(struct oci_msg *m, int fd)
{
	bool eof = false;
	pid_t pid = 0;
	int r;

	r = oci_read(m, fd, &eof);
	if (r == -EMSGSIZE)
		return -EBADMSG;
	if (r < 0)
		return r;
	if (m->buf->len == 0)
		return eof ? -ECONNRESET : -EAGAIN;
	r = oci_msg_pid(m, &pid);
	if (r == -EAGAIN)
		return eof ? -EBADMSG : -EAGAIN;
	if (r < 0 || m->fd < 0)
		return -EBADMSG;
	m->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (m->pidfd < 0)
		return -errno;
	m->pid = pid;
	m->deadline = g_get_monotonic_time() +
		      OCI_NETNS_WAIT_MS * G_TIME_SPAN_MILLISECOND;
	return 0;
}
