# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy/: lxnet-proxy, the seccomp user-notification supervisor.
bin_PROGRAMS += proxy/lxnet-proxy
proxy_lxnet_proxy_SOURCES = \
	proxy/lxnet-proxy.c \
	proxy/notify.c \
	proxy/sockets.c \
	proxy/proxy_int.h
proxy_lxnet_proxy_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SECCOMP_CFLAGS) $(CARES_CFLAGS) -pthread
proxy_lxnet_proxy_LDADD = $(LIBLXNET) $(SECCOMP_LIBS) -lpthread
dist_man_MANS += man/lxnet-proxy.8
# SIOCGIF* answered from the view, and the model they are answered from (owner: ifioctl)
proxy_lxnet_proxy_SOURCES += proxy/model.c proxy/ifioctl.c
# the policy's host names, resolved with c-ares and kept current
proxy_lxnet_proxy_SOURCES += proxy/hostnames.c
# emulated NETLINK_ROUTE endpoints, the syscall side (owner: nlep), in
# layers calling down: trapped calls, hub, receives, output queue, sandbox
proxy_lxnet_proxy_SOURCES += proxy/nlep.h proxy/nlep_int.h \
	proxy/nlep_call.c proxy/nlep_hub.c proxy/nlep_recv.c \
	proxy/nlep_out.c proxy/nlep_sandbox.c
# raw ICMP sockets made of the host's ping sockets (owner: ping)
proxy_lxnet_proxy_SOURCES += proxy/pingraw.c proxy/pingraw_recv.c proxy/pingraw_int.h
# a trapped caller's memory through /proc/PID/mem (owner: nlep3)
proxy_lxnet_proxy_SOURCES += proxy/target.c
# a trapped caller's task: status fields, a pidfd to its file table
proxy_lxnet_proxy_SOURCES += proxy/task.c
# NETLINK_ROUTE messages answered from a snapshot (pure functions): the
# dispatcher, one file per object, host answers, dumps, attributes
NLMSG_SOURCES = proxy/nlmsg.c \
	proxy/nlmsg_link.c proxy/nlmsg_addr.c proxy/nlmsg_route.c \
	proxy/nlmsg_neigh.c proxy/nlmsg_rule.c proxy/nlmsg_netconf.c \
	proxy/nlmsg_tables.c \
	proxy/nlmsg_host.c proxy/nlmsg_dump.c proxy/nlmsg_attr.c
proxy_lxnet_proxy_SOURCES += $(NLMSG_SOURCES) \
	proxy/nlmsg.h proxy/nlmsg_int.h proxy/nlmsg_req.h
# NETLINK_SOCK_DIAG on emulated endpoints: the sandbox's own sockets
proxy_lxnet_proxy_SOURCES += proxy/sockdiag.c proxy/sockdiag.h
# the seccomp receiver protocol of OCI runtimes (crun, podman): --oci-socket
proxy_lxnet_proxy_SOURCES += proxy/oci.c
# connect, bind and sends under a connection policy (src/netpolicy.c)
proxy_lxnet_proxy_SOURCES += proxy/govern.c proxy/govern_send.c \
	proxy/govern_int.h proxy/connpool.c proxy/connpool.h
# under a policy, the sandbox's clients reach its own TCP servers
proxy_lxnet_proxy_SOURCES += proxy/ownserver.c proxy/ownserver.h
# --publish: a sandbox's PORT bound, reached and named as the host's HOSTPORT
proxy_lxnet_proxy_SOURCES += proxy/publish.c
# start-up warnings: what this host will not give the options
proxy_lxnet_proxy_SOURCES += proxy/startwarn.c
# AF_UNIX abstract names the policy lets cross (unix:@GLOB)
proxy_lxnet_proxy_SOURCES += proxy/unixcross.c
# --log-connections: a JSON line per governed call, bounded and folded
proxy_lxnet_proxy_SOURCES += proxy/connlog.c proxy/connlog.h
