/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ownserver.h - under a policy, the sandbox's clients reach its own TCP
 * servers on the host's loopback (ownserver.c)
 */
#ifndef LXNET_OWNSERVER_H
#define LXNET_OWNSERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct ownserver_set;

/* The connection log's rule for a connect let through to the sandbox's
 * own server that the host sent elsewhere (a NAT rule), then refused. */
#define OWNSERVER_ELSEWHERE "own server: the host sent it elsewhere"

struct ownserver_set *ownserver_set_new(ino_t netns_ino);
void ownserver_set_unref(struct ownserver_set *s);
void ownserver_set_close(struct ownserver_set *s);
bool ownserver_closed(const struct ownserver_set *s);
void ownserver_note_bind(struct ownserver_set *s, bool leader_only, pid_t pid,
			 int fd, int sock);
void ownserver_pin_any(struct sockaddr_storage *dst, socklen_t len);
int ownserver_hold(struct ownserver_set *s, bool leader_only,
		   const struct sockaddr_storage *dst, socklen_t len);
bool ownserver_verify(int sock, int hold);
int64_t ownserver_end(struct ownserver_set *s, int sock, int hold, int64_t r);

#endif
