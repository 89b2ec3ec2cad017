// SPDX-License-Identifier: LGPL-2.1-or-later
/* netstate.c - the live network model: libnl cache manager to snapshots */
/*
 * Theory of operation
 *
 * A libnl cache manager keeps four caches (route/link, route/addr,
 * route/route, route/neigh) in step with the kernel's rtnetlink multicast
 * groups. Its socket is a GSource of the caller's GMainContext; when it is
 * readable, nl_cache_mngr_data_ready() applies every queued notification,
 * and libnl calls netstate_on_change() for each object that really changed.
 * That callback records the object change (view policy applied) and marks
 * the part dirty. Once everything readable has been applied, ONE snapshot is
 * built: dirty tables are rebuilt from their cache, compared with the
 * previous snapshot's table, and shared when equal; if any table differs,
 * the snapshot is published with generation + 1 and every subscriber is
 * called with the old and new snapshots, the parts mask and the changes.
 *
 * Two ways the caches could go stale, and what is done about them:
 *  - the socket overran (ENOBUFS, notifications lost): every cache is
 *    resynchronised from a fresh dump on a second netlink socket, with the
 *    differences reported as changes like any other;
 *  - the kernel flushes IPv4 routes (and neighbours) of a link that goes
 *    down or away without RTM_DELROUTE: every link deletion or change of
 *    flags, carrier or operstate resynchronises the route and neighbour
 *    caches after the batch.
 *
 * resolv.conf, hosts and the hostname come from hostconf.h; a filewatch on
 * their paths, and poll() on /proc/sys/kernel/hostname, reload them, and a
 * snapshot is published only when the loaded content differs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <glib-unix.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/errno.h>

#include "hostconf.h"
#include "log.h"
#include "netstate_int.h"
#include "util.h"

/* Receive buffer of the notification socket: room for bursts. */
#define NETSTATE_RCVBUF (8 * 1024 * 1024)
/* Attempts at a dump the kernel interrupted (NLM_F_DUMP_INTR). */
#define NETSTATE_DUMP_TRIES 5
/* Commits begun again because notifications came during the route dump. */
#define NETSTATE_COMMIT_TRIES 4
/* Delay before a failed resynchronisation is tried again. */
#define NETSTATE_RETRY_MS 100
/* How long a commit is put off for a new link's RTM_NEWLINK announced by
 * an earlier message (netstate_await_link()), and how often it looks. */
#define NETSTATE_LINK_WAIT_MS 200
#define NETSTATE_LINK_POLL_MS 5

static void netstate_policy_copy(struct view_policy *dst,
				 const struct view_policy *src)
{
	view_policy_init(dst);
	dst->hide_if = g_strdupv(src->hide_if);
	dst->extra_hosts = g_strdupv(src->extra_hosts);
	dst->hostname = g_strdup(src->hostname);
	dst->dns = g_strdupv(src->dns);
	dst->dns_search = g_strdupv(src->dns_search);
	dst->dns_upstream = src->dns_upstream;
	dst->resolv_path = g_strdup(src->resolv_path);
	dst->hosts_path = g_strdup(src->hosts_path);
	dst->upstream_paths = g_strdupv(src->upstream_paths);
}

/* Record one more change of @kind; NULL past NETSTATE_CHANGES_MAX. */
struct ns_change *netstate_change_push(struct netstate *ns,
				       enum ns_change_kind kind, bool deleted)
{
	struct ns_change *c;

	if (ns->changes->len >= NETSTATE_CHANGES_MAX) {
		ns->changes_lost = true;
		return NULL;
	}
	g_array_set_size(ns->changes, ns->changes->len + 1); /* zeroed */
	c = &g_array_index(ns->changes, struct ns_change, ns->changes->len - 1);
	c->kind = kind;
	c->deleted = deleted;
	return c;
}

/* Drop the last recorded change (it turned out not to be visible). */
void netstate_change_pop(struct netstate *ns)
{
	g_array_set_size(ns->changes, ns->changes->len - 1);
}

/* Forget the recorded changes and the host messages they point to. */
void netstate_changes_clear(struct netstate *ns)
{
	g_array_set_size(ns->changes, 0);
	g_ptr_array_set_size(ns->hostmsgs, 0);
	ns->hostmsg_bytes = 0;
	ns->await_from = 0;
	ns->await_since = 0;
	ns->await_expired = false;
}

static bool netstate_link_hides(struct netstate *ns, struct rtnl_link *l)
{
	const char *name = rtnl_link_get_name(l);

	return name && view_policy_hides(&ns->policy, name);
}

/**
 * netstate_on_link() - record a link change
 * @ns: model
 * @old: the object before (NULL for a new link, or when libnl's v1 callback
 *       was used)
 * @obj: the current object, or the deleted one for NL_ACT_DEL
 * @action: NL_ACT_NEW, NL_ACT_CHANGE or NL_ACT_DEL
 *
 * A rename that hides a visible link is reported as its deletion, one that
 * reveals a hidden link as its creation.
 *
 * Return: the change recorded, or NULL (none: out of view).
 */
/*
 * A link whose visibility changes is not one whose routes vanish silently:
 * what it takes out of the view, or brings in, is announced.
 */
static void netstate_undown(struct netstate *ns, int ifindex)
{
	guint i;

	for (i = ns->downed->len; i-- > 0;)
		if (g_array_index(ns->downed, int, i) == ifindex)
			g_array_remove_index_fast(ns->downed, i);
}

