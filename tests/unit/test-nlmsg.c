// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-nlmsg.c - the NETLINK_ROUTE message layer against hand-made snapshots and the kernel */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "netstate.h"
#include "nlmsg.h"
#include "util.h"
#include "view.h"

#define PORTID 4242u
/* From linux/if.h, which clashes with net/if.h. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#define OPER_UP 6 /* IF_OPER_UP */
#define DRAIN_MAX 100000 /* datagrams one dump may take, at most */

/* ---- requests ----------------------------------------------------------- */

/* A request of one message: header, family header, attributes. */
static GByteArray *req_new(uint16_t type, uint16_t flags, uint32_t seq,
			   const void *fam, size_t fam_len)
{
	GByteArray *b = g_byte_array_new();
	struct nlmsghdr h = {
		.nlmsg_len = NLMSG_HDRLEN,
		.nlmsg_type = type,
		.nlmsg_flags = flags,
		.nlmsg_seq = seq,
		.nlmsg_pid = 0,
	};
	static const uint8_t zero[8];

	g_byte_array_append(b, (const guint8 *)&h, sizeof(h));
	if (fam_len) {
		g_byte_array_append(b, fam, (guint)fam_len);
		g_byte_array_append(b, zero, NLMSG_ALIGN(fam_len) - fam_len);
	}
	((struct nlmsghdr *)b->data)->nlmsg_len = b->len;
	return b;
}

/* Append an attribute; @nla_len overrides its length field when != 0. */
static void req_attr_raw(GByteArray *b, uint16_t type, const void *data,
			 size_t len, uint16_t nla_len)
{
	struct nlattr a = {
		.nla_len = nla_len ? nla_len : (uint16_t)(NLA_HDRLEN + len),
		.nla_type = type,
	};
	static const uint8_t zero[4];

	g_byte_array_append(b, (const guint8 *)&a, sizeof(a));
	if (len)
		g_byte_array_append(b, data, (guint)len);
	g_byte_array_append(b, zero, NLA_ALIGN(len) - len);
	((struct nlmsghdr *)b->data)->nlmsg_len = b->len;
}

static void req_attr(GByteArray *b, uint16_t type, const void *data,
		     size_t len)
{
	req_attr_raw(b, type, data, len, 0);
}

static void req_u32(GByteArray *b, uint16_t type, uint32_t v)
{
	req_attr(b, type, &v, sizeof(v));
}

static void req_str(GByteArray *b, uint16_t type, const char *s)
{
	req_attr(b, type, s, strlen(s) + 1);
}

static GByteArray *req_dump(uint16_t type, const void *fam, size_t fam_len)
{
	return req_new(type, NLM_F_REQUEST | NLM_F_DUMP, 77, fam, fam_len);
}

static GByteArray *req_gen(uint16_t type, uint16_t flags, uint8_t family)
{
	struct rtgenmsg g = { .rtgen_family = family };

	return req_new(type, flags, 77, &g, sizeof(g));
}

/* ---- running requests ---------------------------------------------------- */

/* What one nlmsg_request() call produced. */
struct res {
	GPtrArray *dg;              /* GBytes: emitted datagrams */
	struct nlmsg_dump *dump;    /* a dump it started, or NULL */
	int ret;
};

static int sink_emit(void *data, const void *dgram, size_t len)
{
	GPtrArray *dg = data;

	g_assert_cmpuint(len, >=, NLMSG_HDRLEN);
	g_ptr_array_add(dg, g_bytes_new(dgram, len));
	return 0;
}

static void res_clear(struct res *r)
{
	g_clear_pointer(&r->dg, g_ptr_array_unref);
	nlmsg_dump_free(r->dump);
	r->dump = NULL;
}

static void call_hq(const struct netstate_snapshot *s,
		    const struct nlmsg_opts *o, const void *buf, size_t len,
		    nlmsg_host_query_fn hq, void *hq_data, struct res *r)
{
	memset(r, 0, sizeof(*r));
	r->dg = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	r->ret = nlmsg_request(s, o, buf, len, hq, hq_data, sink_emit, r->dg,
			       &r->dump);
}

static void call(const struct netstate_snapshot *s, const struct nlmsg_opts *o,
		 GByteArray *req, struct res *r)
{
	call_hq(s, o, req->data, req->len, NULL, NULL, r);
	g_byte_array_unref(req);
}

/* ---- reading replies ------------------------------------------------------ */

/*
 * Split datagrams into messages (GBytes each), asserting that every
 * message lies whole inside its datagram and is 4-byte aligned.
 */
static GPtrArray *split_msgs(GPtrArray *dg)
{
	GPtrArray *m = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	guint i;

	for (i = 0; i < dg->len; i++) {
		gsize len;
		const uint8_t *p = g_bytes_get_data(dg->pdata[i], &len);
		size_t off = 0;

		g_assert_cmpuint(len % NLMSG_ALIGNTO, ==, 0);
		while (off < len) {
			struct nlmsghdr h;

			g_assert_cmpuint(len - off, >=, NLMSG_HDRLEN);
			memcpy(&h, p + off, sizeof(h));
			g_assert_cmpuint(h.nlmsg_len, >=, NLMSG_HDRLEN);
			g_assert_cmpuint(h.nlmsg_len, <=, len - off);
			g_ptr_array_add(m, g_bytes_new(p + off, h.nlmsg_len));
			off += NLMSG_ALIGN(h.nlmsg_len);
		}
		g_assert_cmpuint(off, ==, len);
	}
	return m;
}

static struct nlmsghdr msg_hdr(GBytes *m)
{
	struct nlmsghdr h;

	memcpy(&h, g_bytes_get_data(m, NULL), sizeof(h));
	return h;
}

static const uint8_t *msg_data(GBytes *m)
{
	return (const uint8_t *)g_bytes_get_data(m, NULL) + NLMSG_HDRLEN;
}

/* First attribute @type after a family header of @hdrlen, or NULL. */
static const struct nlattr *msg_attr_at(GBytes *m, size_t off, uint16_t type)
{
	gsize len;
	const uint8_t *p = g_bytes_get_data(m, &len);

	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const void *)(p + off);

		g_assert_cmpuint(a->nla_len, >=, NLA_HDRLEN);
		g_assert_cmpuint(a->nla_len, <=, len - off);
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static const struct nlattr *msg_attr(GBytes *m, size_t hdrlen, uint16_t type)
{
	return msg_attr_at(m, NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen), type);
}

static const void *nla_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

static uint32_t nla_u32(const struct nlattr *a)
{
	uint32_t v;

	g_assert_cmpuint(a->nla_len, >=, NLA_HDRLEN + 4);
	memcpy(&v, nla_data(a), 4);
	return v;
}

/* The int of NLMSG_ERROR / NLMSG_DONE. */
static int msg_errno(GBytes *m)
{
	int e;

	g_assert_cmpuint(g_bytes_get_size(m), >=, NLMSG_HDRLEN + 4);
	memcpy(&e, msg_data(m), 4);
	return e;
}

/* Offset of the extended ack TLVs of NLMSG_ERROR or NLMSG_DONE. */
static size_t msg_tlv_off(GBytes *m)
{
	struct nlmsghdr h = msg_hdr(m);
	struct nlmsgerr e;

	if (h.nlmsg_type == NLMSG_DONE)
		return NLMSG_HDRLEN + 4;
	g_assert_cmpuint(h.nlmsg_len, >=, NLMSG_HDRLEN + sizeof(e));
	memcpy(&e, msg_data(m), sizeof(e));
	if (h.nlmsg_flags & NLM_F_CAPPED)
		return NLMSG_HDRLEN + sizeof(e);
	return NLMSG_HDRLEN + sizeof(e) - NLMSG_HDRLEN +
	       NLMSG_ALIGN(e.msg.nlmsg_len);
}

