# SPDX-License-Identifier: LGPL-2.1-or-later
# src/: liblxnet (the model, renderers, policy, helpers) and the lxnet front end.
noinst_LIBRARIES += src/liblxnet.a
LXNET_DEP_CFLAGS = $(GLIB_CFLAGS) $(NL_CFLAGS) $(CARES_CFLAGS) $(FUSE_CFLAGS) $(SECCOMP_CFLAGS)
src_liblxnet_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(NL_CFLAGS) $(CARES_CFLAGS)
src_liblxnet_a_SOURCES = \
	src/fdpass.c src/fdpass.h \
	src/log.c src/log.h \
	src/netstate.c src/netstate_build.c src/netstate_int.h \
	src/netstate.h \
	src/render.h \
	src/render.c src/render_procnet.c \
	src/render_sockets.c \
	src/sockset.c src/sockset.h \
	src/snapshot.c \
	src/util.c src/util.h \
	src/view.c src/view.h \
	src/trapped.c src/trapped.h \
	src/seccomp_notif.c src/seccomp_notif.h
LIBLXNET = src/liblxnet.a $(GLIB_LIBS) $(NL_LIBS) $(CARES_LIBS)

# lxnet front end (owner: proxy engineer; `lxnet run` adds src/run.c here).
bin_PROGRAMS += src/lxnet
src_lxnet_SOURCES = \
	src/lxnet.c src/lxnet_int.h \
	src/shim.c \
	src/seccomp_filter.c src/seccomp_filter.h
src_lxnet_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SECCOMP_CFLAGS)
src_lxnet_LDADD = $(LIBLXNET) $(SECCOMP_LIBS)
# hostconf: resolver configuration, hosts, hostname, file watching, /etc renderers
src_liblxnet_a_SOURCES += src/hostconf.h src/resolvconf.c src/hostsfile.c \
	src/filewatch.c src/render_etc.c
# lxnet run, the sandbox launcher (owner: launcher)
src_lxnet_SOURCES += src/run.c src/sandbox.c src/sandbox.h \
	src/userns.c src/userns.h
src_liblxnet_a_SOURCES += src/idmap.c src/idmap.h
dist_man_MANS += man/lxnet.1
# fresh interface counters for proc/net/dev (owner: lxnetfs)
src_liblxnet_a_SOURCES += src/netstate_stats.c
# named sandboxes: lxnet run --name/--bind, lxnet exec, lxnet ps (owner: exec)
src_lxnet_SOURCES += src/registry.c src/registry.h src/run_named.c \
	src/run_named.h src/exec.c src/ps.c src/sandbox_bind.c
# lxnet oci-profile: the filter as an OCI seccomp profile (owner: oci)
src_lxnet_SOURCES += src/oci_profile.c src/oci_hook.c
src_lxnet_CFLAGS += $(JSON_CFLAGS)
src_lxnet_LDADD += $(JSON_LIBS)