static struct ns_change *netstate_on_link(struct netstate *ns,
					  struct rtnl_link *old,
					  struct rtnl_link *obj, int action)
{
	gpointer key = GINT_TO_POINTER(rtnl_link_get_ifindex(obj));
	bool was_hidden = g_hash_table_contains(ns->hidden, key);
	bool hides = netstate_link_hides(ns, obj);
	struct rtnl_link *report = obj;
	bool deleted = action == NL_ACT_DEL;
	struct ns_change *c;

	ns->dirty |= NETSTATE_LINKS;
	if ((deleted || (old && (rtnl_link_get_flags(old) & IFF_UP) &&
			 !(rtnl_link_get_flags(obj) & IFF_UP))) &&
	    hides == was_hidden && ns->downed->len < NETSTATE_CHANGES_MAX) {
		int ifindex = rtnl_link_get_ifindex(obj);

		g_array_append_val(ns->downed, ifindex);
	}
	if (deleted) {
		ns->resync_routes = true;
		if (was_hidden || hides)
			return NULL; /* stays in @hidden: late RTM_DEL* too */
	} else {
		if (action == NL_ACT_CHANGE &&
		    (!old || rtnl_link_get_flags(old) != rtnl_link_get_flags(obj) ||
		     rtnl_link_get_carrier(old) != rtnl_link_get_carrier(obj) ||
		     rtnl_link_get_operstate(old) != rtnl_link_get_operstate(obj)))
			ns->resync_routes = true;
		if (hides != was_hidden) {
			struct netstate_flip fl = {
				.ifindex = GPOINTER_TO_INT(key), .hidden = hides
			};

			if (hides)
				g_hash_table_add(ns->hidden, key);
			else
				g_hash_table_remove(ns->hidden, key);
			if (action == NL_ACT_CHANGE &&
			    ns->flips->len < NETSTATE_CHANGES_MAX)
				g_array_append_val(ns->flips, fl);
			netstate_undown(ns, fl.ifindex);
			ns->dirty |= NETSTATE_ALL & ~(NETSTATE_RESOLV |
				     NETSTATE_HOSTS | NETSTATE_HOSTNAME);
		}
		if (hides && (was_hidden || action == NL_ACT_NEW))
			return NULL;
		if (hides) { /* renamed into hiding: gone for the view */
			deleted = true;
			report = old ? old : obj;
		}
	}
	c = netstate_change_push(ns, NS_CHANGE_LINK, deleted);
	if (c)
		nsb_link_from_nl(report, &c->u.link);
	return c;
}

/**
 * netstate_on_object() - libnl change callback for all four caches
 * @cache: the cache the object belongs to
 * @old: previous object (NL_ACT_CHANGE, or the deleted one for NL_ACT_DEL)
 * @obj: new object (NULL for NL_ACT_DEL)
 * @diff: libnl's attribute difference mask (unused)
 * @action: NL_ACT_*
 * @data: the struct netstate
 *
 * Runs inside nl_cache_mngr_data_ready() or nl_cache_resync().
 */
static void netstate_on_object(struct nl_cache *cache, struct nl_object *old,
			       struct nl_object *obj, uint64_t diff,
			       int action, void *data)
{
	struct netstate *ns = data;
	bool deleted = action == NL_ACT_DEL;
	struct nl_object *cur = deleted ? (old ? old : obj) : obj;
	struct ns_change *c;
	bool shown;

	if (!cur)
		return;
	if (cache == ns->c_link) {
		uint32_t event;

		if (!nsb_link_is_device((struct rtnl_link *)cur))
			return; /* per-family state (AF_INET6, AF_BRIDGE) */
		/* the message just read, if it is its (not a resync's) */
		event = netstate_raw_link_claim(
			ns, rtnl_link_get_ifindex((struct rtnl_link *)cur));
		c = netstate_on_link(ns, deleted ? NULL : (struct rtnl_link *)old,
				     (struct rtnl_link *)cur, action);
		if (c && !c->deleted)
			c->event = event;
		return;
	}
	if (cache == ns->c_addr) {
		ns->dirty |= NETSTATE_ADDRS;
		c = netstate_change_push(ns, NS_CHANGE_ADDR, deleted);
		shown = c && nsb_addr_from_nl((struct rtnl_addr *)cur,
					      ns->hidden, &c->u.addr);
	} else if (cache == ns->c_route) {
		/* its events come from the tables (netstate_route_changes()),
		 * placed by the notifications netstate_on_msg() saw */
		ns->dirty |= NETSTATE_ROUTES;
		return;
	} else if (cache == ns->c_neigh) {
		ns->dirty |= NETSTATE_NEIGHS;
		c = netstate_change_push(ns, NS_CHANGE_NEIGH, deleted);
		shown = c && nsb_neigh_from_nl((struct rtnl_neigh *)cur,
					       ns->hidden, false,
					       &c->u.neigh);
	} else {
		return;
	}
	if (c && !shown)
		netstate_change_pop(ns);
}

/* The v1 callback nl_cache_resync() takes, mapped onto the v2 one. */
static void netstate_on_object_v1(struct nl_cache *cache,
				  struct nl_object *obj, int action, void *data)
{
	netstate_on_object(cache, action == NL_ACT_DEL ? obj : NULL,
			   action == NL_ACT_DEL ? NULL : obj, 0, action, data);
}

/**
 * netstate_resync() - refill a cache from a fresh dump, reporting changes
 * @ns: model
 * @cache: one of the manager's caches
 *
 * Return: 0 or -errno.
 */
