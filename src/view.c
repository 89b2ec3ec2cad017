// SPDX-License-Identifier: LGPL-2.1-or-later
/* view.c - the view policy's options, defaults and checks */
#include "config.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <string.h>

#include "view.h"

static const char *const view_default_upstream[] = {
	"/run/systemd/resolve/resolv.conf",
	"/run/NetworkManager/no-stub-resolv.conf",
	NULL,
};

void view_policy_init(struct view_policy *p)
{
	memset(p, 0, sizeof(*p));
}

void view_policy_clear(struct view_policy *p)
{
	g_strfreev(p->hide_if);
	g_strfreev(p->extra_hosts);
	g_free(p->hostname);
	g_strfreev(p->dns);
	g_strfreev(p->dns_search);
	g_free(p->resolv_path);
	g_free(p->hosts_path);
	g_strfreev(p->upstream_paths);
	memset(p, 0, sizeof(*p));
}

/* Append a copy of @src's strings to *@dst. */
static void view_strv_append(char ***dst, char *const *src)
{
	guint n = *dst ? g_strv_length(*dst) : 0, m, i;

	if (!src || !src[0])
		return;
	m = g_strv_length((char **)src);
	*dst = g_renew(char *, *dst, n + m + 1);
	for (i = 0; i < m; i++)
		(*dst)[n + i] = g_strdup(src[i]);
	(*dst)[n + m] = NULL;
}

static void view_str_merge(char **dst, const char *src, bool later)
{
	if (src && (later || !*dst)) {
		g_free(*dst);
		*dst = g_strdup(src);
	}
}

static void view_strv_merge(char ***dst, char *const *src, bool later)
{
	if (later || !*dst || !(*dst)[0])
		view_strv_append(dst, src);
}

/**
 * view_policy_merge() - add what @src sets to @dst
 * @dst: the policy read so far
 * @src: options read from elsewhere (not yet validated: no defaults in it)
 * @later: @src comes after @dst in the same source (a later line of a
 *	configuration file): its single values replace @dst's, its lists
 *	extend @dst's. Otherwise @src is a source @dst wins over (the
 *	command line over a file): it fills only what @dst left unset, a
 *	list option as a whole.
 */
void view_policy_merge(struct view_policy *dst, const struct view_policy *src,
		       bool later)
{
	view_strv_merge(&dst->hide_if, src->hide_if, later);
	view_strv_merge(&dst->extra_hosts, src->extra_hosts, later);
	view_str_merge(&dst->hostname, src->hostname, later);
	view_strv_merge(&dst->dns, src->dns, later);
	view_strv_merge(&dst->dns_search, src->dns_search, later);
	dst->dns_upstream = dst->dns_upstream || src->dns_upstream;
	view_str_merge(&dst->resolv_path, src->resolv_path, later);
	view_str_merge(&dst->hosts_path, src->hosts_path, later);
	view_strv_merge(&dst->upstream_paths, src->upstream_paths, later);
}

/**
 * view_policy_option_group() - the options every program shares
 * @p: policy the parsed options are stored into
 *
 * Return: a new GOptionGroup (owned by the GOptionContext it is added to).
 */
