/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nlmsg.h - NETLINK_ROUTE messages answered from a snapshot: request
 * decoding and validation, dumps generated part by part (bounded memory),
 * acks and errors, and RTM_NEW* / RTM_DEL* multicast messages from the
 * model's changes. Pure functions of their inputs: no sockets, no seccomp.
 * The endpoint layer (nlep.c) owns sockets, queues and the sandbox's memory.
 */
#ifndef LXNET_PROXY_NLMSG_H
#define LXNET_PROXY_NLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

#include "netstate.h"

/* Per-endpoint socket options that change how requests are answered. */
struct nlmsg_opts {
	uint32_t portid;     /* the endpoint's nl_pid (bound or autobound) */
	bool strict_chk;     /* NETLINK_GET_STRICT_CHK */
	bool ext_ack;        /* NETLINK_EXT_ACK */
	bool cap_ack;        /* NETLINK_CAP_ACK */
};

/*
 * Host route lookup for RTM_GETROUTE without NLM_F_DUMP (`ip route get`):
 * the endpoint layer sends @req to the host kernel and returns its reply
 * datagram(s) in @ret (one GBytes per datagram). nlmsg filters the answer
 * through the view (an answer via a hidden interface becomes -ENETUNREACH).
 * Return: 0 or -errno.
 */
typedef int (*nlmsg_host_query_fn)(void *data, const void *req, size_t len,
				   GPtrArray **ret);

/* Where reply datagrams go: called once per datagram, in order. */
typedef int (*nlmsg_emit_fn)(void *data, const void *dgram, size_t len);

/*
 * The largest request datagram answered (one limit for nlmsg.c and the
 * endpoints): above twice net.core.wmem_max's default (2 * 212992), the
 * most an unprivileged sender's SO_SNDBUF reaches on a default host, so a
 * send the kernel would take there is answered; past it the endpoint
 * reports ENOBUFS (see nlep.c) and nlmsg_request() returns -EMSGSIZE.
 */
#define NLMSG_REQ_MAX (448 * 1024)

struct nlmsg_dump; /* a dump in progress: generates its next datagram */

/*
 * nlmsg_request() - answer one datagram the sandbox sent
 * @snap: the snapshot to answer from
 * @o: the endpoint's options
 * @buf, @len: the datagram as sent (may hold several nlmsghdr)
 * @host_query: host lookup for `ip route get`, or NULL (-EOPNOTSUPP then)
 * @hq_data: its data
 * @emit: receives complete non-dump replies (acks, errors, single GETs)
 * @emit_data: its data
 * @ret_dump: set to a new dump when a request starts one (NULL otherwise);
 *            the caller drains it with nlmsg_dump_next(). At most one dump
 *            per endpoint at a time: a dump request while one is running
 *            gets -EBUSY as the kernel does. In/out: pass the endpoint's
 *            running dump (or NULL when none); a running dump is left
 *            as it is, a NULL is replaced by the dump a request starts.
 *            @ret_dump == NULL: dump requests get -EOPNOTSUPP.
 *
 * Errors of a request are NLMSG_ERROR replies through @emit, as from the
 * kernel (netlink_rcv_skb: a trailing fragment shorter than a header is
 * ignored, a header whose length lies ends processing).
 * Return: 0, or -errno for the send call itself (-ENOMEM, -ENOBUFS).
 */
int nlmsg_request(const struct netstate_snapshot *snap,
		  const struct nlmsg_opts *o, const void *buf, size_t len,
		  nlmsg_host_query_fn host_query, void *hq_data,
		  nlmsg_emit_fn emit, void *emit_data,
		  struct nlmsg_dump **ret_dump);

/*
 * nlmsg_dump_next() - generate the next datagram of a dump, at most @room
 * bytes (the kernel's dump skb size: see nlmsg.c), ending with NLMSG_DONE.
 * @cur: the model's current generation; when it differs from the dump's
 * snapshot, parts from then on carry NLM_F_DUMP_INTR, as the kernel's do.
 * Return: datagram length (> 0), 0 when the dump is finished (then free it),
 * or -errno.
 */
ssize_t nlmsg_dump_next(struct nlmsg_dump *d, uint64_t cur, void *out,
			size_t room);
void nlmsg_dump_free(struct nlmsg_dump *d);

/*
 * nlmsg_dump_size() - the @room of nlmsg_dump_next() the kernel would use
 * @max_recvmsg_len: the largest buffer the endpoint's recvmsg() calls have
 *                   offered so far (0 before the first)
 * Return: max(NLMSG_GOODSIZE, min(@max_recvmsg_len, 32 KiB - overhead)).
 */
size_t nlmsg_dump_size(size_t max_recvmsg_len);

/* Multicast groups (RTNLGRP_*) a change belongs to, as a bit per group. */
uint64_t nlmsg_change_groups(const struct ns_change *c);

/*
 * nlmsg_change_encode() - RTM_NEW* / RTM_DEL* message for one change, as
 * the kernel multicasts it (nlmsg_pid 0, seq 0). Return: length or -errno.
 */
ssize_t nlmsg_change_encode(const struct netstate_snapshot *snap,
			    const struct ns_change *c, void *out, size_t room);

#endif
