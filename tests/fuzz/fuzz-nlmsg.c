// SPDX-License-Identifier: LGPL-2.1-or-later
/* fuzz-nlmsg.c - libFuzzer target: NETLINK_ROUTE requests answered from a fixed snapshot */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if_arp.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <glib.h>

#include "netstate.h"
#include "nlmsg.h"

/*
 * Input layout (tests/fuzz/fuzz-nlmsg.sh writes seeds in it):
 *   byte 0: bit 0 strict_chk, bit 1 ext_ack, bit 2 cap_ack, bit 3 the
 *           model changes after the first dump datagram (NLM_F_DUMP_INTR),
 *           bits 4-5 host_query: 0 none, 1 an error, 2 the host part as one
 *           datagram, 3 the host part split in two datagrams
 *   bytes 1-2: dump room (little endian), clamped to [64, 65536]
 *   byte 3: the host_query's errno when it fails
 *   bytes 4-5: length L of the request datagram (little endian)
 *   then L bytes of request, then the host part: what the host "answers".
 */
#define IN_HDR 6
#define IN_MAX 60000           /* longer inputs are not interesting */
#define ROOM_MAX 65536
#define DGRAMS_MAX 100000      /* datagrams one dump may take */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	const uint8_t *host;
	size_t host_len;
	int mode;
	int err;
	size_t bound;              /* largest datagram emit may see */
};

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* A datagram: whole, aligned messages, nothing else. */
static void check_dgram(const uint8_t *p, size_t len, size_t room)
{
	size_t off = 0;

	check(len >= NLMSG_HDRLEN && len <= room && len % NLMSG_ALIGNTO == 0);
	while (off < len) {
		struct nlmsghdr h;

		check(len - off >= NLMSG_HDRLEN);
		memcpy(&h, p + off, sizeof(h));
		check(h.nlmsg_len >= NLMSG_HDRLEN && h.nlmsg_len <= len - off);
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	check(off == len);
}

static int fz_emit(void *data, const void *dgram, size_t len)
{
	struct fz *f = data;

	check_dgram(dgram, len, f->bound);
	return 0;
}

static int fz_host_query(void *data, const void *req, size_t len,
			 GPtrArray **ret)
{
	struct fz *f = data;
	size_t half = f->host_len / 2;

	check(req != NULL && len >= NLMSG_HDRLEN);
	if (f->mode == 1)
		return -(f->err % 4095 + 1);
	*ret = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	if (f->mode == 2) {
		g_ptr_array_add(*ret, g_bytes_new(f->host, f->host_len));
	} else {
		g_ptr_array_add(*ret, g_bytes_new(f->host, half));
		g_ptr_array_add(*ret, g_bytes_new(f->host + half,
						  f->host_len - half));
	}
	return 0;
}

static void link_set(struct ns_link *l, int ifindex, const char *name,
		     const char *kind, int master)
{
	l->ifindex = ifindex;
	g_strlcpy(l->name, name, sizeof(l->name));
	l->flags = 0x1043; /* UP BROADCAST RUNNING MULTICAST */
	l->type = ifindex == 1 ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
	l->mtu = 1500;
	l->iflink = ifindex;
	l->master = master;
	l->link_netnsid = -1;
	l->addr_len = ifindex == 1 ? 6 : 6;
	l->addr[5] = (uint8_t)ifindex;
	g_strlcpy(l->kind, kind, sizeof(l->kind));
	g_strlcpy(l->qdisc, "noqueue", sizeof(l->qdisc));
}

static void addr_set(struct ns_addr *a, int ifindex, uint8_t family,
		     uint8_t last, uint8_t prefixlen)
{
	a->ifindex = ifindex;
	a->family = family;
	a->prefixlen = prefixlen;
	a->flags = IFA_F_PERMANENT;
	if (family == AF_INET) {
		a->local[0] = 10;
		a->local[3] = last;
		a->has_broadcast = true;
		memset(a->broadcast, 0xff, 4);
		g_strlcpy(a->label, ifindex == 1 ? "lo" : "eth0", sizeof(a->label));
	} else {
		a->local[0] = 0x20;
		a->local[1] = 0x01;
		a->local[15] = last;
	}
	a->valid_lft = a->preferred_lft = 0xffffffffu;
}

static void route_set(struct ns_routes *t, guint i, uint8_t family,
		      uint8_t dst_len, uint32_t table, uint8_t type,
		      guint nh_first, guint nh_count)
{
	struct ns_route *r = &t->v[i];

	r->family = family;
	r->dst_len = dst_len;
	r->dst[0] = 10;
	r->table = table;
	r->type = type;
	r->protocol = RTPROT_KERNEL;
	r->priority = family == AF_INET6 ? 256 : 0;
	r->metrics[RTAX_MTU] = 1400;
	r->metrics_mask = 1u << RTAX_MTU;
	r->nh_first = nh_first;
	r->nh_count = nh_count;
}

/* The fixed snapshot: three links (one a bridge port), addresses of both
 * families, routes of main and local (one multipath), two neighbours. */
static struct netstate_snapshot *fz_snapshot(void)
{
	struct netstate_snapshot *s = g_new0(struct netstate_snapshot, 1);
	guint i;

	s->ref = 1;
	s->generation = 7;
	s->links = ns_links_new(3);
	link_set(&s->links->v[0], 1, "lo", "", 0);
	link_set(&s->links->v[1], 2, "eth0", "veth", 0);
	link_set(&s->links->v[2], 5, "br0", "bridge", 0);
	s->links->v[1].master = 5;
	s->addrs = ns_addrs_new(4);
	addr_set(&s->addrs->v[0], 1, AF_INET, 1, 8);
	addr_set(&s->addrs->v[1], 2, AF_INET, 2, 24);
	addr_set(&s->addrs->v[2], 1, AF_INET6, 1, 128);
	addr_set(&s->addrs->v[3], 2, AF_INET6, 2, 64);
	s->routes = ns_routes_new(5, 6);
	route_set(s->routes, 0, AF_INET, 0, RT_TABLE_MAIN, RTN_UNICAST, 0, 1);
	route_set(s->routes, 1, AF_INET, 24, RT_TABLE_MAIN, RTN_UNICAST, 1, 2);
	route_set(s->routes, 2, AF_INET, 32, RT_TABLE_LOCAL, RTN_LOCAL, 3, 1);
	route_set(s->routes, 3, AF_INET6, 64, RT_TABLE_MAIN, RTN_UNICAST, 4, 1);
	route_set(s->routes, 4, AF_INET6, 128, RT_TABLE_LOCAL, RTN_LOCAL, 5, 1);
	for (i = 0; i < 6; i++) {
		s->routes->nh[i].ifindex = i == 5 ? 1 : 2;
		s->routes->nh[i].gw_family = i < 3 ? AF_INET : 0;
		s->routes->nh[i].gw[0] = 10;
		s->routes->nh[i].gw[3] = (uint8_t)(100 + i);
	}
	s->neighs = ns_neighs_new(2);
	s->neighs->v[0] = (struct ns_neigh){ .ifindex = 2, .family = AF_INET,
		.state = NUD_REACHABLE, .type = RTN_UNICAST, .dst = { 10, 0, 0, 100 },
		.lladdr_len = 6, .lladdr = { 2, 0, 0, 0, 0, 1 } };
	s->neighs->v[1] = (struct ns_neigh){ .ifindex = 2, .family = AF_INET6,
		.state = NUD_STALE, .type = RTN_UNICAST, .dst = { 0xfe, 0x80 } };
	s->resolv = ns_resolv_part_new();
	s->hosts = ns_hosts_new();
	s->hostname = g_strdup("fuzz");
	return s;
}

/* Drain @d at @room, checking every datagram; aborts on a violation. */
static void fz_drain(struct nlmsg_dump *d, uint64_t gen, bool intr, size_t room)
{
	g_autofree uint8_t *buf = g_malloc(ROOM_MAX);
	bool done_seen = false;
	size_t n;

	for (n = 0; n < DGRAMS_MAX; n++) {
		ssize_t len = nlmsg_dump_next(d, intr && n ? gen + 1 : gen, buf, room);
		size_t off = 0;

		if (len == -EMSGSIZE && room < ROOM_MAX) {
			room = ROOM_MAX; /* an object larger than the room */
			continue;
		}
		check(len >= 0);
		if (len == 0)
			break;
		check(!done_seen);
		check_dgram(buf, (size_t)len, room);
		while (off < (size_t)len) {
			struct nlmsghdr h;

			memcpy(&h, buf + off, sizeof(h));
			check(h.nlmsg_flags & NLM_F_MULTI);
			check(h.nlmsg_type != NLMSG_ERROR);
			check(!done_seen);
			if (h.nlmsg_type == NLMSG_DONE)
				done_seen = true;
			if (intr && n)
				check(h.nlmsg_flags & NLM_F_DUMP_INTR);
			off += NLMSG_ALIGN(h.nlmsg_len);
		}
	}
	check(n < DGRAMS_MAX && done_seen);
	check(nlmsg_dump_next(d, gen, buf, room) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Built once: the target's one piece of process state. */
	static struct netstate_snapshot *snap;
	struct nlmsg_opts o = { .portid = 31337 };
	struct nlmsg_dump *dump = NULL;
	struct fz f = { 0 };
	g_autofree uint8_t *req = NULL;
	size_t room, req_len;
	int r;

	if (size < IN_HDR || size > IN_MAX)
		return 0;
	if (!snap)
		snap = fz_snapshot();
	o.strict_chk = data[0] & 1;
	o.ext_ack = data[0] & 2;
	o.cap_ack = data[0] & 4;
	f.mode = (data[0] >> 4) & 3;
	room = (size_t)data[1] | (size_t)data[2] << 8;
	room = room < 64 ? 64 : room;
	f.err = data[3];
	req_len = (size_t)data[4] | (size_t)data[5] << 8;
	if (req_len > size - IN_HDR)
		req_len = size - IN_HDR;
	f.host = data + IN_HDR + req_len;
	f.host_len = size - IN_HDR - req_len;
	/* an error echoes the request; a host message is copied whole */
	f.bound = 2 * size + 4096;

	/* The request in a buffer of its own exact size, so that a read past
	 * it is a sanitizer report. A zero-length request is passed as NULL;
	 * tests/unit/test-nlmsg.c /nlmsg/bad-input/zero-length checks a
	 * zero-length buffer at the end of readable memory (this target found
	 * nlmsg_request() reading one byte of it). */
	req = req_len ? g_memdup2(data + IN_HDR, req_len) : NULL;
	r = nlmsg_request(snap, &o, req, req_len,
			  f.mode ? fz_host_query : NULL, &f, fz_emit, &f, &dump);
	check(r == 0);
	if (dump) {
		fz_drain(dump, snap->generation, data[0] & 8, room);
		nlmsg_dump_free(dump);
	}
	return 0;
}
