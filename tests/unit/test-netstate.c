// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-netstate.c - the live network model against a private network namespace */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <net/if_arp.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <netlink/socket.h>

#include "netstate.h"
#include "netstate_int.h"
#include "util.h"
#include "view.h"

#define WAIT_MS 5000

/*
 * struct fx - one model under test and what its subscriber saw
 * @changes: copies of every ns_change since fx_reset()
 * @hostmsgs: copies of the host messages those point to (the model's
 *	are freed after each event)
 * @parts: union of the parts masks since fx_reset()
 * @n_events: events since fx_reset()
 * @bad_generation: an event's generation was not old's + 1
 * @bad_sharing: an unchanged table was not shared with the old snapshot
 */
struct fx {
	GMainContext *ctx;
	struct view_policy pol;
	struct netstate *ns;
	guint sub;
	char *dir;
	GArray *changes;
	GPtrArray *hostmsgs;
	unsigned int parts;
	guint n_events;
	bool bad_generation;
	bool bad_sharing;
	uint64_t last_generation;
};

static void on_event(const struct netstate_event *ev, void *data)
{
	struct fx *f = data;
	size_t i;

	if (ev->snap->generation != ev->old->generation + 1 ||
	    ev->snap->generation != f->last_generation + 1)
		f->bad_generation = true;
	f->last_generation = ev->snap->generation;
	if ((!(ev->parts & NETSTATE_LINKS) && ev->snap->links != ev->old->links) ||
	    (!(ev->parts & NETSTATE_ADDRS) && ev->snap->addrs != ev->old->addrs) ||
	    (!(ev->parts & NETSTATE_ROUTES) && ev->snap->routes != ev->old->routes) ||
	    (!(ev->parts & NETSTATE_NEIGHS) && ev->snap->neighs != ev->old->neighs) ||
	    (!(ev->parts & NETSTATE_RESOLV) && ev->snap->resolv != ev->old->resolv) ||
	    (!(ev->parts & NETSTATE_HOSTS) && ev->snap->hosts != ev->old->hosts))
		f->bad_sharing = true;
	/* an event changes a table, or carries changes no table holds (a
	 * rule, netconf, a repeated RTM_NEWLINK, a bridge's FDB entry) */
	if (ev->parts == 0 && ev->n_changes == 0 && !ev->changes_lost)
		f->bad_sharing = true;
	f->parts |= ev->parts;
	f->n_events++;
	for (i = 0; i < ev->n_changes; i++) {
		struct ns_change c = ev->changes[i];

		if (c.kind == NS_CHANGE_HOSTMSG) {
			uint8_t *copy = g_memdup2(c.u.hostmsg.msg, c.u.hostmsg.len);

			g_ptr_array_add(f->hostmsgs, copy);
			c.u.hostmsg.msg = copy;
		}
		g_array_append_val(f->changes, c);
	}
}

static void fx_reset(struct fx *f)
{
	g_array_set_size(f->changes, 0);
	g_ptr_array_set_size(f->hostmsgs, 0);
	f->parts = 0;
	f->n_events = 0;
}

static void write_file(const char *path, const char *text)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *tmp = g_strconcat(path, ".new", NULL);

	g_assert_true(g_file_set_contents(tmp, text, -1, &err));
	g_assert_no_error(err);
	g_assert_cmpint(g_rename(tmp, path), ==, 0); /* replace by rename */
}

/* Start a model; @hide is a NULL-terminated list of globs or NULL. */
static void fx_init(struct fx *f, const char *const *hide)
{
	g_autoptr(GError) err = NULL;

	memset(f, 0, sizeof(*f));
	f->ctx = g_main_context_new();
	f->changes = g_array_new(FALSE, TRUE, sizeof(struct ns_change));
	f->hostmsgs = g_ptr_array_new_with_free_func(g_free);
	f->dir = g_dir_make_tmp("test-netstate-XXXXXX", &err);
	g_assert_no_error(err);
	view_policy_init(&f->pol);
	f->pol.hide_if = g_strdupv((char **)hide);
	f->pol.resolv_path = g_build_filename(f->dir, "resolv.conf", NULL);
	f->pol.hosts_path = g_build_filename(f->dir, "hosts", NULL);
	f->pol.hostname = g_strdup("box.test");
	write_file(f->pol.resolv_path, "nameserver 192.0.2.53\nsearch a.test\n");
	write_file(f->pol.hosts_path, "127.0.0.1 localhost\n192.0.2.10 foo\n");
	g_assert_cmpint(netstate_new(&f->pol, f->ctx, &f->ns), ==, 0);
	f->sub = netstate_subscribe(f->ns, on_event, f);
	g_assert_cmpuint(f->sub, !=, 0);
	f->last_generation = 1;
}

static void fx_clear(struct fx *f)
{
	g_autofree char *r = g_strconcat(f->pol.resolv_path, ".new", NULL);
	g_autofree char *h = g_strconcat(f->pol.hosts_path, ".new", NULL);

	g_assert_false(f->bad_generation);
	g_assert_false(f->bad_sharing);
	netstate_unsubscribe(f->ns, f->sub);
	netstate_free(f->ns);
	g_unlink(f->pol.resolv_path);
	g_unlink(f->pol.hosts_path);
	g_unlink(r);
	g_unlink(h);
	g_rmdir(f->dir);
	g_free(f->dir);
	view_policy_clear(&f->pol);
	g_array_unref(f->changes);
	g_ptr_array_unref(f->hostmsgs);
	g_main_context_unref(f->ctx);
}

/* Run a command line (ip ...) in the test's namespace; it must succeed. */
static void run(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void run(const char *fmt, ...)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *body = NULL, *cmd = NULL, *out = NULL, *errout = NULL;
	int status = 0;
	va_list ap;

	va_start(ap, fmt);
	body = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	cmd = g_strconcat("timeout 60 ", body, NULL); /* bounded */
	if (!g_spawn_command_line_sync(cmd, &out, &errout, &status, &err) ||
	    !g_spawn_check_wait_status(status, NULL))
		g_error("'%s' failed: %s%s", cmd, err ? err->message : "",
			errout ? errout : "");
}

static gboolean on_timeout(gpointer data)
{
	*(bool *)data = true;
	return G_SOURCE_REMOVE;
}

typedef bool (*pred_fn)(struct fx *f, const struct netstate_snapshot *s,
			const void *arg);

/* Run @f's loop until @pred holds on the latest snapshot, at most @ms. */
static bool fx_wait(struct fx *f, pred_fn pred, const void *arg, guint ms)
{
	bool timed_out = false, ok = false;
	GSource *t = g_timeout_source_new(ms);

	g_source_set_callback(t, on_timeout, &timed_out, NULL);
	g_source_attach(t, f->ctx);
	for (;;) {
		struct netstate_snapshot *s = netstate_get(f->ns);

		ok = pred(f, s, arg);
		netstate_snapshot_unref(s);
		if (ok || timed_out)
			break;
		g_main_context_iteration(f->ctx, TRUE);
	}
	g_source_destroy(t);
	g_source_unref(t);
	return ok;
}

/* Run @f's loop for @ms whatever happens. */
static void fx_spin(struct fx *f, guint ms)
{
	bool done = false;
	GSource *t = g_timeout_source_new(ms);

	g_source_set_callback(t, on_timeout, &done, NULL);
	g_source_attach(t, f->ctx);
	while (!done)
		g_main_context_iteration(f->ctx, TRUE);
	g_source_unref(t);
}

