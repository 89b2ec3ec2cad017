// SPDX-License-Identifier: LGPL-2.1-or-later
/* seccomp_notif.c - the SECCOMP_IOCTL_NOTIF_* ioctls, each issued here only */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include "seccomp_notif.h"

/**
 * notif_recv() - wait for the next notification
 * @listener: the listener fd
 * @req: where to (@size bytes, zeroed here first as the kernel requires)
 * @size: the kernel's struct seccomp_notif size (SECCOMP_GET_NOTIF_SIZES)
 *
 * Return: 0, or -errno (-EINTR: a signal; -ENOENT: the caller died before
 * it was read, or every task of the filter has gone).
 */
int notif_recv(int listener, struct seccomp_notif *req, size_t size)
{
	memset(req, 0, size);
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0 ? -errno : 0;
}

/**
 * notif_id_valid() - whether notification @id is still pending
 * @listener: the listener fd
 * @id: the notification
 *
 * A pending notification holds its caller, so what was read about the
 * caller's pid before this check was about the caller (pid reuse).
 *
 * Return: 0, -ENOENT when the caller is gone or was interrupted, or -errno.
 */
int notif_id_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0 ?
	       -errno : 0;
}

/**
 * notif_reply() - answer a notification with a handler's result
 * @listener: the listener fd
 * @id: the notification
 * @result: a value, -errno, NOTIF_CONTINUE, or NOTIF_ANSWERED (nothing
 *	is sent)
 *
 * CONTINUE lets the kernel run the call on the caller's memory as it is
 * then: nothing decided on the proxy's copy of the arguments may rely on it.
 *
 * Return: 0, also when the caller is gone (ENOENT), or -errno.
 */
int notif_reply(int listener, uint64_t id, int64_t result)
{
	struct seccomp_notif_resp resp = { .id = id };

	if (result == NOTIF_ANSWERED)
		return 0;
	if (result == NOTIF_CONTINUE)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (result < 0)
		resp.error = (int32_t)result;
	else
		resp.val = result;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

/**
 * notif_addfd() - install @srcfd in the caller and answer with its number
 * @listener: the listener fd
 * @id: the notification
 * @srcfd: the proxy's fd (the caller closes its own copy)
 * @newfd: the number to install at (replacing what is there), or -1 for the
 *	lowest free one
 * @cloexec: O_CLOEXEC on the caller's fd
 *
 * SECCOMP_ADDFD_FLAG_SEND (Linux 5.14) installs and answers atomically. On
 * an older kernel (EINVAL for the flag) the fd is added and its number sent
 * in a second step.
 *
 * Return: the caller's fd number, or -errno (-ENOENT: the caller is gone;
 * -EMFILE: its table is full; the call is then still unanswered).
 */
int notif_addfd(int listener, uint64_t id, int srcfd, int newfd, bool cloexec)
{
	struct seccomp_notif_addfd add = {
		.id = id,
		.flags = SECCOMP_ADDFD_FLAG_SEND |
			 (newfd >= 0 ? SECCOMP_ADDFD_FLAG_SETFD : 0),
		.srcfd = (uint32_t)srcfd,
		.newfd = newfd >= 0 ? (uint32_t)newfd : 0,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	int r;

	r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	if (r >= 0)
		return r;
	if (errno != EINVAL)
		return -errno;
	add.flags &= ~(uint32_t)SECCOMP_ADDFD_FLAG_SEND;
	r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	if (r < 0)
		return -errno;
	(void)notif_reply(listener, id, r); /* gone: the fd stays, harmless */
	return r;
}

/**
 * notif_set_sync_wakeup() - ask for synchronous wake-ups on @listener
 * @listener: the listener fd
 *
 * The caller's thread then wakes on the answering CPU (Linux 6.6).
 *
 * Return: 0 or -errno (-EINVAL before Linux 6.6).
 */
int notif_set_sync_wakeup(int listener)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		     (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0 ?
	       -errno : 0;
}

/**
 * notif_is_listener() - whether @fd is a seccomp user-notification fd
 * @fd: a received fd
 *
 * NOTIF_ID_VALID of an unknown id answers ENOENT on a listener, ENOTTY or
 * EINVAL on any other file.
 */
bool notif_is_listener(int fd)
{
	return notif_id_valid(fd, 0) == -ENOENT;
}
