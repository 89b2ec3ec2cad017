# SPDX-License-Identifier: LGPL-2.1-or-later
# src/: liblxnet (the model, renderers, policy, helpers); the lxnet front end
# is in src/lxnet/ (src/lxnet/local.mk).
noinst_LIBRARIES += src/liblxnet.a
LXNET_DEP_CFLAGS = $(GLIB_CFLAGS) $(NL_CFLAGS) $(CARES_CFLAGS) $(FUSE_CFLAGS) $(SECCOMP_CFLAGS)
src_liblxnet_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(NL_CFLAGS) $(CARES_CFLAGS)
src_liblxnet_a_SOURCES = \
	src/cli.c src/cli.h \
	src/fdpass.c src/fdpass.h \
	src/log.c src/log.h \
	src/netstate.c src/netstate_build.c src/netstate_raw.c \
	src/netstate_int.h \
	src/netstate.h \
	src/render.h \
	src/render.c src/render_procnet.c \
	src/render_mcast.c \
	src/render_sysnet.c \
	src/render_sockets.c \
	src/sockset.c src/sockset.h \
	src/snapshot.c \
	src/util.c src/util.h src/cleanup.h \
	src/view.c src/view.h \
	src/trapped.c src/trapped.h \
	src/seccomp_notif.c src/seccomp_notif.h \
	src/landlock.c src/landlock.h \
	src/netpolicy.c src/netpolicy.h
LIBLXNET = src/liblxnet.a $(GLIB_LIBS) $(NL_LIBS) $(CARES_LIBS)

# hostconf: resolver configuration, hosts, hostname, file watching, /etc renderers
src_liblxnet_a_SOURCES += src/hostconf.h src/resolvconf.c src/hostsfile.c \
	src/filewatch.c src/render_etc.c
# id maps: /etc/subuid, /etc/subgid, --uidmap specs (used by lxnet run)
src_liblxnet_a_SOURCES += src/idmap.c src/idmap.h
# fresh interface counters for proc/net/dev (owner: lxnetfs)
src_liblxnet_a_SOURCES += src/netstate_stats.c
# the configuration file, read by cli.c (lxnet.conf(5))
src_liblxnet_a_SOURCES += src/conffile.c src/conffile.h
dist_man_MANS += man/lxnet.conf.5
src_liblxnet_a_CPPFLAGS = $(AM_CPPFLAGS) -DSYSCONFDIR='"$(sysconfdir)"'
# one integer out of a JSON document (the OCI runtime's message to the proxy)
src_liblxnet_a_SOURCES += src/jsonscan.c src/jsonscan.h
