/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * view.h - the view policy: what the sandbox is shown of the host's network.
 * Applied once, when a snapshot is built, so every view agrees.
 */
#ifndef LXNET_VIEW_H
#define LXNET_VIEW_H

#include <stdbool.h>
#include <glib.h>

/* Bounds on host files we read; past them the rest is ignored (logged). */
#define VIEW_RESOLV_MAX (64 * 1024)
#define VIEW_HOSTS_MAX (16 * 1024 * 1024)

/*
 * struct view_policy - options shared by lxnetfs and lxnet
 * @hide_if: NULL-terminated shell globs of interface names to hide
 * @extra_hosts: NULL-terminated "NAME:ADDR" strings (--add-host); they win
 *               over the host's entries for the same name
 * @hostname: hostname to present, NULL for the host's
 * @dns: NULL-terminated server addresses replacing the host's, or NULL
 * @dns_search: NULL-terminated search domains replacing the host's, or NULL
 * @dns_upstream: replace loopback stub servers (127.0.0.53, 127.0.0.1, ::1)
 *                by the upstream list the stub itself uses
 * @resolv_path: the host's resolver configuration (default /etc/resolv.conf)
 * @hosts_path: the host's hosts file (default /etc/hosts)
 * @upstream_paths: NULL-terminated files tried, in order, for @dns_upstream
 */
struct view_policy {
	char **hide_if;
	char **extra_hosts;
	char *hostname;
	char **dns;
	char **dns_search;
	bool dns_upstream;
	char *resolv_path;
	char *hosts_path;
	char **upstream_paths;
	bool hide_if_cmdline; /* --hide-if came from the command line */
};

void view_policy_init(struct view_policy *p);
void view_policy_clear(struct view_policy *p);
void view_policy_merge(struct view_policy *dst, const struct view_policy *src,
		       bool later);
GOptionGroup *view_policy_option_group(struct view_policy *p);
int view_policy_validate(const struct view_policy *p, GError **error);
bool view_policy_hides(const struct view_policy *p, const char *ifname);

#endif
