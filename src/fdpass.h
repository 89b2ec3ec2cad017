/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fdpass.h - send and receive file descriptors over AF_UNIX sockets
 * (SCM_RIGHTS), with a small fixed header so that a peer sending garbage is
 * told apart from a peer sending a request.
 */
#ifndef LXNET_FDPASS_H
#define LXNET_FDPASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FDPASS_MAGIC 0x6c786e65u /* "lxne" */
#define FDPASS_MAX_FDS 4

enum fdpass_kind {
	/*
	 * fd[0]: seccomp user-notification fd; fd[1]: the sandbox's network
	 * namespace (/proc/self/ns/net of the process that installed the
	 * filter): lxnet-proxy serves only callers in that namespace;
	 * optional fd[2] (lxnet run): the in-flight record, a memfd of
	 * NOTIF_JOURNAL_SIZE (seccomp_notif.h) sealed against shrinking
	 */
	FDPASS_SECCOMP_LISTENER = 1,
	/*
	 * fd[0]: /dev/fuse, already mounted; optional fd[1] (lxnet run):
	 * lxnetfs's state file, a memfd of FDPASS_FS_STATE_SIZE sealed
	 * against resizing, kept by the sender for the lxnetfs after this
	 * one; status FDPASS_FUSE_RESUME when an earlier lxnetfs served the
	 * device already (the state file holds what it needs)
	 */
	FDPASS_FUSE_DEVICE = 2,
	/*
	 * No fd; status carries 0 or -errno. lxnetfs's answer to
	 * FDPASS_FUSE_DEVICE may be FDPASS_ACK_SHARED instead of 0: it serves
	 * the fd it was sent itself (it could not clone it), so a copy the
	 * sender keeps would keep requests it took when it dies unanswered.
	 */
	FDPASS_ACK = 3,
	/*
	 * No fd: what filter does the proxy need? Sent by a shim before it
	 * builds its filter; answered FDPASS_ACK with status the
	 * TRAP_FILTER_* flags (trapped.h, >= 0) or -errno.
	 */
	FDPASS_HELLO = 4,
};

#define FDPASS_FUSE_RESUME 1
#define FDPASS_ACK_SHARED 1
/* lxnetfs's state file (fs/state.c): its INIT, the sandbox's writes */
#define FDPASS_FS_STATE_SIZE (272 * 1024)

/*
 * struct fdpass_msg - the header every message carries
 * @magic: FDPASS_MAGIC
 * @kind: enum fdpass_kind
 * @status: 0 or -errno (for FDPASS_ACK)
 * @pid: the sender's idea of the sandbox's init pid (informational)
 */
struct fdpass_msg {
	uint32_t magic;
	uint32_t kind;
	int32_t status;
	int32_t pid;
};

/*
 * The control socket lxnet-proxy listens on and lxnet shim connects to
 * when neither is given a path: in the user's own runtime directory, which
 * no other user can write, so no other user can listen there first.
 */
#define FDPASS_SOCKET_DIR "lxnet"
#define FDPASS_SOCKET_NAME "proxy.sock"

int fdpass_runtime_dir(char **ret_dir);
int fdpass_private_dir(const char *path, bool create, mode_t deny);
int fdpass_default_path(char **ret_path);
int fdpass_peer_uid(int sock, uid_t *ret_uid);
int fdpass_listen(const char *path, int type, int *ret_fd);
int fdpass_send(int sock, const struct fdpass_msg *msg, const int *fds,
		size_t n_fds);
int fdpass_recv(int sock, struct fdpass_msg *ret_msg, int *ret_fds,
		size_t max_fds, size_t *ret_n_fds);
int fdpass_check_memfd(int fd, size_t size);

#endif
