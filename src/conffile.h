/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conffile.h - the configuration file (lxnet.conf(5)): defaults for the
 * view and connection policy options, which the command line overrides
 */
#ifndef LXNET_CONFFILE_H
#define LXNET_CONFFILE_H

#include <stdbool.h>
#include <glib.h>

#include "netpolicy.h"
#include "view.h"

#define CONFFILE_MAX (1024 * 1024) /* bytes read of one file */
#define CONFFILE_NAME "lxnet/lxnet.conf"

int conffile_apply(const char *path, struct view_policy *view,
		   struct netpolicy *policy, GString *warnings, GError **error);

#endif
