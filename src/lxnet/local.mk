# SPDX-License-Identifier: LGPL-2.1-or-later
# src/lxnet/: the lxnet front end (run, exec, ps, shim), built on liblxnet.
# Built as src/lxnet/lxnet, installed as $(bindir)/lxnet.
bin_PROGRAMS += src/lxnet/lxnet
src_lxnet_lxnet_SOURCES = \
	src/lxnet/lxnet.c src/lxnet/lxnet_int.h \
	src/lxnet/shim_cli.c src/lxnet/shim.c src/lxnet/shim.h \
	src/seccomp_filter.c src/seccomp_filter.h
src_lxnet_lxnet_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SECCOMP_CFLAGS)
src_lxnet_lxnet_LDADD = $(LIBLXNET) $(SECCOMP_LIBS)
dist_man_MANS += man/lxnet.1
# lxnet run, the sandbox launcher (owner: launcher)
src_lxnet_lxnet_SOURCES += src/lxnet/run.c src/lxnet/run_int.h \
	src/lxnet/run_companion.c src/lxnet/sandbox.c \
	src/lxnet/sandbox.h src/lxnet/userns.c src/lxnet/userns.h
# named sandboxes: lxnet run --name/--bind, lxnet exec, lxnet ps (owner: exec)
src_lxnet_lxnet_SOURCES += src/lxnet/registry.c src/lxnet/registry.h \
	src/lxnet/run_named.c src/lxnet/run_named.h src/lxnet/exec.c \
	src/lxnet/ps.c src/lxnet/sandbox_bind.c
# where lxnet finds lxnetfs, lxnet-proxy and lxnet-oci
src_lxnet_lxnet_SOURCES += src/lxnet/helper.c
src_lxnet_lxnet_CPPFLAGS = $(AM_CPPFLAGS) -DPKGLIBEXECDIR='"$(pkglibexecdir)"'
# lxnet oci-profile, lxnet oci-hook: what an OCI container needs (owner:
# oci), a program of its own so that json-glib and GIO are not loaded by
# every lxnet run (src/lxnet/lxnet-oci.c); `lxnet` execs it
pkglibexec_PROGRAMS += src/lxnet/lxnet-oci
src_lxnet_lxnet_oci_SOURCES = src/lxnet/lxnet-oci.c src/lxnet/lxnet_int.h \
	src/lxnet/oci_profile.c src/lxnet/oci_hook.c \
	src/seccomp_filter.c src/seccomp_filter.h
src_lxnet_lxnet_oci_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SECCOMP_CFLAGS) $(JSON_CFLAGS)
src_lxnet_lxnet_oci_LDADD = $(LIBLXNET) $(SECCOMP_LIBS) $(JSON_LIBS)
# lxnet-shim: `lxnet shim` as a program of its own with libc and libseccomp
# only, linked statically where configure could (LXNET_SHIM_STATIC), for a
# rootfs that has nothing of the host's. Its sources include no GLib
# header. Static, it is built without sanitizers, which cannot be linked so.
bin_PROGRAMS += src/lxnet/lxnet-shim
src_lxnet_lxnet_shim_SOURCES = src/lxnet/lxnet-shim.c \
	src/lxnet/shim.c src/lxnet/shim.h src/cleanup.h \
	src/fdpass.c src/fdpass.h src/log.c src/log.h \
	src/seccomp_filter.c src/seccomp_filter.h src/trapped.c src/trapped.h \
	src/landlock.c src/landlock.h
if LXNET_SHIM_STATIC
src_lxnet_lxnet_shim_CFLAGS = $(WARN_CFLAGS) -fno-strict-aliasing $(SECCOMP_CFLAGS)
src_lxnet_lxnet_shim_LDFLAGS = -static
else
src_lxnet_lxnet_shim_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
src_lxnet_lxnet_shim_LDFLAGS = $(AM_LDFLAGS)
endif
src_lxnet_lxnet_shim_LDADD = $(SECCOMP_LIBS)
dist_man_MANS += man/lxnet-shim.1