static void ip_bytes(const char *text, uint8_t *family, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out) == 1) {
		*family = AF_INET;
		return;
	}
	g_assert_cmpint(inet_pton(AF_INET6, text, out), ==, 1);
	*family = AF_INET6;
}

/* ---- finders on a snapshot -------------------------------------------- */

static const struct ns_addr *find_addr(const struct netstate_snapshot *s,
				       const char *local)
{
	uint8_t fam, b[16];
	guint i;

	ip_bytes(local, &fam, b);
	for (i = 0; i < s->addrs->n; i++)
		if (s->addrs->v[i].family == fam &&
		    memcmp(s->addrs->v[i].local, b, 16) == 0)
			return &s->addrs->v[i];
	return NULL;
}

static const struct ns_route *find_route(const struct netstate_snapshot *s,
					 const char *dst, int len,
					 uint32_t table)
{
	uint8_t fam, b[16];
	guint i;

	ip_bytes(dst, &fam, b);
	for (i = 0; i < s->routes->n; i++) {
		const struct ns_route *r = &s->routes->v[i];

		if (r->family == fam && r->dst_len == len && r->table == table &&
		    memcmp(r->dst, b, 16) == 0)
			return r;
	}
	return NULL;
}

static const struct ns_neigh *find_neigh(const struct netstate_snapshot *s,
					 const char *dst)
{
	uint8_t fam, b[16];
	guint i;

	ip_bytes(dst, &fam, b);
	for (i = 0; i < s->neighs->n; i++)
		if (s->neighs->v[i].family == fam &&
		    memcmp(s->neighs->v[i].dst, b, 16) == 0)
			return &s->neighs->v[i];
	return NULL;
}

static bool p_link(struct fx *f, const struct netstate_snapshot *s,
		   const void *name)
{
	return ns_link_by_name(s, name) != NULL;
}

static bool p_no_link(struct fx *f, const struct netstate_snapshot *s,
		      const void *name)
{
	return ns_link_by_name(s, name) == NULL;
}

/* @arg: "NAME:MTU" */
static bool p_link_mtu(struct fx *f, const struct netstate_snapshot *s,
		       const void *arg)
{
	g_auto(GStrv) v = g_strsplit(arg, ":", 2);
	const struct ns_link *l = ns_link_by_name(s, v[0]);

	return l && v[1] && l->mtu == (uint32_t)atoi(v[1]);
}

static bool p_link_down(struct fx *f, const struct netstate_snapshot *s,
			const void *name)
{
	const struct ns_link *l = ns_link_by_name(s, name);

	return l && !(l->flags & IFF_UP);
}

static bool p_addr(struct fx *f, const struct netstate_snapshot *s,
		   const void *local)
{
	return find_addr(s, local) != NULL;
}

struct rkey {
	const char *dst;
	int len;
};

static bool p_route(struct fx *f, const struct netstate_snapshot *s,
		    const void *arg)
{
	const struct rkey *k = arg;

	return find_route(s, k->dst, k->len, 254) != NULL;
}

static bool p_no_route(struct fx *f, const struct netstate_snapshot *s,
		       const void *arg)
{
	return !p_route(f, s, arg);
}

/* Routes that differ only by their device are all kept (fe80::/64). */
static bool p_two_linklocal(struct fx *f, const struct netstate_snapshot *s,
			    const void *ifs)
{
	const int *ifindex = ifs;
	uint8_t fam, b[16];
	bool seen[2] = { false, false };
	guint i, k;

	ip_bytes("fe80::", &fam, b);
	for (i = 0; i < s->routes->n; i++) {
		const struct ns_route *r = &s->routes->v[i];

		if (r->family != AF_INET6 || r->dst_len != 64 || r->table != 254 ||
		    memcmp(r->dst, b, 16) != 0 || r->nh_count != 1)
			continue;
		for (k = 0; k < 2; k++)
			if (s->routes->nh[r->nh_first].ifindex == ifindex[k])
				seen[k] = true;
	}
	return seen[0] && seen[1];
}

static bool p_neigh(struct fx *f, const struct netstate_snapshot *s,
		    const void *dst)
{
	return find_neigh(s, dst) != NULL;
}

static bool p_parts(struct fx *f, const struct netstate_snapshot *s,
		    const void *bits)
{
	return (f->parts & *(const unsigned int *)bits) != 0;
}

static bool p_nroutes(struct fx *f, const struct netstate_snapshot *s,
		      const void *n)
{
	return s->routes->n >= *(const guint *)n;
}

static bool p_nlinks(struct fx *f, const struct netstate_snapshot *s,
		     const void *n)
{
	return s->links->n >= *(const guint *)n;
}

/* ---- finders on recorded changes -------------------------------------- */

static const struct ns_change *change_link(struct fx *f, const char *name,
					   bool deleted)
{
	guint i;

	for (i = 0; i < f->changes->len; i++) {
		const struct ns_change *c =
			&g_array_index(f->changes, struct ns_change, i);

		if (c->kind == NS_CHANGE_LINK && c->deleted == deleted &&
		    strcmp(c->u.link.name, name) == 0)
			return c;
	}
	return NULL;
}

static const struct ns_change *change_route(struct fx *f, const char *dst,
					    int len, bool deleted)
{
	uint8_t fam, b[16];
	guint i;

	ip_bytes(dst, &fam, b);
	for (i = 0; i < f->changes->len; i++) {
		const struct ns_change *c =
			&g_array_index(f->changes, struct ns_change, i);

		if (c->kind == NS_CHANGE_ROUTE && c->deleted == deleted &&
		    c->u.route.route.dst_len == len &&
		    memcmp(c->u.route.route.dst, b, 16) == 0)
			return c;
	}
	return NULL;
}

static const struct ns_change *change_addr(struct fx *f, const char *local,
					   bool deleted)
{
	uint8_t fam, b[16];
	guint i;

	ip_bytes(local, &fam, b);
	for (i = 0; i < f->changes->len; i++) {
		const struct ns_change *c =
			&g_array_index(f->changes, struct ns_change, i);

		if (c->kind == NS_CHANGE_ADDR && c->deleted == deleted &&
		    c->u.addr.family == fam &&
		    memcmp(c->u.addr.local, b, 16) == 0)
			return c;
	}
	return NULL;
}

/* The u32 attribute @type of a host notification (after a family header
 * of @hdrlen), 0 when it has none. */
static int hostmsg_u32(const struct ns_change *c, size_t hdrlen, uint16_t type)
{
	const uint8_t *m = c->u.hostmsg.msg;
	size_t off = NLMSG_LENGTH(NLMSG_ALIGN(hdrlen));

	while (off + sizeof(struct rtattr) <= c->u.hostmsg.len) {
		struct rtattr a;
		int32_t v;

		memcpy(&a, m + off, sizeof(a));
		if (a.rta_len < sizeof(a) || off + a.rta_len > c->u.hostmsg.len)
			break;
		if (a.rta_type == type && a.rta_len >= RTA_LENGTH(4)) {
			memcpy(&v, m + off + RTA_LENGTH(0), sizeof(v));
			return v;
		}
		off += RTA_ALIGN(a.rta_len);
	}
	return 0;
}

