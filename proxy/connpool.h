/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* connpool.h - blocking connects on pool threads (connpool.c) */
#ifndef LXNET_CONNPOOL_H
#define LXNET_CONNPOOL_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "connlog.h"

struct notif_journal;
struct ownserver_set;

/*
 * struct connpool_req - a blocking connect for the pool
 * @listener: the caller's listener fd (the pool keeps a dup)
 * @journal: its in-flight record, or NULL
 * @id: the notification
 * @tid: the calling thread, as the proxy's /proc names it
 * @sock: our copy of the caller's socket (the pool's on success)
 * @sa, @len: the address connected to
 * @where: the address as decided on and logged (what the sandbox named)
 * @log: the connection log, or NULL
 * @event: what the log is told once the connect returns (its rule is
 *	copied; sock, remote and result are filled in then)
 * @hold: a listener of the sandbox's own the connect goes to, held until
 *	its handshake ends (ownserver.c; the pool's on success), or -1
 * @own: then the sandbox's set
 */
struct connpool_req {
	int listener;
	struct notif_journal *journal;
	uint64_t id;
	pid_t tid;
	int sock;
	const struct sockaddr_storage *sa;
	socklen_t len;
	const struct sockaddr_storage *where;
	struct connlog *log;
	struct connlog_event event;
	int hold;
	struct ownserver_set *own;
};

int64_t connpool_submit(const struct connpool_req *r);

#endif