/* NLMSGERR_ATTR_MSG of an error/done message, or NULL. */
static char *msg_ext(GBytes *m)
{
	const struct nlattr *a;

	if (!(msg_hdr(m).nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	a = msg_attr_at(m, msg_tlv_off(m), NLMSGERR_ATTR_MSG);
	if (!a)
		return NULL;
	return g_strndup(nla_data(a), a->nla_len - NLA_HDRLEN);
}

/* The single message of a reply that emitted one datagram holding one. */
static GBytes *only_msg(struct res *r)
{
	g_autoptr(GPtrArray) m = NULL;

	g_assert_cmpint(r->ret, ==, 0);
	g_assert_null(r->dump);
	g_assert_cmpuint(r->dg->len, ==, 1);
	m = split_msgs(r->dg);
	g_assert_cmpuint(m->len, ==, 1);
	return g_bytes_ref(m->pdata[0]);
}

/* A reply that must be exactly one NLMSG_ERROR carrying @err. */
static void assert_error(struct res *r, int err)
{
	g_autoptr(GBytes) m = only_msg(r);

	g_assert_cmpuint(msg_hdr(m).nlmsg_type, ==, NLMSG_ERROR);
	g_assert_cmpint(msg_errno(m), ==, err);
	g_assert_cmpuint(msg_hdr(m).nlmsg_seq, ==, 77);
	g_assert_cmpuint(msg_hdr(m).nlmsg_pid, ==, PORTID);
}

/*
 * drain() - take every datagram of a dump and check the framing
 * @d: the dump (freed)
 * @gen_first: generation passed with the first datagram
 * @gen_later: generation passed with every later one
 * @room: datagram size
 *
 * Every datagram is at most @room, holds whole messages only, every
 * message carries NLM_F_MULTI, the last message of the last datagram is
 * NLMSG_DONE and no other is.
 * Return: the datagrams (GBytes).
 */
static GPtrArray *drain(struct nlmsg_dump *d, uint64_t gen_first,
			uint64_t gen_later, size_t room)
{
	GPtrArray *dg = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GPtrArray) m = NULL;
	g_autofree uint8_t *buf = g_malloc(room);
	guint i, n;

	g_assert_nonnull(d);
	for (n = 0; n < DRAIN_MAX; n++) {
		ssize_t len = nlmsg_dump_next(d, n ? gen_later : gen_first,
					      buf, room);

		g_assert_cmpint(len, >=, 0);
		if (len == 0)
			break;
		g_assert_cmpint(len, <=, (ssize_t)room);
		g_ptr_array_add(dg, g_bytes_new(buf, (gsize)len));
	}
	g_assert_cmpuint(n, <, DRAIN_MAX);
	g_assert_cmpint(nlmsg_dump_next(d, gen_later, buf, room), ==, 0);
	nlmsg_dump_free(d);
	m = split_msgs(dg);
	g_assert_cmpuint(m->len, >=, 1);
	for (i = 0; i < m->len; i++) {
		struct nlmsghdr h = msg_hdr(m->pdata[i]);

		g_assert_true(h.nlmsg_flags & NLM_F_MULTI);
		g_assert_cmpuint(h.nlmsg_pid, ==, PORTID);
		g_assert_cmpuint(h.nlmsg_seq, ==, 77);
		g_assert_cmpint(h.nlmsg_type == NLMSG_DONE, ==, i + 1 == m->len);
		g_assert_cmpuint(h.nlmsg_type, !=, NLMSG_ERROR);
	}
	return dg;
}

/* Run a dump request to its end at @room: messages, NLMSG_DONE last. */
static GPtrArray *dump_msgs_hq(const struct netstate_snapshot *s,
			       const struct nlmsg_opts *o, GByteArray *req,
			       nlmsg_host_query_fn hq, void *hq_data,
			       size_t room)
{
	g_autoptr(GPtrArray) dg = NULL;
	struct res r;

	call_hq(s, o, req->data, req->len, hq, hq_data, &r);
	g_byte_array_unref(req);
	g_assert_cmpint(r.ret, ==, 0);
	g_assert_cmpuint(r.dg->len, ==, 0); /* no ack for a dump */
	g_assert_nonnull(r.dump);
	dg = drain(r.dump, s->generation, s->generation, room);
	r.dump = NULL;
	res_clear(&r);
	return split_msgs(dg);
}

static GPtrArray *dump_msgs(const struct netstate_snapshot *s,
			    const struct nlmsg_opts *o, GByteArray *req)
{
	return dump_msgs_hq(s, o, req, NULL, NULL, nlmsg_dump_size(0));
}

/* The NLMSG_DONE ending @m. */
static GBytes *done_of(GPtrArray *m)
{
	GBytes *d = m->pdata[m->len - 1];

	g_assert_cmpuint(msg_hdr(d).nlmsg_type, ==, NLMSG_DONE);
	return d;
}

/* ---- snapshots made by hand ---------------------------------------------- */

static void set_ip(uint8_t *out, const char *text)
{
	int fam = strchr(text, ':') ? AF_INET6 : AF_INET;

	memset(out, 0, fam == AF_INET ? 4 : 16);
	g_assert_cmpint(inet_pton(fam, text, out), ==, 1);
}

static void link_init(struct ns_link *l, int ifindex, const char *name,
		      const char *kind, int master)
{
	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	g_strlcpy(l->name, name, sizeof(l->name));
	l->flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING |
		   IFF_LOWER_UP;
	l->type = ARPHRD_ETHER;
	l->mtu = 1500;
	l->txqlen = 1000;
	l->num_tx_queues = l->num_rx_queues = 1;
	l->gso_max_size = 65536;
	l->gso_max_segs = 65535;
	l->carrier = 1;
	l->operstate = OPER_UP;
	l->iflink = ifindex;
	l->master = master;
	l->link_netnsid = -1;
	l->addr_len = 6;
	l->addr[0] = 0x02;
	l->addr[5] = (uint8_t)ifindex;
	memset(l->broadcast, 0xff, 6);
	g_strlcpy(l->qdisc, "noqueue", sizeof(l->qdisc));
	g_strlcpy(l->kind, kind, sizeof(l->kind));
	l->stats.rx_packets = 1000u + (unsigned)ifindex;
	l->stats.tx_bytes = 1u << 20;
}

static void addr_init(struct ns_addr *a, int ifindex, const char *ip,
		      uint8_t prefixlen, uint8_t scope, const char *label)
{
	memset(a, 0, sizeof(*a));
	a->ifindex = ifindex;
	a->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	a->prefixlen = prefixlen;
	a->scope = scope;
	a->flags = IFA_F_PERMANENT;
	set_ip(a->local, ip);
	g_strlcpy(a->label, label, sizeof(a->label));
	a->valid_lft = a->preferred_lft = 0xffffffffu;
	a->cstamp = a->tstamp = 100;
}

/* Route with one next hop stored at nh index @nhi. */
static void route_init(struct ns_routes *t, guint i, guint nhi,
		       const char *dst, uint8_t dst_len, uint32_t table,
		       uint8_t type, uint8_t scope, int oif, const char *gw)
{
	struct ns_route *r = &t->v[i];
	struct ns_nexthop *nh = &t->nh[nhi];

	memset(r, 0, sizeof(*r));
	r->family = strchr(dst, ':') ? AF_INET6 : AF_INET;
	r->dst_len = dst_len;
	set_ip(r->dst, dst);
	r->table = table;
	r->type = type;
	r->scope = scope;
	r->protocol = type == RTN_LOCAL ? RTPROT_KERNEL : RTPROT_STATIC;
	r->priority = r->family == AF_INET6 ? 1024 : 0;
	r->nh_first = nhi;
	r->nh_count = 1;
	memset(nh, 0, sizeof(*nh));
	nh->ifindex = oif;
	if (gw) {
		nh->gw_family = strchr(gw, ':') ? AF_INET6 : AF_INET;
		set_ip(nh->gw, gw);
	}
}

static void neigh_init(struct ns_neigh *n, int ifindex, const char *ip,
		       uint16_t state)
{
	memset(n, 0, sizeof(*n));
	n->ifindex = ifindex;
	n->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	n->state = state;
	n->type = RTN_UNICAST;
	set_ip(n->dst, ip);
	n->lladdr_len = 6;
	n->lladdr[0] = 0x02;
	n->lladdr[5] = 0x99;
}

#define N_BASE_LINKS 4u
#define N_V4_ADDRS 2u
#define N_V6_ADDRS 3u
#define N_V4_ROUTES 5u /* 3 main (one multipath), 2 local */
#define N_V6_ROUTES 3u
#define N_NEIGHS 3u

/*
 * snap_new() - the fixture: lo, eth0, a bridge br0 with port0, @extra
 * more veth links; addresses, routes of the main and local tables,
 * neighbours. Generation 1.
 */
static struct netstate_snapshot *snap_new(guint extra)
{
	struct netstate_snapshot *s = g_new0(struct netstate_snapshot, 1);
	struct ns_links *l = ns_links_new(N_BASE_LINKS + extra);
	struct ns_addrs *a = ns_addrs_new(N_V4_ADDRS + N_V6_ADDRS);
	struct ns_routes *r = ns_routes_new(N_V4_ROUTES + N_V6_ROUTES, 9);
	struct ns_neighs *n = ns_neighs_new(N_NEIGHS);
	guint i;

	s->ref = 1;
	s->generation = 1;
	link_init(&l->v[0], 1, "lo", "", 0);
	l->v[0].type = ARPHRD_LOOPBACK;
	l->v[0].flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP;
	l->v[0].mtu = 65536;
	memset(l->v[0].addr, 0, sizeof(l->v[0].addr));
	memset(l->v[0].broadcast, 0, sizeof(l->v[0].broadcast));
	link_init(&l->v[1], 2, "eth0", "veth", 0);
	link_init(&l->v[2], 3, "br0", "bridge", 0);
	link_init(&l->v[3], 4, "port0", "veth", 3);
	for (i = 0; i < extra; i++) {
		g_autofree char *name = g_strdup_printf("x%u", i);

		link_init(&l->v[N_BASE_LINKS + i], 10 + (int)i, name, "veth", 0);
	}
	s->links = l;

	addr_init(&a->v[0], 1, "127.0.0.1", 8, RT_SCOPE_HOST, "lo");
	addr_init(&a->v[1], 2, "10.0.0.1", 24, RT_SCOPE_UNIVERSE, "eth0");
	a->v[1].has_broadcast = true;
	set_ip(a->v[1].broadcast, "10.0.0.255");
	addr_init(&a->v[2], 1, "::1", 128, RT_SCOPE_HOST, "");
	addr_init(&a->v[3], 2, "2001:db8::1", 64, RT_SCOPE_UNIVERSE, "");
	addr_init(&a->v[4], 2, "fe80::1", 64, RT_SCOPE_LINK, "");
	s->addrs = a;

	route_init(r, 0, 0, "0.0.0.0", 0, RT_TABLE_MAIN, RTN_UNICAST,
		   RT_SCOPE_UNIVERSE, 2, "10.0.0.254");
	route_init(r, 1, 1, "10.0.0.0", 24, RT_TABLE_MAIN, RTN_UNICAST,
		   RT_SCOPE_LINK, 2, NULL);
	r->v[1].has_prefsrc = true;
	set_ip(r->v[1].prefsrc, "10.0.0.1");
	route_init(r, 2, 2, "192.168.0.0", 16, RT_TABLE_MAIN, RTN_UNICAST,
		   RT_SCOPE_UNIVERSE, 2, "10.0.0.2");
	r->v[2].nh_count = 2; /* multipath: nh 2 and 3 */
	r->nh[3].ifindex = 3;
	r->nh[3].gw_family = AF_INET;
	set_ip(r->nh[3].gw, "10.0.0.3");
	route_init(r, 3, 4, "10.0.0.1", 32, RT_TABLE_LOCAL, RTN_LOCAL,
		   RT_SCOPE_HOST, 2, NULL);
	route_init(r, 4, 5, "127.0.0.0", 8, RT_TABLE_LOCAL, RTN_LOCAL,
		   RT_SCOPE_HOST, 1, NULL);
	route_init(r, 5, 6, "2001:db8::", 64, RT_TABLE_MAIN, RTN_UNICAST,
		   RT_SCOPE_UNIVERSE, 2, NULL);
	route_init(r, 6, 7, "::", 0, RT_TABLE_MAIN, RTN_UNICAST,
		   RT_SCOPE_UNIVERSE, 2, "fe80::ff");
	route_init(r, 7, 8, "::1", 128, RT_TABLE_LOCAL, RTN_LOCAL,
		   RT_SCOPE_UNIVERSE, 1, NULL);
	s->routes = r;

	neigh_init(&n->v[0], 2, "10.0.0.254", NUD_REACHABLE);
	neigh_init(&n->v[1], 2, "fe80::ff", NUD_STALE);
	neigh_init(&n->v[2], 4, "10.0.0.9", NUD_PERMANENT);
	s->neighs = n;
	s->resolv = ns_resolv_part_new();
	s->hosts = ns_hosts_new();
	s->hostname = g_strdup("box");
	return s;
}

#define _cleanup_snap_ _cleanup_(netstate_snapshot_unrefp)

static const struct nlmsg_opts opts_plain = { .portid = PORTID };
static const struct nlmsg_opts opts_strict = {
	.portid = PORTID, .strict_chk = true, .ext_ack = true,
};

/* Count the messages of @type in @m. */
static guint count_type(GPtrArray *m, uint16_t type)
{
	guint i, n = 0;

	for (i = 0; i < m->len; i++)
		if (msg_hdr(m->pdata[i]).nlmsg_type == type)
			n++;
	return n;
}

/* ---- GETLINK -------------------------------------------------------------- */

static void test_getlink_dump(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC };
	g_autoptr(GPtrArray) m = dump_msgs(s, &opts_plain,
					   req_dump(RTM_GETLINK, &ifm, sizeof(ifm)));
	guint i;

	g_assert_cmpuint(m->len, ==, N_BASE_LINKS + 1);
	g_assert_cmpint(msg_errno(done_of(m)), ==, 0);
	for (i = 0; i < N_BASE_LINKS; i++) {
		const struct ns_link *l = &s->links->v[i];
		const struct ifinfomsg *got = (const void *)msg_data(m->pdata[i]);
		const struct nlattr *a;

		g_assert_cmpuint(msg_hdr(m->pdata[i]).nlmsg_type, ==, RTM_NEWLINK);
		g_assert_cmpint(got->ifi_index, ==, l->ifindex);
		g_assert_cmpuint(got->ifi_flags, ==, l->flags);
		g_assert_cmpuint(got->ifi_type, ==, l->type);
		a = msg_attr(m->pdata[i], sizeof(ifm), IFLA_IFNAME);
		g_assert_nonnull(a);
		g_assert_cmpstr(nla_data(a), ==, l->name);
		a = msg_attr(m->pdata[i], sizeof(ifm), IFLA_MTU);
		g_assert_nonnull(a);
		g_assert_cmpuint(nla_u32(a), ==, l->mtu);
		a = msg_attr(m->pdata[i], sizeof(ifm), IFLA_MASTER);
		g_assert_cmpint(a ? (int)nla_u32(a) : 0, ==, l->master);
	}

	/* The old rtgenmsg form (iproute2 before 3.9) dumps everything. */
	{
		g_autoptr(GPtrArray) m2 = dump_msgs(s, &opts_plain,
			req_gen(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC));

		g_assert_cmpuint(count_type(m2, RTM_NEWLINK), ==, N_BASE_LINKS);
	}
	/* IFLA_MASTER filter: the bridge's port only, DUMP_FILTERED. */
	{
		GByteArray *req = req_dump(RTM_GETLINK, &ifm, sizeof(ifm));
		g_autoptr(GPtrArray) m3 = NULL;

		req_u32(req, IFLA_MASTER, 3);
		m3 = dump_msgs(s, &opts_strict, req);
		g_assert_cmpuint(count_type(m3, RTM_NEWLINK), ==, 1);
		g_assert_cmpint(((const struct ifinfomsg *)msg_data(m3->pdata[0]))->ifi_index, ==, 4);
		g_assert_true(msg_hdr(m3->pdata[0]).nlmsg_flags & NLM_F_DUMP_FILTERED);
	}
	/* IFLA_LINKINFO { IFLA_INFO_KIND "bridge" } */
	{
		GByteArray *req = req_dump(RTM_GETLINK, &ifm, sizeof(ifm));
		g_autoptr(GPtrArray) m4 = NULL;
		uint8_t nest[12] = { 0 };
		struct nlattr kind = { .nla_len = NLA_HDRLEN + 7,
				       .nla_type = IFLA_INFO_KIND };

		memcpy(nest, &kind, sizeof(kind));
		memcpy(nest + NLA_HDRLEN, "bridge", 7);
		req_attr(req, IFLA_LINKINFO, nest, sizeof(nest));
		m4 = dump_msgs(s, &opts_plain, req);
		g_assert_cmpuint(count_type(m4, RTM_NEWLINK), ==, 1);
		g_assert_cmpint(((const struct ifinfomsg *)msg_data(m4->pdata[0]))->ifi_index, ==, 3);
	}
}

static void test_getlink_single(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC, .ifi_index = 2 };
	GByteArray *req;
	struct res r;
	g_autoptr(GBytes) m = NULL, m2 = NULL;
	const struct nlattr *a;

	/* by index */
	call(s, &opts_plain, req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &ifm, sizeof(ifm)), &r);
	m = only_msg(&r);
	res_clear(&r);
	g_assert_cmpuint(msg_hdr(m).nlmsg_type, ==, RTM_NEWLINK);
	g_assert_cmpuint(msg_hdr(m).nlmsg_seq, ==, 77);
	g_assert_cmpuint(msg_hdr(m).nlmsg_pid, ==, PORTID);
	g_assert_false(msg_hdr(m).nlmsg_flags & NLM_F_MULTI);
	a = msg_attr(m, sizeof(ifm), IFLA_IFNAME);
	g_assert_nonnull(a);
	g_assert_cmpstr(nla_data(a), ==, "eth0");

	/* by IFLA_IFNAME */
	ifm.ifi_index = 0;
	req = req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &ifm, sizeof(ifm));
	req_str(req, IFLA_IFNAME, "br0");
	call(s, &opts_strict, req, &r);
	m2 = only_msg(&r);
	res_clear(&r);
	g_assert_cmpint(((const struct ifinfomsg *)msg_data(m2))->ifi_index, ==, 3);

	/* unknown index, unknown name: -ENODEV */
	ifm.ifi_index = 99;
	call(s, &opts_plain, req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &ifm, sizeof(ifm)), &r);
	assert_error(&r, -ENODEV);
	res_clear(&r);
	ifm.ifi_index = 0;
	req = req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &ifm, sizeof(ifm));
	req_str(req, IFLA_IFNAME, "nosuch0");
	call(s, &opts_plain, req, &r);
	assert_error(&r, -ENODEV);
	res_clear(&r);
	/* neither index nor name: -EINVAL */
	call(s, &opts_plain, req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &ifm, sizeof(ifm)), &r);
	assert_error(&r, -EINVAL);
	res_clear(&r);
	/* a name longer than IFNAMSIZ - 1 fails the policy: -ERANGE */
	req = req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &ifm, sizeof(ifm));
	req_str(req, IFLA_IFNAME, "a-name-of-twenty-chars");
	call(s, &opts_plain, req, &r);
	assert_error(&r, -ERANGE);
	res_clear(&r);
}

/* ---- GETADDR / GETROUTE / GETNEIGH ------------------------------------------ */