/* The type of a host notification, 0 when too short. */
static uint16_t hostmsg_type(const struct ns_change *c)
{
	struct nlmsghdr h;

	if (c->kind != NS_CHANGE_HOSTMSG || c->u.hostmsg.len < sizeof(h))
		return 0;
	memcpy(&h, c->u.hostmsg.msg, sizeof(h));
	return h.nlmsg_type;
}

/*
 * Whether a host notification names interface @ifindex: a netconf
 * message's NETCONFA_IFINDEX; a bridge port's state (AF_BRIDGE link) or
 * an FDB entry: the port or device in the family header, or the bridge
 * (or the device a vxlan remote is reached through).
 */
static bool hostmsg_mentions(const struct ns_change *c, int ifindex)
{
	const uint8_t *m = c->u.hostmsg.msg;
	struct ifinfomsg ifm;
	struct ndmsg ndm;

	switch (hostmsg_type(c)) {
	case RTM_NEWNETCONF:
	case RTM_DELNETCONF:
		return hostmsg_u32(c, sizeof(struct netconfmsg),
				   NETCONFA_IFINDEX) == ifindex;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		g_assert_cmpuint(c->u.hostmsg.len, >=, NLMSG_LENGTH(sizeof(ifm)));
		memcpy(&ifm, m + NLMSG_HDRLEN, sizeof(ifm));
		g_assert_cmpint(ifm.ifi_family, ==, AF_BRIDGE);
		return ifm.ifi_index == ifindex ||
		       hostmsg_u32(c, sizeof(ifm), IFLA_MASTER) == ifindex;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		g_assert_cmpuint(c->u.hostmsg.len, >=, NLMSG_LENGTH(sizeof(ndm)));
		memcpy(&ndm, m + NLMSG_HDRLEN, sizeof(ndm));
		g_assert_cmpint(ndm.ndm_family, ==, AF_BRIDGE);
		return ndm.ndm_ifindex == ifindex ||
		       hostmsg_u32(c, sizeof(ndm), NDA_MASTER) == ifindex ||
		       hostmsg_u32(c, sizeof(ndm), NDA_IFINDEX) == ifindex;
	default:
		return false;
	}
}

/* The recorded link changes (not deletions) of @name with IFLA_EVENT
 * @event. */
static guint count_link_events(struct fx *f, const char *name, uint32_t event)
{
	guint i, n = 0;

	for (i = 0; i < f->changes->len; i++) {
		const struct ns_change *c =
			&g_array_index(f->changes, struct ns_change, i);

		if (c->kind == NS_CHANGE_LINK && !c->deleted &&
		    c->event == event && strcmp(c->u.link.name, name) == 0)
			n++;
	}
	return n;
}

/* The recorded host notifications of @type naming @ifindex. */
static guint count_hostmsgs(struct fx *f, uint16_t type, int ifindex)
{
	guint i, n = 0;

	for (i = 0; i < f->changes->len; i++) {
		const struct ns_change *c =
			&g_array_index(f->changes, struct ns_change, i);

		if (hostmsg_type(c) == type && hostmsg_mentions(c, ifindex))
			n++;
	}
	return n;
}

/* @arg: an ifindex; an FDB notification naming it was recorded */
static bool p_hostmsg_neigh_of(struct fx *f, const struct netstate_snapshot *s,
			       const void *arg)
{
	(void)s;
	return count_hostmsgs(f, RTM_NEWNEIGH, *(const int *)arg) > 0;
}

/* @arg: an ifindex; a host notification naming it was recorded */
static bool p_hostmsg_of(struct fx *f, const struct netstate_snapshot *s,
			 const void *arg)
{
	return count_hostmsgs(f, RTM_NEWLINK, *(const int *)arg) > 0;
}

static bool changes_mention_ifindex(struct fx *f, int ifindex)
{
	guint i, j;

	for (i = 0; i < f->changes->len; i++) {
		const struct ns_change *c =
			&g_array_index(f->changes, struct ns_change, i);

		switch (c->kind) {
		case NS_CHANGE_LINK:
			if (c->u.link.ifindex == ifindex)
				return true;
			break;
		case NS_CHANGE_ADDR:
			if (c->u.addr.ifindex == ifindex)
				return true;
			break;
		case NS_CHANGE_NEIGH:
			if (c->u.neigh.ifindex == ifindex)
				return true;
			break;
		case NS_CHANGE_ROUTE:
			for (j = 0; j < MIN(c->u.route.route.nh_count, 8); j++)
				if (c->u.route.nh[j].ifindex == ifindex)
					return true;
			break;
		case NS_CHANGE_HOSTMSG:
			if (hostmsg_mentions(c, ifindex))
				return true;
			break;
		}
	}
	return false;
}

static int ifindex_of(const char *name)
{
	int i = (int)if_nametoindex(name);

	g_assert_cmpint(i, >, 0);
	return i;
}

/* ---- tests -------------------------------------------------------------- */

static void test_initial(void)
{
	struct fx f;
	g_autoptr(GError) err = NULL;
	struct netstate_snapshot *s;
	const struct ns_link *lo;
	const struct ns_addr *a;
	guint i;

	fx_init(&f, NULL);
	s = netstate_get(f.ns);
	g_assert_cmpuint(s->generation, ==, 1);
	lo = ns_link_by_name(s, "lo");
	g_assert_nonnull(lo);
	g_assert_cmpint(lo->ifindex, ==, 1);
	g_assert_true(lo->flags & IFF_LOOPBACK);
	g_assert_true(lo->flags & IFF_UP);
	g_assert_cmpuint(lo->type, ==, ARPHRD_LOOPBACK);
	g_assert_cmpuint(lo->mtu, ==, 65536);
	g_assert_cmpint(lo->iflink, ==, 1);
	g_assert_cmpint(lo->link_netnsid, ==, -1);
	g_assert_cmpstr(lo->qdisc, ==, "noqueue");
	for (i = 1; i < s->links->n; i++)
		g_assert_cmpint(s->links->v[i - 1].ifindex, <, s->links->v[i].ifindex);
	a = find_addr(s, "127.0.0.1");
	g_assert_nonnull(a);
	g_assert_cmpuint(a->prefixlen, ==, 8);
	g_assert_cmpuint(a->scope, ==, RT_SCOPE_HOST);
	g_assert_false(a->has_peer);
	g_assert_cmpstr(a->label, ==, "lo");
	g_assert_cmpuint(a->valid_lft, ==, 0xffffffffu);
	g_assert_nonnull(find_addr(s, "::1"));
	/* IPv4 first */
	for (i = 1; i < s->addrs->n; i++)
		g_assert_cmpuint(s->addrs->v[i - 1].family, <=, s->addrs->v[i].family);
	g_assert_nonnull(find_route(s, "127.0.0.1", 32, 255));
	g_assert_true(s->resolv->r.present);
	g_assert_nonnull(s->resolv->r.servers);
	g_assert_cmpstr(s->resolv->r.servers[0], ==, "192.0.2.53");
	g_assert_cmpstr(s->hostname, ==, "box.test");
	netstate_snapshot_unref(s);
	fx_clear(&f);
}

