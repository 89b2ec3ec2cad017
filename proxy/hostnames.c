// SPDX-License-Identifier: LGPL-2.1-or-later
/* hostnames.c - the host names of the connection policy, resolved and kept current */
/*
 * A rule may name a host (src/netpolicy.h); it matches the addresses the
 * name resolves to now. One thread per proxy resolves every name with
 * c-ares (DNS only: the hosts file is not read), against the host's
 * nameservers as the model knows them, and swaps each name's new address
 * set into the policy (netpolicy_set_addrs()): the serving threads never
 * wait for a resolution, only for a pointer swap.
 *
 * Each name is two lookups, A and AAAA, each its own ares_getaddrinfo()
 * with its own family hint, schedule and addresses; the name's set is the
 * union of the two (at most half of NETPOLICY_MAX_NAME_ADDRS each). One
 * AF_UNSPEC lookup would not do: when one of its two queries is answered
 * and the other times out or SERVFAILs, c-ares reports success with one
 * family, and the other family's addresses would be dropped for a TTL.
 *
 * A lookup is made again when its answer's TTL runs out (at least
 * HOSTNAMES_TTL_MIN_S, at most HOSTNAMES_TTL_MAX_S later), and at once
 * when the host's resolver configuration changes (the model's
 * NETSTATE_RESOLV). A lookup without addresses is made again after 1, 2,
 * 4 ... HOSTNAMES_RETRY_MAX_S seconds: when the name has no record of the
 * family (NXDOMAIN, NODATA) the family's addresses are dropped; on a
 * failure to get an answer (timeout, SERVFAIL) they are kept. The other
 * family is not touched either way. A name that has no addresses, or
 * whose lookup fails, is warned about once until it resolves again.
 *
 * At start-up hostnames_start() resolves every name once, for at most
 * HOSTNAMES_START_MS, before the proxy serves anything: the first connect
 * of a sandbox does not race the first resolution. A name without an
 * answer by then matches nothing until it has one.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hostconf.h"
#include "log.h"
#include "netpolicy.h"
#include "netstate.h"
#include "proxy_int.h"
#include "util.h"

#define HOSTNAMES_TTL_MIN_S 1
#define HOSTNAMES_TTL_MAX_S 3600
#define HOSTNAMES_RETRY_MAX_S 60
#define HOSTNAMES_START_MS 3000
#define HOSTNAMES_QUERY_TIMEOUT_MS 1000
#define HOSTNAMES_MAX_SERVERS 8

#define HOSTNAMES_N_FAMILIES 2
#define HOSTNAMES_FAMILY_ADDRS (NETPOLICY_MAX_NAME_ADDRS / HOSTNAMES_N_FAMILIES)

/* The lookups of every name: A, then AAAA. */
static const int hostnames_families[HOSTNAMES_N_FAMILIES] = { AF_INET, AF_INET6 };

/*
 * struct hostnames_lookup - one family's lookup of a name (resolver
 * thread only)
 * @due: when to ask next (g_get_monotonic_time())
 * @backoff_s: the next retry delay after an answer without addresses
 * @in_flight: a query is out
 * @answered: it had a first answer, success or not
 * @err: its last outcome: 0, -ENOENT (no such name or record), or
 *	another failure to get an answer
 * @addrs: the family's addresses (kept across failures other than
 *	-ENOENT), or NULL
 */
struct hostnames_lookup {
	gint64 due;
	unsigned int backoff_s;
	bool in_flight;
	bool answered;
	int err;
	struct netpolicy_addrs *addrs;
};

/*
 * struct hostnames_name - one name's lookups (resolver thread only)
 * @fam: per family, as hostnames_families[]
 * @warned: its failure was reported (until it resolves again)
 * @answered: both lookups had a first answer
 */
struct hostnames_name {
	struct hostnames_lookup fam[HOSTNAMES_N_FAMILIES];
	bool warned;
	bool answered;
};

/*
 * struct hostnames - the resolver
 * @policy: the policy whose names are kept current
 * @model: where the host's nameservers come from
 * @ch: the c-ares channel (resolver thread only after start)
 * @names: one schedule per name
 * @n: how many
 * @wake: an eventfd that wakes the thread (new servers, stop)
 * @lock: guards @servers_new, @stop, @n_answered
 * @cond: signalled when @n_answered grows
 * @servers_new: the model's resolver changed: ask every name again
 * @stop: end the thread
 * @n_answered: names that had a first answer
 * @sub: the model subscription
 */
