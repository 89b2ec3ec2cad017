/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp_notif.h - the seccomp user-notification primitives: receive a
 * notification, check it is still pending, answer it (a value, an errno or
 * CONTINUE), add an fd to the caller. The only code that issues the
 * SECCOMP_IOCTL_NOTIF_* ioctls; lxnet-proxy's handlers return a result and
 * its dispatcher answers through notif_reply().
 */
#ifndef LXNET_SECCOMP_NOTIF_H
#define LXNET_SECCOMP_NOTIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/seccomp.h>

/* uapi values linux-libc-dev 6.1 lacks. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64) /* Linux 6.6 */
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1) /* Linux 5.14 */
#endif

/*
 * The result of a handler of a trapped call, one convention for all: a
 * value >= 0 is the call's return value, -errno its error, and two values
 * outside both ranges say what else to do:
 * NOTIF_ANSWERED: already answered (an fd added with the answer, a
 *	receive completed later), or the caller is gone: nothing to send
 * NOTIF_CONTINUE: let the kernel run the call itself
 */
#define NOTIF_ANSWERED INT64_MIN
#define NOTIF_CONTINUE (INT64_MIN + 1)

/*
 * The in-flight record (struct notif_journal, seccomp_notif.c): the ids of
 * the notifications a proxy took and has not answered, in a shared memory
 * file lxnet run keeps, so that the proxy it restarts after a crash can
 * answer them. NOTIF_JOURNAL_SIZE bytes.
 */
#define NOTIF_JOURNAL_SLOTS 8192
#define NOTIF_JOURNAL_SIZE (NOTIF_JOURNAL_SLOTS * sizeof(uint64_t))

struct notif_journal;

int notif_journal_open(int listener, int memfd, struct notif_journal **ret,
		       unsigned int *ret_answered);
struct notif_journal *notif_journal_ref(struct notif_journal *j);
void notif_journal_unref(struct notif_journal *j);
bool notif_journal_add(struct notif_journal *j, uint64_t id);

int notif_recv(int listener, struct seccomp_notif *req, size_t size);
int notif_id_valid(int listener, uint64_t id);
int notif_reply(struct notif_journal *j, int listener, uint64_t id,
		int64_t result);
int notif_addfd(struct notif_journal *j, int listener, uint64_t id,
		int srcfd, int newfd, bool cloexec);
int notif_replacefd(int listener, uint64_t id, int srcfd, int newfd,
		    bool cloexec);
int notif_set_sync_wakeup(int listener);
bool notif_is_listener(int fd);

#endif