static void test_links_addrs_routes(void)
{
	const struct rkey gw = { "198.51.100.0", 24 }, mp = { "100.64.0.0", 16 },
			  un = { "100.65.0.0", 16 };
	unsigned int routes_bit = NETSTATE_ROUTES;
	struct netstate_snapshot *s;
	const struct ns_link *l;
	const struct ns_addr *a;
	const struct ns_route *r;
	const struct ns_neigh *n;
	const struct ns_change *c;
	uint8_t fam, b[16];
	struct fx f;
	int ia, ib;

	fx_init(&f, NULL);
	run("ip link add t0a type veth peer name t0b");
	run("ip link set t0a up");
	run("ip link set t0b up");
	g_assert_true(fx_wait(&f, p_link, "t0b", WAIT_MS));
	ia = ifindex_of("t0a");
	ib = ifindex_of("t0b");
	g_assert_true(f.parts & NETSTATE_LINKS);
	g_assert_nonnull(change_link(&f, "t0a", false));
	s = netstate_get(f.ns);
	l = ns_link_by_name(s, "t0a");
	g_assert_nonnull(l);
	g_assert_cmpint(l->ifindex, ==, ia);
	g_assert_cmpstr(l->kind, ==, "veth");
	g_assert_cmpuint(l->type, ==, ARPHRD_ETHER);
	g_assert_cmpuint(l->addr_len, ==, 6);
	g_assert_cmpuint(l->broadcast[0], ==, 0xff);
	g_assert_cmpuint(l->mtu, ==, 1500);
	g_assert_cmpint(l->iflink, ==, ib); /* the peer */
	g_assert_cmpuint(l->num_tx_queues, >=, 1);
	netstate_snapshot_unref(s);
	g_assert_true(fx_wait(&f, p_two_linklocal, (int[]){ ia, ib }, WAIT_MS));

	/* addresses: v4 with broadcast, v4 point-to-point, v6 nodad */
	fx_reset(&f);
	run("ip addr add 192.0.2.1/24 brd + dev t0a");
	run("ip addr add 10.9.9.1 peer 10.9.9.2 dev t0a");
	run("ip -6 addr add 2001:db8::1/64 dev t0a nodad");
	run("ip addr add 203.0.113.1/24 dev t0b");
	g_assert_true(fx_wait(&f, p_addr, "2001:db8::1", WAIT_MS));
	g_assert_true(fx_wait(&f, p_addr, "203.0.113.1", WAIT_MS));
	g_assert_true(f.parts & NETSTATE_ADDRS);
	s = netstate_get(f.ns);
	a = find_addr(s, "192.0.2.1");
	g_assert_nonnull(a);
	g_assert_cmpint(a->ifindex, ==, ia);
	g_assert_cmpuint(a->prefixlen, ==, 24);
	g_assert_false(a->has_peer);
	g_assert_true(a->has_broadcast);
	ip_bytes("192.0.2.255", &fam, b);
	g_assert_cmpmem(a->broadcast, 4, b, 4);
	g_assert_cmpstr(a->label, ==, "t0a");
	a = find_addr(s, "10.9.9.1");
	g_assert_nonnull(a);
	g_assert_true(a->has_peer);
	ip_bytes("10.9.9.2", &fam, b);
	g_assert_cmpmem(a->peer, 4, b, 4);
	g_assert_cmpuint(a->prefixlen, ==, 32);
	a = find_addr(s, "2001:db8::1");
	g_assert_nonnull(a);
	g_assert_cmpuint(a->family, ==, AF_INET6);
	g_assert_false(a->has_peer);
	g_assert_true(a->flags & IFA_F_NODAD);
	g_assert_true(a->flags & IFA_F_PERMANENT);
	g_assert_cmpuint(a->prefixlen, ==, 64);
	netstate_snapshot_unref(s);

	/* routes: gateway, multipath, unreachable */
	fx_reset(&f);
	run("ip route add 198.51.100.0/24 via 192.0.2.254 dev t0a metric 50");
	run("ip route add 100.64.0.0/16 nexthop via 192.0.2.254 dev t0a weight 1"
	    " nexthop via 203.0.113.254 dev t0b weight 3");
	run("ip route add unreachable 100.65.0.0/16");
	g_assert_true(fx_wait(&f, p_route, &un, WAIT_MS));
	g_assert_true(fx_wait(&f, p_route, &mp, WAIT_MS));
	g_assert_true(fx_wait(&f, p_route, &gw, WAIT_MS));
	g_assert_nonnull(change_route(&f, "198.51.100.0", 24, false));
	s = netstate_get(f.ns);
	r = find_route(s, "198.51.100.0", 24, 254);
	g_assert_cmpuint(r->priority, ==, 50);
	g_assert_cmpuint(r->type, ==, RTN_UNICAST);
	g_assert_cmpuint(r->protocol, ==, RTPROT_BOOT);
	g_assert_cmpuint(r->nh_count, ==, 1);
	g_assert_cmpint(s->routes->nh[r->nh_first].ifindex, ==, ia);
	g_assert_cmpuint(s->routes->nh[r->nh_first].gw_family, ==, AF_INET);
	ip_bytes("192.0.2.254", &fam, b);
	g_assert_cmpmem(s->routes->nh[r->nh_first].gw, 4, b, 4);
	r = find_route(s, "100.64.0.0", 16, 254);
	g_assert_cmpuint(r->nh_count, ==, 2);
	g_assert_cmpint(s->routes->nh[r->nh_first].ifindex, ==, ia);
	g_assert_cmpuint(s->routes->nh[r->nh_first].weight, ==, 0);
	g_assert_cmpint(s->routes->nh[r->nh_first + 1].ifindex, ==, ib);
	g_assert_cmpuint(s->routes->nh[r->nh_first + 1].weight, ==, 2);
	r = find_route(s, "100.65.0.0", 16, 254);
	g_assert_cmpuint(r->type, ==, RTN_UNREACHABLE);
	/* the local table is kept, as every other table (below) */
	g_assert_nonnull(find_route(s, "192.0.2.1", 32, 255));
	netstate_snapshot_unref(s);
	c = change_route(&f, "100.64.0.0", 16, false);
	g_assert_nonnull(c);
	g_assert_cmpuint(c->u.route.route.nh_count, ==, 2);
	g_assert_cmpint(c->u.route.nh[1].ifindex, ==, ib);

	fx_reset(&f);
	run("ip route add 192.0.2.128/25 dev t0a table 100");
	run("ip route add 100.66.0.0/16 dev t0a");
	g_assert_true(fx_wait(&f, p_route, &(struct rkey){ "100.66.0.0", 16 },
			      WAIT_MS));
	s = netstate_get(f.ns);
	/* policy routing's tables are kept and their changes announced */
	g_assert_nonnull(find_route(s, "192.0.2.128", 25, 100));
	g_assert_null(find_route(s, "192.0.2.128", 25, 254));
	netstate_snapshot_unref(s);
	g_assert_nonnull(change_route(&f, "192.0.2.128", 25, false));
	/* a route change does not copy the links */
	g_assert_false(f.parts & NETSTATE_LINKS);

	/* neighbours */
	fx_reset(&f);
	run("ip neigh add 192.0.2.7 lladdr 02:00:00:00:00:07 dev t0a nud permanent");
	g_assert_true(fx_wait(&f, p_neigh, "192.0.2.7", WAIT_MS));
	g_assert_true(f.parts & NETSTATE_NEIGHS);
	s = netstate_get(f.ns);
	n = find_neigh(s, "192.0.2.7");
	g_assert_cmpint(n->ifindex, ==, ia);
	g_assert_cmpuint(n->state, ==, NUD_PERMANENT);
	g_assert_cmpuint(n->lladdr_len, ==, 6);
	g_assert_cmpuint(n->lladdr[5], ==, 7);
	netstate_snapshot_unref(s);

	/* route deletion is an RTM_DELROUTE */
	fx_reset(&f);
	run("ip route del 100.66.0.0/16");
	g_assert_true(fx_wait(&f, p_no_route, &(struct rkey){ "100.66.0.0", 16 },
			      WAIT_MS));
	g_assert_nonnull(change_route(&f, "100.66.0.0", 16, true));

	/* link down: the kernel flushes IPv4 routes without telling; the
	 * tables follow, and no event is made up for them */
	fx_reset(&f);
	run("ip link set t0a down");
	g_assert_true(fx_wait(&f, p_no_route, &gw, WAIT_MS));
	g_assert_true(fx_wait(&f, p_link_down, "t0a", WAIT_MS));
	g_assert_true(fx_wait(&f, p_parts, &routes_bit, WAIT_MS));
	g_assert_null(change_route(&f, "198.51.100.0", 24, true));
	s = netstate_get(f.ns);
	r = find_route(s, "100.64.0.0", 16, 254); /* t0b's hop still alive */
	g_assert_nonnull(r);
	g_assert_cmpuint(r->nh_count, ==, 2);
	g_assert_cmpint(s->routes->nh[r->nh_first].ifindex, ==, ia);
	g_assert_true(s->routes->nh[r->nh_first].flags & RTNH_F_DEAD);
	g_assert_false(s->routes->nh[r->nh_first + 1].flags & RTNH_F_DEAD);
	netstate_snapshot_unref(s);

	/* rename */
	fx_reset(&f);
	run("ip link set t0b down");
	run("ip link set t0b name t0c");
	g_assert_true(fx_wait(&f, p_link, "t0c", WAIT_MS));
	g_assert_true(fx_wait(&f, p_no_link, "t0b", WAIT_MS));
	s = netstate_get(f.ns);
	g_assert_cmpint(ns_link_by_name(s, "t0c")->ifindex, ==, ib);
	netstate_snapshot_unref(s);

	/* delete: links, their addresses, routes and neighbours go */
	fx_reset(&f);
	run("ip link del t0a");
	g_assert_true(fx_wait(&f, p_no_link, "t0c", WAIT_MS));
	g_assert_true(fx_wait(&f, p_no_link, "t0a", WAIT_MS));
	g_assert_true(fx_wait(&f, p_no_route, &mp, WAIT_MS));
	g_assert_nonnull(change_link(&f, "t0a", true));
	s = netstate_get(f.ns);
	g_assert_null(find_addr(s, "192.0.2.1"));
	g_assert_null(find_addr(s, "2001:db8::1"));
	g_assert_null(find_neigh(s, "192.0.2.7"));
	g_assert_nonnull(find_route(s, "100.65.0.0", 16, 254)); /* no device */
	netstate_snapshot_unref(s);
	run("ip route del unreachable 100.65.0.0/16");
	fx_clear(&f);
}

