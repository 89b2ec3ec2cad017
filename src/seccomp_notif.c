// SPDX-License-Identifier: LGPL-2.1-or-later
/* seccomp_notif.c - the SECCOMP_IOCTL_NOTIF_* ioctls, each issued here only */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fdpass.h"
#include "seccomp_notif.h"

/*
 * The in-flight record. A notification the proxy took (NOTIF_RECV) and
 * has not answered stays pending in the kernel, its caller waiting; if
 * the proxy dies then, only a holder of the listener can answer it, and
 * NOTIF_RECV never hands it out again. So the proxy keeps the ids it has
 * taken in a shared memory file whose other holder (lxnet run) outlives
 * it; the next proxy answers every id there that NOTIF_ID_VALID still
 * calls pending (notif_journal_open()).
 *
 * Ids are consecutive per filter (the kernel counts from a random start),
 * so id % NOTIF_JOURNAL_SLOTS is a slot that is almost always free: the
 * ids around it were answered long ago. An id goes into the first free
 * slot of NOTIF_JOURNAL_PROBE from there and leaves it when it is answered
 * (notif_reply(), notif_addfd(), whichever thread answers); 0 marks a free
 * slot. A slot is also taken back from an id that is no longer pending
 * (its caller died, or a handler left it, NOTIF_ANSWERED, without an
 * answer of ours): one NOTIF_ID_VALID, only when the slot is in use. A
 * call parked for long (a blocking receive) keeps its slot. An id finding
 * every slot of its probe held by pending calls is not recorded
 * (notif_journal_add() says so): after a crash its caller would wait
 * until it is killed (the filter's WAIT_KILLABLE_RECV lets no other
 * signal in); so would the caller of a call taken in the instant between
 * NOTIF_RECV and its recording, should the proxy die right then. Slots
 * are read and written with atomics, without a lock.
 */
#define NOTIF_JOURNAL_PROBE 32

/*
 * struct notif_journal - a proxy's in-flight record for one listener
 * @listener: the listener the ids are of
 * @slots: NOTIF_JOURNAL_SLOTS ids, 0 for a free slot (shared mapping)
 * @refs: references (the serving thread, pool jobs answering for it)
 */
struct notif_journal {
	int listener;
	uint64_t *slots;
	int refs;
};

/**
 * notif_journal_open() - take over an in-flight record
 * @listener: the listener its ids are of
 * @memfd: the shared memory file, NOTIF_JOURNAL_SIZE bytes or more (all
 *	zero when new), fdpass_check_memfd()'s: mapped, not kept open
 * @ret: the record (notif_journal_unref())
 * @ret_answered: how many calls an earlier proxy left unanswered and were
 *	now answered EINTR, as if a signal had interrupted them
 *
 * Return: 0, -EBADMSG when @memfd is not such a file, or -errno.
 */
int notif_journal_open(int listener, int memfd, struct notif_journal **ret,
		       unsigned int *ret_answered)
{
	struct notif_journal *j;
	unsigned int n = 0;
	size_t i;
	void *m;
	int r = fdpass_check_memfd(memfd, NOTIF_JOURNAL_SIZE);

	if (r < 0)
		return r;
	m = mmap(NULL, NOTIF_JOURNAL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 memfd, 0);
	if (m == MAP_FAILED)
		return -errno;
	j = calloc(1, sizeof(*j));
	if (!j) {
		munmap(m, NOTIF_JOURNAL_SIZE);
		return -ENOMEM;
	}
	j->listener = listener;
	j->slots = m;
	j->refs = 1;
	for (i = 0; i < NOTIF_JOURNAL_SLOTS; i++) {
		uint64_t id = __atomic_load_n(&j->slots[i], __ATOMIC_RELAXED);

		if (id == 0)
			continue;
		if (notif_id_valid(listener, id) == 0 &&
		    notif_reply(NULL, listener, id, -EINTR) == 0)
			n++;
		__atomic_store_n(&j->slots[i], 0, __ATOMIC_RELAXED);
	}
	*ret = j;
	*ret_answered = n;
	return 0;
}

struct notif_journal *notif_journal_ref(struct notif_journal *j)
{
	if (j)
		__atomic_add_fetch(&j->refs, 1, __ATOMIC_RELAXED);
	return j;
}

