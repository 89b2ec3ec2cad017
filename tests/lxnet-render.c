// SPDX-License-Identifier: LGPL-2.1-or-later
/* lxnet-render.c - test tool: print the view's files rendered from this network namespace */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "log.h"
#include "netstate.h"
#include "render.h"
#include "util.h"
#include "view.h"

/*
 * lxnet-render [view options] [--wait-change N | --wait-for TEXT]
 *              [--timeout S] FILE...
 *
 * Builds a netstate in the current network namespace with the view policy
 * given on the command line and prints render_file() of each FILE (a path
 * such as "proc/net/route"), one after the other. proc/net/dev is rendered
 * with fresh counters (netstate_read_stats()). With --wait-change N it first
 * waits for N change events, at most --timeout seconds (default 10); with
 * --wait-for TEXT it waits until the first FILE's rendering contains TEXT
 * (other changes, such as DAD finishing, do not end the wait). A test tool,
 * not installed.
 */

struct render_tool {
	struct netstate *ns;
	GMainContext *ctx;
	guint events;
	const char *wait_for;    /* count only events after which ... */
	enum render_file wait_file; /* ... this file contains wait_for */
};

static void render_tool_on_change(const struct netstate_event *ev, void *data)
{
	struct render_tool *t = data;
	g_autoptr(GString) out = NULL;

	if (t->wait_for) {
		out = g_string_new(NULL);
		if (render_file(t->wait_file, ev->snap, 0, out) < 0 ||
		    !strstr(out->str, t->wait_for))
			return;
	}
	t->events++;
}

static gboolean render_tool_on_timeout(gpointer data)
{
	bool *expired = data;

	*expired = true;
	return G_SOURCE_REMOVE;
}

/**
 * render_tool_wait() - iterate the main context until @n change events came
 * @t: tool state
 * @n: events to wait for
 * @timeout_s: bound, in seconds
 *
 * Return: 0, or -ETIMEDOUT.
 */
static int render_tool_wait(struct render_tool *t, guint n, guint timeout_s)
{
	bool expired = false;
	GSource *timer = g_timeout_source_new_seconds(timeout_s);
	guint id;

	g_source_set_callback(timer, render_tool_on_timeout, &expired, NULL);
	g_source_attach(timer, t->ctx);
	id = netstate_subscribe(t->ns, render_tool_on_change, t);
	while (t->events < n && !expired)
		g_main_context_iteration(t->ctx, TRUE);
	netstate_unsubscribe(t->ns, id);
	g_source_destroy(timer);
	g_source_unref(timer);
	return t->events < n ? -ETIMEDOUT : 0;
}

static int render_tool_lookup(const char *path, enum render_file *ret)
{
	unsigned int f;

	while (path[0] == '/')
		path++;
	for (f = 0; f < RENDER_N_FILES; f++) {
		if (strcmp(render_file_path(f), path) == 0) {
			*ret = f;
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * render_tool_print() - render one file from the latest snapshot to stdout
 * @t: tool state
 * @f: file
 *
 * Return: 0 or -errno.
 */
static int render_tool_print(struct render_tool *t, enum render_file f)
{
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s =
		netstate_get(t->ns);
	g_autoptr(GString) out = g_string_new(NULL);
	struct netstate_snapshot fresh;
	struct ns_links *links = NULL;
	int r;

	if (f == RENDER_PROC_NET_DEV) {
		r = netstate_read_stats(t->ns, &links);
		if (r < 0)
			return r;
		fresh = *s; /* shallow: only links differ, no reference taken */
		fresh.links = links;
		r = render_file(f, &fresh, 0, out);
		ns_links_unref(links);
	} else {
		r = render_file(f, s, 0, out);
	}
	if (r < 0)
		return r;
	if (fwrite(out->str, 1, out->len, stdout) != out->len)
		return -EIO;
	return 0;
}

int main(int argc, char **argv)
{
	struct view_policy policy;
	gint wait_change = 0, timeout_s = 10;
	char *wait_for = NULL;
	const GOptionEntry entries[] = {
		{ "wait-change", 0, 0, G_OPTION_ARG_INT, &wait_change,
		  "Print after N change events", "N" },
		{ "wait-for", 0, 0, G_OPTION_ARG_STRING, &wait_for,
		  "Print once the first FILE contains TEXT", "TEXT" },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s,
		  "Give up waiting after S seconds (default 10)", "S" },
		{ NULL },
	};
	g_autoptr(GOptionContext) octx = g_option_context_new("FILE...");
	g_autoptr(GError) error = NULL;
	struct render_tool t = { 0 };
	int i, r, status = 0;

	log_init("lxnet-render", LOG_LVL_WARN);
	view_policy_init(&policy);
	g_option_context_add_main_entries(octx, entries, NULL);
	g_option_context_add_group(octx, view_policy_option_group(&policy));
	if (!g_option_context_parse(octx, &argc, &argv, &error))
		die("%s", error->message);
	if (argc < 2)
		die("usage: lxnet-render [OPTION...] FILE...");
	if (wait_change < 0 || timeout_s <= 0)
		die("--wait-change and --timeout must be positive");
	for (i = 1; i < argc; i++) {
		enum render_file f;

		if (render_tool_lookup(argv[i], &f) < 0)
			die("unknown file %s", argv[i]);
		if (i == 1)
			t.wait_file = f;
	}
	if (wait_for) {
		if (wait_change)
			die("--wait-change and --wait-for exclude each other");
		t.wait_for = wait_for;
		wait_change = 1;
	}

	t.ctx = g_main_context_default();
	r = netstate_new(&policy, t.ctx, &t.ns);
	if (r < 0)
		die("netstate: %s", g_strerror(-r));
	if (wait_change > 0) {
		r = render_tool_wait(&t, (guint)wait_change, (guint)timeout_s);
		if (r < 0) {
			log_err("saw %u of %d changes in %d s", t.events,
				wait_change, timeout_s);
			status = 2;
		}
	}
	for (i = 1; i < argc && status == 0; i++) {
		enum render_file f = RENDER_N_FILES;

		render_tool_lookup(argv[i], &f);
		r = render_tool_print(&t, f);
		if (r < 0) {
			log_err("%s: %s", argv[i], g_strerror(-r));
			status = 1;
		}
	}
	netstate_free(t.ns);
	view_policy_clear(&policy);
	g_free(wait_for);
	return status;
}