static void test_hide(void)
{
	const char *const hide[] = { "hid*", NULL };
	const struct rkey mp = { "198.19.0.0", 16 };
	struct netstate_snapshot *s;
	const struct ns_route *r;
	struct fx f;
	int ih, iv;
	guint i;

	fx_init(&f, hide);
	run("ip link add hid0 type veth peer name vis0");
	run("ip link set hid0 up");
	run("ip link set vis0 up");
	run("ip addr add 192.0.2.33/24 dev hid0");
	run("ip addr add 203.0.113.33/24 dev vis0");
	run("ip neigh add 192.0.2.8 lladdr 02:00:00:00:00:08 dev hid0 nud permanent");
	run("ip route add 198.18.0.0/16 via 192.0.2.1 dev hid0");
	run("ip route add 198.19.0.0/16 nexthop via 192.0.2.1 dev hid0"
	    " nexthop via 203.0.113.1 dev vis0");
	g_assert_true(fx_wait(&f, p_route, &mp, WAIT_MS));
	g_assert_true(fx_wait(&f, p_addr, "203.0.113.33", WAIT_MS));
	ih = ifindex_of("hid0");
	iv = ifindex_of("vis0");
	s = netstate_get(f.ns);
	g_assert_nonnull(ns_link_by_name(s, "vis0"));
	g_assert_null(ns_link_by_name(s, "hid0"));
	g_assert_null(ns_link_by_index(s, ih));
	g_assert_null(find_addr(s, "192.0.2.33"));
	g_assert_null(find_neigh(s, "192.0.2.8"));
	g_assert_null(find_route(s, "198.18.0.0", 16, 254));
	g_assert_null(find_route(s, "192.0.2.33", 32, 255));
	r = find_route(s, "198.19.0.0", 16, 254);
	g_assert_cmpuint(r->nh_count, ==, 1);
	g_assert_cmpint(s->routes->nh[r->nh_first].ifindex, ==, iv);
	for (i = 0; i < s->routes->n_nh; i++)
		g_assert_cmpint(s->routes->nh[i].ifindex, !=, ih);
	netstate_snapshot_unref(s);
	g_assert_false(changes_mention_ifindex(&f, ih));
	g_assert_nonnull(change_link(&f, "vis0", false));
	g_assert_null(change_link(&f, "hid0", false));

	/* renaming into the hidden set removes the link from the view */
	fx_reset(&f);
	run("ip link set vis0 down");
	run("ip link set vis0 name hid1");
	g_assert_true(fx_wait(&f, p_no_link, "vis0", WAIT_MS));
	g_assert_nonnull(change_link(&f, "vis0", true));
	g_assert_nonnull(change_addr(&f, "203.0.113.33", true));
	g_assert_nonnull(change_route(&f, "198.19.0.0", 16, true));
	s = netstate_get(f.ns);
	g_assert_null(find_addr(s, "203.0.113.33"));
	g_assert_null(ns_link_by_index(s, iv));
	netstate_snapshot_unref(s);

	/* and out of it brings it back with its address */
	fx_reset(&f);
	run("ip link set hid1 name vis1");
	g_assert_true(fx_wait(&f, p_link, "vis1", WAIT_MS));
	g_assert_true(fx_wait(&f, p_addr, "203.0.113.33", WAIT_MS));
	g_assert_nonnull(change_link(&f, "vis1", false));
	g_assert_nonnull(change_addr(&f, "203.0.113.33", false));
	g_assert_nonnull(change_route(&f, "198.19.0.0", 16, false));
	g_assert_null(change_addr(&f, "192.0.2.33", false)); /* hid0's */
	run("ip link del hid0");
	g_assert_true(fx_wait(&f, p_no_link, "vis1", WAIT_MS));

	/* bridges: a bridge port's state and the FDB are passed on as the
	 * kernel sends them, unless the port, the device or the bridge is
	 * hidden: vbr with ports visp (shown) and hidp; hidbr with visq */
	fx_reset(&f);
	run("ip link add vbr type bridge");
	run("ip link add hidbr type bridge");
	run("ip link add visp type veth peer name visp2");
	run("ip link add hidp type veth peer name visp3");
	run("ip link add visq type veth peer name visq2");
	run("ip link set visp master vbr");
	run("ip link set hidp master vbr");
	run("ip link set visq master hidbr");
	run("ip link set vbr up");
	run("ip link set visp up");
	run("ip link set hidp up");
	run("ip link set visq up");
	g_assert_true(fx_wait(&f, p_link, "visq", WAIT_MS));
	/* the marker: the last change's event */
	run("ip link set visq mtu 1400");
	g_assert_true(fx_wait(&f, p_link_mtu, "visq:1400", WAIT_MS));
	ih = ifindex_of("hidp");
	iv = ifindex_of("visp");
	/* a bridge's features follow its new port's: the kernel's
	 * RTM_NEWLINK says "event FEATURE CHANGE" (IFLA_EVENT), whether or
	 * not anything libnl parses changed */
	g_assert_cmpuint(count_link_events(&f, "vbr", IFLA_EVENT_FEATURES), >, 0);
	g_assert_cmpuint(count_link_events(&f, "hidbr", IFLA_EVENT_FEATURES), ==, 0);
	g_assert_cmpuint(count_hostmsgs(&f, RTM_NEWLINK, iv), >, 0);
	g_assert_cmpuint(count_hostmsgs(&f, RTM_NEWNEIGH, iv), >, 0);
	g_assert_cmpuint(count_hostmsgs(&f, RTM_NEWLINK, ifindex_of("vbr")), >, 0);
	g_assert_false(changes_mention_ifindex(&f, ih));
	g_assert_false(changes_mention_ifindex(&f, ifindex_of("hidbr")));
	g_assert_cmpuint(count_hostmsgs(&f, RTM_NEWLINK, ifindex_of("visq")), ==, 0);
	g_assert_cmpuint(count_hostmsgs(&f, RTM_NEWNEIGH, ifindex_of("visq")), ==, 0);
	/* visq's own link changes are shown (it is visible) */
	g_assert_nonnull(change_link(&f, "visq", false));
	/* a port's option changed: the kernel sends the port's RTM_NEWLINK
	 * again, equal to the one before (libnl's cache reports nothing);
	 * the AF_BRIDGE message after it is the marker */
	fx_reset(&f);
	run("ip link set visp type bridge_slave learning off");
	g_assert_true(fx_wait(&f, p_hostmsg_of, &iv, WAIT_MS));
	g_assert_nonnull(change_link(&f, "visp", false));
	g_assert_false(f.parts & NETSTATE_LINKS);
	fx_reset(&f);
	run("ip link set hidp type bridge_slave learning off");
	run("ip link set visp type bridge_slave learning on");
	g_assert_true(fx_wait(&f, p_hostmsg_of, &iv, WAIT_MS));
	g_assert_false(changes_mention_ifindex(&f, ih));
	fx_reset(&f);
	run("ip link del visp");
	run("ip link del hidp");
	run("ip link del visq");
	run("ip link del vbr");
	run("ip link del hidbr");
	g_assert_true(fx_wait(&f, p_no_link, "vbr", WAIT_MS));
	g_assert_cmpuint(count_hostmsgs(&f, RTM_DELLINK, iv), >, 0);
	g_assert_false(changes_mention_ifindex(&f, ih));
	fx_clear(&f);
}

