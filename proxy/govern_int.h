/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * govern_int.h - private to proxy/govern*.c: one governed call, and what
 * govern.c (connect, bind, deciding) and govern_send.c (the sends) share.
 */
#ifndef LXNET_PROXY_GOVERN_INT_H
#define LXNET_PROXY_GOVERN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "netpolicy.h"
#include "proxy_int.h"

/* Bounds: bytes of one send copied. */
#define GOVERN_SEND_MAX (256 * 1024)
#define GOVERN_CTRL_MAX (64 * 1024)

/*
 * struct govern_call - one governed call
 * @conf: shared configuration (the policy, the model)
 * @listener: the listener fd
 * @req: the notification
 * @sock: our copy of the caller's socket
 * @type: its SO_TYPE
 * @proto: its protocol, as the policy names it
 * @t: the caller's memory for writes (sendmmsg's msg_len), opened then;
 *	reads go through process_vm_readv() (govern_read())
 * @decided: govern_decide() gave a verdict on an IPv4/IPv6 address:
 * @allowed: that verdict
 * @rule: and the rule that decided it (for the connection log)
 * @where, @where_len: the address decided on, as decided (AF_UNSPEC read
 *	as AF_INET where the kernel does), for the connection log
 * @netns_ino: the sandbox's network namespace (0: not known)
 * @owner_uid: the sandbox's owner (struct listener)
 * @netns_moved: a task of the sandbox may have left it (struct listener)
 * @unix_sock: an AF_UNIX socket for unixcross.c (unix rules exist)
 * @moved: that socket is one of the host's namespace
 * @own_tcp: a TCP socket of a namespace of the sandbox's, whose connect,
 *	bind or MSG_FASTOPEN send the proxy makes undecided (govern_open())
 * @own: the sandbox's listening sockets (ownserver.c; struct listener)
 */
struct govern_call {
	const struct proxy_conf *conf;
	int listener;
	uid_t owner_uid;
	ino_t netns_ino;
	bool netns_moved;
	bool unix_sock;
	bool moved;
	bool own_tcp;
	struct ownserver_set *own;
	struct notif_journal *journal;
	const struct seccomp_notif *req;
	int sock;
	int type;
	enum netpolicy_proto proto;
	struct target t;
	bool decided;
	bool allowed;
	const char *rule;
	struct sockaddr_storage where;
	socklen_t where_len;
};

/* A governed call of listener @l's: what every govern_*() starts from. */
#define GOVERN_CALL(l, r) { .conf = (l)->conf, .listener = (l)->fd, \
			    .owner_uid = (l)->owner_uid, \
			    .netns_ino = (l)->netns_ino, \
			    .netns_moved = (l)->netns_moved, .own = (l)->own, \
			    .journal = (l)->journal, .req = (r) }

void govern_call_clear(struct govern_call *g);
int64_t govern_open(struct govern_call *g, bool connects);
int govern_read(struct govern_call *g, uint64_t addr, void *buf, size_t len);
int govern_proven(const struct govern_call *g);
int govern_decide(struct govern_call *g, const struct sockaddr_storage *sa,
		  socklen_t len, bool bind, bool unspec_inet);
int govern_read_addr(struct govern_call *g, uint64_t ptr, socklen_t len,
		     struct sockaddr_storage *sa);
void govern_log(const struct govern_call *g, const char *call,
		int64_t result);
struct unixcross_call govern_unix(const struct govern_call *g);

#endif