static int netstate_resync(struct netstate *ns, struct nl_cache *cache)
{
	int r = 0, i;

	ns->resyncing = true;
	for (i = 0; i < NETSTATE_DUMP_TRIES; i++) {
		r = nl_cache_resync(ns->sync_sk, cache, netstate_on_object_v1,
				    ns);
		if (r != -NLE_DUMP_INTR)
			break;
	}
	ns->resyncing = false;
	return netstate_nlerr(r);
}

static struct netstate_snapshot *netstate_snapshot_derive(
	const struct netstate_snapshot *old)
{
	struct netstate_snapshot *s = g_new0(struct netstate_snapshot, 1);

	s->ref = 1;
	s->generation = old->generation + 1;
	s->links = ns_links_ref(old->links);
	g_atomic_int_inc(&old->addrs->ref);
	s->addrs = old->addrs;
	g_atomic_int_inc(&old->routes->ref);
	s->routes = old->routes;
	g_atomic_int_inc(&old->neighs->ref);
	s->neighs = old->neighs;
	g_atomic_int_inc(&old->resolv->ref);
	s->resolv = old->resolv;
	g_atomic_int_inc(&old->hosts->ref);
	s->hosts = old->hosts;
	s->hostname = g_strdup(old->hostname);
	return s;
}

static void netstate_dispatch(struct netstate *ns,
			      const struct netstate_event *ev)
{
	guint i, n = ns->subs->len;

	ns->dispatching = true;
	for (i = 0; i < n; i++) {
		struct netstate_sub *s =
			&g_array_index(ns->subs, struct netstate_sub, i);

		if (s->cb)
			s->cb(ev, s->data); /* may (un)subscribe: re-index */
	}
	ns->dispatching = false;
	for (i = ns->subs->len; i-- > 0;)
		if (!g_array_index(ns->subs, struct netstate_sub, i).cb)
			g_array_remove_index(ns->subs, i);
}

/**
 * netstate_publish() - make @next the latest snapshot and tell subscribers
 * @ns: model
 * @next: new snapshot (reference taken over), generation already set
 * @parts: NETSTATE_* bits that differ from the current snapshot
 *
 * Hands over the recorded changes and clears them.
 */
static void netstate_publish(struct netstate *ns,
			     struct netstate_snapshot *next,
			     unsigned int parts)
{
	struct netstate_snapshot *old = ns->cur;
	struct netstate_event ev = {
		.old = old,
		.snap = next,
		.parts = parts,
		.changes = (const struct ns_change *)ns->changes->data,
		.n_changes = ns->changes->len,
		.changes_lost = ns->changes_lost,
	};

	ns->cur = next;
	log_debug("netstate: generation %" G_GUINT64_FORMAT
		  " parts %#x, %u changes", next->generation, parts,
		  ns->changes->len);
	netstate_dispatch(ns, &ev);
	netstate_snapshot_unref(old);
	netstate_changes_clear(ns);
	ns->changes_lost = false;
}

/**
 * netstate_flip_changes() - record the changes that renames into or out of
 * hiding imply, comparing the current snapshot with @next
 * @ns: model
 * @next: the snapshot being built, tables complete
 */
static void netstate_flip_changes(struct netstate *ns,
				  const struct netstate_snapshot *next)
{
	g_autoptr(GArray) implied = NULL;
	guint i;

	if (!ns->flips->len)
		return;
	implied = g_array_new(FALSE, TRUE, sizeof(struct ns_change));
	for (i = 0; i < ns->flips->len; i++) {
		const struct netstate_flip *fl =
			&g_array_index(ns->flips, struct netstate_flip, i);

		nsb_flip_changes(ns->cur, next, fl->ifindex, fl->hidden,
				 implied);
	}
	g_array_set_size(ns->flips, 0);
	for (i = 0; i < implied->len; i++) {
		struct ns_change *c = netstate_change_push(
			ns, g_array_index(implied, struct ns_change, i).kind,
			false);

		if (c)
			*c = g_array_index(implied, struct ns_change, i);
	}
}

/*
 * Record the route events between two tables (nsb_route_changes()) among
 * the other changes, each where the kernel's first notification for its
 * destination came (events no notification named go last).
 */
static void netstate_route_changes(struct netstate *ns,
				   const struct ns_routes *old,
				   const struct ns_routes *cur)
{
	g_autoptr(GArray) found = g_array_new(FALSE, TRUE,
					      sizeof(struct ns_change));
	g_autoptr(GArray) merged = NULL;
	g_autofree guint *ranks = NULL;
	guint i, j = 0;

	nsb_route_changes(old, cur, found);
	ranks = nsb_route_changes_order(found, ns->route_order);
	nsb_route_changes_silent(found, ranks, ns->downed);
	nsb_route_changes_flags(found, ranks, ns->route_order);
	if (!found->len)
		return;
	merged = g_array_sized_new(FALSE, TRUE, sizeof(struct ns_change),
				   ns->changes->len + found->len);
	for (i = 0; i <= ns->changes->len; i++) {
		/* the events whose notification came before change i */
		for (; j < found->len; j++) {
			guint pos = ranks[j] == G_MAXUINT ? G_MAXUINT :
				    g_array_index(ns->route_order,
						  struct ns_route_key,
						  ranks[j]).pos;

			if (pos > i)
				break;
			g_array_append_val(merged, g_array_index(found,
				struct ns_change, j));
		}
		if (i < ns->changes->len)
			g_array_append_val(merged, g_array_index(ns->changes,
				struct ns_change, i));
	}
	for (; j < found->len; j++)
		g_array_append_val(merged,
				   g_array_index(found, struct ns_change, j));
	if (merged->len > NETSTATE_CHANGES_MAX) {
		g_array_set_size(merged, NETSTATE_CHANGES_MAX);
		ns->changes_lost = true;
	}
	g_array_set_size(ns->changes, 0);
	g_array_append_vals(ns->changes, merged->data, merged->len);
	ns->await_from = 0;
}

