/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nlmsg_req.h - one request being answered, and what the files of the
 * NETLINK_ROUTE message layer offer each other. Private to nlmsg*.c.
 *
 * Calls go one way, down this list (a file calls only files below it;
 * dumps call an object's dump_one() through struct nlmsg_object):
 *   nlmsg.c          dispatcher: the table of RTM_GET* types, acks, changes
 *   nlmsg_<object>.c link, addr, route, neigh, rule, netconf: policy,
 *                    request checks and dump filter, encoder
 *   nlmsg_host.c     answers asked of the host kernel, filtered by the view
 *   nlmsg_dump.c     dumps generated part by part
 *   nlmsg_attr.c     the attribute parser and the message writer
 */
#ifndef LXNET_PROXY_NLMSG_REQ_H
#define LXNET_PROXY_NLMSG_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nlmsg_int.h"

/* Bounds on what a host answer may add to a dump. */
#define NLMSG_HOST_MSGS_MAX 65536
#define NLMSG_HOST_BYTES_MAX (4u << 20)

/* Attribute policy, the subset of the kernel's that requests use. */
enum nlpol_kind {
	POL_ANY = 0, /* any length */
	POL_U8,
	POL_U32,
	POL_STR,     /* @len: longest string, trailing NUL excluded */
	POL_BIN,     /* @len: longest payload */
	POL_NEST,
};

struct nlpol {
	uint8_t kind;
	uint16_t len;
};

/* One request being answered. */
struct nlmsg_req {
	const struct netstate_snapshot *snap;
	const struct nlmsg_opts *o;
	nlmsg_host_query_fn host_query;
	void *hq_data;
	nlmsg_emit_fn emit;
	void *emit_data;
	struct nlmsg_dump **dump_slot;
	const uint8_t *msg;        /* the request, 4-byte aligned */
	struct nlmsghdr h;
	size_t plen;               /* payload bytes (nlmsg_len - header) */
	size_t hdrlen;             /* its type's family header (nlmsg.c table) */
	const char *ext_msg;       /* extended ack text */
	long bad_attr;             /* offset of the bad attribute, or -1 */
	const struct nlpol *bad_pol; /* the policy it failed, or NULL */
};

/* The request's family: the first byte of every family header. */
static inline uint8_t nlr_req_family(const struct nlmsg_req *q)
{
	return q->msg[NLMSG_HDRLEN];
}

/* Address length of an AF_INET or AF_INET6 object. */
static inline size_t nlmsg_family_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* nlmsg_attr.c: the attribute parser */
const uint8_t *nlmsg_attr_next(const uint8_t *p, size_t len, size_t *off,
			       struct nlattr *ret_a);
const uint8_t *nlmsg_attr_find(const uint8_t *p, size_t len, size_t off,
			       uint16_t type, size_t *ret_len);
int nlr_attr_parse(struct nlmsg_req *q, size_t hdrlen, const struct nlpol *pol,
		   int maxtype, const struct nlattr **tb, bool strict);
void nlr_err_attr(struct nlmsg_req *q, const void *nla, const char *msg);
uint32_t nlr_attr_u32(const struct nlattr *a);
void nlr_attr_str(const struct nlattr *a, char *buf, size_t size);
void nlw_policy(struct nlw *w, const struct nlpol *pt);

/* nlmsg_dump.c: dumps a request starts */
struct nlmsg_dump *nlr_req_dump(struct nlmsg_req *q,
				const struct nlmsg_object *obj, bool coalesce);
void nlr_dump_fail(struct nlmsg_dump *d, struct nlmsg_req *q, int err);

/*
 * struct nlmsg_host_want - what nlmsg_host.c keeps of the host's answer
 * @type: the message type kept (RTM_NEWROUTE, RTM_NEWNETCONF, RTM_NEWRULE)
 * @hdrlen: its family header's size
 * @attr: the attribute holding an interface index, for
 *        nlmsg_host_ifindex_visible() (a bridge's, for
 *        nlmsg_host_port_visible())
 * @visible: the view's filter: whether message @m (whole, @len bytes,
 *           header checked) shows only what is in the view of @s
 */
struct nlmsg_host_want {
	uint16_t type;
	size_t hdrlen;
	uint16_t attr;
	bool (*visible)(const struct netstate_snapshot *s,
			const struct nlmsg_host_want *want, const uint8_t *m,
			size_t len);
};

/* nlr_host_collect() results besides the messages. */
enum {
	NLMSG_HOST_HIDDEN = 1 << 0, /* a message was out of view and dropped */
	NLMSG_HOST_WHOLE = 1 << 1,  /* NLMSG_DONE or NLMSG_ERROR ended it */
};

/* nlmsg_host.c: answers asked of the host kernel */
bool nlmsg_ifindex_visible(const struct netstate_snapshot *s, int ifindex);
int nlmsg_hdr_ifindex(const uint8_t *m, size_t len);
bool nlmsg_host_hdr_visible(const struct netstate_snapshot *s,
			    const struct nlmsg_host_want *want,
			    const uint8_t *m, size_t len);
bool nlmsg_host_ifindex_visible(const struct netstate_snapshot *s,
				const struct nlmsg_host_want *want,
				const uint8_t *m, size_t len);
bool nlmsg_host_port_visible(const struct netstate_snapshot *s,
			     const struct nlmsg_host_want *want,
			     const uint8_t *m, size_t len);
int nlr_host_collect(struct nlmsg_req *q, const struct nlmsg_host_want *want,
		     GPtrArray **ret_msgs, unsigned int *ret_flags);
int nlr_host_emit(struct nlmsg_req *q, GBytes *msg);
int nlr_host_get(struct nlmsg_req *q, const struct nlmsg_host_want *want);
void nlr_host_dump(struct nlmsg_req *q, struct nlmsg_dump *d,
		   const struct nlmsg_host_want *want);
void nlr_host_dump_as(struct nlmsg_req *q, struct nlmsg_dump *d,
		      const struct nlmsg_host_want *want, const void *req,
		      size_t len);

/* The objects (nlmsg_<object>.c), for the change table of nlmsg.c. */
extern const struct nlmsg_object nlmsg_link_object;
extern const struct nlmsg_object nlmsg_addr_object;
extern const struct nlmsg_object nlmsg_route_object;
extern const struct nlmsg_object nlmsg_neigh_object;
extern const struct nlmsg_object nlmsg_hostmsg_object; /* nlmsg_host.c */

/*
 * Request handlers, the rows of nlmsg.c's table. A doit answers through
 * q->emit and returns 0 or -errno (for NLMSG_ERROR); a dumpit returns the
 * dump it starts (its check failing fails the dump: NLMSG_DONE carries it).
 */
int nlmsg_link_get(struct nlmsg_req *q);
struct nlmsg_dump *nlmsg_link_dump(struct nlmsg_req *q);
struct nlmsg_dump *nlmsg_addr_dump(struct nlmsg_req *q);
int nlmsg_route_get(struct nlmsg_req *q);
struct nlmsg_dump *nlmsg_route_dump(struct nlmsg_req *q);
struct nlmsg_dump *nlmsg_neigh_dump(struct nlmsg_req *q);
struct nlmsg_dump *nlmsg_rule_dump(struct nlmsg_req *q);
int nlmsg_netconf_get(struct nlmsg_req *q);
struct nlmsg_dump *nlmsg_netconf_dump(struct nlmsg_req *q);
int nlmsg_addrlabel_get(struct nlmsg_req *q);
struct nlmsg_dump *nlmsg_addrlabel_dump(struct nlmsg_req *q);
struct nlmsg_dump *nlmsg_neightbl_dump(struct nlmsg_req *q);
int nlmsg_stats_get(struct nlmsg_req *q);
struct nlmsg_dump *nlmsg_stats_dump(struct nlmsg_req *q);

#endif
