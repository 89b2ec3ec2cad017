/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * run_named.h - `lxnet run --name`: the sandbox's registry entry and the
 * relay of `lxnet exec` listeners to the sandbox's lxnet-proxy
 * (src/run_named.c). Every function takes NULL (not named) as a no-op.
 */
#ifndef LXNET_RUN_NAMED_H
#define LXNET_RUN_NAMED_H

#include <stdbool.h>
#include <sys/types.h>

struct run_named;

int run_named_claim(const char *name, struct run_named **ret);
void run_named_publish(struct run_named *n, pid_t pid, bool pid_ns,
		       bool has_root, unsigned int filter_flags, char **argv);
int run_named_fd(const struct run_named *n);
void run_named_ready(struct run_named *n, int proxy_sock, pid_t sandbox_pid);
int run_named_timeout(const struct run_named *n);
void run_named_tick(struct run_named *n);
void run_named_answer(struct run_named *n, int status);
void run_named_child_close(struct run_named *n);
void run_named_free(struct run_named *n);

#endif