static void test_getaddr(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct ifaddrmsg ifa = { 0 };
	static const uint8_t fams[] = { AF_INET, AF_INET6, AF_UNSPEC };
	static const guint want[] = { N_V4_ADDRS, N_V6_ADDRS, N_V4_ADDRS + N_V6_ADDRS };
	guint k, i;

	for (k = 0; k < G_N_ELEMENTS(fams); k++) {
		g_autoptr(GPtrArray) m = NULL;

		ifa.ifa_family = fams[k];
		m = dump_msgs(s, &opts_plain, req_dump(RTM_GETADDR, &ifa, sizeof(ifa)));
		g_assert_cmpuint(m->len, ==, want[k] + 1);
		g_assert_cmpint(msg_errno(done_of(m)), ==, 0);
		for (i = 0; i + 1 < m->len; i++) {
			const struct ifaddrmsg *got = (const void *)msg_data(m->pdata[i]);
			const struct nlattr *a;
			uint8_t fam = got->ifa_family;

			g_assert_cmpuint(msg_hdr(m->pdata[i]).nlmsg_type, ==, RTM_NEWADDR);
			g_assert_true(fams[k] == AF_UNSPEC || fam == fams[k]);
			/* IPv4 first, as the kernel's AF_UNSPEC dump */
			if (i > 0 && fam == AF_INET)
				g_assert_cmpuint(((const struct ifaddrmsg *)msg_data(m->pdata[i - 1]))->ifa_family, ==, AF_INET);
			a = msg_attr(m->pdata[i], sizeof(ifa), IFA_ADDRESS);
			g_assert_nonnull(a);
			g_assert_cmpuint(a->nla_len, ==, NLA_HDRLEN + (fam == AF_INET ? 4 : 16));
			if (fam == AF_INET) {
				a = msg_attr(m->pdata[i], sizeof(ifa), IFA_LOCAL);
				g_assert_nonnull(a);
				a = msg_attr(m->pdata[i], sizeof(ifa), IFA_LABEL);
				g_assert_nonnull(a);
			}
		}
	}
	/* strict: filter by ifa_index */
	{
		g_autoptr(GPtrArray) m = NULL;

		ifa.ifa_family = AF_INET6;
		ifa.ifa_index = 2;
		m = dump_msgs(s, &opts_strict, req_dump(RTM_GETADDR, &ifa, sizeof(ifa)));
		g_assert_cmpuint(count_type(m, RTM_NEWADDR), ==, 2);
		for (i = 0; i + 1 < m->len; i++)
			g_assert_cmpuint(((const struct ifaddrmsg *)msg_data(m->pdata[i]))->ifa_index, ==, 2);
	}
	/* strict: an unknown ifa_index is -ENODEV in NLMSG_DONE */
	{
		g_autoptr(GPtrArray) m = NULL;

		ifa.ifa_family = AF_INET;
		ifa.ifa_index = 99;
		m = dump_msgs(s, &opts_strict, req_dump(RTM_GETADDR, &ifa, sizeof(ifa)));
		g_assert_cmpuint(m->len, ==, 1);
		g_assert_cmpint(msg_errno(done_of(m)), ==, -ENODEV);
	}
}

static void test_getroute(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct rtmsg rtm = { 0 };
	guint i;

	/* AF_INET: every v4 route of main and local, multipath nested */
	{
		g_autoptr(GPtrArray) m = NULL;
		bool mp = false;

		rtm.rtm_family = AF_INET;
		m = dump_msgs(s, &opts_plain, req_dump(RTM_GETROUTE, &rtm, sizeof(rtm)));
		g_assert_cmpuint(count_type(m, RTM_NEWROUTE), ==, N_V4_ROUTES);
		g_assert_cmpuint(m->len, ==, N_V4_ROUTES + 1);
		for (i = 0; i + 1 < m->len; i++) {
			const struct rtmsg *got = (const void *)msg_data(m->pdata[i]);
			const struct nlattr *t = msg_attr(m->pdata[i], sizeof(rtm), RTA_TABLE);

			g_assert_cmpuint(got->rtm_family, ==, AF_INET);
			g_assert_nonnull(t);
			g_assert_cmpuint(got->rtm_table, ==, nla_u32(t));
			if (msg_attr(m->pdata[i], sizeof(rtm), RTA_MULTIPATH)) {
				mp = true;
				g_assert_null(msg_attr(m->pdata[i], sizeof(rtm), RTA_OIF));
			}
		}
		g_assert_true(mp);
	}
	/* AF_INET6 */
	{
		g_autoptr(GPtrArray) m = NULL;

		rtm.rtm_family = AF_INET6;
		m = dump_msgs(s, &opts_plain, req_dump(RTM_GETROUTE, &rtm, sizeof(rtm)));
		g_assert_cmpuint(count_type(m, RTM_NEWROUTE), ==, N_V6_ROUTES);
		for (i = 0; i + 1 < m->len; i++) {
			g_assert_cmpuint(((const struct rtmsg *)msg_data(m->pdata[i]))->rtm_family, ==, AF_INET6);
			g_assert_nonnull(msg_attr(m->pdata[i], sizeof(rtm), RTA_PRIORITY));
		}
	}
	/* AF_UNSPEC: both */
	{
		g_autoptr(GPtrArray) m = NULL;

		rtm.rtm_family = AF_UNSPEC;
		m = dump_msgs(s, &opts_plain, req_dump(RTM_GETROUTE, &rtm, sizeof(rtm)));
		g_assert_cmpuint(count_type(m, RTM_NEWROUTE), ==, N_V4_ROUTES + N_V6_ROUTES);
	}
	/* strict: RTA_TABLE local only; DUMP_FILTERED */
	{
		GByteArray *req;
		g_autoptr(GPtrArray) m = NULL;

		rtm.rtm_family = AF_INET;
		req = req_dump(RTM_GETROUTE, &rtm, sizeof(rtm));
		req_u32(req, RTA_TABLE, RT_TABLE_LOCAL);
		m = dump_msgs(s, &opts_strict, req);
		g_assert_cmpuint(count_type(m, RTM_NEWROUTE), ==, 2);
		g_assert_true(msg_hdr(m->pdata[0]).nlmsg_flags & NLM_F_DUMP_FILTERED);
	}
	/* strict: RTA_OIF 1 (lo) */
	{
		GByteArray *req;
		g_autoptr(GPtrArray) m = NULL;

		rtm.rtm_family = AF_UNSPEC;
		req = req_dump(RTM_GETROUTE, &rtm, sizeof(rtm));
		req_u32(req, RTA_OIF, 1);
		m = dump_msgs(s, &opts_strict, req);
		g_assert_cmpuint(count_type(m, RTM_NEWROUTE), ==, 2);
	}
	/* strict, v4: a table that does not exist is -ENOENT with its text */
	{
		GByteArray *req;
		g_autoptr(GPtrArray) m = NULL;
		g_autofree char *txt = NULL;

		rtm.rtm_family = AF_INET;
		req = req_dump(RTM_GETROUTE, &rtm, sizeof(rtm));
		req_u32(req, RTA_TABLE, 1000);
		m = dump_msgs(s, &opts_strict, req);
		g_assert_cmpuint(m->len, ==, 1);
		g_assert_cmpint(msg_errno(done_of(m)), ==, -ENOENT);
		txt = msg_ext(done_of(m));
		g_assert_cmpstr(txt, ==, "ipv4: FIB table does not exist");
	}
}

static void test_getneigh(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct ndmsg ndm = { 0 };
	g_autoptr(GPtrArray) all = NULL, v4 = NULL, v6 = NULL, port = NULL;
	GByteArray *req;
	guint i;

	all = dump_msgs(s, &opts_plain, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
	g_assert_cmpuint(count_type(all, RTM_NEWNEIGH), ==, N_NEIGHS);
	for (i = 0; i + 1 < all->len; i++) {
		const struct ndmsg *got = (const void *)msg_data(all->pdata[i]);

		g_assert_cmpuint(got->ndm_state, ==, s->neighs->v[i].state);
		g_assert_nonnull(msg_attr(all->pdata[i], sizeof(ndm), NDA_DST));
		g_assert_nonnull(msg_attr(all->pdata[i], sizeof(ndm), NDA_LLADDR));
	}
	ndm.ndm_family = AF_INET;
	v4 = dump_msgs(s, &opts_plain, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
	g_assert_cmpuint(count_type(v4, RTM_NEWNEIGH), ==, 2);
	ndm.ndm_family = AF_INET6;
	v6 = dump_msgs(s, &opts_plain, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
	g_assert_cmpuint(count_type(v6, RTM_NEWNEIGH), ==, 1);
	/* NDA_MASTER 3: the neighbour on the bridge port */
	ndm.ndm_family = AF_UNSPEC;
	req = req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm));
	req_u32(req, NDA_MASTER, 3);
	port = dump_msgs(s, &opts_strict, req);
	g_assert_cmpuint(count_type(port, RTM_NEWNEIGH), ==, 1);
	g_assert_cmpint(((const struct ndmsg *)msg_data(port->pdata[0]))->ndm_ifindex, ==, 4);
}

/* ---- host queries ------------------------------------------------------------ */

/*
 * struct hq - a host_query stub: answers with canned kernel-format
 * datagrams built per request type, or an error
 */
struct hq {
	int err;          /* returned as is when < 0 */
	guint calls;
	uint16_t last_type;
	int netconf_ifindex[4];
	guint n_netconf;
	int route_oif;
};

static void put_msg(GByteArray *dg, GByteArray *m)
{
	static const uint8_t zero[4];

	g_byte_array_append(dg, m->data, m->len);
	g_byte_array_append(dg, zero, NLMSG_ALIGN(m->len) - m->len);
	g_byte_array_unref(m);
}

static int hq_fn(void *data, const void *req, size_t len, GPtrArray **ret)
{
	struct hq *h = data;
	struct nlmsghdr rh;
	GByteArray *dg = g_byte_array_new();
	GByteArray *m;
	int zero = 0;
	guint i;

	h->calls++;
	g_assert_cmpuint(len, >=, NLMSG_HDRLEN);
	memcpy(&rh, req, sizeof(rh));
	h->last_type = rh.nlmsg_type;
	if (h->err < 0) {
		g_byte_array_unref(dg);
		return h->err;
	}
	switch (rh.nlmsg_type) {
	case RTM_GETNETCONF:
		for (i = 0; i < h->n_netconf; i++) {
			struct netconfmsg nc = { .ncm_family = AF_INET };

			m = req_new(RTM_NEWNETCONF, NLM_F_MULTI, rh.nlmsg_seq, &nc, sizeof(nc));
			req_u32(m, NETCONFA_IFINDEX, (uint32_t)h->netconf_ifindex[i]);
			req_u32(m, NETCONFA_FORWARDING, 1);
			put_msg(dg, m);
		}
		break;
	case RTM_GETROUTE: {
		struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 32,
				     .rtm_table = RT_TABLE_MAIN,
				     .rtm_type = RTN_UNICAST,
				     .rtm_flags = RTM_F_CLONED };
		uint8_t dst[4] = { 10, 0, 0, 7 };

		m = req_new(RTM_NEWROUTE, 0, rh.nlmsg_seq, &rtm, sizeof(rtm));
		req_u32(m, RTA_TABLE, RT_TABLE_MAIN);
		req_attr(m, RTA_DST, dst, 4);
		req_u32(m, RTA_OIF, (uint32_t)h->route_oif);
		put_msg(dg, m);
		break;
	}
	case RTM_GETRULE: {
		struct fib_rule_hdr frh = { .family = ((const uint8_t *)req)[NLMSG_HDRLEN],
					    .table = RT_TABLE_MAIN,
					    .action = FR_ACT_TO_TBL };

		if (!frh.family)
			frh.family = AF_INET;
		m = req_new(RTM_NEWRULE, NLM_F_MULTI, rh.nlmsg_seq, &frh, sizeof(frh));
		req_u32(m, FRA_TABLE, RT_TABLE_MAIN);
		req_u32(m, FRA_PRIORITY, 32766);
		put_msg(dg, m);
		break;
	}
	default:
		break;
	}
	if (rh.nlmsg_flags & NLM_F_DUMP) {
		m = req_new(NLMSG_DONE, NLM_F_MULTI, rh.nlmsg_seq, &zero, sizeof(zero));
		put_msg(dg, m);
	}
	*ret = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_ptr_array_add(*ret, g_byte_array_free_to_bytes(dg));
	return 0;
}

static void test_getrule(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	static const uint8_t fams[] = { AF_INET, AF_INET6, AF_UNSPEC };
	guint k, i;

	for (k = 0; k < G_N_ELEMENTS(fams); k++) {
		struct fib_rule_hdr frh = { .family = fams[k] };
		struct hq h = { 0 };
		g_autoptr(GPtrArray) m = dump_msgs_hq(s, &opts_strict,
			req_dump(RTM_GETRULE, &frh, sizeof(frh)), hq_fn, &h,
			nlmsg_dump_size(0));
		bool main_seen = false;

		g_assert_cmpint(msg_errno(done_of(m)), ==, 0);
		g_assert_cmpuint(m->len, >=, 2);
		for (i = 0; i + 1 < m->len; i++) {
			const struct fib_rule_hdr *got = (const void *)msg_data(m->pdata[i]);
			const struct nlattr *t;

			g_assert_cmpuint(msg_hdr(m->pdata[i]).nlmsg_type, ==, RTM_NEWRULE);
			if (fams[k])
				g_assert_cmpuint(got->family, ==, fams[k]);
			else
				g_assert_true(got->family == AF_INET || got->family == AF_INET6 ||
					      got->family == RTNL_FAMILY_IPMR ||
					      got->family == RTNL_FAMILY_IP6MR);
			t = msg_attr(m->pdata[i], sizeof(frh), FRA_TABLE);
			if (t && nla_u32(t) == RT_TABLE_MAIN)
				main_seen = true;
		}
		g_assert_true(main_seen);
	}
}