void notif_journal_unref(struct notif_journal *j)
{
	if (!j || __atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	munmap(j->slots, NOTIF_JOURNAL_SIZE);
	free(j);
}

/**
 * notif_journal_add() - record a notification just taken
 * @j: the record, or NULL (nothing is recorded)
 * @id: the notification's id
 *
 * Return: false when @id could not be recorded (every slot of its probe
 * holds a pending call).
 */
bool notif_journal_add(struct notif_journal *j, uint64_t id)
{
	size_t k;

	if (!j || id == 0)
		return true;
	for (k = 0; k < NOTIF_JOURNAL_PROBE; k++) {
		uint64_t *slot = &j->slots[(id + k) % NOTIF_JOURNAL_SLOTS];
		uint64_t old = __atomic_load_n(slot, __ATOMIC_RELAXED);

		if (old != 0 && notif_id_valid(j->listener, old) == 0)
			continue;
		if (__atomic_compare_exchange_n(slot, &old, id, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/* An answer went out (or its caller is gone): free the id's slot. */
static void notif_journal_del(struct notif_journal *j, uint64_t id)
{
	size_t k;

	if (!j || id == 0)
		return;
	for (k = 0; k < NOTIF_JOURNAL_PROBE; k++) {
		uint64_t *slot = &j->slots[(id + k) % NOTIF_JOURNAL_SLOTS];
		uint64_t old = id;

		if (__atomic_compare_exchange_n(slot, &old, 0, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return;
	}
}

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
 * @j: the listener's in-flight record, or NULL
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
int notif_reply(struct notif_journal *j, int listener, uint64_t id,
		int64_t result)
{
	struct seccomp_notif_resp resp = { .id = id };
	int r = 0;

	if (result == NOTIF_ANSWERED)
		return 0;
	if (result == NOTIF_CONTINUE)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (result < 0)
		resp.error = (int32_t)result;
	else
		resp.val = result;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 &&
	    errno != ENOENT)
		r = -errno;
	notif_journal_del(j, id);
	return r;
}

/* The one SECCOMP_IOCTL_NOTIF_ADDFD: the added number, or -errno. */
static int notif_addfd_ioctl(int listener, uint64_t id, uint32_t flags,
			     int srcfd, int newfd, bool cloexec)
{
	struct seccomp_notif_addfd add = {
		.id = id,
		.flags = flags | (newfd >= 0 ? SECCOMP_ADDFD_FLAG_SETFD : 0),
		.srcfd = (uint32_t)srcfd,
		.newfd = newfd >= 0 ? (uint32_t)newfd : 0,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	int r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);

	return r < 0 ? -errno : r;
}

/**
 * notif_addfd() - install @srcfd in the caller and answer with its number
 * @j: the listener's in-flight record, or NULL
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
int notif_addfd(struct notif_journal *j, int listener, uint64_t id,
		int srcfd, int newfd, bool cloexec)
{
	int r;

	r = notif_addfd_ioctl(listener, id, SECCOMP_ADDFD_FLAG_SEND, srcfd,
			      newfd, cloexec);
	if (r >= 0 || r == -ENOENT) {
		notif_journal_del(j, id);
		return r;
	}
	if (r != -EINVAL)
		return r;
	r = notif_addfd_ioctl(listener, id, 0, srcfd, newfd, cloexec);
	if (r < 0)
		return r;
	/* gone: the fd stays, harmless */
	(void)notif_reply(j, listener, id, r);
	return r;
}

/**
 * notif_replacefd() - put @srcfd at the caller's fd @newfd, not answering
 * @listener: the listener fd
 * @id: the notification
 * @srcfd: the proxy's fd
 * @newfd: the caller's fd number; what is there is closed, as by dup3()
 * @cloexec: O_CLOEXEC on the caller's fd
 *
 * For a call that goes on to answer something else than the fd number
 * (a connect() made on a socket put in place of the caller's): the caller
 * stays waiting until notif_reply().
 *
 * Return: 0 or -errno (-ENOENT: the caller is gone).
 */
int notif_replacefd(int listener, uint64_t id, int srcfd, int newfd,
		    bool cloexec)
{
	int r = notif_addfd_ioctl(listener, id, 0, srcfd, newfd, cloexec);

	return r < 0 ? r : 0;
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