static bool p_server(struct fx *f, const struct netstate_snapshot *s,
		     const void *addr)
{
	return s->resolv->r.servers && s->resolv->r.servers[0] &&
	       strcmp(s->resolv->r.servers[0], addr) == 0;
}

static bool p_host(struct fx *f, const struct netstate_snapshot *s,
		   const void *addr)
{
	g_auto(GStrv) lines = g_strsplit(s->hosts->lines, "\n", -1);
	guint i;

	for (i = 0; lines[i]; i++)
		if (g_str_has_prefix(lines[i], addr) &&
		    (lines[i][strlen(addr)] == ' ' || lines[i][strlen(addr)] == '\t'))
			return true;
	return false;
}

static bool p_no_resolv(struct fx *f, const struct netstate_snapshot *s,
			const void *unused)
{
	return !s->resolv->r.present;
}

static void test_host_files(void)
{
	struct netstate_snapshot *s;
	struct fx f;

	fx_init(&f, NULL);
	s = netstate_get(f.ns);
	g_assert_true(p_host(&f, s, "192.0.2.10"));
	netstate_snapshot_unref(s);

	write_file(f.pol.resolv_path, "nameserver 198.51.100.53\n");
	g_assert_true(fx_wait(&f, p_server, "198.51.100.53", WAIT_MS));
	g_assert_cmpuint(f.parts, ==, NETSTATE_RESOLV);
	g_assert_cmpuint(f.changes->len, ==, 0);

	fx_reset(&f);
	write_file(f.pol.hosts_path, "192.0.2.11 bar baz\n");
	g_assert_true(fx_wait(&f, p_host, "192.0.2.11", WAIT_MS));
	g_assert_cmpuint(f.parts, ==, NETSTATE_HOSTS);
	s = netstate_get(f.ns);
	g_assert_false(p_host(&f, s, "192.0.2.10"));
	netstate_snapshot_unref(s);

	/* the same content again: no event */
	fx_reset(&f);
	write_file(f.pol.resolv_path, "nameserver 198.51.100.53\n");
	write_file(f.pol.hosts_path, "192.0.2.11 bar baz\n");
	fx_spin(&f, 300);
	g_assert_cmpuint(f.n_events, ==, 0);

	/* deleted: present goes false */
	g_assert_cmpint(g_unlink(f.pol.resolv_path), ==, 0);
	g_assert_true(fx_wait(&f, p_no_resolv, NULL, WAIT_MS));
	g_assert_cmpuint(f.parts, ==, NETSTATE_RESOLV);
	fx_clear(&f);
}

static const struct ns_link *stats_lo(const struct ns_links *t)
{
	guint i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, "lo") == 0)
			return &t->v[i];
	return NULL;
}

static void test_read_stats(void)
{
	const char *const hide[] = { "st*", NULL };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(9) };
	struct ns_links *before = NULL, *after = NULL;
	const struct ns_link *l0, *l1;
	_cleanup_close_ int fd = -1;
	struct fx f;
	guint i;

	fx_init(&f, hide);
	run("ip link add st0 type veth peer name st1");
	g_assert_cmpint(netstate_read_stats(f.ns, &before), ==, 0);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(fd, >=, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 20; i++)
		g_assert_cmpint(sendto(fd, "x", 1, 0, (struct sockaddr *)&sin,
				       sizeof(sin)), ==, 1);
	g_assert_cmpint(netstate_read_stats(f.ns, &after), ==, 0);
	l0 = stats_lo(before);
	l1 = stats_lo(after);
	g_assert_nonnull(l0);
	g_assert_nonnull(l1);
	g_assert_cmpuint(l1->stats.tx_packets, >=, l0->stats.tx_packets + 20);
	g_assert_cmpuint(l1->stats.rx_packets, >=, l0->stats.rx_packets + 20);
	g_assert_cmpuint(l1->stats.rx_bytes, >, l0->stats.rx_bytes);
	for (i = 0; i < after->n; i++) {
		g_assert_false(g_str_has_prefix(after->v[i].name, "st"));
		if (i)
			g_assert_cmpint(after->v[i - 1].ifindex, <,
					after->v[i].ifindex);
	}
	ns_links_unref(before);
	ns_links_unref(after);
	run("ip link del st0");
	fx_clear(&f);
}