static void test_netconf(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct netconfmsg nc = { .ncm_family = AF_INET };
	struct hq h = { .n_netconf = 3, .netconf_ifindex = { NETCONFA_IFINDEX_ALL, 2, 99 } };
	g_autoptr(GPtrArray) m = NULL;
	g_autoptr(GBytes) one = NULL;
	GByteArray *req;
	struct res r;
	guint i;

	/* dump: the host's, the hidden interface's entry removed */
	m = dump_msgs_hq(s, &opts_plain, req_dump(RTM_GETNETCONF, &nc, sizeof(nc)),
			 hq_fn, &h, nlmsg_dump_size(0));
	g_assert_cmpuint(h.calls, ==, 1);
	g_assert_cmpuint(count_type(m, RTM_NEWNETCONF), ==, 2);
	for (i = 0; i + 1 < m->len; i++) {
		const struct nlattr *a = msg_attr(m->pdata[i], sizeof(nc), NETCONFA_IFINDEX);

		g_assert_nonnull(a);
		g_assert_cmpint((int)nla_u32(a), !=, 99);
		g_assert_nonnull(msg_attr(m->pdata[i], sizeof(nc), NETCONFA_FORWARDING));
	}
	/* single, visible interface: the host's message, re-addressed */
	h.n_netconf = 1;
	h.netconf_ifindex[0] = 2;
	req = req_new(RTM_GETNETCONF, NLM_F_REQUEST, 77, &nc, sizeof(nc));
	req_u32(req, NETCONFA_IFINDEX, 2);
	call_hq(s, &opts_plain, req->data, req->len, hq_fn, &h, &r);
	g_byte_array_unref(req);
	one = only_msg(&r);
	res_clear(&r);
	g_assert_cmpuint(msg_hdr(one).nlmsg_type, ==, RTM_NEWNETCONF);
	g_assert_cmpuint(msg_hdr(one).nlmsg_pid, ==, PORTID);
	g_assert_cmpuint(msg_hdr(one).nlmsg_seq, ==, 77);
	/* single, hidden interface: -ENODEV without asking the host */
	h.calls = 0;
	req = req_new(RTM_GETNETCONF, NLM_F_REQUEST, 77, &nc, sizeof(nc));
	req_u32(req, NETCONFA_IFINDEX, 99);
	call_hq(s, &opts_plain, req->data, req->len, hq_fn, &h, &r);
	assert_error(&r, -ENODEV);
	res_clear(&r);
	/* the host's error is the answer */
	h.err = -EACCES;
	call_hq(s, &opts_plain, req->data, req->len, hq_fn, &h, &r);
	assert_error(&r, -ENODEV); /* hidden: decided before the host */
	res_clear(&r);
	g_byte_array_unref(req);
	req = req_new(RTM_GETNETCONF, NLM_F_REQUEST, 77, &nc, sizeof(nc));
	req_u32(req, NETCONFA_IFINDEX, 2);
	call_hq(s, &opts_plain, req->data, req->len, hq_fn, &h, &r);
	assert_error(&r, -EACCES);
	res_clear(&r);
	/* no host_query: -EOPNOTSUPP */
	call_hq(s, &opts_plain, req->data, req->len, NULL, NULL, &r);
	assert_error(&r, -EOPNOTSUPP);
	res_clear(&r);
	g_byte_array_unref(req);
	/* a dump whose host query fails: the error in NLMSG_DONE */
	{
		g_autoptr(GPtrArray) m2 = dump_msgs_hq(s, &opts_plain,
			req_dump(RTM_GETNETCONF, &nc, sizeof(nc)), hq_fn, &h,
			nlmsg_dump_size(0));

		g_assert_cmpuint(m2->len, ==, 1);
		g_assert_cmpint(msg_errno(done_of(m2)), ==, -EACCES);
	}
}

static void test_route_get(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 32 };
	uint8_t dst[4] = { 10, 0, 0, 7 };
	struct hq h = { .route_oif = 2 };
	g_autoptr(GBytes) m = NULL;
	GByteArray *req;
	struct res r;

	req = req_new(RTM_GETROUTE, NLM_F_REQUEST, 77, &rtm, sizeof(rtm));
	req_attr(req, RTA_DST, dst, 4);
	call_hq(s, &opts_plain, req->data, req->len, hq_fn, &h, &r);
	m = only_msg(&r);
	res_clear(&r);
	g_assert_cmpuint(h.calls, ==, 1);
	g_assert_cmpuint(msg_hdr(m).nlmsg_type, ==, RTM_NEWROUTE);
	g_assert_cmpuint(nla_u32(msg_attr(m, sizeof(rtm), RTA_OIF)), ==, 2);
	/* the host answers through a hidden interface: -ENETUNREACH */
	h.route_oif = 99;
	call_hq(s, &opts_plain, req->data, req->len, hq_fn, &h, &r);
	assert_error(&r, -ENETUNREACH);
	res_clear(&r);
	/* no host_query: -EOPNOTSUPP */
	call_hq(s, &opts_plain, req->data, req->len, NULL, NULL, &r);
	assert_error(&r, -EOPNOTSUPP);
	res_clear(&r);
	g_byte_array_unref(req);
	/* asked for a hidden output interface: -ENODEV */
	req = req_new(RTM_GETROUTE, NLM_F_REQUEST, 77, &rtm, sizeof(rtm));
	req_attr(req, RTA_DST, dst, 4);
	req_u32(req, RTA_OIF, 99);
	h.calls = 0;
	call_hq(s, &opts_plain, req->data, req->len, hq_fn, &h, &r);
	assert_error(&r, -ENODEV);
	res_clear(&r);
	g_byte_array_unref(req);
}

/* ---- dump framing --------------------------------------------------------------- */

/* Concatenated messages of datagrams: the stream independent of the split. */
static GByteArray *concat(GPtrArray *dg)
{
	GByteArray *b = g_byte_array_new();
	guint i;

	for (i = 0; i < dg->len; i++) {
		gsize len;
		const uint8_t *p = g_bytes_get_data(dg->pdata[i], &len);

		g_byte_array_append(b, p, (guint)len);
	}
	return b;
}

/* Each datagram is full: the next one's first message would not have fit
 * (NLMSG_DONE excepted: some dumps send it alone, as the kernel's do). */
static void assert_packed(GPtrArray *dg, size_t room)
{
	guint i;

	for (i = 0; i + 1 < dg->len; i++) {
		gsize len;
		const uint8_t *next = g_bytes_get_data(dg->pdata[i + 1], &len);
		struct nlmsghdr h;

		memcpy(&h, next, sizeof(h));
		if (h.nlmsg_type == NLMSG_DONE)
			continue;
		g_assert_cmpuint(g_bytes_get_size(dg->pdata[i]) +
				 NLMSG_ALIGN(h.nlmsg_len), >, room);
	}
}

static void test_dump_split(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(300);
	static const size_t rooms[] = { 3776, 1200, 2048, 8192, 16384, 32448 };
	static const uint16_t types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE };
	g_autoptr(GByteArray) ref = NULL;
	guint k, t;

	g_assert_cmpuint(nlmsg_dump_size(0), ==, 3776);
	g_assert_cmpuint(nlmsg_dump_size(1024), ==, 3776);
	g_assert_cmpuint(nlmsg_dump_size(8192), ==, 8192);
	g_assert_cmpuint(nlmsg_dump_size(1u << 20), ==, 32768 - 320);

	for (t = 0; t < G_N_ELEMENTS(types); t++) {
		g_clear_pointer(&ref, g_byte_array_unref);
		for (k = 0; k < G_N_ELEMENTS(rooms); k++) {
			struct res r;
			g_autoptr(GPtrArray) dg = NULL;
			g_autoptr(GByteArray) c = NULL;

			call(s, &opts_plain, req_gen(types[t], NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC), &r);
			g_assert_cmpint(r.ret, ==, 0);
			dg = drain(r.dump, 1, 1, rooms[k]);
			r.dump = NULL;
			res_clear(&r);
			c = concat(dg);
			if (types[t] == RTM_GETLINK)
				g_assert_cmpuint(dg->len, >=, c->len / rooms[k]);
			assert_packed(dg, rooms[k]);
			if (!ref) {
				ref = g_byte_array_ref(c);
				continue;
			}
			/* the same messages whatever the split */
			g_assert_cmpmem(c->data, c->len, ref->data, ref->len);
		}
	}
	/* a room too small for any object: -EMSGSIZE, not a loop */
	{
		struct res r;
		uint8_t buf[64];

		call(s, &opts_plain, req_gen(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC), &r);
		g_assert_cmpint(nlmsg_dump_next(r.dump, 1, buf, sizeof(buf)), ==, -EMSGSIZE);
		res_clear(&r);
	}
}

static void test_dump_intr(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(40);
	struct res r;
	g_autoptr(GPtrArray) dg = NULL, m0 = NULL, rest = NULL;
	guint i;

	call(s, &opts_plain, req_gen(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC), &r);
	g_assert_cmpint(r.ret, ==, 0);
	/* generation 1 for the first part, 2 afterwards */
	dg = drain(r.dump, 1, 2, 3776);
	r.dump = NULL;
	res_clear(&r);
	g_assert_cmpuint(dg->len, >=, 3);
	{
		g_autoptr(GPtrArray) first = g_ptr_array_new();

		g_ptr_array_add(first, dg->pdata[0]);
		m0 = split_msgs(first);
	}
	for (i = 0; i < m0->len; i++)
		g_assert_false(msg_hdr(m0->pdata[i]).nlmsg_flags & NLM_F_DUMP_INTR);
	g_ptr_array_remove_index(dg, 0);
	rest = split_msgs(dg);
	for (i = 0; i < rest->len; i++)
		g_assert_true(msg_hdr(rest->pdata[i]).nlmsg_flags & NLM_F_DUMP_INTR);
	g_assert_cmpint(msg_errno(done_of(rest)), ==, 0);
}

static void test_dump_busy(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	g_autoptr(GByteArray) req = req_gen(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC);
	g_autoptr(GPtrArray) dg = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct nlmsg_dump *d = NULL, *first;
	int r;

	r = nlmsg_request(s, &opts_plain, req->data, req->len, NULL, NULL,
			  sink_emit, dg, &d);
	g_assert_cmpint(r, ==, 0);
	g_assert_nonnull(d);
	first = d;
	/* a second dump while one runs: -EBUSY, the running one kept */
	r = nlmsg_request(s, &opts_plain, req->data, req->len, NULL, NULL,
			  sink_emit, dg, &d);
	g_assert_cmpint(r, ==, 0);
	g_assert_true(d == first);
	{
		g_autoptr(GPtrArray) m = split_msgs(dg);

		g_assert_cmpuint(m->len, ==, 1);
		g_assert_cmpuint(msg_hdr(m->pdata[0]).nlmsg_type, ==, NLMSG_ERROR);
		g_assert_cmpint(msg_errno(m->pdata[0]), ==, -EBUSY);
	}
	g_ptr_array_set_size(dg, 0);
	nlmsg_dump_free(d);
	/* no dump slot: -EOPNOTSUPP */
	r = nlmsg_request(s, &opts_plain, req->data, req->len, NULL, NULL,
			  sink_emit, dg, NULL);
	g_assert_cmpint(r, ==, 0);
	{
		g_autoptr(GPtrArray) m = split_msgs(dg);

		g_assert_cmpuint(m->len, ==, 1);
		g_assert_cmpint(msg_errno(m->pdata[0]), ==, -EOPNOTSUPP);
	}
}

/* ---- acks and errors --------------------------------------------------------------- */

static void test_ack(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct ifinfomsg ifm = { .ifi_index = 1 };
	struct nlmsg_opts cap = { .portid = PORTID, .cap_ack = true };
	g_autoptr(GPtrArray) m = NULL;
	GByteArray *req;
	struct nlmsgerr e;
	struct res r;
	guint len;

	/* GETLINK with NLM_F_ACK: the answer, then an ack (capped, no echo) */
	call(s, &opts_plain, req_new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 77, &ifm, sizeof(ifm)), &r);
	g_assert_cmpint(r.ret, ==, 0);
	g_assert_cmpuint(r.dg->len, ==, 2);
	m = split_msgs(r.dg);
	res_clear(&r);
	g_assert_cmpuint(msg_hdr(m->pdata[0]).nlmsg_type, ==, RTM_NEWLINK);
	g_assert_cmpuint(msg_hdr(m->pdata[1]).nlmsg_type, ==, NLMSG_ERROR);
	g_assert_cmpint(msg_errno(m->pdata[1]), ==, 0);
	g_assert_true(msg_hdr(m->pdata[1]).nlmsg_flags & NLM_F_CAPPED);
	g_assert_cmpuint(msg_hdr(m->pdata[1]).nlmsg_len, ==, NLMSG_HDRLEN + sizeof(e));
	memcpy(&e, msg_data(m->pdata[1]), sizeof(e));
	g_assert_cmpuint(e.msg.nlmsg_type, ==, RTM_GETLINK);
	g_assert_cmpuint(e.msg.nlmsg_seq, ==, 77);
	g_clear_pointer(&m, g_ptr_array_unref);

	/* an error echoes the whole request without NETLINK_CAP_ACK */
	req = req_new(RTM_NEWADDR, NLM_F_REQUEST, 77, &ifm, sizeof(ifm));
	req_str(req, IFA_LABEL, "eth0");
	len = req->len;
	call_hq(s, &opts_plain, req->data, req->len, NULL, NULL, &r);
	{
		g_autoptr(GBytes) em = only_msg(&r);

		g_assert_cmpint(msg_errno(em), ==, -EPERM);
		g_assert_false(msg_hdr(em).nlmsg_flags & NLM_F_CAPPED);
		g_assert_cmpuint(msg_hdr(em).nlmsg_len, ==, NLMSG_HDRLEN + 4 + len);
		g_assert_cmpmem(msg_data(em) + 4, len, req->data, len);
	}
	res_clear(&r);
	/* ... and only its header with NETLINK_CAP_ACK */
	call_hq(s, &cap, req->data, req->len, NULL, NULL, &r);
	{
		g_autoptr(GBytes) em = only_msg(&r);

		g_assert_cmpint(msg_errno(em), ==, -EPERM);
		g_assert_true(msg_hdr(em).nlmsg_flags & NLM_F_CAPPED);
		g_assert_cmpuint(msg_hdr(em).nlmsg_len, ==, NLMSG_HDRLEN + sizeof(e));
		memcpy(&e, msg_data(em), sizeof(e));
		g_assert_cmpuint(e.msg.nlmsg_len, ==, len);
	}
	res_clear(&r);
	g_byte_array_unref(req);

	/* no NLM_F_ACK, no error: no reply at all (NLMSG_NOOP) */
	call(s, &opts_plain, req_new(NLMSG_NOOP, NLM_F_REQUEST, 77, NULL, 0), &r);
	g_assert_cmpint(r.ret, ==, 0);
	g_assert_cmpuint(r.dg->len, ==, 0);
	res_clear(&r);
	/* a control message with NLM_F_ACK is acked */
	call(s, &opts_plain, req_new(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 77, NULL, 0), &r);
	assert_error(&r, 0);
	res_clear(&r);
	/* a message without NLM_F_REQUEST is not a request: acked only */
	call(s, &opts_plain, req_new(RTM_NEWLINK, NLM_F_ACK, 77, &ifm, sizeof(ifm)), &r);
	assert_error(&r, 0);
	res_clear(&r);
	/* a dump with NLM_F_ACK: the dump, no NLMSG_ERROR */
	call(s, &opts_plain, req_gen(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, AF_UNSPEC), &r);
	g_assert_cmpuint(r.dg->len, ==, 0);
	g_assert_nonnull(r.dump);
	res_clear(&r);
}