/**
 * netstate_routes() - the route table, from a dump
 * @ns: model
 *
 * libnl's route cache keeps one of several routes that differ only by next
 * hop (fe80::/64 on each interface, one prefix on two links), so the table
 * comes from a dump of its own, and so do the change events
 * (nsb_route_changes()); the cache only says when to dump.
 * If the dump fails, the cache is used and a resynchronisation scheduled.
 *
 * Return: a new table.
 */
static struct ns_routes *netstate_routes(struct netstate *ns)
{
	struct ns_routes *t = NULL;
	int r;

	r = nsb_dump_routes(ns->sync_sk, ns->hidden, &t);
	if (r >= 0)
		return t;
	log_debug("netstate: route dump: %s", g_strerror(-r));
	ns->resync_routes = true;
	return nsb_build_routes(ns->c_route, ns->hidden);
}

#define NETSTATE_SWAP_TABLE(ns, next, field, build, equal, unref, bit, parts) \
	do {                                                                  \
		__typeof__((next)->field) t_ = (build);                       \
		if (equal(t_, (ns)->cur->field)) {                            \
			unref(t_);                                            \
		} else {                                                      \
			unref((next)->field);                                 \
			(next)->field = t_;                                   \
			(parts) |= (bit);                                     \
		}                                                             \
	} while (0)

