# SPDX-License-Identifier: LGPL-2.1-or-later
# apparmor/: the profile that lets the installed lxnet create user
# namespaces under Ubuntu's restriction; configure --with-apparmordir
# (default SYSCONFDIR/apparmor.d, "no" leaves it out). The program's
# path is written in at build time.
EXTRA_DIST += apparmor/lxnet.in
if LXNET_APPARMOR
apparmor_DATA = apparmor/lxnet
CLEANFILES += apparmor/lxnet
endif
apparmor/lxnet: apparmor/lxnet.in Makefile
	$(AM_V_GEN)$(MKDIR_P) apparmor && \
	sed 's|@bindir[@]|$(bindir)|g' $(srcdir)/apparmor/lxnet.in >$@.tmp && mv $@.tmp $@