static void test_ext_ack(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct ifinfomsg ifm = { .ifi_index = 1 };
	struct nlmsg_opts noext = { .portid = PORTID, .strict_chk = true };
	GByteArray *req;
	struct res r;

	/* NLMSGERR_ATTR_MSG and NLMSGERR_ATTR_OFFS for an attribute failing
	 * its policy (validate_nla: a name longer than IFNAMSIZ - 1) */
	req = req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &ifm, sizeof(ifm));
	req_str(req, IFLA_IFNAME, "a-name-of-twenty-chars");
	call_hq(s, &opts_strict, req->data, req->len, NULL, NULL, &r);
	{
		g_autoptr(GBytes) m = only_msg(&r);
		g_autofree char *txt = msg_ext(m);
		const struct nlattr *offs;

		g_assert_cmpint(msg_errno(m), ==, -ERANGE);
		g_assert_true(msg_hdr(m).nlmsg_flags & NLM_F_ACK_TLVS);
		g_assert_nonnull(txt);
		offs = msg_attr_at(m, msg_tlv_off(m), NLMSGERR_ATTR_OFFS);
		g_assert_nonnull(offs);
		g_assert_cmpuint(nla_u32(offs), ==, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifm)));
	}
	res_clear(&r);
	/* without NETLINK_EXT_ACK: no TLVs */
	call_hq(s, &noext, req->data, req->len, NULL, NULL, &r);
	{
		g_autoptr(GBytes) m = only_msg(&r);

		g_assert_cmpint(msg_errno(m), ==, -ERANGE);
		g_assert_false(msg_hdr(m).nlmsg_flags & NLM_F_ACK_TLVS);
	}
	res_clear(&r);
	g_byte_array_unref(req);
	/* a dump's attribute error: NLMSG_DONE with the text */
	req = req_dump(RTM_GETLINK, &(struct ifinfomsg){ 0 }, sizeof(ifm));
	req_u32(req, IFLA_TARGET_NETNSID, 5);
	call_hq(s, &opts_strict, req->data, req->len, NULL, NULL, &r);
	{
		g_autoptr(GPtrArray) dg = drain(g_steal_pointer(&r.dump), 1, 1, 3776);
		g_autoptr(GPtrArray) m = split_msgs(dg);
		g_autofree char *txt = msg_ext(done_of(m));

		g_assert_cmpint(msg_errno(done_of(m)), ==, -EINVAL);
		g_assert_cmpstr(txt, ==, "Invalid target network namespace id");
	}
	res_clear(&r);
	g_byte_array_unref(req);
	/* a dump's validation error: NLMSG_DONE with the text */
	ifm.ifi_index = 2;
	{
		g_autoptr(GPtrArray) m = dump_msgs(s, &opts_strict,
			req_dump(RTM_GETLINK, &ifm, sizeof(ifm)));
		g_autofree char *txt = msg_ext(done_of(m));

		g_assert_cmpuint(m->len, ==, 1);
		g_assert_cmpint(msg_errno(done_of(m)), ==, -EINVAL);
		g_assert_cmpstr(txt, ==, "Filter by device index not supported for link dumps");
	}
}

/* Strict checking: a bad dump header is -EINVAL; without it, a dump. */
static void test_strict(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct ifinfomsg ifm = { .ifi_flags = IFF_UP };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 8 };
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 8 };
	struct ndmsg ndm = { .ndm_state = NUD_REACHABLE };
	struct fib_rule_hdr frh = { .family = AF_INET, .table = 5 };
	struct {
		uint16_t type;
		const void *fam;
		size_t len;
		guint objs; /* objects without strict checking */
	} c[] = {
		{ RTM_GETLINK, &ifm, sizeof(ifm), N_BASE_LINKS },
		{ RTM_GETADDR, &ifa, sizeof(ifa), N_V4_ADDRS },
		{ RTM_GETROUTE, &rtm, sizeof(rtm), N_V4_ROUTES },
		{ RTM_GETNEIGH, &ndm, sizeof(ndm), N_NEIGHS },
		{ RTM_GETRULE, &frh, sizeof(frh), 0 },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(c); i++) {
		g_autoptr(GPtrArray) bad = dump_msgs(s, &opts_strict,
			req_dump(c[i].type, c[i].fam, c[i].len));
		g_autoptr(GPtrArray) lax = dump_msgs(s, &opts_plain,
			req_dump(c[i].type, c[i].fam, c[i].len));
		g_autofree char *txt = msg_ext(done_of(bad));

		g_test_message("type %u", c[i].type);
		g_assert_cmpuint(bad->len, ==, 1);
		g_assert_cmpint(msg_errno(done_of(bad)), ==, -EINVAL);
		g_assert_nonnull(txt);
		g_assert_nonnull(strstr(txt, "nvalid"));
		g_assert_cmpint(msg_errno(done_of(lax)), ==, 0);
		if (c[i].objs)
			g_assert_cmpuint(lax->len, ==, c[i].objs + 1);
		else
			g_assert_cmpuint(lax->len, >=, 2);
	}
	/* strict: a short header is -EINVAL too */
	{
		g_autoptr(GPtrArray) m = dump_msgs(s, &opts_strict,
			req_gen(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, AF_INET));

		g_assert_cmpint(msg_errno(done_of(m)), ==, -EINVAL);
	}
	/* strict: an unknown attribute type in a link dump */
	{
		GByteArray *req = req_dump(RTM_GETLINK, &(struct ifinfomsg){ 0 },
					   sizeof(struct ifinfomsg));
		g_autoptr(GPtrArray) m = NULL;

		req_u32(req, IFLA_MAX + 5, 1);
		m = dump_msgs(s, &opts_strict, req);
		g_assert_cmpint(msg_errno(done_of(m)), ==, -EINVAL);
	}
}

static void test_eperm_unknown(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	static const uint16_t perm[] = {
		RTM_NEWLINK, RTM_DELLINK, RTM_SETLINK, RTM_NEWADDR, RTM_DELADDR,
		RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWNEIGH, RTM_DELNEIGH,
		RTM_NEWRULE, RTM_DELRULE, RTM_NEWQDISC, RTM_NEWNETCONF,
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(perm); i++) {
		struct res r;

		call(s, &opts_plain, req_gen(perm[i], NLM_F_REQUEST | NLM_F_CREATE, AF_INET), &r);
		assert_error(&r, -EPERM);
		res_clear(&r);
		/* a dump flag does not make a NEW a GET */
		call(s, &opts_plain, req_gen(perm[i], NLM_F_REQUEST | NLM_F_DUMP, AF_INET), &r);
		assert_error(&r, -EPERM);
		res_clear(&r);
	}
	{
		struct res r;

		call(s, &opts_plain, req_gen(RTM_MAX + 1, NLM_F_REQUEST, AF_INET), &r);
		assert_error(&r, -EOPNOTSUPP);
		res_clear(&r);
		call(s, &opts_plain, req_gen(0x7fff, NLM_F_REQUEST | NLM_F_DUMP, AF_INET), &r);
		assert_error(&r, -EOPNOTSUPP);
		res_clear(&r);
		/* a GET type the view has nothing of: an empty dump */
		{
			g_autoptr(GPtrArray) m = dump_msgs(s, &opts_plain,
				req_gen(RTM_GETQDISC, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC));

			g_assert_cmpuint(m->len, ==, 1);
			g_assert_cmpint(msg_errno(done_of(m)), ==, 0);
		}
	}
}

/* ---- bad input ---------------------------------------------------------------------- */

/* Total bytes emitted. */
static gsize res_bytes(struct res *r)
{
	gsize n = 0;
	guint i;

	for (i = 0; i < r->dg->len; i++)
		n += g_bytes_get_size(r->dg->pdata[i]);
	return n;
}

static void test_bad_input(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct ifinfomsg ifm = { 0 };
	uint8_t junk[NLMSG_HDRLEN * 2];
	struct nlmsghdr *h = (void *)junk;
	GByteArray *req;
	struct res r;

	/* shorter than a header: ignored */
	memset(junk, 0, sizeof(junk));
	call_hq(s, &opts_plain, junk, NLMSG_HDRLEN - 1, NULL, NULL, &r);
	g_assert_cmpint(r.ret, ==, 0);
	g_assert_cmpuint(r.dg->len, ==, 0);
	res_clear(&r);
	call_hq(s, &opts_plain, junk, 0, NULL, NULL, &r);
	g_assert_cmpint(r.ret, ==, 0);
	g_assert_cmpuint(r.dg->len, ==, 0);
	res_clear(&r);
	/* nlmsg_len shorter than a header, or longer than the datagram: ends */
	h->nlmsg_len = 8;
	h->nlmsg_type = RTM_GETLINK;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	call_hq(s, &opts_plain, junk, sizeof(junk), NULL, NULL, &r);
	g_assert_cmpuint(r.dg->len, ==, 0);
	res_clear(&r);
	h->nlmsg_len = sizeof(junk) + 4;
	call_hq(s, &opts_plain, junk, sizeof(junk), NULL, NULL, &r);
	g_assert_cmpuint(r.dg->len, ==, 0);
	res_clear(&r);
	/* an empty payload: no handler runs, acked with 0 */
	h->nlmsg_len = NLMSG_HDRLEN;
	h->nlmsg_seq = 77;
	call_hq(s, &opts_plain, junk, NLMSG_HDRLEN, NULL, NULL, &r);
	assert_error(&r, 0);
	res_clear(&r);
	/* too large to send: -EMSGSIZE for the call, nothing emitted */
	{
		g_autofree uint8_t *big = g_malloc0(NLMSG_REQ_MAX + 1);

		call_hq(s, &opts_plain, big, NLMSG_REQ_MAX + 1, NULL, NULL, &r);
		g_assert_cmpint(r.ret, ==, -EMSGSIZE);
		g_assert_cmpuint(r.dg->len, ==, 0);
		res_clear(&r);
	}
	/* two requests in one datagram, then a trailing fragment: both answered */
	{
		g_autoptr(GByteArray) two = g_byte_array_new();
		GByteArray *a = req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &(struct ifinfomsg){ .ifi_index = 1 }, sizeof(struct ifinfomsg));
		GByteArray *b = req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &(struct ifinfomsg){ .ifi_index = 2 }, sizeof(struct ifinfomsg));
		g_autoptr(GPtrArray) m = NULL;

		g_byte_array_append(two, a->data, a->len);
		g_byte_array_append(two, b->data, b->len);
		g_byte_array_append(two, junk, 6);
		g_byte_array_unref(a);
		g_byte_array_unref(b);
		call_hq(s, &opts_plain, two->data, two->len, NULL, NULL, &r);
		g_assert_cmpint(r.ret, ==, 0);
		m = split_msgs(r.dg);
		res_clear(&r);
		g_assert_cmpuint(m->len, ==, 2);
		g_assert_cmpint(((const struct ifinfomsg *)msg_data(m->pdata[0]))->ifi_index, ==, 1);
		g_assert_cmpint(((const struct ifinfomsg *)msg_data(m->pdata[1]))->ifi_index, ==, 2);
	}
	/* an attribute whose length runs past the message */
	req = req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &ifm, sizeof(ifm));
	req_attr_raw(req, IFLA_IFNAME, "eth0", 5, 200);
	call_hq(s, &opts_plain, req->data, req->len, NULL, NULL, &r);
	assert_error(&r, -EINVAL); /* no name left: neither index nor name */
	res_clear(&r);
	call_hq(s, &opts_strict, req->data, req->len, NULL, NULL, &r);
	{
		g_autoptr(GBytes) m = only_msg(&r);
		g_autofree char *txt = msg_ext(m);

		g_assert_cmpint(msg_errno(m), ==, -EINVAL);
		g_assert_cmpstr(txt, ==, "bytes leftover after parsing attributes");
	}
	res_clear(&r);
	g_byte_array_unref(req);
	/* an attribute shorter than its header */
	req = req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &ifm, sizeof(ifm));
	req_attr_raw(req, IFLA_IFNAME, "eth0", 5, 2);
	call_hq(s, &opts_strict, req->data, req->len, NULL, NULL, &r);
	assert_error(&r, -EINVAL);
	res_clear(&r);
	g_byte_array_unref(req);
	/* a u32 attribute of 2 bytes: -ERANGE */
	req = req_new(RTM_GETLINK, NLM_F_REQUEST, 77, &(struct ifinfomsg){ .ifi_index = 1 }, sizeof(ifm));
	req_attr(req, IFLA_EXT_MASK, "ab", 2);
	call_hq(s, &opts_plain, req->data, req->len, NULL, NULL, &r);
	assert_error(&r, -ERANGE);
	res_clear(&r);
	g_byte_array_unref(req);
	/* GETLINK single with a payload shorter than ifinfomsg */
	call(s, &opts_plain, req_gen(RTM_GETLINK, NLM_F_REQUEST, AF_UNSPEC), &r);
	assert_error(&r, -EINVAL);
	res_clear(&r);
}