/* True when the notification socket has something to read. */
static bool netstate_pending(struct netstate *ns)
{
	struct pollfd p = { .fd = nl_cache_mngr_get_fd(ns->mngr),
			    .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/**
 * netstate_commit() - build one snapshot from the dirty caches and publish
 * it if anything the view shows changed
 * @ns: model
 * @may_defer: the commit may be given up for more notifications
 *
 * The kernel queues a route's notification when it changes the route, so
 * a route dump can show a route whose notification came after the last
 * read: its event would have no place among the others
 * (nsb_route_changes_order() puts it last; an IPv6 link's ff00::/8 and
 * fe80::/64 on carrier came before the link's own message). With
 * @may_defer, a commit whose route dump was followed by notifications is
 * given up, nothing recorded yet, so that they are read first.
 *
 * Return: false when given up (read and commit again), else true.
 */
static bool netstate_commit(struct netstate *ns, bool may_defer)
{
	struct netstate_snapshot *next;
	unsigned int parts = 0;
	bool hidden_changed = false;
	bool raw;

	if (!(ns->dirty & (NETSTATE_LINKS | NETSTATE_ADDRS | NETSTATE_ROUTES |
			   NETSTATE_NEIGHS)) && !ns->raw_changes) {
		netstate_changes_clear(ns);
		return true;
	}
	next = netstate_snapshot_derive(ns->cur);
	if (ns->dirty & NETSTATE_LINKS) {
		NETSTATE_SWAP_TABLE(ns, next, links,
				    nsb_build_links(ns->c_link, &ns->policy,
						    ns->hidden, &hidden_changed),
				    nsb_links_equal, ns_links_unref,
				    NETSTATE_LINKS, parts);
		if (hidden_changed)
			ns->dirty |= NETSTATE_ADDRS | NETSTATE_ROUTES |
				     NETSTATE_NEIGHS;
	}
	if (ns->dirty & NETSTATE_ADDRS)
		NETSTATE_SWAP_TABLE(ns, next, addrs,
				    nsb_build_addrs(ns->c_addr, ns->hidden),
				    nsb_addrs_equal, ns_addrs_unref,
				    NETSTATE_ADDRS, parts);
	if (ns->dirty & NETSTATE_ROUTES) {
		NETSTATE_SWAP_TABLE(ns, next, routes, netstate_routes(ns),
				    nsb_routes_equal, ns_routes_unref,
				    NETSTATE_ROUTES, parts);
		if (may_defer && netstate_pending(ns)) {
			netstate_snapshot_unref(next);
			return false;
		}
	}
	if (ns->dirty & NETSTATE_NEIGHS)
		NETSTATE_SWAP_TABLE(ns, next, neighs,
				    nsb_build_neighs(ns->c_neigh, ns->hidden),
				    nsb_neighs_equal, ns_neighs_unref,
				    NETSTATE_NEIGHS, parts);
	ns->dirty = 0;
	netstate_flip_changes(ns, next);
	if (next->routes != ns->cur->routes)
		netstate_route_changes(ns, ns->cur->routes, next->routes);
	g_array_set_size(ns->route_order, 0);
	g_array_set_size(ns->downed, 0);
	raw = ns->raw_changes;
	ns->raw_changes = false;
	/* nothing the view shows changed, no event for what it leaves out
	 * of its tables (NOARP neighbours, rules, netconf: the
	 * netstate_raw_*()), and none of those lost */
	if (!parts && !raw && !ns->changes_lost) {
		netstate_snapshot_unref(next);
		netstate_changes_clear(ns);
		return true;
	}
	netstate_publish(ns, next, parts);
	return true;
}

static void netstate_catch_up(struct netstate *ns);

/* netstate_catch_up_later()'s timer. @data: the model */
static gboolean netstate_on_later(gpointer data)
{
	struct netstate *ns = data;

	g_source_unref(ns->later_source);
	ns->later_source = NULL;
	netstate_catch_up(ns);
	return G_SOURCE_REMOVE;
}

/*
 * Catch up again within @ms: a failed resynchronisation's retry, a
 * put-off commit's next look. One timer serves both; one due sooner
 * stands (the catch-up does whatever is pending).
 */
static void netstate_catch_up_later(struct netstate *ns, guint ms)
{
	gint64 due = g_get_monotonic_time() + (gint64)ms * 1000;

	if (ns->later_source) {
		if (ns->later_due <= due)
			return;
		g_source_destroy(ns->later_source);
		g_source_unref(ns->later_source);
	}
	ns->later_due = due;
	ns->later_source = g_timeout_source_new(ms);
	g_source_set_callback(ns->later_source, netstate_on_later, ns, NULL);
	g_source_attach(ns->later_source, ns->ctx);
}

/**
 * netstate_await_link() - put the commit off for an announced link
 * @ns: model
 * @tries: the commits given up so far in this catch-up
 *
 * The kernel sends a new link's netconf notifications, and a new bridge's
 * own FDB entries, before the link's RTM_NEWLINK, which follows only at
 * the end of the whole operation (a task preempted in between holds it
 * back): a commit meanwhile would tell readers of an interface the view
 * does not show yet (`ip monitor` asks for it, finds nothing and prints
 * "if12"). The commit is put off, without blocking the main loop (lxnetfs
 * and the proxy's endpoints are served on it): the link's message wakes
 * netstate_on_readable(), and a timer looks again every
 * NETSTATE_LINK_POLL_MS. One window of NETSTATE_LINK_WAIT_MS per event,
 * from its first put-off (netstate_changes_clear() opens the next), and
 * none once the catch-up has given up NETSTATE_COMMIT_TRIES commits: a
 * host that keeps making links or changing routes cannot hold the model
 * back longer.
 *
 * Return: true when the commit is put off.
 */
static bool netstate_await_link(struct netstate *ns, guint tries)
{
	gint64 now;

	if (ns->await_expired || tries >= NETSTATE_COMMIT_TRIES ||
	    !netstate_raw_awaits_link(ns))
		return false;
	now = g_get_monotonic_time();
	if (!ns->await_since)
		ns->await_since = now;
	if (now - ns->await_since >= (gint64)NETSTATE_LINK_WAIT_MS * 1000) {
		log_debug("netstate: a link announced %d ms ago did not come",
			  NETSTATE_LINK_WAIT_MS);
		ns->await_expired = true;
		return false;
	}
	netstate_catch_up_later(ns, NETSTATE_LINK_POLL_MS);
	return true;
}

/* Do the pending resynchronisations; a failed one is retried later. */
static void netstate_resync_due(struct netstate *ns)
{
	int r = 0;

	if (ns->resync_full) {
		r = netstate_resync(ns, ns->c_link);
		if (r >= 0)
			r = netstate_resync(ns, ns->c_addr);
		if (r >= 0) {
			ns->resync_full = false;
			ns->resync_routes = true;
		}
	}
	if (r >= 0 && ns->resync_routes) {
		r = netstate_resync(ns, ns->c_route);
		if (r >= 0)
			r = netstate_resync(ns, ns->c_neigh);
		if (r >= 0)
			ns->resync_routes = false;
	}
	if (r < 0) {
		log_debug("netstate: resynchronising: %s, retrying",
			  g_strerror(-r));
		netstate_catch_up_later(ns, NETSTATE_RETRY_MS);
	}
}

/* Apply every queued notification; lost ones mean a full resync. */
static void netstate_read(struct netstate *ns)
{
	int r = netstate_nlerr(nl_cache_mngr_data_ready(ns->mngr));

	netstate_raw_link_settle(ns); /* the last message read: reported? */
	if (r < 0 && r != -EAGAIN) {
		/* ENOBUFS (libnl says NLE_NOMEM) or worse: notifications were
		 * lost. Refill every cache from a dump. */
		log_debug("netstate: notification socket: %s, resynchronising",
			  g_strerror(-r));
		ns->overruns++;
		ns->resync_full = true;
		/* the resync reports the tables' differences; events of what
		 * no table holds (netstate_raw.c) are gone: readers are told */
		ns->changes_lost = true;
	}
}

/**
 * netstate_catch_up() - do the pending resynchronisations, then commit
 * @ns: model
 *
 * A resynchronisation that fails (no memory, dump interrupted too often) is
 * retried after NETSTATE_RETRY_MS, so the model is never left stale. A
 * commit given up for notifications that came meanwhile is made again
 * after reading them, at most NETSTATE_COMMIT_TRIES times, then made
 * whatever comes (what did change is real: publish it now).
 */
static void netstate_catch_up(struct netstate *ns)
{
	guint tries;

	for (tries = 0;; tries++) {
		netstate_resync_due(ns);
		if (netstate_await_link(ns, tries))
			return;
		if (netstate_commit(ns, tries < NETSTATE_COMMIT_TRIES))
			return;
		netstate_read(ns);
	}
}

/**
 * netstate_on_readable() - the manager's socket has data (or an error)
 * @fd: the manager's socket
 * @cond: poll result
 * @data: the struct netstate
 *
 * Return: G_SOURCE_CONTINUE.
 */
static gboolean netstate_on_readable(gint fd, GIOCondition cond, gpointer data)
{
	netstate_read(data);
	netstate_catch_up(data);
	return G_SOURCE_CONTINUE;
}

/**
 * netstate_load_hostconf() - load resolver, hosts and hostname parts into
 * @s, marking in @parts those that differ from the current snapshot
 * @ns: model (ns->cur may be NULL at start)
 * @s: snapshot being built; its hostconf parts are replaced when different
 * @parts: NETSTATE_* bits are or'ed in
 *
 * Return: 0 or -errno.
 */
static int netstate_load_hostconf(struct netstate *ns,
				  struct netstate_snapshot *s,
				  unsigned int *parts)
{
	struct ns_resolv_part *resolv = NULL;
	struct ns_hosts *hosts = NULL;
	char *hostname = NULL;
	int r;

	r = resolvconf_load(&ns->policy, &resolv);
	if (r < 0)
		return r;
	r = hostname_load(&ns->policy, &hostname);
	if (r < 0) {
		ns_resolv_part_unref(resolv);
		return r;
	}
	/* The hosts lines map the hostname when the host's file does not. */
	r = hostsfile_load(&ns->policy, hostname, &hosts);
	if (r < 0) {
		ns_resolv_part_unref(resolv);
		g_free(hostname);
		return r;
	}
	if (s->resolv && nsb_resolv_equal(resolv, s->resolv)) {
		ns_resolv_part_unref(resolv);
	} else {
		ns_resolv_part_unref(s->resolv);
		s->resolv = resolv;
		*parts |= NETSTATE_RESOLV;
	}
	if (s->hosts && nsb_hosts_equal(hosts, s->hosts)) {
		ns_hosts_unref(hosts);
	} else {
		ns_hosts_unref(s->hosts);
		s->hosts = hosts;
		*parts |= NETSTATE_HOSTS;
	}
	if (s->hostname && g_strcmp0(hostname, s->hostname) == 0) {
		g_free(hostname);
	} else {
		g_free(s->hostname);
		s->hostname = hostname;
		*parts |= NETSTATE_HOSTNAME;
	}
	return 0;
}

/* filewatch callback: one of the host's configuration files may differ. */
static void netstate_on_files(void *data)
{
	struct netstate *ns = data;
	struct netstate_snapshot *next;
	unsigned int parts = 0;
	int r;

	/* Network changes are committed by netstate_on_readable(), unless
	 * put off for an announced link (netstate_await_link(); every
	 * commit clears await_since): those go out first, waiting no
	 * longer, so that clearing below loses none. */
	if (ns->await_since) {
		ns->await_expired = true;
		netstate_catch_up(ns);
	}
	next = netstate_snapshot_derive(ns->cur);
	r = netstate_load_hostconf(ns, next, &parts);
	if (r < 0 || !parts) {
		if (r < 0)
			log_debug("netstate: reloading host files: %s",
				  g_strerror(-r));
		netstate_snapshot_unref(next);
		return;
	}
	netstate_changes_clear(ns);
	netstate_publish(ns, next, parts);
}

/* Make SO_RCVBUF of @fd large; beyond rmem_max only with CAP_NET_ADMIN. */
static void netstate_grow_rcvbuf(int fd)
{
	int size = NETSTATE_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

/**
 * netstate_add_cache() - add one cache to the manager, filled by a dump
 * @ns: model
 * @name: libnl cache name ("route/link", ...)
 * @ret_cache: where the cache is stored (owned by the manager)
 *
 * Return: 0 or -errno.
 */
static int netstate_add_cache(struct netstate *ns, const char *name,
			      struct nl_cache **ret_cache)
{
	struct nl_cache *cache = NULL;
	int r;

	r = netstate_nlerr(nl_cache_alloc_name(name, &cache));
	if (r < 0)
		return r;
	*ret_cache = cache; /* the callback compares against it */
	r = netstate_nlerr(nl_cache_mngr_add_cache_v2(ns->mngr, cache,
						      netstate_on_object, ns));
	if (r < 0) {
		*ret_cache = NULL;
		nl_cache_free(cache);
	}
	return r;
}

/* Connect a blocking NETLINK_ROUTE socket for dumps. */
static int netstate_dump_socket(struct nl_sock **ret)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (!sk)
		return -ENOMEM;
	r = netstate_nlerr(nl_connect(sk, NETLINK_ROUTE));
	if (r < 0) {
		nl_socket_free(sk);
		return r;
	}
	util_set_cloexec_nonblock(nl_socket_get_fd(sk), false);
	*ret = sk;
	return 0;
}

/**
 * netstate_start_netlink() - manager, caches and sync socket
 * @ns: model
 *
 * Return: 0 or -errno.
 */
static int netstate_start_netlink(struct netstate *ns)
{
	int r, fd;

	r = netstate_dump_socket(&ns->sync_sk);
	if (r < 0)
		return r;
	ns->mngr_sk = nl_socket_alloc();
	if (!ns->mngr_sk)
		return -ENOMEM;
	r = netstate_nlerr(nl_socket_modify_cb(ns->mngr_sk, NL_CB_MSG_IN,
					       NL_CB_CUSTOM, netstate_on_msg,
					       ns));
	if (r < 0)
		return r;
	r = netstate_nlerr(nl_cache_mngr_alloc(ns->mngr_sk, NETLINK_ROUTE, 0,
					       &ns->mngr));
	if (r < 0)
		return r;
	/* rules and netconf have no cache: their notifications are events
	 * as they come (netstate_raw_hostmsg()) */
	r = netstate_nlerr(nl_socket_add_memberships(ns->mngr_sk,
		RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE, RTNLGRP_IPV4_NETCONF,
		RTNLGRP_IPV6_NETCONF, 0));
	if (r < 0)
		return r;
	fd = nl_cache_mngr_get_fd(ns->mngr);
	util_set_cloexec_nonblock(fd, true);
	netstate_grow_rcvbuf(fd);
	/* Links first: the others are filtered by the hidden set. */
	r = netstate_add_cache(ns, "route/link", &ns->c_link);
	if (r >= 0)
		r = netstate_add_cache(ns, "route/addr", &ns->c_addr);
	if (r >= 0)
		r = netstate_add_cache(ns, "route/route", &ns->c_route);
	if (r >= 0)
		r = netstate_add_cache(ns, "route/neigh", &ns->c_neigh);
	return r < 0 ? r : 0;
}

/**
 * netstate_first_snapshot() - generation 1, from the filled caches
 * @ns: model
 *
 * Return: 0 or -errno.
 */
static int netstate_first_snapshot(struct netstate *ns)
{
	struct netstate_snapshot *s = g_new0(struct netstate_snapshot, 1);
	unsigned int parts = 0;
	int r;

	s->ref = 1;
	s->generation = 1;
	s->links = nsb_build_links(ns->c_link, &ns->policy, ns->hidden, NULL);
	s->addrs = nsb_build_addrs(ns->c_addr, ns->hidden);
	s->routes = netstate_routes(ns);
	s->neighs = nsb_build_neighs(ns->c_neigh, ns->hidden);
	r = netstate_load_hostconf(ns, s, &parts);
	if (r < 0) {
		netstate_snapshot_unref(s);
		return r;
	}
	ns->cur = s;
	ns->dirty = 0;
	netstate_changes_clear(ns);
	return 0;
}

/**
 * netstate_start_watch() - watch the host's configuration files
 * @ns: model
 *
 * Return: 0 or -errno.
 */
static int netstate_start_watch(struct netstate *ns)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	char **p;

	g_ptr_array_add(paths, ns->policy.resolv_path);
	g_ptr_array_add(paths, ns->policy.hosts_path);
	if (ns->policy.dns_upstream)
		for (p = ns->policy.upstream_paths; p && *p; p++)
			g_ptr_array_add(paths, *p);
	g_ptr_array_add(paths, NULL);
	return filewatch_new(ns->ctx, (const char *const *)paths->pdata,
			     netstate_on_files, ns, &ns->watch);
}

/* /proc/sys/kernel/hostname polled: sethostname() happened. */
static gboolean netstate_on_hostname(int fd, GIOCondition cond, void *data)
{
	(void)fd;
	(void)cond;
	/* proc_sys_poll() re-arms itself when it reports the event */
	netstate_on_files(data);
	return G_SOURCE_CONTINUE;
}

/**
 * netstate_start_hostname_watch() - follow the host's hostname
 * @ns: model
 *
 * sethostname() has no inotify event, but poll() on
 * /proc/sys/kernel/hostname reports POLLPRI|POLLERR after each change. The
 * kernel keeps one poll event for every UTS namespace, so a sandbox's own
 * sethostname() wakes us too; the reload then finds the same hostname and
 * publishes nothing. Nothing to watch with --hostname; without the file
 * (no procfs) the hostname is read once and a debug line says so.
 */
static void netstate_start_hostname_watch(struct netstate *ns)
{
	ns->hostname_fd = -1;
	if (ns->policy.hostname)
		return;
	ns->hostname_fd = open("/proc/sys/kernel/hostname", O_RDONLY | O_CLOEXEC);
	if (ns->hostname_fd < 0) {
		log_debug("netstate: hostname changes not followed: %s",
			  g_strerror(errno));
		return;
	}
	ns->hostname_source = g_unix_fd_source_new(ns->hostname_fd,
						   G_IO_PRI | G_IO_ERR);
	g_source_set_callback(ns->hostname_source, (GSourceFunc)(void (*)(void))
			      netstate_on_hostname, ns, NULL);
	g_source_attach(ns->hostname_source, ns->ctx);
}

/**
 * netstate_new() - start following the host's network
 * @policy: view policy; validated (defaults filled in) and copied
 * @ctx: main context the model runs in (NULL: the global default)
 * @ret_ns: the new model, with its first snapshot (generation 1) built
 *
 * Must be called from the thread that iterates @ctx; subscribers are called
 * from it.
 *
 * Return: 0 or -errno (-EINVAL for an invalid policy).
 */
int netstate_new(const struct view_policy *policy, GMainContext *ctx,
		 struct netstate **ret_ns)
{
	g_autoptr(GError) error = NULL;
	struct netstate *ns;
	int r;

	if (view_policy_validate(policy, &error) < 0) {
		log_debug("netstate: %s", error->message);
		return -EINVAL;
	}
	ns = g_new0(struct netstate, 1);
	ns->hostname_fd = -1;
	netstate_policy_copy(&ns->policy, policy);
	ns->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
	ns->hidden = g_hash_table_new(g_direct_hash, g_direct_equal);
	ns->changes = g_array_new(FALSE, TRUE, sizeof(struct ns_change));
	ns->hostmsgs = g_ptr_array_new_with_free_func(g_free);
	ns->flips = g_array_new(FALSE, FALSE, sizeof(struct netstate_flip));
	ns->route_order = g_array_new(FALSE, TRUE, sizeof(struct ns_route_key));
	ns->downed = g_array_new(FALSE, FALSE, sizeof(int));
	ns->subs = g_array_new(FALSE, TRUE, sizeof(struct netstate_sub));
	ns->next_sub_id = 1;

	r = netstate_start_netlink(ns);
	if (r >= 0)
		r = netstate_first_snapshot(ns);
	if (r >= 0)
		r = netstate_start_watch(ns);
	netstate_start_hostname_watch(ns);
	if (r < 0) {
		log_debug("netstate: start: %s", g_strerror(-r));
		netstate_free(ns);
		return r;
	}
	ns->nl_source = g_unix_fd_source_new(nl_cache_mngr_get_fd(ns->mngr),
					     G_IO_IN | G_IO_ERR);
	g_source_set_callback(ns->nl_source, (GSourceFunc)(void (*)(void))
			      netstate_on_readable, ns, NULL);
	g_source_attach(ns->nl_source, ns->ctx);
	*ret_ns = ns;
	return 0;
}

/**
 * netstate_free() - stop following and release everything
 * @ns: model, or NULL. Must not be called from a subscriber.
 *
 * Snapshots still referenced elsewhere stay valid.
 */
void netstate_free(struct netstate *ns)
{
	if (!ns)
		return;
	if (ns->nl_source) {
		g_source_destroy(ns->nl_source);
		g_source_unref(ns->nl_source);
	}
	if (ns->later_source) {
		g_source_destroy(ns->later_source);
		g_source_unref(ns->later_source);
	}
	filewatch_free(ns->watch);
	if (ns->hostname_source) {
		g_source_destroy(ns->hostname_source);
		g_source_unref(ns->hostname_source);
	}
	if (ns->hostname_fd >= 0)
		close(ns->hostname_fd);
	nl_cache_mngr_free(ns->mngr); /* frees the caches, not mngr_sk */
	if (ns->mngr_sk)
		nl_socket_free(ns->mngr_sk);
	if (ns->sync_sk)
		nl_socket_free(ns->sync_sk);
	netstate_snapshot_unref(ns->cur);
	g_hash_table_unref(ns->hidden);
	g_array_unref(ns->changes);
	g_ptr_array_unref(ns->hostmsgs);
	g_array_unref(ns->flips);
	g_array_unref(ns->route_order);
	g_array_unref(ns->downed);
	g_array_unref(ns->subs);
	g_main_context_unref(ns->ctx);
	view_policy_clear(&ns->policy);
	g_free(ns);
}

/**
 * netstate_get() - the latest snapshot
 * @ns: model
 *
 * Return: a new reference (drop it with netstate_snapshot_unref()).
 */
struct netstate_snapshot *netstate_get(struct netstate *ns)
{
	return netstate_snapshot_ref(ns->cur);
}

/**
 * netstate_subscribe() - be told of every new snapshot
 * @ns: model
 * @cb: called from the model's main context after each publication
 * @data: passed to @cb
 *
 * Return: a subscription id (never 0) for netstate_unsubscribe().
 */
guint netstate_subscribe(struct netstate *ns, netstate_cb cb, void *data)
{
	struct netstate_sub s = { .id = ns->next_sub_id++, .cb = cb,
				  .data = data };

	g_array_append_val(ns->subs, s);
	return s.id;
}

/**
 * netstate_unsubscribe() - stop a subscription; safe from inside a callback
 * @ns: model
 * @id: as returned by netstate_subscribe(); unknown ids are ignored
 */
void netstate_unsubscribe(struct netstate *ns, guint id)
{
	guint i;

	for (i = 0; i < ns->subs->len; i++) {
		struct netstate_sub *s =
			&g_array_index(ns->subs, struct netstate_sub, i);

		if (s->id != id)
			continue;
		if (ns->dispatching)
			s->cb = NULL;
		else
			g_array_remove_index(ns->subs, i);
		return;
	}
}

/**
 * netstate_read_stats() - links with current counters
 * @ns: model (only its policy is read: callable from any thread)
 * @ret_links: a new links table, view policy applied, sorted by ifindex
 *
 * Counters move without notifications, so the snapshot's are stale; this
 * does a synchronous RTM_GETLINK dump on a socket of its own.
 *
 * Return: 0 or -errno.
 */
int netstate_read_stats(struct netstate *ns, struct ns_links **ret_links)
{
	struct nl_cache *cache = NULL;
	struct nl_sock *sk = NULL;
	int r, i;

	r = netstate_dump_socket(&sk);
	if (r < 0)
		return r;
	for (i = 0; i < NETSTATE_DUMP_TRIES; i++) {
		r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
		if (r != -NLE_DUMP_INTR)
			break;
	}
	nl_socket_free(sk);
	r = netstate_nlerr(r);
	if (r < 0)
		return r;
	*ret_links = nsb_build_links(cache, &ns->policy, NULL, NULL);
	nl_cache_free(cache);
	return 0;
}

int netstate_int_notify_fd(struct netstate *ns)
{
	return nl_cache_mngr_get_fd(ns->mngr);
}

guint netstate_int_overruns(const struct netstate *ns)
{
	return ns->overruns;
}
