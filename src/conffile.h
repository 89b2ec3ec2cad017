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

/*
 * The error domain of a fault in a configuration file (its FILE:LINE in
 * the message; the code is an errno): the fault is in the file, which
 * --help does not describe, so cli.c reports it without pointing there.
 */
#define CONFFILE_ERROR g_quark_from_static_string("lxnet-conffile")

int conffile_apply(const char *path, struct view_policy *view,
		   struct netpolicy *policy, GString *warnings, GError **error);

#endif
