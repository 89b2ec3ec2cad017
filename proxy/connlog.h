/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* connlog.h - the connection log: one JSON line per governed connect, bind and first send */
#ifndef LXNET_PROXY_CONNLOG_H
#define LXNET_PROXY_CONNLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "netpolicy.h"

struct connlog;

/*
 * struct connlog_event - what one governed call did
 * @call: "connect", "bind" or "send"
 * @pid: the caller, in the proxy's pid namespace
 * @proto: the socket's protocol, as the policy names it
 * @sock: the proxy's copy of the socket (local address and the send
 *	dedup key are read from it), or -1
 * @remote: the destination (connect, send), or NULL for bind
 * @bound: the address asked for (bind), or NULL
 * @len: the length of @remote or @bound
 * @allowed: the policy's verdict
 * @rule: the rule that decided ("default", "nameserver", ...)
 * @result: 0 or -errno of the call as made (the refusal's -EPERM when
 *	refused)
 */
struct connlog_event {
	const char *call;
	pid_t pid;
	enum netpolicy_proto proto;
	int sock;
	const struct sockaddr_storage *remote;
	const struct sockaddr_storage *bound;
	socklen_t len;
	bool allowed;
	const char *rule;
	int result;
};

int connlog_open(const char *path, struct connlog **ret);
bool connlog_send_is_new(struct connlog *l, int sock,
			 const struct sockaddr_storage *remote, socklen_t len);
void connlog_event(struct connlog *l, const struct connlog_event *e);
void connlog_close(struct connlog *l);

#endif
