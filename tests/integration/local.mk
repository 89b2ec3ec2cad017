# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnet-render: prints rendered files from this namespace (golden tests)
check_PROGRAMS += tests/lxnet-render
tests_lxnet_render_SOURCES = tests/lxnet-render.c
tests_lxnet_render_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(NL_CFLAGS)
tests_lxnet_render_LDADD = $(LIBLXNET)
# lxnetfs (owner: lxnetfs engineer)
TESTS += tests/integration/lxnetfs-basic.sh
EXTRA_DIST += tests/integration/lxnetfs-common.sh tests/integration/lxnetfs-basic.sh
TESTS += tests/integration/lxnetfs-live.sh
TESTS += tests/integration/lxnetfs-sysnet.sh
EXTRA_DIST += tests/integration/lxnetfs-sysnet.sh
EXTRA_DIST += tests/integration/lxnetfs-live.sh
TESTS += tests/integration/golden-procnet.sh
EXTRA_DIST += tests/integration/golden-procnet.sh tests/integration/lib-procnet.sh
TESTS += tests/integration/lxnetfs-glibc.sh
EXTRA_DIST += tests/integration/lxnetfs-glibc.sh
TESTS += tests/integration/lxnetfs-badinput.sh
EXTRA_DIST += tests/integration/lxnetfs-badinput.sh
TESTS += tests/integration/lxnetfs-overlay.sh
EXTRA_DIST += tests/integration/lxnetfs-overlay.sh
TESTS += tests/integration/lxnetfs-bindmount.sh tests/integration/lxnetfs-write.sh
EXTRA_DIST += tests/integration/lxnetfs-bindmount.sh tests/integration/lxnetfs-write.sh
TESTS += tests/integration/lxnetfs-pinned.sh
EXTRA_DIST += tests/integration/lxnetfs-pinned.sh
# make install and the bash completion against --help (owner: pkg)
TESTS += tests/integration/install.sh tests/integration/completion.sh
EXTRA_DIST += tests/integration/install.sh tests/integration/completion.sh
# lxnet-proxy / lxnet shim (owner: proxy engineer)
check_PROGRAMS += tests/helpers/proxy-sockstress tests/helpers/proxy-bench
tests_helpers_proxy_sockstress_SOURCES = tests/helpers/proxy-sockstress.c
tests_helpers_proxy_sockstress_CFLAGS = $(AM_CFLAGS) -pthread
tests_helpers_proxy_sockstress_LDADD = -lpthread
tests_helpers_proxy_bench_SOURCES = tests/helpers/proxy-bench.c
TESTS += tests/integration/proxy-basic.sh
EXTRA_DIST += tests/integration/proxy-basic.sh tests/integration/proxy-lib.sh \
	tests/integration/proxy-echo.py tests/helpers/proxy-sock32.c \
	tests/helpers/proxy-gohttp.go
# lxnet run (owner: launcher)
TESTS += tests/integration/run-view.sh tests/integration/run-exit.sh \
	tests/integration/run-errors.sh tests/integration/run-unpriv.sh \
	tests/integration/run-net.sh tests/integration/run-rootfs.sh \
	tests/integration/run-examples.sh tests/integration/run-hosts.sh
EXTRA_DIST += tests/integration/run-common.sh tests/integration/run-hosts.sh \
	tests/integration/run-view.sh tests/integration/run-exit.sh \
	tests/integration/run-errors.sh tests/integration/run-unpriv.sh \
	tests/integration/run-net.sh tests/integration/run-rootfs.sh \
	tests/integration/run-examples.sh
TESTS += tests/integration/proxy-compat.sh tests/integration/proxy-stress.sh \
	tests/integration/proxy-unpriv.sh tests/integration/proxy-control.sh
EXTRA_DIST += tests/integration/proxy-compat.sh tests/integration/proxy-stress.sh \
	tests/integration/proxy-unpriv.sh tests/integration/proxy-control.sh
