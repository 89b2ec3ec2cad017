/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * userns.h - the id maps of `lxnet run`'s user namespace: which ids the
 * sandbox gets (the caller's own, its /etc/subuid and /etc/subgid ranges,
 * a full range for root, or --uidmap/--gidmap), and writing them for the
 * child, directly or through newuidmap/newgidmap. Runs in the parent.
 */
#ifndef LXNET_USERNS_H
#define LXNET_USERNS_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "idmap.h"

/* Where the subordinate id files are (subuid(5), subgid(5)). */
#define USERNS_SUBUID "/etc/subuid"
#define USERNS_SUBGID "/etc/subgid"

/*
 * struct userns_plan - the maps and who writes them
 * @uid: the uid map
 * @gid: the gid map
 * @uid_helper: newuidmap's path when it writes @uid; NULL: lxnet does
 * @gid_helper: newgidmap's path when it writes @gid; NULL: lxnet does
 * @own_uid: the caller's uid (the fallback map when root cannot write more)
 * @own_gid: the caller's gid
 * @hint: one line telling an ordinary user how to get more ids, or NULL
 */
struct userns_plan {
	struct idmap uid;
	struct idmap gid;
	char *uid_helper;
	char *gid_helper;
	uid_t own_uid;
	gid_t own_gid;
	char *hint;
};

int userns_plan_make(struct userns_plan *p, char **uid_specs,
		     char **gid_specs, GError **error);
void userns_plan_clear(struct userns_plan *p);
/*
 * struct userns_helper_run - a newuidmap/newgidmap on its way
 * @pid: its pid, 0 when none
 * @err: read end of its stderr, -1 when none
 */
struct userns_helper_run {
	pid_t pid;
	int err;
};

/* struct userns_writing - maps being written: the helpers under way */
struct userns_writing {
	struct userns_helper_run hu;
	struct userns_helper_run hg;
};

int userns_write_start(const struct userns_plan *p, pid_t pid,
		       struct userns_writing *w, GError **error);
int userns_write_finish(struct userns_writing *w, GError **error);
char *userns_root_owner_problem(const struct userns_plan *p,
				const char *root);

#endif