/* Overrun the notification socket; the model must resynchronise. */
static void test_overrun(void)
{
	const guint want = 400;
	g_autofree char *batch = NULL;
	g_autoptr(GString) cmds = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	int small = 1, fd;
	guint i, base;
	struct netstate_snapshot *s;
	struct fx f;

	fx_init(&f, NULL);
	run("ip link add ov0 type veth peer name ov1");
	run("ip link set ov0 up");
	run("ip addr add 10.200.0.1/16 dev ov0");
	g_assert_true(fx_wait(&f, p_addr, "10.200.0.1", WAIT_MS));
	s = netstate_get(f.ns);
	base = s->routes->n;
	netstate_snapshot_unref(s);
	fd = netstate_int_notify_fd(f.ns);
	g_assert_cmpint(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small,
				   sizeof(small)), ==, 0);
	for (i = 0; i < want; i++)
		g_string_append_printf(cmds, "route add 10.%u.%u.0/24 via 10.200.0.2\n",
				       100 + i / 256, i % 256);
	batch = g_build_filename(f.dir, "batch", NULL);
	g_assert_true(g_file_set_contents(batch, cmds->str, -1, &err));
	run("ip -batch %s", batch); /* the loop is not running: queue fills */
	base += want;
	g_assert_true(fx_wait(&f, p_nroutes, &base, WAIT_MS));
	g_assert_cmpuint(netstate_int_overruns(f.ns), >=, 1);
	s = netstate_get(f.ns);
	g_assert_nonnull(find_route(s, "10.101.143.0", 24, 254));
	netstate_snapshot_unref(s);
	run("ip link del ov0");
	g_unlink(batch);
	fx_clear(&f);
}

/* 10,000 routes and 1,000 interfaces; prints timings as TAP diagnostics. */
static void test_scale(void)
{
	guint want_routes = 10000, want_links, i;
	g_autofree char *batch = NULL;
	g_autoptr(GString) cmds = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	struct ns_routes *t;
	struct netstate_snapshot *s;
	gint64 t0, t1;
	struct fx f;

	fx_init(&f, NULL);
	run("ip link add sc0 type veth peer name sc1");
	run("ip link set sc0 up");
	run("ip addr add 10.250.0.1/16 dev sc0");
	for (i = 0; i < want_routes; i++)
		g_string_append_printf(cmds, "route add 172.%u.%u.0/24 via 10.250.0.2\n",
				       16 + i / 256, i % 256);
	batch = g_build_filename(f.dir, "batch", NULL);
	g_assert_true(g_file_set_contents(batch, cmds->str, -1, &err));
	t0 = g_get_monotonic_time();
	run("ip -batch %s", batch);
	g_assert_true(fx_wait(&f, p_nroutes, &want_routes, 30000));
	t1 = g_get_monotonic_time();
	g_test_message("10000 routes added and in the model after %.1f ms "
		       "(%u events)", (t1 - t0) / 1000.0, f.n_events);

	/* build time of the route table alone, from a cache of our own */
	g_assert_nonnull(sk);
	g_assert_cmpint(nl_connect(sk, NETLINK_ROUTE), ==, 0);
	g_assert_cmpint(rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &cache), ==, 0);
	t0 = g_get_monotonic_time();
	for (i = 0; i < 10; i++) {
		t = nsb_build_routes(cache, NULL);
		g_assert_cmpuint(t->n, >=, want_routes);
		ns_routes_unref(t);
	}
	t1 = g_get_monotonic_time();
	g_test_message("route table build with %d cached routes: %.2f ms",
		       nl_cache_nitems(cache), (t1 - t0) / 10000.0);
	g_assert_cmpint((t1 - t0) / 10, <, 200000); /* 200 ms is far too slow */
	nl_cache_free(cache);
	nl_socket_free(sk);

	/* one more route: one event, links shared */
	fx_reset(&f);
	t0 = g_get_monotonic_time();
	run("ip route add 100.127.0.0/16 via 10.250.0.2");
	g_assert_true(fx_wait(&f, p_route, &(struct rkey){ "100.127.0.0", 16 },
			      WAIT_MS));
	t1 = g_get_monotonic_time();
	g_test_message("one route change with 10000 routes: %.1f ms incl. ip(8)",
		       (t1 - t0) / 1000.0);
	g_assert_false(f.parts & NETSTATE_LINKS);

	/* 1,000 interfaces (500 veth pairs) */
	s = netstate_get(f.ns);
	want_links = s->links->n + 1000;
	netstate_snapshot_unref(s);
	g_string_truncate(cmds, 0);
	for (i = 0; i < 500; i++)
		g_string_append_printf(cmds, "link add sv%u type veth peer name sw%u\n",
				       i, i);
	g_assert_true(g_file_set_contents(batch, cmds->str, -1, &err));
	t0 = g_get_monotonic_time();
	run("ip -batch %s", batch);
	g_assert_true(fx_wait(&f, p_nlinks, &want_links, 60000));
	t1 = g_get_monotonic_time();
	g_test_message("1000 interfaces in the model after %.1f ms",
		       (t1 - t0) / 1000.0);
	s = netstate_get(f.ns);
	g_assert_nonnull(ns_link_by_name(s, "sw499"));
	netstate_snapshot_unref(s);

	g_string_truncate(cmds, 0);
	for (i = 0; i < 500; i++)
		g_string_append_printf(cmds, "link del sv%u\n", i);
	g_assert_true(g_file_set_contents(batch, cmds->str, -1, &err));
	run("ip -batch %s", batch);
	run("ip link del sc0");
	g_assert_true(fx_wait(&f, p_no_link, "sw499", 60000));
	g_assert_true(fx_wait(&f, p_no_link, "sc0", WAIT_MS));
	s = netstate_get(f.ns);
	g_assert_cmpuint(s->routes->n, <, 100);
	netstate_snapshot_unref(s);
	g_unlink(batch);
	fx_clear(&f);
}

struct once {
	struct netstate *ns;
	guint id;
	guint calls;
};

static void on_event_once(const struct netstate_event *ev, void *data)
{
	struct once *o = data;

	o->calls++;
	netstate_unsubscribe(o->ns, o->id);
}

static void test_unsubscribe(void)
{
	struct once o = { 0 };
	struct fx f;

	fx_init(&f, NULL);
	o.ns = f.ns;
	o.id = netstate_subscribe(f.ns, on_event_once, &o);
	g_assert_cmpuint(o.id, !=, f.sub);
	write_file(f.pol.resolv_path, "nameserver 192.0.2.99\n");
	g_assert_true(fx_wait(&f, p_server, "192.0.2.99", WAIT_MS));
	write_file(f.pol.resolv_path, "nameserver 192.0.2.98\n");
	g_assert_true(fx_wait(&f, p_server, "192.0.2.98", WAIT_MS));
	g_assert_cmpuint(f.n_events, ==, 2);
	g_assert_cmpuint(o.calls, ==, 1); /* unsubscribed from its callback */
	netstate_unsubscribe(f.ns, f.sub);
	f.sub = 0;
	write_file(f.pol.resolv_path, "nameserver 192.0.2.97\n");
	g_assert_true(fx_wait(&f, p_server, "192.0.2.97", WAIT_MS));
	g_assert_cmpuint(f.n_events, ==, 2); /* no longer called */
	fx_clear(&f);
}

static void write_proc(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		g_error("%s: %s", path, g_strerror(errno));
}

