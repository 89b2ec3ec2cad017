/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hostconf.h - the host's resolver configuration, hosts file and hostname,
 * read with bounds and with the view policy applied, and watched for change.
 */
#ifndef LXNET_HOSTCONF_H
#define LXNET_HOSTCONF_H

#include <glib.h>
#include "netstate.h"
#include "view.h"

/*
 * resolvconf_load() - parse the host's resolv.conf (c-ares,
 * ARES_OPT_RESOLVCONF) into what the view presents: servers (or --dns),
 * search (or --dns-search), options, with loopback stubs replaced by the
 * upstream list when --dns-upstream is set. A missing file gives
 * present=false and no servers of the host's (--dns and --dns-search still
 * apply). Never fails for bad content. Uses ares_library_init(): call from
 * one thread at a time.
 * Return: 0 or -errno (resources only: -ENOMEM, -EMFILE from the memfd
 * c-ares reads, -EIO when c-ares itself fails).
 */
int resolvconf_load(const struct view_policy *p, struct ns_resolv_part **ret);
int resolv_ares_errno(int status);

/*
 * hostsfile_load() - the hosts lines the view presents after its header:
 * the --add-host entries, then the host's file line for line (a valid entry
 * loses the names an --add-host entry claims, and goes when none is left),
 * then Debian's lines for localhost and @hostname where nothing maps them.
 * Never fails for bad content. Return: 0 or -errno (-ENOMEM only).
 */
int hostsfile_load(const struct view_policy *p, const char *hostname,
		   struct ns_hosts **ret);

/* hostname_load() - --hostname, or the host's (uname). Return: 0 or -errno. */
int hostname_load(const struct view_policy *p, char **ret);

/*
 * hostconf_text_len() - how much of a host file read with
 * util_read_file_bounded() is trusted as text: everything before the first
 * NUL byte (binary content; the line holding the NUL is dropped too, being
 * cut), and, when @truncated, nothing past the last complete line (a line cut
 * by the bound could read as a different, valid address). A last line without
 * a newline in an untruncated file is kept, as glibc keeps it.
 * Return: the number of bytes of @buf to parse.
 */
size_t hostconf_text_len(const char *buf, size_t len, bool truncated);

struct filewatch;
typedef void (*filewatch_cb)(void *data);

/*
 * filewatch_new() - call @cb from @ctx's loop when any of @paths may have
 * changed: written and closed, replaced by rename, deleted and re-created,
 * or (for a symlink) retargeted, including every link along the way, and
 * written in place through any path (a bind-mounted file, as container
 * engines give /etc/resolv.conf; a write left open counts after 100 ms).
 * Watches parent directories and the files with inotify; no polling.
 * Several events in one loop iteration give one call.
 * Return: 0 or -errno.
 */
int filewatch_new(GMainContext *ctx, const char *const *paths, filewatch_cb cb,
		  void *data, struct filewatch **ret);
void filewatch_free(struct filewatch *w);

#endif
