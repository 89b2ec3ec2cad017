# SPDX-License-Identifier: LGPL-2.1-or-later
UNIT_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(NL_CFLAGS) $(CARES_CFLAGS)
check_PROGRAMS += tests/unit/test-util
TESTS += tests/unit/test-util
tests_unit_test_util_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_util_LDADD = $(LIBLXNET)
check_PROGRAMS += tests/unit/test-render-procnet
TESTS += tests/unit/test-render-procnet
tests_unit_test_render_procnet_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_render_procnet_LDADD = $(LIBLXNET)
check_PROGRAMS += tests/unit/test-render-sysnet
TESTS += tests/unit/test-render-sysnet
tests_unit_test_render_sysnet_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_render_sysnet_LDADD = $(LIBLXNET)
# hostconf: resolv.conf/hosts parsing, DNS policy, file watching, /etc renderers
check_PROGRAMS += tests/unit/test-hostconf tests/unit/test-render-etc
TESTS += tests/unit/test-hostconf tests/unit/test-render-etc
tests_unit_test_hostconf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hostconf_LDADD = $(LIBLXNET)
tests_unit_test_render_etc_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_render_etc_LDADD = $(LIBLXNET)
check_PROGRAMS += tests/unit/test-netstate
TESTS += tests/unit/test-netstate
tests_unit_test_netstate_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_netstate_LDADD = $(LIBLXNET)
# nltests: the NETLINK_ROUTE message layer (proxy/nlmsg*.c compiled in)
check_PROGRAMS += tests/unit/test-nlmsg
TESTS += tests/unit/test-nlmsg
tests_unit_test_nlmsg_SOURCES = tests/unit/test-nlmsg.c $(NLMSG_SOURCES)
tests_unit_test_nlmsg_CFLAGS = $(UNIT_CFLAGS) -I$(srcdir)/proxy
tests_unit_test_nlmsg_LDADD = $(LIBLXNET)
# lxnetfs: fresh proc/net/dev counters (src/netstate_stats.c)
check_PROGRAMS += tests/unit/test-counters
TESTS += tests/unit/test-counters
tests_unit_test_counters_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_counters_LDADD = $(LIBLXNET)
# the sandbox's own sockets: socket set and socket files (owner: sockdiag)
check_PROGRAMS += tests/unit/test-sockets
TESTS += tests/unit/test-sockets
tests_unit_test_sockets_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sockets_LDADD = $(LIBLXNET)
# id maps, --uidmap specs, /etc/subuid and /etc/subgid (src/idmap.c)
check_PROGRAMS += tests/unit/test-idmap
TESTS += tests/unit/test-idmap
tests_unit_test_idmap_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_idmap_LDADD = $(LIBLXNET)
# the command-line path every program shares (src/cli.c)
check_PROGRAMS += tests/unit/test-cli
TESTS += tests/unit/test-cli
tests_unit_test_cli_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cli_LDADD = $(LIBLXNET)
# the connection policy: rules and decisions (src/netpolicy.c)
check_PROGRAMS += tests/unit/test-netpolicy
TESTS += tests/unit/test-netpolicy
tests_unit_test_netpolicy_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_netpolicy_LDADD = $(LIBLXNET)
check_PROGRAMS += tests/unit/test-jsonscan
TESTS += tests/unit/test-jsonscan
tests_unit_test_jsonscan_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jsonscan_LDADD = $(LIBLXNET)