/* Enter a private network namespace; return NULL or why it cannot. */
static const char *enter_netns(void)
{
	g_autofree char *ip = g_find_program_in_path("ip");
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (!ip)
		return "ip (iproute2) not installed";
	if (uid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			return "unshare(CLONE_NEWNET) failed";
	} else {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			return "unprivileged user namespaces unavailable";
		g_snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
		write_proc("/proc/self/uid_map", map);
		write_proc("/proc/self/setgroups", "deny");
		g_snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
		write_proc("/proc/self/gid_map", map);
	}
	run("ip link set lo up");
	return NULL;
}

/* Take link @idx out of the model's link cache: a stand-in for "its
 * RTM_NEWLINK has not come yet", which the kernel cannot be made to
 * hold back on demand. */
static void drop_link_from_cache(struct fx *f, int idx)
{
	struct rtnl_link *l;

	while ((l = rtnl_link_get(f->ns->c_link, idx))) {
		nl_cache_remove((struct nl_object *)l);
		rtnl_link_put(l);
	}
}

/*
 * A netconf naming a link the host has and the model not yet puts the
 * commit off (netstate_await_link()), without blocking; it goes out when
 * the window is used up, and a host file changed meanwhile loses none of
 * it (the held changes are published first).
 */
static void await_case(bool touch_files)
{
	struct fx f;
	int idx;

	fx_init(&f, NULL);
	run("ip link add aw0 type veth peer name aw1");
	g_assert_true(fx_wait(&f, p_link, "aw0", WAIT_MS));
	idx = ifindex_of("aw0");
	drop_link_from_cache(&f, idx);
	fx_reset(&f);
	run("sysctl -q -w net.ipv4.conf.aw0.forwarding=1");
	fx_spin(&f, 30);
	g_assert_cmpuint(f.n_events, ==, 0); /* put off */
	g_assert_nonnull(f.ns->later_source); /* and it looks again */
	g_assert_cmpint(f.ns->await_since, !=, 0);
	if (touch_files)
		write_file(f.pol.resolv_path, "nameserver 192.0.2.54\n");
	fx_spin(&f, 600);
	g_assert_cmpuint(count_hostmsgs(&f, RTM_NEWNETCONF, idx), ==, 1);
	if (touch_files)
		g_assert_true(p_server(&f, f.ns->cur, "192.0.2.54"));
	run("ip link del aw0");
	fx_spin(&f, 50);
	fx_clear(&f);
}

static void test_await_link(void)
{
	await_case(false);
}

static void test_await_link_files(void)
{
	await_case(true);
}

/* Routes changing without a pause while a link is awaited: the put-off
 * ends with its window, the event goes out (it was held for good). */
static void test_await_link_churn(void)
{
	g_autofree char *batch = NULL;
	g_autofree char *cmd = NULL;
	struct fx f;
	gint64 t0, seen = 0;
	GPid pid;
	int idx, i;
	FILE *b;

	fx_init(&f, NULL);
	batch = g_build_filename(f.dir, "churn.batch", NULL);
	b = fopen(batch, "w");
	g_assert_nonnull(b);
	for (i = 0; i < 2000; i++)
		fprintf(b, "route add 198.51.100.0/24 dev aw1\n"
			   "route del 198.51.100.0/24 dev aw1\n");
	fclose(b);
	run("ip link add aw0 type veth peer name aw1");
	run("ip link set aw1 up");
	g_assert_true(fx_wait(&f, p_link, "aw0", WAIT_MS));
	idx = ifindex_of("aw0");
	cmd = g_strdup_printf("while :; do ip -force -batch %s; done", batch);
	{
		gchar *argv[] = { (gchar *)"sh", (gchar *)"-c", cmd, NULL };

		g_assert_true(g_spawn_async(NULL, argv, NULL,
					    G_SPAWN_SEARCH_PATH |
					    G_SPAWN_DO_NOT_REAP_CHILD |
					    G_SPAWN_STDERR_TO_DEV_NULL,
					    NULL, NULL, &pid, NULL));
	}
	fx_spin(&f, 100);
	drop_link_from_cache(&f, idx);
	fx_reset(&f);
	run("sysctl -q -w net.ipv4.conf.aw0.forwarding=1");
	t0 = g_get_monotonic_time();
	for (i = 0; i < 300 && !seen; i++) {
		fx_spin(&f, 10);
		if (count_hostmsgs(&f, RTM_NEWNETCONF, idx))
			seen = g_get_monotonic_time();
	}
	kill(pid, SIGKILL);
	g_spawn_close_pid(pid);
	waitpid(pid, NULL, 0);
	g_test_message("netconf out after %lld ms of route churn",
		       seen ? (long long)(seen - t0) / 1000 : -1LL);
	g_assert_true(seen != 0);
	run("ip link del aw0");
	fx_spin(&f, 50);
	f.bad_sharing = false; /* the churn's tables came and went */
	g_unlink(batch); /* fx_clear() removes an empty directory only */
	fx_clear(&f);
}

/* A vxlan FDB entry whose remote is reached via a hidden device stays
 * out; one via a visible device goes out. */
static void test_fdb_via_hidden(void)
{
	const char *const hide[] = { "hid*", NULL };
	struct fx f;
	int vx;

	fx_init(&f, hide);
	run("ip link add hid0 type veth peer name hid1");
	run("ip link add vis0 type veth peer name vis1");
	if (system("ip link add vx0 type vxlan id 5 dstport 4789 2>/dev/null") != 0) {
		g_test_skip("no vxlan link type here");
		fx_clear(&f);
		return;
	}
	g_assert_true(fx_wait(&f, p_link, "vx0", WAIT_MS));
	vx = ifindex_of("vx0");
	fx_reset(&f);
	run("bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.1 via hid0");
	run("bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.2 via vis0");
	g_assert_true(fx_wait(&f, p_hostmsg_neigh_of, &vx, WAIT_MS));
	fx_spin(&f, 100);
	g_assert_cmpuint(count_hostmsgs(&f, RTM_NEWNEIGH, ifindex_of("hid0")),
			 ==, 0);
	g_assert_cmpuint(count_hostmsgs(&f, RTM_NEWNEIGH, ifindex_of("vis0")),
			 ==, 1);
	run("ip link del vx0");
	run("ip link del hid0");
	run("ip link del vis0");
	fx_spin(&f, 50);
	fx_clear(&f);
}

int main(int argc, char **argv)
{
	const char *why = enter_netns();

	if (why) {
		printf("1..0 # SKIP %s\n", why);
		return 0;
	}
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/netstate/initial", test_initial);
	g_test_add_func("/netstate/links-addrs-routes", test_links_addrs_routes);
	g_test_add_func("/netstate/hide", test_hide);
	g_test_add_func("/netstate/host-files", test_host_files);
	g_test_add_func("/netstate/read-stats", test_read_stats);
	g_test_add_func("/netstate/unsubscribe", test_unsubscribe);
	g_test_add_func("/netstate/overrun", test_overrun);
	g_test_add_func("/netstate/scale", test_scale);
	g_test_add_func("/netstate/await-link", test_await_link);
	g_test_add_func("/netstate/await-link-files", test_await_link_files);
	g_test_add_func("/netstate/await-link-churn", test_await_link_churn);
	g_test_add_func("/netstate/fdb-via-hidden", test_fdb_via_hidden);
	return g_test_run();
}