TESTS += tests/integration/lxnetfs-unpriv.sh
EXTRA_DIST += tests/integration/lxnetfs-unpriv.sh
# SIOCGIF* from the view and the netlink/ioctl compatibility matrix (owner: ifioctl)
check_PROGRAMS += tests/helpers/ifinfo
tests_helpers_ifinfo_SOURCES = tests/helpers/ifinfo.c
TESTS += tests/integration/ifioctl.sh tests/integration/netlink-compat.sh
EXTRA_DIST += tests/integration/ifioctl.sh tests/integration/netlink-compat.sh \
	tests/integration/lib-ifview.sh \
	tests/integration/ifview-cmp.py tests/integration/ifhide-check.py tests/helpers/gonet.go
# emulated NETLINK_ROUTE endpoints (owner: nlep)
check_PROGRAMS += tests/helpers/nlep-check
tests_helpers_nlep_check_SOURCES = tests/helpers/nlep-check.c
TESTS += tests/integration/netlink-host-boundary.sh
EXTRA_DIST += tests/integration/netlink-host-boundary.sh
TESTS += tests/integration/netlink-endpoint.sh
EXTRA_DIST += tests/integration/netlink-endpoint.sh
# the proxy's cache of callers: threads, exec, children, a reused pid (owner: nlperf)
TESTS += tests/integration/nlep-callers.sh
EXTRA_DIST += tests/integration/nlep-callers.sh
# lxnetfs fast paths keep their guarantees (owner: lxnetfs)
TESTS += tests/integration/lxnetfs-fast.sh
EXTRA_DIST += tests/integration/lxnetfs-fast.sh
# lxnet-proxy serving-thread scheduling and idle CPU (owner: connrate)
TESTS += tests/integration/proxy-sched.sh
EXTRA_DIST += tests/integration/proxy-sched.sh
# nested namespaces, low fd limits (issue 9 items 5, 6)
TESTS += tests/integration/run-nested.sh
EXTRA_DIST += tests/integration/run-nested.sh
# the sandbox's own sockets: ss, netstat, /proc/net/tcp* (owner: sockdiag)
TESTS += tests/integration/run-sockets.sh
EXTRA_DIST += tests/integration/run-sockets.sh tests/integration/sockets-probe.py \
	tests/integration/sockdiag-probe.py
# named sandboxes: run --name, exec, ps, --bind (owner: exec)
TESTS += tests/integration/run-exec.sh
EXTRA_DIST += tests/integration/run-exec.sh
# uid/gid ranges and a distribution's userland in lxnet run (owner: ids)
TESTS += tests/integration/run-ids.sh
EXTRA_DIST += tests/integration/run-ids.sh
TESTS += tests/integration/run-distro.sh
EXTRA_DIST += tests/integration/run-distro.sh
# OCI runtimes: crun and rootless podman handing their seccomp listener to lxnet-proxy (owner: oci)
TESTS += tests/integration/oci-crun.sh tests/integration/oci-podman.sh
EXTRA_DIST += tests/integration/oci-crun.sh tests/integration/oci-podman.sh \
	tests/integration/oci-common.sh
EXTRA_DIST += tests/helpers/oci-probe.c
# the command-line path every program shares (src/cli.c)
TESTS += tests/integration/cli-usage.sh
EXTRA_DIST += tests/integration/cli-usage.sh
# the connection policy (proxy/govern.c, src/netpolicy.c)
check_PROGRAMS += tests/helpers/policy-race
tests_helpers_policy_race_SOURCES = tests/helpers/policy-race.c
tests_helpers_policy_race_CFLAGS = $(AM_CFLAGS) -pthread
tests_helpers_policy_race_LDADD = -lpthread
check_PROGRAMS += tests/helpers/policy-swap
tests_helpers_policy_swap_SOURCES = tests/helpers/policy-swap.c
tests_helpers_policy_swap_CFLAGS = $(AM_CFLAGS) -pthread
tests_helpers_policy_swap_LDADD = -lpthread
TESTS += tests/integration/policy-swap.sh
EXTRA_DIST += tests/integration/policy-swap.sh
# route events as the kernel sends them (src/netstate_build.c nsb_route_changes)
TESTS += tests/integration/netlink-events.sh
EXTRA_DIST += tests/integration/netlink-events.sh
# every rtnetlink event type, `ip -o monitor all` native against inside
TESTS += tests/integration/netlink-monitor.sh
EXTRA_DIST += tests/integration/netlink-monitor.sh tests/integration/netlink-monitor.known
TESTS += tests/integration/run-policy.sh
EXTRA_DIST += tests/integration/run-policy.sh tests/integration/policy-check.py \
	tests/integration/policy-servers.py