GOptionGroup *view_policy_option_group(struct view_policy *p)
{
	const GOptionEntry entries[] = {
		{ "hide-if", 0, 0, G_OPTION_ARG_STRING_ARRAY, &p->hide_if,
		  "Hide interfaces whose name matches GLOB (repeatable)", "GLOB" },
		{ "add-host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &p->extra_hosts,
		  "Add a hosts entry; wins over the host's (repeatable)", "NAME:ADDR" },
		{ "hostname", 0, 0, G_OPTION_ARG_STRING, &p->hostname,
		  "Hostname to present (default: the host's)", "NAME" },
		{ "dns", 0, 0, G_OPTION_ARG_STRING_ARRAY, &p->dns,
		  "Use this DNS server instead of the host's (repeatable)", "ADDR" },
		{ "dns-search", 0, 0, G_OPTION_ARG_STRING_ARRAY, &p->dns_search,
		  "Use this search domain instead of the host's (repeatable)", "DOMAIN" },
		{ "dns-upstream", 0, 0, G_OPTION_ARG_NONE, &p->dns_upstream,
		  "Replace loopback stub resolvers by their upstream servers", NULL },
		{ "resolv-conf", 0, 0, G_OPTION_ARG_FILENAME, &p->resolv_path,
		  "Host resolver configuration to follow (default /etc/resolv.conf)", "PATH" },
		{ "hosts-file", 0, 0, G_OPTION_ARG_FILENAME, &p->hosts_path,
		  "Host hosts file to follow (default /etc/hosts)", "PATH" },
		{ "upstream-conf", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &p->upstream_paths,
		  "Where --dns-upstream looks (default: systemd-resolved's, then NetworkManager's)", "PATH" },
		{ NULL },
	};
	GOptionGroup *g = g_option_group_new("view", "View policy options:",
					     "Show view policy options", NULL, NULL);

	g_option_group_add_entries(g, entries);
	return g;
}

static bool view_valid_hostname(const char *h)
{
	size_t n = strlen(h), i;

	if (n == 0 || n > 64 || h[0] == '-' || h[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!g_ascii_isalnum(h[i]) && h[i] != '-' && h[i] != '.' &&
		    h[i] != '_')
			return false;
	return true;
}

static bool view_valid_addr(const char *a)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, a, buf) == 1 ||
	       inet_pton(AF_INET6, a, buf) == 1;
}

/**
 * view_policy_validate() - check parsed options and fill in defaults
 * @p: policy; defaults are written into unset paths
 * @error: where the first problem is described
 *
 * Return: 0, or -EINVAL with @error set.
 */
int view_policy_validate(const struct view_policy *p, GError **error)
{
	struct view_policy *w = (struct view_policy *)p;
	char **s;

	if (p->hostname && !view_valid_hostname(p->hostname)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "invalid --hostname '%s'", p->hostname);
		return -EINVAL;
	}
	for (s = p->extra_hosts; s && *s; s++) {
		const char *colon = strchr(*s, ':');
		g_autofree char *name = colon ? g_strndup(*s, colon - *s) : NULL;

		if (!colon || !view_valid_hostname(name) ||
		    !view_valid_addr(colon + 1)) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "invalid --add-host '%s' (want NAME:ADDR)", *s);
			return -EINVAL;
		}
	}
	for (s = p->dns; s && *s; s++) {
		if (!view_valid_addr(*s)) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "invalid --dns '%s' (want an IP address)", *s);
			return -EINVAL;
		}
	}
	for (s = p->dns_search; s && *s; s++) {
		if (!view_valid_hostname(*s)) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "invalid --dns-search '%s'", *s);
			return -EINVAL;
		}
	}
	for (s = p->hide_if; s && *s; s++) {
		if (**s == '\0' || strlen(*s) > 255) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "invalid --hide-if '%s'", *s);
			return -EINVAL;
		}
	}
	if (!w->resolv_path)
		w->resolv_path = g_strdup("/etc/resolv.conf");
	if (!w->hosts_path)
		w->hosts_path = g_strdup("/etc/hosts");
	if (!w->upstream_paths)
		w->upstream_paths = g_strdupv((char **)view_default_upstream);
	return 0;
}

/**
 * view_policy_hides() - whether an interface is hidden from the sandbox
 * @p: policy
 * @ifname: interface name
 *
 * Return: true when a --hide-if glob matches @ifname.
 */
bool view_policy_hides(const struct view_policy *p, const char *ifname)
{
	char **g;

	for (g = p->hide_if; g && *g; g++)
		if (fnmatch(*g, ifname, 0) == 0)
			return true;
	return false;
}