/*
 * A zero-length datagram at the very end of readable memory (a guard page
 * follows): nothing may be read. Run in a subprocess, since a read past
 * the buffer is a SIGSEGV there.
 */
static void zero_length_child(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct res r;

	g_assert_true(m != MAP_FAILED);
	g_assert_cmpint(mprotect(m + page, (size_t)page, PROT_NONE), ==, 0);
	call_hq(s, &opts_plain, m + page, 0, NULL, NULL, &r);
	g_assert_cmpint(r.ret, ==, 0);
	g_assert_cmpuint(r.dg->len, ==, 0);
	res_clear(&r);
	munmap(m, (size_t)page * 2);
}

static void test_zero_length(void)
{
	if (g_test_subprocess()) {
		zero_length_child();
		return;
	}
	g_test_trap_subprocess(NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
	if (!g_test_trap_has_passed()) {
		/* proxy/nlmsg.c: copy = g_memdup2(buf, len ? len : 1) */
		g_test_incomplete("nlmsg_request() reads one byte of a zero-length buffer");
		return;
	}
}

/* Random datagrams, mostly well-framed: never a crash, output bounded. */
static void test_random(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(3);
	g_autoptr(GRand) rnd = g_rand_new_with_seed(20240607);
	uint8_t buf[512];
	static const uint16_t types[] = {
		RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH,
		RTM_GETRULE, RTM_GETNETCONF, RTM_NEWLINK, NLMSG_NOOP,
		RTM_GETQDISC, RTM_MAX + 3,
	};
	guint it;

	for (it = 0; it < 4000; it++) {
		size_t len = g_rand_int_range(rnd, 0, sizeof(buf) + 1);
		struct nlmsg_opts o = {
			.portid = PORTID,
			.strict_chk = g_rand_boolean(rnd),
			.ext_ack = g_rand_boolean(rnd),
			.cap_ack = g_rand_boolean(rnd),
		};
		struct hq h = { .n_netconf = 2, .netconf_ifindex = { 2, 99 },
				.route_oif = 2 };
		struct res r;
		size_t i, nmsgs = 0, off = 0;

		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)g_rand_int(rnd);
		/* frame most of them so the handlers run */
		while (g_rand_int_range(rnd, 0, 4) && len - off >= NLMSG_HDRLEN) {
			struct nlmsghdr nh;
			size_t ml = g_rand_int_range(rnd, NLMSG_HDRLEN, (gint32)(len - off) + 1);

			nh.nlmsg_len = (uint32_t)ml;
			nh.nlmsg_type = types[g_rand_int_range(rnd, 0, G_N_ELEMENTS(types))];
			nh.nlmsg_flags = (uint16_t)(NLM_F_REQUEST |
				(g_rand_boolean(rnd) ? NLM_F_DUMP : 0) |
				(g_rand_boolean(rnd) ? NLM_F_ACK : 0));
			nh.nlmsg_seq = 77;
			nh.nlmsg_pid = 0;
			memcpy(buf + off, &nh, sizeof(nh));
			off += NLMSG_ALIGN(ml);
			nmsgs++;
			if (off >= len)
				break;
		}
		call_hq(s, &o, buf, len, hq_fn, &h, &r);
		g_assert_cmpint(r.ret, ==, 0);
		{
			g_autoptr(GPtrArray) m = split_msgs(r.dg);

			/* at most an answer and an ack per message */
			g_assert_cmpuint(m->len, <=, 2 * (len / NLMSG_HDRLEN));
			g_assert_cmpuint(res_bytes(&r), <=, 2 * len + (len / NLMSG_HDRLEN) * 4096);
		}
		if (r.dump) {
			size_t room = g_rand_boolean(rnd) ? 3776 : (size_t)g_rand_int_range(rnd, 600, 4000);
			g_autoptr(GPtrArray) dg = NULL;

			dg = drain(r.dump, 1, g_rand_boolean(rnd) ? 1 : 2, room);
			r.dump = NULL;
			g_assert_cmpuint(dg->len, <=, 64);
		}
		res_clear(&r);
	}
}

/* ---- multicast changes ----------------------------------------------------------------- */

static void test_changes(void)
{
	_cleanup_snap_ struct netstate_snapshot *s = snap_new(0);
	struct ns_change c;
	uint8_t buf[4096], hmsg[256];
	ssize_t n;
	guint del;
	struct {
		enum ns_change_kind kind;
		uint8_t family;
		unsigned int group;
		uint16_t type_new, type_del;
		size_t hdrlen;
		uint16_t key_attr;
	} k[] = {
		{ NS_CHANGE_LINK, 0, RTNLGRP_LINK, RTM_NEWLINK, RTM_DELLINK, sizeof(struct ifinfomsg), IFLA_IFNAME },
		{ NS_CHANGE_ADDR, AF_INET, RTNLGRP_IPV4_IFADDR, RTM_NEWADDR, RTM_DELADDR, sizeof(struct ifaddrmsg), IFA_LOCAL },
		{ NS_CHANGE_ADDR, AF_INET6, RTNLGRP_IPV6_IFADDR, RTM_NEWADDR, RTM_DELADDR, sizeof(struct ifaddrmsg), IFA_ADDRESS },
		{ NS_CHANGE_ROUTE, AF_INET, RTNLGRP_IPV4_ROUTE, RTM_NEWROUTE, RTM_DELROUTE, sizeof(struct rtmsg), RTA_DST },
		{ NS_CHANGE_ROUTE, AF_INET6, RTNLGRP_IPV6_ROUTE, RTM_NEWROUTE, RTM_DELROUTE, sizeof(struct rtmsg), RTA_DST },
		{ NS_CHANGE_NEIGH, AF_INET, RTNLGRP_NEIGH, RTM_NEWNEIGH, RTM_DELNEIGH, sizeof(struct ndmsg), NDA_DST },
		{ NS_CHANGE_NEIGH, AF_INET6, RTNLGRP_NEIGH, RTM_NEWNEIGH, RTM_DELNEIGH, sizeof(struct ndmsg), NDA_DST },
		/* the host's own notifications, passed on (pid 1234 -> 0) */
		{ NS_CHANGE_HOSTMSG, AF_INET, RTNLGRP_IPV4_NETCONF, RTM_NEWNETCONF, RTM_DELNETCONF, sizeof(struct netconfmsg), NETCONFA_IFINDEX },
		{ NS_CHANGE_HOSTMSG, AF_INET6, RTNLGRP_IPV6_NETCONF, RTM_NEWNETCONF, RTM_DELNETCONF, sizeof(struct netconfmsg), NETCONFA_IFINDEX },
		{ NS_CHANGE_HOSTMSG, AF_INET, RTNLGRP_IPV4_RULE, RTM_NEWRULE, RTM_DELRULE, sizeof(struct fib_rule_hdr), FRA_PRIORITY },
		{ NS_CHANGE_HOSTMSG, AF_INET6, RTNLGRP_IPV6_RULE, RTM_NEWRULE, RTM_DELRULE, sizeof(struct fib_rule_hdr), FRA_PRIORITY },
		/* a bridge port's state, an FDB entry */
		{ NS_CHANGE_HOSTMSG, AF_BRIDGE, RTNLGRP_LINK, RTM_NEWLINK, RTM_DELLINK, sizeof(struct ifinfomsg), IFLA_MASTER },
		{ NS_CHANGE_HOSTMSG, AF_BRIDGE, RTNLGRP_NEIGH, RTM_NEWNEIGH, RTM_DELNEIGH, sizeof(struct ndmsg), NDA_MASTER },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(k); i++) {
		for (del = 0; del < 2; del++) {
			g_autoptr(GPtrArray) dg = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
			g_autoptr(GPtrArray) m = NULL;
			struct nlmsghdr h;

			memset(&c, 0, sizeof(c));
			c.kind = k[i].kind;
			c.deleted = del;
			switch (k[i].kind) {
			case NS_CHANGE_LINK:
				c.u.link = s->links->v[1];
				break;
			case NS_CHANGE_ADDR:
				c.u.addr = s->addrs->v[k[i].family == AF_INET ? 1 : 3];
				break;
			case NS_CHANGE_ROUTE:
				c.u.route.route = s->routes->v[k[i].family == AF_INET ? 2 : 5];
				c.u.route.nh[0] = s->routes->nh[c.u.route.route.nh_first];
				if (c.u.route.route.nh_count > 1)
					c.u.route.nh[1] = s->routes->nh[c.u.route.route.nh_first + 1];
				break;
			case NS_CHANGE_NEIGH:
				c.u.neigh = s->neighs->v[k[i].family == AF_INET ? 0 : 1];
				break;
			case NS_CHANGE_HOSTMSG: {
				struct nlmsghdr hm = {
					.nlmsg_len = NLMSG_LENGTH(NLMSG_ALIGN(k[i].hdrlen)) + RTA_LENGTH(4),
					.nlmsg_type = del ? k[i].type_del : k[i].type_new,
					.nlmsg_pid = 1234,
				};
				struct rtattr ra = { .rta_len = RTA_LENGTH(4), .rta_type = k[i].key_attr };
				uint32_t v = 7;

				memset(hmsg, 0, sizeof(hmsg));
				memcpy(hmsg, &hm, sizeof(hm));
				hmsg[NLMSG_HDRLEN] = k[i].family;
				memcpy(hmsg + NLMSG_LENGTH(NLMSG_ALIGN(k[i].hdrlen)), &ra, sizeof(ra));
				memcpy(hmsg + NLMSG_LENGTH(NLMSG_ALIGN(k[i].hdrlen)) + RTA_LENGTH(0), &v, sizeof(v));
				c.u.hostmsg.msg = hmsg;
				c.u.hostmsg.len = hm.nlmsg_len;
				break;
			}
			}
			g_assert_cmpuint(nlmsg_change_groups(&c), ==, UINT64_C(1) << (k[i].group - 1));
			n = nlmsg_change_encode(s, &c, buf, sizeof(buf));
			g_assert_cmpint(n, >, 0);
			g_ptr_array_add(dg, g_bytes_new(buf, (gsize)n));
			m = split_msgs(dg);
			g_assert_cmpuint(m->len, ==, 1);
			h = msg_hdr(m->pdata[0]);
			g_assert_cmpuint(h.nlmsg_type, ==, del ? k[i].type_del : k[i].type_new);
			g_assert_cmpuint(h.nlmsg_pid, ==, 0);
			g_assert_cmpuint(h.nlmsg_seq, ==, 0);
			g_assert_nonnull(msg_attr(m->pdata[0], k[i].hdrlen, k[i].key_attr));
			/* too small a buffer: -EMSGSIZE */
			g_assert_cmpint(nlmsg_change_encode(s, &c, buf, (size_t)n - 4), ==, -EMSGSIZE);
		}
	}
	/* a link change carries the kernel's IFLA_EVENT, where the kernel
	 * puts it (before IFLA_ADDRESS); a deletion, and a dump, none */
	for (del = 0; del < 2; del++) {
		g_autoptr(GPtrArray) dg = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
		g_autoptr(GPtrArray) m = NULL;
		const struct nlattr *ev, *addr;

		memset(&c, 0, sizeof(c));
		c.kind = NS_CHANGE_LINK;
		c.deleted = del;
		c.event = IFLA_EVENT_FEATURES;
		c.u.link = s->links->v[1];
		g_assert_cmpuint(c.u.link.addr_len, >, 0);
		n = nlmsg_change_encode(s, &c, buf, sizeof(buf));
		g_assert_cmpint(n, >, 0);
		g_ptr_array_add(dg, g_bytes_new(buf, (gsize)n));
		m = split_msgs(dg);
		ev = msg_attr(m->pdata[0], sizeof(struct ifinfomsg), IFLA_EVENT);
		addr = msg_attr(m->pdata[0], sizeof(struct ifinfomsg), IFLA_ADDRESS);
		g_assert_nonnull(addr);
		if (del) {
			g_assert_null(ev);
			continue;
		}
		g_assert_nonnull(ev);
		g_assert_cmpuint(nla_u32(ev), ==, IFLA_EVENT_FEATURES);
		g_assert_true((const uint8_t *)ev + NLA_ALIGN(ev->nla_len) == (const uint8_t *)addr);
	}
	/* a multipath route change carries its next hops */
	memset(&c, 0, sizeof(c));
	c.kind = NS_CHANGE_ROUTE;
	c.u.route.route = s->routes->v[2];
	c.u.route.nh[0] = s->routes->nh[2];
	c.u.route.nh[1] = s->routes->nh[3];
	n = nlmsg_change_encode(s, &c, buf, sizeof(buf));
	g_assert_cmpint(n, >, 0);
	{
		g_autoptr(GPtrArray) dg = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
		g_autoptr(GPtrArray) m = NULL;
		const struct nlattr *mp;

		g_ptr_array_add(dg, g_bytes_new(buf, (gsize)n));
		m = split_msgs(dg);
		mp = msg_attr(m->pdata[0], sizeof(struct rtmsg), RTA_MULTIPATH);
		g_assert_nonnull(mp);
		/* two rtnexthop with an RTA_GATEWAY each */
		g_assert_cmpuint(mp->nla_len, ==, NLA_HDRLEN + 2 * (sizeof(struct rtnexthop) + NLA_HDRLEN + 4));
	}
	/* an address of another family belongs to no group */
	memset(&c, 0, sizeof(c));
	c.kind = NS_CHANGE_ADDR;
	c.u.addr.family = AF_PACKET;
	g_assert_cmpuint(nlmsg_change_groups(&c), ==, 0);
}

/* ---- against the kernel ----------------------------------------------------------------- */

#define KWAIT_MS 2000