# under a policy, the sandbox's own loopback servers (proxy/ownserver.c)
TESTS += tests/integration/policy-ownserver.sh
EXTRA_DIST += tests/integration/policy-ownserver.sh tests/integration/ownserver-check.py \
	tests/integration/ownserver-listeners.py
# signals and a governed blocking connect (proxy/govern.c, the watcher)
check_PROGRAMS += tests/helpers/connect-intr
tests_helpers_connect_intr_SOURCES = tests/helpers/connect-intr.c
tests_helpers_connect_intr_CFLAGS = $(AM_CFLAGS) -pthread
tests_helpers_connect_intr_LDADD = -lpthread
TESTS += tests/integration/policy-signals.sh
EXTRA_DIST += tests/integration/policy-signals.sh
# host names in policy rules, resolved by the proxy (proxy/hostnames.c)
TESTS += tests/integration/run-policy-names.sh
EXTRA_DIST += tests/integration/run-policy-names.sh tests/integration/policy-dns.py
# abstract AF_UNIX names across the boundary (proxy/unixcross.c)
check_PROGRAMS += tests/helpers/unix-race
tests_helpers_unix_race_SOURCES = tests/helpers/unix-race.c
tests_helpers_unix_race_CFLAGS = $(AM_CFLAGS) -pthread
tests_helpers_unix_race_LDADD = -lpthread
TESTS += tests/integration/run-unix.sh
EXTRA_DIST += tests/integration/run-unix.sh tests/integration/unix-peer.py
# the connection log (proxy/connlog.c)
TESTS += tests/integration/run-connlog.sh
EXTRA_DIST += tests/integration/run-connlog.sh tests/integration/connlog-check.py
# one sandbox cannot stall the others (a FUSE file never answered)
check_PROGRAMS += tests/helpers/fuse-stall
tests_helpers_fuse_stall_SOURCES = tests/helpers/fuse-stall.c
tests_helpers_fuse_stall_CFLAGS = $(AM_CFLAGS) $(FUSE_CFLAGS)
tests_helpers_fuse_stall_LDADD = $(FUSE_LIBS)
TESTS += tests/integration/proxy-stall.sh
EXTRA_DIST += tests/integration/proxy-stall.sh tests/integration/stall-attack.py
# the proxy's structure: calls one way, one notify core, one trapped list
TESTS += tests/integration/proxy-structure.sh
EXTRA_DIST += tests/integration/proxy-structure.sh
# the static lxnet-shim in a busybox-only root (src/lxnet/lxnet-shim.c)
TESTS += tests/integration/shim-static.sh
EXTRA_DIST += tests/integration/shim-static.sh
# the configuration file (src/conffile.c)
TESTS += tests/integration/run-config.sh
EXTRA_DIST += tests/integration/run-config.sh
# companions that die are brought back (owner: launcher)
TESTS += tests/integration/run-restart.sh
EXTRA_DIST += tests/integration/run-restart.sh
# the netlink socket API, native against inside (tests/helpers/nl-diff.c)
check_PROGRAMS += tests/helpers/nl-diff
tests_helpers_nl_diff_SOURCES = tests/helpers/nl-diff.c
TESTS += tests/integration/netlink-diff.sh
EXTRA_DIST += tests/integration/netlink-diff.sh
# the kernel memory a sandbox's endpoints make the proxy hold (issue 11 item 5)
TESTS += tests/integration/netlink-sockmem.sh
EXTRA_DIST += tests/integration/netlink-sockmem.sh
# --publish=HOSTPORT:PORT[/udp] as an ordinary user (issue 12 item 4)
TESTS += tests/integration/run-publish.sh
EXTRA_DIST += tests/integration/run-publish.sh tests/integration/publish-probe.py
# ICMP echo as root inside: raw ICMP sockets made of ping sockets (issue 12 item 5, owner: ping)
TESTS += tests/integration/run-ping.sh
EXTRA_DIST += tests/integration/run-ping.sh tests/integration/ping-check.py