struct hostnames {
	const struct netpolicy *policy;
	struct proxy_model *model;
	ares_channel ch;
	struct hostnames_name *names;
	unsigned int n;
	int wake;
	GMutex lock;
	GCond cond;
	bool servers_new;
	bool stop;
	unsigned int n_answered;
	guint sub;
	GThread *thread;
};

struct hostnames_query {
	struct hostnames *h;
	unsigned int i;
	unsigned int f;
};

/* The message for a failure of resolv_ares_errno(). */
static const char *hostnames_strerror(int r)
{
	return r == -ENOENT ? "no such name, or no record of the type" :
	       r == -ETIMEDOUT ? "the nameserver does not answer" :
	       r == -EIO || r == -ECONNREFUSED ? /* SERVFAIL, REFUSED */
	       "the nameserver failed" : g_strerror(-r);
}

/* The addresses of @family in @res as a set (deduplicated, bounded); the
 * least TTL. */
static struct netpolicy_addrs *hostnames_set(const struct ares_addrinfo *res,
					     int family, int *ret_ttl)
{
	struct netpolicy_addrs *s = netpolicy_addrs_new(HOSTNAMES_FAMILY_ADDRS);
	const struct ares_addrinfo_node *a;
	size_t len = family == AF_INET ? 4 : 16;
	int ttl = HOSTNAMES_TTL_MAX_S;
	unsigned int n = 0, k;

	for (a = res ? res->nodes : NULL; a && n < HOSTNAMES_FAMILY_ADDRS;
	     a = a->ai_next) {
		const void *src;

		if (a->ai_family != family)
			continue;
		if (family == AF_INET)
			src = &((const struct sockaddr_in *)a->ai_addr)->sin_addr;
		else
			src = &((const struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
		ttl = MIN(ttl, a->ai_ttl);
		for (k = 0; k < n; k++)
			if (memcmp(s->v[k].addr, src, len) == 0)
				break;
		if (k < n)
			continue;
		s->v[n].family = family;
		memcpy(s->v[n].addr, src, len);
		n++;
	}
	s->n = n;
	*ret_ttl = ttl;
	return s;
}

/* Swap the union of @i's families into the policy; return its size. */
static unsigned int hostnames_publish(struct hostnames *h, unsigned int i)
{
	struct hostnames_name *nm = &h->names[i];
	struct netpolicy_addrs *s = netpolicy_addrs_new(NETPOLICY_MAX_NAME_ADDRS);
	unsigned int n = 0, f, k;

	for (f = 0; f < HOSTNAMES_N_FAMILIES; f++)
		for (k = 0; nm->fam[f].addrs && k < nm->fam[f].addrs->n; k++)
			s->v[n++] = nm->fam[f].addrs->v[k];
	s->n = n;
	if (n == 0)
		g_clear_pointer(&s, g_free);
	netpolicy_set_addrs(h->policy, i, s);
	return n;
}

/* Warn once when @i has no addresses or a lookup fails; tell when it
 * resolves again. @n: its addresses now. */
static void hostnames_report(struct hostnames *h, unsigned int i,
			     unsigned int n)
{
	struct hostnames_name *nm = &h->names[i];
	const char *name = netpolicy_name(h->policy, i);
	unsigned int f, fail = HOSTNAMES_N_FAMILIES, unanswered = 0;

	for (f = 0; f < HOSTNAMES_N_FAMILIES; f++) {
		unanswered += !nm->fam[f].answered;
		if (nm->fam[f].err < 0 && nm->fam[f].err != -ENOENT &&
		    fail == HOSTNAMES_N_FAMILIES)
			fail = f;
	}
	if (n > 0 && fail == HOSTNAMES_N_FAMILIES) {
		if (nm->warned)
			log_warn("host name %s in the policy resolves again",
				 name);
		nm->warned = false;
	} else if (nm->warned || (n == 0 && fail == HOSTNAMES_N_FAMILIES &&
				  unanswered)) {
		return;
	} else if (n == 0) {
		log_warn("host name %s in the policy does not resolve in DNS "
			 "(%s; the hosts file is not read); retrying, it "
			 "matches nothing until it does", name,
			 hostnames_strerror(fail < HOSTNAMES_N_FAMILIES ?
					    nm->fam[fail].err : -ENOENT));
		nm->warned = true;
	} else {
		log_warn("host name %s in the policy: its %s lookup fails (%s); "
			 "retrying, its last addresses still match", name,
			 hostnames_families[fail] == AF_INET ? "A" : "AAAA",
			 hostnames_strerror(nm->fam[fail].err));
		nm->warned = true;
	}
}

/* A lookup's outcome @r (0, -errno) and answer @res: keep or replace its
 * addresses, schedule it. */
static void hostnames_update(struct hostnames_lookup *lk, int family, int r,
			     const struct ares_addrinfo *res, const char *name)
{
	struct netpolicy_addrs *s = NULL;
	gint64 now = g_get_monotonic_time();
	int ttl = 0;

	if (r == 0) {
		s = hostnames_set(res, family, &ttl);
		if (s->n == 0) {
			g_clear_pointer(&s, g_free);
			r = -ENOENT;
		}
	}
	lk->err = r;
	lk->answered = true;
	if (r == 0) {
		ttl = CLAMP(ttl, HOSTNAMES_TTL_MIN_S, HOSTNAMES_TTL_MAX_S);
		log_debug("host name %s: %u %s addresses, asked again in %d s",
			  name, s->n, family == AF_INET ? "A" : "AAAA", ttl);
		g_free(lk->addrs);
		lk->addrs = s;
		lk->backoff_s = 1;
		lk->due = now + (gint64)ttl * G_USEC_PER_SEC;
		return;
	}
	log_debug("host name %s: %s lookup: %s, asked again in %u s", name,
		  family == AF_INET ? "A" : "AAAA", hostnames_strerror(r),
		  lk->backoff_s);
	if (r == -ENOENT)
		g_clear_pointer(&lk->addrs, g_free);
	lk->due = now + (gint64)lk->backoff_s * G_USEC_PER_SEC;
	lk->backoff_s = MIN(lk->backoff_s * 2, HOSTNAMES_RETRY_MAX_S);
}

/**
 * hostnames_on_answer() - a lookup's answer: swap in the name's addresses
 * @arg: the struct hostnames_query (freed here)
 * @status: ARES_*
 * @timeouts: unused
 * @res: the answer (freed here), or NULL
 *
 * Runs on the resolver thread (inside c-ares), or on the main loop's at
 * ares_destroy(). Counts the name's first answer (both lookups) for
 * hostnames_start().
 */
static void hostnames_on_answer(void *arg, int status, int timeouts,
				struct ares_addrinfo *res)
{
	struct hostnames_query *q = arg;
	struct hostnames *h = q->h;
	struct hostnames_name *nm = &h->names[q->i];
	struct hostnames_lookup *lk = &nm->fam[q->f];
	int r = resolv_ares_errno(status);
	unsigned int f;

	(void)timeouts;
	lk->in_flight = false;
	if (r == -ECANCELED) {
		lk->due = 0; /* new servers, or the end */
	} else {
		hostnames_update(lk, hostnames_families[q->f], r, res,
				 netpolicy_name(h->policy, q->i));
		hostnames_report(h, q->i, hostnames_publish(h, q->i));
	}
	if (res)
		ares_freeaddrinfo(res);
	g_free(q);
	for (f = 0; f < HOSTNAMES_N_FAMILIES && nm->fam[f].answered; f++)
		;
	if (f == HOSTNAMES_N_FAMILIES && !nm->answered) {
		nm->answered = true;
		g_mutex_lock(&h->lock);
		h->n_answered++;
		g_cond_broadcast(&h->cond);
		g_mutex_unlock(&h->lock);
	}
}

/* The model's nameservers, as c-ares's list (resolver thread). */
static void hostnames_apply_servers(struct hostnames *h)
{
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *snap =
		proxy_model_get(h->model);
	struct ares_addr_node v[HOSTNAMES_MAX_SERVERS];
	unsigned int n = 0;
	char **s;

	for (s = snap && snap->resolv ? snap->resolv->r.servers : NULL;
	     s && *s && n < HOSTNAMES_MAX_SERVERS; s++) {
		memset(&v[n], 0, sizeof(v[n]));
		if (inet_pton(AF_INET, *s, &v[n].addr.addr4) == 1)
			v[n].family = AF_INET;
		else if (inet_pton(AF_INET6, *s, &v[n].addr.addr6) == 1)
			v[n].family = AF_INET6;
		else
			continue;
		if (n > 0)
			v[n - 1].next = &v[n];
		n++;
	}
	ares_cancel(h->ch); /* c-ares refuses new servers under queries */
	if (ares_set_servers(h->ch, n ? v : NULL) != ARES_SUCCESS)
		log_warn("cannot give the resolver of policy host names its "
			 "nameservers");
	log_debug("policy host names: %u nameservers", n);
}

/* Make every lookup whose time has come; return when the next is due. */
static gint64 hostnames_ask(struct hostnames *h, gint64 now)
{
	gint64 next = now + (gint64)HOSTNAMES_TTL_MAX_S * G_USEC_PER_SEC;
	unsigned int i, f;

	for (i = 0; i < h->n; i++) {
		for (f = 0; f < HOSTNAMES_N_FAMILIES; f++) {
			struct hostnames_lookup *lk = &h->names[i].fam[f];
			struct ares_addrinfo_hints hints = {
				.ai_family = hostnames_families[f],
				.ai_flags = ARES_AI_NOSORT };
			struct hostnames_query *q;

			if (lk->in_flight)
				continue;
			if (lk->due > now) {
				next = MIN(next, lk->due);
				continue;
			}
			q = g_new(struct hostnames_query, 1);
			*q = (struct hostnames_query){ .h = h, .i = i, .f = f };
			lk->in_flight = true;
			ares_getaddrinfo(h->ch, netpolicy_name(h->policy, i),
					 NULL, &hints, hostnames_on_answer, q);
		}
	}
	return next;
}

/* Wait for c-ares's sockets, @wake or @next; let c-ares read. */
static void hostnames_wait(struct hostnames *h, gint64 next)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	struct pollfd pfd[ARES_GETSOCK_MAXNUM + 1];
	struct timeval max, tv, *tvp;
	gint64 now = g_get_monotonic_time(), wait_us = MAX(next - now, 0);
	unsigned int bits;
	int n = 0, k, ms, ready;
	uint64_t v;

	max.tv_sec = (time_t)(wait_us / G_USEC_PER_SEC);
	max.tv_usec = (suseconds_t)(wait_us % G_USEC_PER_SEC);
	tvp = ares_timeout(h->ch, &max, &tv);
	ms = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
	bits = (unsigned int)ares_getsock(h->ch, socks, ARES_GETSOCK_MAXNUM);
	for (k = 0; k < ARES_GETSOCK_MAXNUM; k++) {
		/* ARES_GETSOCK_WRITABLE() shifts a signed 1 by up to 31 */
		short ev = (short)((bits & (1u << k) ? POLLIN : 0) |
				   (bits & (1u << (k + ARES_GETSOCK_MAXNUM)) ?
				    POLLOUT : 0));

		if (ev)
			pfd[n++] = (struct pollfd){ .fd = socks[k], .events = ev };
	}
	pfd[n] = (struct pollfd){ .fd = h->wake, .events = POLLIN };
	ready = poll(pfd, (nfds_t)n + 1, ms);
	if (ready > 0 && (pfd[n].revents & POLLIN))
		(void)!read(h->wake, &v, sizeof(v));
	for (k = 0; ready > 0 && k < n; k++)
		if (pfd[k].revents)
			ares_process_fd(h->ch,
				pfd[k].revents & (POLLIN | POLLERR | POLLHUP) ?
				pfd[k].fd : ARES_SOCKET_BAD,
				pfd[k].revents & POLLOUT ? pfd[k].fd :
				ARES_SOCKET_BAD);
	ares_process_fd(h->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
}

static gpointer hostnames_run(gpointer data)
{
	struct hostnames *h = data;

	for (;;) {
		bool stop, servers;
		unsigned int i, f;

		g_mutex_lock(&h->lock);
		stop = h->stop;
		servers = h->servers_new;
		h->servers_new = false;
		g_mutex_unlock(&h->lock);
		if (stop)
			break;
		if (servers) {
			hostnames_apply_servers(h);
			for (i = 0; i < h->n; i++)
				for (f = 0; f < HOSTNAMES_N_FAMILIES; f++)
					h->names[i].fam[f].due = 0;
		}
		hostnames_wait(h, hostnames_ask(h, g_get_monotonic_time()));
	}
	return NULL;
}

/* Wake the thread (any thread). */
static void hostnames_wake(struct hostnames *h)
{
	uint64_t one = 1;

	(void)!write(h->wake, &one, sizeof(one));
}

/* On the main loop: a new resolver configuration asks every name again. */
static void hostnames_on_model(const struct netstate_event *ev, void *data)
{
	struct hostnames *h = data;

	if (!(ev->parts & NETSTATE_RESOLV))
		return;
	g_mutex_lock(&h->lock);
	h->servers_new = true;
	g_mutex_unlock(&h->lock);
	hostnames_wake(h);
}

/* Wait until every name had a first answer, or HOSTNAMES_START_MS. */
static unsigned int hostnames_wait_first(struct hostnames *h)
{
	gint64 end = g_get_monotonic_time() + HOSTNAMES_START_MS * 1000;
	unsigned int n;

	g_mutex_lock(&h->lock);
	while (h->n_answered < h->n)
		if (!g_cond_wait_until(&h->cond, &h->lock, end))
			break;
	n = h->n_answered;
	g_mutex_unlock(&h->lock);
	return n;
}

/**
 * hostnames_start() - resolve the policy's host names and keep them current
 * @policy: the policy (its names; their sets are swapped in)
 * @model: the host's network model, started (nameservers, changes)
 * @ret_h: the resolver, or NULL when the policy names no host
 *
 * Runs at start-up on the main loop's thread, before anything is served:
 * returns once both lookups of every name had a first answer or after
 * HOSTNAMES_START_MS, and warns about the names without addresses then
 * (a name whose one family answered matches those addresses already).
 *
 * Return: 0 or -errno.
 */
int hostnames_start(const struct netpolicy *policy, struct proxy_model *model,
		    struct hostnames **ret_h)
{
	/* DNS only, names as given (no search list), quick retries */
	struct ares_options opt = { .timeout = HOSTNAMES_QUERY_TIMEOUT_MS,
				    .tries = 2, .lookups = (char *)"b",
				    .ndomains = 0 };
	struct hostnames *h;
	gint64 t0 = g_get_monotonic_time();
	unsigned int i, f, answered, ok = 0;
	int r;

	*ret_h = NULL;
	if (netpolicy_n_names(policy) == 0)
		return 0;
	r = resolv_ares_errno(ares_library_init(ARES_LIB_INIT_ALL));
	if (r < 0)
		return r;
	h = g_new0(struct hostnames, 1);
	h->policy = policy;
	h->model = model;
	h->n = netpolicy_n_names(policy);
	h->names = g_new0(struct hostnames_name, h->n);
	for (i = 0; i < h->n; i++)
		for (f = 0; f < HOSTNAMES_N_FAMILIES; f++)
			h->names[i].fam[f].backoff_s = 1;
	g_mutex_init(&h->lock);
	g_cond_init(&h->cond);
	h->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r = h->wake < 0 ? -errno :
	    resolv_ares_errno(ares_init_options(&h->ch, &opt, ARES_OPT_TIMEOUTMS |
					      ARES_OPT_TRIES | ARES_OPT_LOOKUPS |
					      ARES_OPT_DOMAINS));
	if (r < 0) {
		h->ch = NULL;
		hostnames_stop(h);
		return r;
	}
	h->servers_new = true;
	h->sub = netstate_subscribe(model->ns, hostnames_on_model, h);
	h->thread = g_thread_new("lxnet-names", hostnames_run, h);
	answered = hostnames_wait_first(h);
	for (i = 0; i < h->n; i++)
		ok += netpolicy_n_addrs(policy, i) > 0;
	log_debug("policy host names: %u of %u resolved at start in %.1f ms "
		  "(%u answered)", ok, h->n,
		  (double)(g_get_monotonic_time() - t0) / 1000.0, answered);
	if (answered < h->n)
		log_warn("%u of %u policy host names still wait for an A or "
			 "AAAA answer after %d ms; %u without addresses match "
			 "nothing until they resolve", h->n - answered, h->n,
			 HOSTNAMES_START_MS, h->n - ok);
	*ret_h = h;
	return 0;
}

/**
 * hostnames_stop() - stop resolving and free the resolver
 * @h: the resolver, or NULL
 *
 * Runs on the main loop; the names keep their last addresses.
 */
void hostnames_stop(struct hostnames *h)
{
	unsigned int i, f;

	if (!h)
		return;
	if (h->sub)
		netstate_unsubscribe(h->model->ns, h->sub);
	if (h->thread) {
		g_mutex_lock(&h->lock);
		h->stop = true;
		g_mutex_unlock(&h->lock);
		hostnames_wake(h);
		g_thread_join(h->thread);
	}
	if (h->ch)
		ares_destroy(h->ch);
	ares_library_cleanup();
	for (i = 0; i < h->n; i++)
		for (f = 0; f < HOSTNAMES_N_FAMILIES; f++)
			g_free(h->names[i].fam[f].addrs);
	if (h->wake >= 0)
		close(h->wake);
	g_mutex_clear(&h->lock);
	g_cond_clear(&h->cond);
	g_free(h->names);
	g_free(h);
}
