// SPDX-License-Identifier: LGPL-2.1-or-later
/* netstate_stats.c - fresh interface counters over one long-lived rtnetlink socket */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>

#include "netstate.h"
#include "util.h"

/* Receive buffer: the kernel never builds a dump skb larger than 32 KiB
 * for a reader offering at least that much. */
#define NSC_BUF_SIZE (64 * 1024)
/* Dumps restarted after NLM_F_DUMP_INTR before giving up. */
#define NSC_TRIES 5
/* Messages read for one dump before calling it a runaway (a dump of 65,536
 * interfaces fits many times over). */
#define NSC_MAX_MSGS 65536

/*
 * struct netstate_counters - a reader of interface counters
 * @fd: NETLINK_ROUTE socket, bound by the kernel on first send
 * @seq: sequence number of the last request
 * @buf: receive buffer, NSC_BUF_SIZE bytes
 * @n: entries used in @idx/@stats
 * @cap: entries allocated
 * @idx: ifindex of each counter set read by the last dump
 * @stats: the counters, parallel to @idx
 */
struct netstate_counters {
	int fd;
	uint32_t seq;
	uint8_t *buf;
	guint n;
	guint cap;
	int *idx;
	struct rtnl_link_stats64 *stats;
};

/**
 * netstate_counters_new() - open a counter reader
 * @ret_c: the reader
 *
 * Return: 0 or -errno from socket(2).
 */
int netstate_counters_new(struct netstate_counters **ret_c)
{
	struct netstate_counters *c;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	c = g_new0(struct netstate_counters, 1);
	c->fd = fd;
	c->buf = g_malloc(NSC_BUF_SIZE);
	*ret_c = c;
	return 0;
}

void netstate_counters_free(struct netstate_counters *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	g_free(c->buf);
	g_free(c->idx);
	g_free(c->stats);
	g_free(c);
}

static int nsc_send_dump(struct netstate_counters *c)
{
	struct {
		struct nlmsghdr nh;
		struct if_stats_msg ifs;
	} req = {
		.nh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = RTM_GETSTATS,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = ++c->seq,
		},
		.ifs = {
			.family = AF_UNSPEC,
			.filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64),
		},
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t r;

	do
		r = sendto(c->fd, &req, sizeof(req), 0,
			   (struct sockaddr *)&kernel, sizeof(kernel));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == (ssize_t)sizeof(req) ? 0 : -EIO;
}

/* Append one link's counters from an RTM_NEWSTATS message. */
static void nsc_add(struct netstate_counters *c, const struct nlmsghdr *nh)
{
	const struct if_stats_msg *ifs = NLMSG_DATA(nh);
	const struct rtattr *a;
	int len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifs)))
		return;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifs)));
	a = (const struct rtattr *)((const char *)ifs + NLMSG_ALIGN(sizeof(*ifs)));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t n;

		if (a->rta_type != IFLA_STATS_LINK_64)
			continue;
		if (c->n == c->cap) {
			c->cap = MAX(16u, c->cap * 2);
			c->idx = g_renew(int, c->idx, c->cap);
			c->stats = g_renew(struct rtnl_link_stats64, c->stats,
					   c->cap);
		}
		/* Older kernels send a shorter struct; newer a longer one. */
		n = MIN((size_t)RTA_PAYLOAD(a), sizeof(c->stats[0]));
		memset(&c->stats[c->n], 0, sizeof(c->stats[0]));
		memcpy(&c->stats[c->n], RTA_DATA(a), n);
		c->idx[c->n++] = ifs->ifindex;
		return;
	}
}

/*
 * Read the answer to request c->seq. Return: 0 at NLMSG_DONE, -EAGAIN when
 * the kernel flagged the dump inconsistent (NLM_F_DUMP_INTR), or -errno.
 */
static int nsc_recv_dump(struct netstate_counters *c)
{
	bool intr = false;
	unsigned int msgs = 0;

	c->n = 0;
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { c->buf, NSC_BUF_SIZE };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		const struct nlmsghdr *nh;
		ssize_t len = recvmsg(c->fd, &mh, 0);

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (from.nl_pid != 0)
			continue;
		for (nh = (const struct nlmsghdr *)c->buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (++msgs > NSC_MAX_MSGS)
				return -EOVERFLOW;
			if (nh->nlmsg_seq != c->seq)
				continue; /* a late answer to an abandoned request */
			if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nh->nlmsg_type == NLMSG_DONE)
				return intr ? -EAGAIN : 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				return e->error < 0 ? e->error : -EIO;
			}
			if (nh->nlmsg_type == RTM_NEWSTATS)
				nsc_add(c, nh);
		}
	}
}

/*
 * Index of @ifindex's counters in the last dump, or -1. The kernel dumps in
 * ifindex order, as @base is sorted, so the search starts where the last
 * one ended (*@cursor) and wraps once.
 */
static int nsc_find(const struct netstate_counters *c, int ifindex,
		    guint *cursor)
{
	guint i, k;

	for (i = 0; i < c->n; i++) {
		k = (*cursor + i) % c->n;
		if (c->idx[k] == ifindex) {
			*cursor = k + 1;
			return (int)k;
		}
	}
	return -1;
}

/**
 * netstate_counters_read() - @base's links with their counters read now
 * @c: reader; one thread at a time
 * @base: links of a snapshot (the view policy is already applied to it)
 * @ret_links: a new table: @base's entries in @base's order, each with the
 *             counters of one RTM_GETSTATS dump made by this call; a link
 *             the dump did not report (deleted since @base) keeps @base's
 *
 * One synchronous dump of IFLA_STATS_LINK_64 only (the kernel fills just the
 * counters, not every link attribute) on the reader's own socket. The set of
 * links, their names and order stay @base's, so a file rendered from the
 * result agrees with every other view of the same snapshot.
 *
 * Return: 0 or -errno (-EAGAIN when every try was interrupted by changes).
 */
int netstate_counters_read(struct netstate_counters *c,
			   const struct ns_links *base,
			   struct ns_links **ret_links)
{
	struct ns_links *t;
	guint i, cursor = 0;
	int r = -EAGAIN, tries;

	for (tries = 0; tries < NSC_TRIES && r == -EAGAIN; tries++) {
		r = nsc_send_dump(c);
		if (r == 0)
			r = nsc_recv_dump(c);
	}
	if (r < 0)
		return r;
	t = ns_links_new(base->n);
	if (base->n)
		memcpy(t->v, base->v, base->n * sizeof(*t->v));
	for (i = 0; i < t->n; i++) {
		int k = nsc_find(c, t->v[i].ifindex, &cursor);

		if (k >= 0)
			t->v[i].stats = c->stats[k];
	}
	*ret_links = t;
	return 0;
}