/* A NETLINK_ROUTE socket of the test's namespace with @o's options. */
static int kernel_socket(const struct nlmsg_opts *o, uint32_t *ret_portid)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof(sa);
	int one = 1, rcv = 1 << 20;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sa, &sl), ==, 0);
	g_assert_cmpint(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)), ==, 0);
	if (o->strict_chk)
		g_assert_cmpint(setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one)), ==, 0);
	if (o->ext_ack)
		g_assert_cmpint(setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)), ==, 0);
	if (o->cap_ack)
		g_assert_cmpint(setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)), ==, 0);
	*ret_portid = sa.nl_pid;
	return fd;
}

/*
 * kernel_ask() - send @req to the kernel on a fresh socket and collect
 * datagrams until NLMSG_DONE or NLMSG_ERROR ends them (every request
 * this test sends ends so), with a 32 KiB receive buffer.
 */
static GPtrArray *kernel_ask(const struct nlmsg_opts *o, const void *req,
			     size_t len)
{
	GPtrArray *dg = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autofree uint8_t *buf = g_malloc(32768);
	uint32_t portid;
	_cleanup_close_ int fd = kernel_socket(o, &portid);
	bool end = false;
	guint n;

	g_assert_cmpint(send(fd, req, len, 0), ==, (ssize_t)len);
	for (n = 0; n < 10000 && !end; n++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t got;
		size_t off = 0;

		if (poll(&p, 1, KWAIT_MS) != 1)
			break;
		got = recv(fd, buf, 32768, 0);
		g_assert_cmpint(got, >, 0);
		g_ptr_array_add(dg, g_bytes_new(buf, (gsize)got));
		while ((size_t)got - off >= NLMSG_HDRLEN) {
			struct nlmsghdr h;

			memcpy(&h, buf + off, sizeof(h));
			if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR)
				end = true;
			off += NLMSG_ALIGN(h.nlmsg_len);
		}
	}
	g_assert_true(end);
	return dg;
}

/* host_query: the kernel of the test's namespace, as nlep's would. */
static int hq_kernel(void *data, const void *req, size_t len, GPtrArray **ret)
{
	static const struct nlmsg_opts plain = { 0 };
	struct nlmsghdr h;
	g_autoptr(GByteArray) copy = g_byte_array_new();

	/* ask with an ack so a non-dump answer ends too */
	g_byte_array_append(copy, req, (guint)len);
	memcpy(&h, copy->data, sizeof(h));
	if (!(h.nlmsg_flags & NLM_F_DUMP)) {
		h.nlmsg_flags |= NLM_F_ACK;
		memcpy(copy->data, &h, sizeof(h));
	}
	*ret = kernel_ask(&plain, copy->data, copy->len);
	return 0;
}

/* Our answer: emitted datagrams, then the dump's at the kernel's sizes. */
/*
 * Whether lxnet_ask() answers from the model alone (no host to ask), as a
 * proxy without one does: the answers the proxy otherwise asks of the
 * host (neighbour and link dumps) are then the model's encoders'.
 */
static bool ask_model_only;

static GPtrArray *lxnet_ask(const struct netstate_snapshot *s,
			    const struct nlmsg_opts *o, const void *req,
			    size_t len)
{
	struct res r;
	GPtrArray *dg;
	g_autofree uint8_t *buf = g_malloc(32768);
	guint n;

	call_hq(s, o, req, len, ask_model_only ? NULL : hq_kernel, NULL, &r);
	g_assert_cmpint(r.ret, ==, 0);
	dg = g_ptr_array_ref(r.dg);
	for (n = 0; r.dump && n < DRAIN_MAX; n++) {
		/* the first part is made at send time (no recvmsg yet) */
		ssize_t got = nlmsg_dump_next(r.dump, s->generation, buf,
					      nlmsg_dump_size(n ? 32768 : 0));

		g_assert_cmpint(got, >=, 0);
		if (got == 0)
			break;
		g_ptr_array_add(dg, g_bytes_new(buf, (gsize)got));
	}
	res_clear(&r);
	return dg;
}

/* Attributes whose values change by themselves or that the model holds
 * only in part: compared by presence. */
static bool attr_volatile(uint16_t msg_type, uint16_t type)
{
	switch (msg_type) {
	case RTM_NEWLINK:
		return type == IFLA_STATS || type == IFLA_STATS64 ||
		       type == IFLA_LINKINFO;
	case RTM_NEWADDR:
		return type == IFA_CACHEINFO;
	case RTM_NEWROUTE:
		return type == RTA_CACHEINFO;
	default:
		return false;
	}
}

static size_t fam_hdrlen(uint16_t type)
{
	switch (type) {
	case RTM_NEWLINK: return sizeof(struct ifinfomsg);
	case RTM_NEWADDR: return sizeof(struct ifaddrmsg);
	case RTM_NEWROUTE: return sizeof(struct rtmsg);
	case RTM_NEWNEIGH: return sizeof(struct ndmsg);
	case RTM_NEWRULE: return sizeof(struct fib_rule_hdr);
	case RTM_NEWNETCONF: return sizeof(struct netconfmsg);
	default: return 0;
	}
}

/*
 * Compare one of our messages with the kernel's: header flags, family
 * header, and every attribute we carry: present in the kernel's message,
 * in the same order, equal unless volatile. Return: NULL or what differs.
 */
