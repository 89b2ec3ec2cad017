// SPDX-License-Identifier: LGPL-2.1-or-later
/* model.c - the network model inside lxnet-proxy, published to the serving threads */
/*
 * The netstate (src/netstate.h) runs on the proxy's main loop; the serving
 * threads (one per sandbox, notify.c) answer SIOCGIF* and NETLINK_ROUTE
 * requests from it. netstate_get() belongs to the main loop, so a
 * subscription keeps a reference to the latest snapshot here, behind a
 * mutex; a thread takes its own reference and reads the immutable snapshot
 * without any lock (snapshot references are atomic).
 */
#include "config.h"

#include <errno.h>

#include "netstate.h"
#include "proxy_int.h"
#include "view.h"

/* Runs on the main loop after each publication: swap in the new snapshot. */
static void proxy_model_on_event(const struct netstate_event *ev, void *data)
{
	struct proxy_model *m = data;
	struct netstate_snapshot *old;

	netstate_snapshot_ref(ev->snap);
	g_mutex_lock(&m->lock);
	old = m->cur;
	m->cur = ev->snap;
	g_mutex_unlock(&m->lock);
	netstate_snapshot_unref(old);
}

/**
 * proxy_model_start() - start following the host's network
 * @m: zero-initialised
 * @policy: the view policy (--hide-if ...); copied by the netstate
 * @ctx: the main loop's context
 *
 * Runs at start-up, before any serving thread exists. On failure @m is
 * left stopped (proxy_model_stop() is still fine).
 *
 * Return: 0 or -errno.
 */
int proxy_model_start(struct proxy_model *m, const struct view_policy *policy,
		      GMainContext *ctx)
{
	int r;

	g_mutex_init(&m->lock);
	r = netstate_new(policy, ctx, &m->ns);
	if (r < 0) {
		m->ns = NULL;
		return r;
	}
	m->cur = netstate_get(m->ns);
	m->sub = netstate_subscribe(m->ns, proxy_model_on_event, m);
	return 0;
}

/**
 * proxy_model_get() - the latest snapshot; callable from any thread
 * @m: the model
 *
 * Return: a new reference (netstate_snapshot_unref()), or NULL when the
 * model was never started.
 */
struct netstate_snapshot *proxy_model_get(struct proxy_model *m)
{
	struct netstate_snapshot *s = NULL;

	if (!m)
		return NULL;
	g_mutex_lock(&m->lock);
	if (m->cur)
		s = netstate_snapshot_ref(m->cur);
	g_mutex_unlock(&m->lock);
	return s;
}

/**
 * proxy_model_stop() - stop following and drop the snapshot
 * @m: the model (started or not)
 *
 * Runs on the main loop; threads still holding snapshots keep them valid.
 */
void proxy_model_stop(struct proxy_model *m)
{
	struct netstate_snapshot *old;

	if (m->ns) {
		netstate_unsubscribe(m->ns, m->sub);
		netstate_free(m->ns);
		m->ns = NULL;
	}
	g_mutex_lock(&m->lock);
	old = m->cur;
	m->cur = NULL;
	g_mutex_unlock(&m->lock);
	netstate_snapshot_unref(old);
}
