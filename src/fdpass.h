/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fdpass.h - send and receive file descriptors over AF_UNIX sockets
 * (SCM_RIGHTS), with a small fixed header so that a peer sending garbage is
 * told apart from a peer sending a request.
 */
#ifndef LXNET_FDPASS_H
#define LXNET_FDPASS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FDPASS_MAGIC 0x6c786e65u /* "lxne" */
#define FDPASS_MAX_FDS 4

enum fdpass_kind {
	/*
	 * fd[0]: seccomp user-notification fd; fd[1]: the sandbox's network
	 * namespace (/proc/self/ns/net of the process that installed the
	 * filter): lxnet-proxy serves only callers in that namespace
	 */
	FDPASS_SECCOMP_LISTENER = 1,
	FDPASS_FUSE_DEVICE = 2,      /* fd[0]: /dev/fuse, already mounted */
	FDPASS_ACK = 3,              /* no fd; status carries 0 or -errno */
	/*
	 * No fd: what filter does the proxy need? Sent by a shim before it
	 * builds its filter; answered FDPASS_ACK with status the
	 * TRAP_FILTER_* flags (trapped.h, >= 0) or -errno.
	 */
	FDPASS_HELLO = 4,
};

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

int fdpass_default_path(char **ret_path);
int fdpass_peer_uid(int sock, uid_t *ret_uid);
int fdpass_listen(const char *path, int type, int *ret_fd);
int fdpass_send(int sock, const struct fdpass_msg *msg, const int *fds,
		size_t n_fds);
int fdpass_recv(int sock, struct fdpass_msg *ret_msg, int *ret_fds,
		size_t max_fds, size_t *ret_n_fds);

#endif