static char *msg_diff(GBytes *ours, GBytes *kern)
{
	struct nlmsghdr ho = msg_hdr(ours), hk = msg_hdr(kern);
	size_t hl = fam_hdrlen(ho.nlmsg_type), off, koff;
	gsize olen, klen;
	const uint8_t *op = g_bytes_get_data(ours, &olen);
	const uint8_t *kp = g_bytes_get_data(kern, &klen);

	if (ho.nlmsg_type != hk.nlmsg_type)
		return g_strdup_printf("type %u, kernel %u", ho.nlmsg_type, hk.nlmsg_type);
	if (ho.nlmsg_flags != hk.nlmsg_flags)
		return g_strdup_printf("type %u: flags %#x, kernel %#x", ho.nlmsg_type,
				       ho.nlmsg_flags, hk.nlmsg_flags);
	if (ho.nlmsg_seq != hk.nlmsg_seq || ho.nlmsg_pid != hk.nlmsg_pid)
		return g_strdup("seq or pid differ");
	if (ho.nlmsg_type == NLMSG_ERROR || ho.nlmsg_type == NLMSG_DONE) {
		g_autofree char *eo = msg_ext(ours), *ek = msg_ext(kern);

		if (msg_errno(ours) != msg_errno(kern))
			return g_strdup_printf("type %u: error %d, kernel %d", ho.nlmsg_type,
					       msg_errno(ours), msg_errno(kern));
		if (g_strcmp0(eo, ek) != 0)
			return g_strdup_printf("type %u: ext ack '%s', kernel '%s'",
					       ho.nlmsg_type, eo ? eo : "", ek ? ek : "");
		if (ho.nlmsg_len != hk.nlmsg_len)
			return g_strdup_printf("type %u: len %u, kernel %u", ho.nlmsg_type,
					       ho.nlmsg_len, hk.nlmsg_len);
		return NULL;
	}
	if (!hl)
		return NULL;
	if (olen < NLMSG_HDRLEN + hl || klen < NLMSG_HDRLEN + hl ||
	    memcmp(op + NLMSG_HDRLEN, kp + NLMSG_HDRLEN, hl) != 0)
	{
		g_autofree char *xo = g_strndup("", 0), *xk = NULL;
		GString *a = g_string_new(NULL), *b = g_string_new(NULL);
		size_t j;

		for (j = 0; j < hl && j < olen - NLMSG_HDRLEN; j++)
			g_string_append_printf(a, "%02x", op[NLMSG_HDRLEN + j]);
		for (j = 0; j < hl && j < klen - NLMSG_HDRLEN; j++)
			g_string_append_printf(b, "%02x", kp[NLMSG_HDRLEN + j]);
		g_free(xo);
		xo = g_string_free(a, FALSE);
		xk = g_string_free(b, FALSE);
		return g_strdup_printf("type %u: family header %s, kernel %s",
				       ho.nlmsg_type, xo, xk);
	}
	koff = NLMSG_HDRLEN + NLMSG_ALIGN(hl);
	for (off = koff; off + NLA_HDRLEN <= olen;) {
		const struct nlattr *a = (const void *)(op + off);
		uint16_t t = a->nla_type & NLA_TYPE_MASK;
		const struct nlattr *k = NULL;

		/* the kernel's next attribute of this type, in order */
		while (koff + NLA_HDRLEN <= klen) {
			const struct nlattr *c = (const void *)(kp + koff);

			koff += NLA_ALIGN(c->nla_len);
			if ((c->nla_type & NLA_TYPE_MASK) == t) {
				k = c;
				break;
			}
		}
		if (!k)
			return g_strdup_printf("type %u: attribute %u missing or out of order in the kernel's",
					       ho.nlmsg_type, t);
		if (!attr_volatile(ho.nlmsg_type, t) &&
		    (a->nla_len != k->nla_len ||
		     memcmp(nla_data(a), nla_data(k), a->nla_len - NLA_HDRLEN) != 0))
			return g_strdup_printf("type %u: attribute %u differs", ho.nlmsg_type, t);
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/*
 * drop_noarp() - remove the kernel's NUD_NOARP-only neighbours from @msgs:
 * it makes them by itself (IPv6 multicast for MLD reports) without
 * RTM_NEWNEIGH, and the model leaves them out on purpose (netstate_build.c);
 * for the comparison of the model's own answers.
 * Return: how many were removed.
 */
static guint drop_noarp(GPtrArray *msgs)
{
	guint i = 0, n = 0;

	while (i < msgs->len) {
		GBytes *m = msgs->pdata[i];
		gsize len;
		const uint8_t *p = g_bytes_get_data(m, &len);
		struct ndmsg ndm;

		if (len >= NLMSG_HDRLEN + sizeof(ndm) &&
		    msg_hdr(m).nlmsg_type == RTM_NEWNEIGH) {
			memcpy(&ndm, p + NLMSG_HDRLEN, sizeof(ndm));
			if (ndm.ndm_state == NUD_NOARP) {
				g_ptr_array_remove_index(msgs, i);
				n++;
				continue;
			}
		}
		i++;
	}
	return n;
}

/* One request to both; Return: NULL when they agree, or the difference. */
static char *compare_one(const struct netstate_snapshot *s,
			 struct nlmsg_opts o, GByteArray *req)
{
	uint32_t portid;
	int fd = kernel_socket(&o, &portid);
	g_autoptr(GPtrArray) kd = NULL, ld = NULL, km = NULL, lm = NULL;
	guint i, dropped = 0;

	close(fd);
	o.portid = 0; /* replaced per socket below */
	kd = kernel_ask(&o, req->data, req->len);
	/* the kernel addressed its answer to its socket: use that port id */
	o.portid = msg_hdr(kd->pdata[0]).nlmsg_pid;
	ld = lxnet_ask(s, &o, req->data, req->len);
	km = split_msgs(kd);
	lm = split_msgs(ld);
	if (ask_model_only)
		dropped = drop_noarp(km);
	if (km->len != lm->len)
		return g_strdup_printf("%u messages, kernel %u", lm->len, km->len);
	for (i = 0; i < km->len; i++) {
		char *d = msg_diff(lm->pdata[i], km->pdata[i]);

		if (d) {
			char *r = g_strdup_printf("message %u: %s", i, d);

			g_free(d);
			return r;
		}
	}
	/* the split can only agree where the messages have the kernel's sizes */
	if (dropped)
		return NULL;
	for (i = 0; i < km->len; i++)
		if (g_bytes_get_size(km->pdata[i]) != g_bytes_get_size(lm->pdata[i]))
			return NULL;
	if (kd->len != ld->len)
		return g_strdup_printf("%u datagrams, kernel %u", ld->len, kd->len);
	return NULL;
}

/* compare_one() on the model's latest snapshot, twice if need be. */
static char *compare_fresh(struct netstate_snapshot **s, struct netstate *ns,
			   GMainContext *ctx, const struct nlmsg_opts o,
			   GByteArray *req)
{
	char *d = compare_one(*s, o, req);
	guint i;

	for (i = 0; d && i < 2; i++) {
		g_free(d);
		g_usleep(100000);
		while (g_main_context_iteration(ctx, FALSE))
			;
		netstate_snapshot_unref(*s);
		*s = netstate_get(ns);
		d = compare_one(*s, o, req);
	}
	return d;
}

/* Run a command line in the test's namespace; it must succeed. */
static void kern_run(const char *cmd)
{
	g_autofree char *full = g_strconcat("timeout 30 ", cmd, NULL);
	g_autofree char *err = NULL;
	int status = 0;

	g_assert_true(g_spawn_command_line_sync(full, NULL, &err, &status, NULL));
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("'%s' failed: %s", cmd, err ? err : "");
}

static bool snap_ready(const struct netstate_snapshot *s)
{
	const struct ns_link *l = ns_link_by_name(s, "ka");

	return l && s->neighs->n >= 2 && s->routes->n >= 8 && s->addrs->n >= 4;
}

/* The state the comparison runs on, and a model of it. */
static struct netstate_snapshot *kernel_state(struct netstate **ret_ns,
					      GMainContext *ctx,
					      struct view_policy *pol,
					      const char *dir)
{
	struct netstate_snapshot *s = NULL;
	guint i;

	kern_run("sh -c 'echo 1 > /proc/sys/net/ipv6/conf/default/addr_gen_mode'");
	kern_run("ip link set lo up");
	kern_run("ip link add ka type veth peer name kb");
	kern_run("ip link set ka up");
	kern_run("ip link set kb up");
	kern_run("ip addr add 10.9.0.1/24 dev ka");
	kern_run("ip addr add 2001:db8:9::1/64 dev ka nodad");
	kern_run("ip route add 192.168.9.0/24 via 10.9.0.2 dev ka");
	kern_run("ip route add 2001:db8:99::/64 via 2001:db8:9::2 dev ka");
	kern_run("ip neigh add 10.9.0.2 lladdr 02:00:00:00:09:02 dev ka nud permanent");
	kern_run("ip neigh add 2001:db8:9::2 lladdr 02:00:00:00:09:02 dev ka nud permanent");
	view_policy_init(pol);
	pol->resolv_path = g_build_filename(dir, "resolv.conf", NULL);
	pol->hosts_path = g_build_filename(dir, "hosts", NULL);
	pol->hostname = g_strdup("k.test");
	g_assert_true(g_file_set_contents(pol->resolv_path, "nameserver 10.9.0.53\n", -1, NULL));
	g_assert_true(g_file_set_contents(pol->hosts_path, "127.0.0.1 localhost\n", -1, NULL));
	g_assert_cmpint(netstate_new(pol, ctx, ret_ns), ==, 0);
	for (i = 0; i < 500; i++) { /* at most 5 s */
		s = netstate_get(*ret_ns);
		if (snap_ready(s))
			break;
		netstate_snapshot_unref(s);
		s = NULL;
		while (g_main_context_iteration(ctx, FALSE))
			;
		g_usleep(10000);
	}
	g_assert_nonnull(s);
	return s;
}

static void test_kernel(void)
{
	g_autoptr(GMainContext) ctx = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *dir = NULL;
	struct view_policy pol;
	struct netstate *ns = NULL;
	_cleanup_snap_ struct netstate_snapshot *s = NULL;
	g_autofree char *ip = g_find_program_in_path("ip");
	const struct nlmsg_opts plain = { 0 }, strict = { .strict_chk = true, .ext_ack = true };
	const struct nlmsg_opts cap = { .cap_ack = true, .ext_ack = true };
	struct ifinfomsg ifm = { 0 };
	struct ifaddrmsg ifa = { 0 };
	struct rtmsg rtm = { 0 };
	struct ndmsg ndm = { 0 };
	struct fib_rule_hdr frh = { 0 };
	struct netconfmsg nc = { 0 };
	guint failures = 0, n = 0;
	g_autoptr(GString) known = g_string_new(NULL);
	int ka;
	uint8_t dst[4] = { 10, 9, 0, 7 };

	if (!ip) {
		g_test_skip("ip (iproute2) not installed");
		return;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		g_test_skip("unshare(CLONE_NEWNET) failed: not root?");
		return;
	}
	ctx = g_main_context_new();
	dir = g_dir_make_tmp("test-nlmsg-XXXXXX", &err);
	g_assert_no_error(err);
	s = kernel_state(&ns, ctx, &pol, dir);
	ka = ns_link_by_name(s, "ka")->ifindex;

/* Compare; the model is live, so a difference is retried on a fresh
 * snapshot (IPv6 makes multicast neighbours by itself) before it counts.
 * CMP_BUG: a known difference, reported as TODO until nlmsg.c is fixed. */
#define CMP_(o, req, bug) do {                                            \
		GByteArray *req_ = (req);                                 \
		g_autofree char *d_ = compare_fresh(&s, ns, ctx, (o), req_); \
		n++;                                                      \
		if (d_) {                                                 \
			g_test_message("line %d differs from the kernel: %s", __LINE__, d_); \
			if (bug)                                          \
				g_string_append_printf(known, "%s; ", (const char *)(bug)); \
			else                                              \
				failures++;                               \
		}                                                         \
		g_byte_array_unref(req_);                                 \
	} while (0)
#define CMP(o, req) CMP_(o, req, NULL)
#define CMP_BUG(o, req, bug) CMP_(o, req, bug)

	CMP(plain, req_dump(RTM_GETLINK, &ifm, sizeof(ifm)));
	CMP(strict, req_dump(RTM_GETLINK, &ifm, sizeof(ifm)));
	ifa.ifa_family = AF_UNSPEC;
	CMP(plain, req_dump(RTM_GETADDR, &ifa, sizeof(ifa)));
	ifa.ifa_family = AF_INET;
	CMP(plain, req_dump(RTM_GETADDR, &ifa, sizeof(ifa)));
	ifa.ifa_family = AF_INET6;
	CMP(strict, req_dump(RTM_GETADDR, &ifa, sizeof(ifa)));
	ifa.ifa_index = (uint32_t)ka;
	CMP(strict, req_dump(RTM_GETADDR, &ifa, sizeof(ifa)));
	rtm.rtm_family = AF_INET;
	CMP(plain, req_dump(RTM_GETROUTE, &rtm, sizeof(rtm)));
	rtm.rtm_family = AF_INET6;
	CMP(plain, req_dump(RTM_GETROUTE, &rtm, sizeof(rtm)));
	rtm.rtm_family = AF_UNSPEC;
	CMP(strict, req_dump(RTM_GETROUTE, &rtm, sizeof(rtm)));
	{
		GByteArray *r;

		rtm.rtm_family = AF_INET;
		r = req_dump(RTM_GETROUTE, &rtm, sizeof(rtm));
		req_u32(r, RTA_TABLE, RT_TABLE_MAIN);
		CMP(strict, r);
		r = req_dump(RTM_GETROUTE, &rtm, sizeof(rtm));
		req_u32(r, RTA_TABLE, 1000);
		CMP(strict, r);
	}
	ndm.ndm_family = AF_INET;
	CMP(plain, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
	ndm.ndm_family = AF_INET6;
	CMP(strict, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
	/* the model's own answers, for a proxy with no host to ask */
	ask_model_only = true;
	ndm.ndm_family = AF_INET;
	CMP(plain, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
	ndm.ndm_family = AF_INET6;
	CMP(strict, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
	ifm.ifi_index = 0;
	CMP(strict, req_dump(RTM_GETLINK, &ifm, sizeof(ifm)));
	ask_model_only = false;
	frh.family = AF_INET;
	CMP(strict, req_dump(RTM_GETRULE, &frh, sizeof(frh)));
	frh.family = AF_INET6;
	CMP(plain, req_dump(RTM_GETRULE, &frh, sizeof(frh)));
	nc.ncm_family = AF_INET;
	CMP(plain, req_dump(RTM_GETNETCONF, &nc, sizeof(nc)));
	{
		GByteArray *r = req_new(RTM_GETNETCONF, NLM_F_REQUEST | NLM_F_ACK, 77, &nc, sizeof(nc));

		req_u32(r, NETCONFA_IFINDEX, (uint32_t)ka);
		CMP(strict, r);
	}
	/* single requests, acked so that every answer ends */
	ifm.ifi_index = ka;
	CMP(plain, req_new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 77, &ifm, sizeof(ifm)));
	ifm.ifi_index = 0;
	{
		GByteArray *r = req_new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 77, &ifm, sizeof(ifm));

		req_str(r, IFLA_IFNAME, "kb");
		CMP(strict, r);
		r = req_new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 77, &ifm, sizeof(ifm));
		req_str(r, IFLA_IFNAME, "nosuch");
		CMP(strict, r);
		r = req_new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 77, &ifm, sizeof(ifm));
		req_u32(r, IFLA_TARGET_NETNSID, 7);
		CMP(strict, r);
		r = req_dump(RTM_GETLINK, &ifm, sizeof(ifm));
		req_u32(r, IFLA_TARGET_NETNSID, 7);
		CMP(strict, r);
		r = req_new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 77, &ifm, sizeof(ifm));
		req_str(r, IFLA_IFNAME, "a-name-of-twenty-chars");
		CMP(strict, r);
		/* a u32 attribute too short: the policy's range in the error */
		r = req_new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 77, &ifm, sizeof(ifm));
		req_attr_raw(r, IFLA_EXT_MASK, "\1\0", 2, 2);
		CMP(strict, r);
		r = req_new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 77, &ifm, sizeof(ifm));
		req_attr_raw(r, IFLA_IFNAME, "kb", 3, 200);
		CMP(strict, r);
	}
	ifm.ifi_index = 999;
	CMP(plain, req_new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 77, &ifm, sizeof(ifm)));
	CMP(cap, req_new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 77, &ifm, sizeof(ifm)));
	ifm.ifi_index = 0;
	{
		GByteArray *r;

		rtm.rtm_family = AF_INET;
		rtm.rtm_dst_len = 32;
		r = req_new(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK, 77, &rtm, sizeof(rtm));
		req_attr(r, RTA_DST, dst, 4);
		CMP(plain, r);
		rtm.rtm_dst_len = 0;
	}
	CMP(plain, req_new(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 77, NULL, 0));
	ifa.ifa_family = AF_INET;
	ifa.ifa_index = 0;
	CMP(plain, req_new(RTM_GETADDR, NLM_F_REQUEST | NLM_F_ACK, 77, &ifa, sizeof(ifa)));
	CMP(plain, req_new(RTM_MAX + 1, NLM_F_REQUEST | NLM_F_ACK, 77, &ifa, sizeof(ifa)));
	/* strict checks: the kernel's errors and texts */
	ifm.ifi_index = 1;
	CMP(strict, req_dump(RTM_GETLINK, &ifm, sizeof(ifm)));
	ifm.ifi_index = 0;
	ifm.ifi_flags = 1;
	CMP(strict, req_dump(RTM_GETLINK, &ifm, sizeof(ifm)));
	ifa.ifa_prefixlen = 8;
	CMP(strict, req_dump(RTM_GETADDR, &ifa, sizeof(ifa)));
	rtm.rtm_dst_len = 8;
	CMP(strict, req_dump(RTM_GETROUTE, &rtm, sizeof(rtm)));
	ndm.ndm_state = NUD_REACHABLE;
	CMP(strict, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
	frh.table = 5;
	CMP(strict, req_dump(RTM_GETRULE, &frh, sizeof(frh)));
	CMP(strict, req_gen(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, AF_INET));
	/* PF_BRIDGE: a bridge kbr with kb as its port; its forwarding
	 * database and its port's state, filtered as the kernel does for a
	 * strict socket and (another request form) for one without */
	kern_run("ip link add kbr type bridge");
	kern_run("ip link set kb master kbr");
	kern_run("ip link set kbr up");
	{
		int kb = ns_link_by_name(s, "kb")->ifindex;
		int kbr = (int)if_nametoindex("kbr");
		GByteArray *r;

		g_assert_cmpint(kbr, >, 0);
		memset(&ndm, 0, sizeof(ndm));
		memset(&ifm, 0, sizeof(ifm));
		ndm.ndm_family = AF_BRIDGE;
		ifm.ifi_family = AF_BRIDGE;
		CMP(strict, req_dump(RTM_GETLINK, &ifm, sizeof(ifm)));
		CMP(plain, req_dump(RTM_GETLINK, &ifm, sizeof(ifm)));
		CMP(strict, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
		CMP(plain, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
		r = req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm));
		req_u32(r, NDA_MASTER, (uint32_t)kbr);
		CMP(strict, r);
		r = req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm));
		req_u32(r, NDA_MASTER, (uint32_t)kbr); /* ndmsg + u32: all */
		CMP(plain, r);
		r = req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm));
		req_u32(r, NDA_IFINDEX, (uint32_t)kb);
		CMP(strict, r);
		r = req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm));
		req_u32(r, NDA_MASTER, 999); /* no such bridge */
		CMP(strict, r);
		r = req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm));
		req_attr_raw(r, NDA_MASTER, "\1\0", 2, 2);
		CMP(strict, r);
		r = req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm));
		req_u32(r, NDA_PROBES, 1);
		CMP(strict, r);
		ndm.ndm_ifindex = kb;
		CMP(strict, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
		ndm.ndm_ifindex = 0;
		ndm.ndm_flags = NTF_SELF;
		CMP(strict, req_dump(RTM_GETNEIGH, &ndm, sizeof(ndm)));
		ndm.ndm_flags = 0;
		/* iproute2 since v4.12 without strict checking */
		ifm.ifi_index = kb;
		CMP(plain, req_dump(RTM_GETNEIGH, &ifm, sizeof(ifm)));
		ifm.ifi_index = 0;
		r = req_dump(RTM_GETNEIGH, &ifm, sizeof(ifm));
		req_u32(r, IFLA_MASTER, (uint32_t)kbr);
		CMP(plain, r);
		r = req_dump(RTM_GETNEIGH, &ifm, sizeof(ifm));
		req_u32(r, IFLA_MASTER, 999);
		CMP(plain, r);
	}
#undef CMP
#undef CMP_BUG
#undef CMP_

	g_test_message("%u of %u requests differ from the kernel", failures, n);
	netstate_snapshot_unref(g_steal_pointer(&s));
	netstate_free(ns);
	g_unlink(pol.resolv_path);
	g_unlink(pol.hosts_path);
	g_rmdir(dir);
	view_policy_clear(&pol);
	g_assert_cmpuint(failures, ==, 0);
	if (known->len)
		g_test_incomplete(known->str);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nlmsg/getlink/dump", test_getlink_dump);
	g_test_add_func("/nlmsg/getlink/single", test_getlink_single);
	g_test_add_func("/nlmsg/getaddr", test_getaddr);
	g_test_add_func("/nlmsg/getroute", test_getroute);
	g_test_add_func("/nlmsg/getneigh", test_getneigh);
	g_test_add_func("/nlmsg/getrule", test_getrule);
	g_test_add_func("/nlmsg/getnetconf", test_netconf);
	g_test_add_func("/nlmsg/route-get", test_route_get);
	g_test_add_func("/nlmsg/dump/split", test_dump_split);
	g_test_add_func("/nlmsg/dump/intr", test_dump_intr);
	g_test_add_func("/nlmsg/dump/busy", test_dump_busy);
	g_test_add_func("/nlmsg/ack", test_ack);
	g_test_add_func("/nlmsg/ext-ack", test_ext_ack);
	g_test_add_func("/nlmsg/strict", test_strict);
	g_test_add_func("/nlmsg/eperm-unknown", test_eperm_unknown);
	g_test_add_func("/nlmsg/bad-input", test_bad_input);
	g_test_add_func("/nlmsg/bad-input/zero-length", test_zero_length);
	g_test_add_func("/nlmsg/random", test_random);
	g_test_add_func("/nlmsg/changes", test_changes);
	g_test_add_func("/nlmsg/zz-kernel", test_kernel); /* last: enters a netns */
	return g_test_run();
}
