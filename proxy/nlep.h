/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nlep.h - emulated NETLINK_ROUTE endpoints inside lxnet-proxy: the trapped
 * socket calls on an endpoint fd (nlep_call.c, one row per call of enum
 * trap_id), answered from the model through the message layer (nlmsg.h).
 * Private to proxy/; the files behind it are mapped in nlep_hub.c,
 * "Layers".
 *
 * An endpoint is reached through fd numbers in the trapped range only.
 * fork(), SCM_RIGHTS and dup2/dup3/F_DUPFD onto a number inside the range
 * keep the copy an endpoint; a copy outside the range (plain dup() gives
 * the lowest free number) is the AF_UNIX socket underneath: send, read,
 * poll and close work, but names, netlink addresses on receive, pending
 * ENOBUFS and socket options are AF_UNIX's, and shutdown() on it releases
 * the endpoint (see nlep_hub.c, "Copies of S").
 */
#ifndef LXNET_PROXY_NLEP_H
#define LXNET_PROXY_NLEP_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/seccomp.h>
#include <glib.h>

#include "seccomp_filter.h"
#include "seccomp_notif.h"
#include "trapped.h"

struct proxy_model;
struct proxy_sysnr;

/* Bounds (see nlep_hub.c, "Bounds"). */
#define NLEP_MAX_ENDPOINTS 65536       /* per proxy */
#define NLEP_MAX_PER_SANDBOX 4096      /* per sandbox (listener) */
#define NLEP_MAX_PARKED 1024           /* blocked receives, per proxy */
#define NLEP_BACKLOG_MAX (4u << 20)    /* bytes held by the proxy per endpoint */
#define NLEP_MAX_PARKED_PER_SANDBOX 256 /* blocked receives, per sandbox */
#define NLEP_SANDBOX_BYTES (32u << 20)  /* overflow queue bytes, per sandbox */
#define NLEP_PROXY_BYTES (256u << 20)   /* overflow queue bytes, per proxy */
/*
 * Kernel memory of the proxy's socket ends (SIOCOUTQ: what their datagrams
 * hold in the sandbox's receive queues): each endpoint may always hold
 * NLEP_SOCKMEM_RESERVE, more only while its sandbox's endpoints hold less
 * than NLEP_SANDBOX_SOCKMEM in all. So one sandbox makes the proxy hold at
 * most 32 MiB + 4096 * 8 KiB = 64 MiB (was 4096 * 416 KiB, 1.7 GiB). See
 * nlep_hub.c, "Socket memory", for the choice of numbers.
 */
#define NLEP_SANDBOX_SOCKMEM (32u << 20) /* per sandbox, past the reserves */
#define NLEP_SOCKMEM_RESERVE (8u << 10)  /* per endpoint, always */

struct nlep_hub;     /* every endpoint of the proxy */
struct nlep_sandbox; /* the endpoints of one listener (port id space) */

/* nlep_hub.c */
int nlep_hub_new(struct proxy_model *model, GMainContext *ctx,
		 struct nlep_hub **ret_hub);
void nlep_hub_free(struct nlep_hub *h);

/* nlep_sandbox.c */
struct nlep_sandbox *nlep_sandbox_new(struct nlep_hub *h, int listener,
				      struct notif_journal *journal,
				      bool pidfd_leader_only);
void nlep_sandbox_unref(struct nlep_sandbox *sb);
void nlep_sandbox_set_waker(struct nlep_sandbox *sb, void (*wake)(void *),
			    void *data);

/* nlep_recv.c: completed receives, written by the sandbox's own thread */
void nlep_run_deferred(struct nlep_sandbox *sb);
void nlep_sandbox_close(struct nlep_sandbox *sb);

/* nlep_call.c: socket(AF_NETLINK, ...), and a TRAP_ENDPOINT row's call */
int64_t nlep_do_socket(struct nlep_sandbox *sb, const struct seccomp_notif *req,
		       int type, int protocol);
int64_t nlep_do_call(struct nlep_sandbox *sb, enum trap_id id,
		     const struct seccomp_notif *req);

#endif
