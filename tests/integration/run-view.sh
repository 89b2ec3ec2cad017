#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-view.sh - `lxnet run` shows the view: /etc files, /proc/net for every
# process, --hostname, --add-host, --hide-if, --no-generate, live updates.
. "$(dirname "$0")/run-common.sh"
lib_enter_ns "$@"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
tap_plan 14

out=$(lxrun -- cat /etc/resolv.conf)
echo "$out" | grep -q '^nameserver 10.77.0.1$' && echo "$out" | grep -q '^search example.test$'
tap_result $? "resolv.conf in the sandbox is the view of the host's"

out=$(lxrun -- cat /etc/hosts)
echo "$out" | grep -q '^10.77.0.9[[:space:]]*hostfile.test'
tap_result $? "hosts in the sandbox is the view of the host's"

[ "$(lxrun -- cat /etc/hostname)" = "$(hostname)" ]
tap_result $? "hostname file is the host's hostname"

lxrun -- cat /proc/net/route >"$TMP_DIR/route.sbx" &&
	grep -q lxv0 "$TMP_DIR/route.sbx" && diff -u /proc/net/route "$TMP_DIR/route.sbx"
tap_result $? "/proc/net/route in the sandbox equals the host's"

lxrun -- sh -c 'sh -c "cat /proc/net/route"' >"$TMP_DIR/route.gc" &&
	diff -u /proc/net/route "$TMP_DIR/route.gc"
tap_result $? "/proc/net/route is the same for a grandchild"

lxrun --pid -- sh -c 'sh -c "cat /proc/net/route"' >"$TMP_DIR/route.pid" &&
	diff -u /proc/net/route "$TMP_DIR/route.pid"
tap_result $? "/proc/net/route is the view with --pid too"

lxrun -- sh -c 'cat /proc/net/dev' | grep -q 'lxv1:'
tap_result $? "/proc/net/dev shows the host's interfaces"

out=$(lxrun --hostname box.test -- sh -c 'hostname; cat /etc/hostname')
[ "$out" = "$(printf 'box.test\nbox.test')" ]
tap_result $? "--hostname sets the UTS name and /etc/hostname"

out=$(lxrun --add-host hostfile.test:10.77.0.50 -- getent hosts hostfile.test)
echo "$out" | grep -q '^10.77.0.50[[:space:]]' && ! echo "$out" | grep -q 10.77.0.9
tap_result $? "--add-host wins over the host's entry in getent hosts"

out=$(lxrun --hide-if 'lxv*' -- cat /proc/net/dev /proc/net/route)
[ -n "$out" ] && echo "$out" | grep -q 'lo:' && ! echo "$out" | grep -q lxv
tap_result $? "--hide-if hides interfaces from /proc/net"

lxrun --no-generate=hosts -- cat /etc/hosts | cmp -s - /etc/hosts
tap_result $? "--no-generate=hosts keeps the file underneath"

lxrun -- sh -c 'test -r /proc/net/tcp && test -r /proc/net/unix && test -d /proc/net/stat'
tap_result $? "other /proc/net entries stay reachable"

# Live: the sandbox sees a change of the host's resolv.conf.
lxrun -- sh -c 'i=0; while [ $i -lt 500 ]; do
	grep -q "^nameserver 10.77.0.7" /etc/resolv.conf && exit 0
	sleep 0.01; i=$((i + 1)); done; exit 1' &
pid=$!
sleep 0.5
printf 'nameserver 10.77.0.7\n' >"$TMP_DIR/resolv.conf.new"
mv "$TMP_DIR/resolv.conf.new" "$TMP_DIR/resolv.conf"
wait $pid
tap_result $? "a change of the host's resolv.conf shows up in the sandbox"

# A dangling /etc/resolv.conf symlink (a resolver stub that is not
# running) is covered by the view too. /etc is swapped for a copy only in
# this test's mount namespace.
printf 'nameserver 10.77.0.1\n' >"$TMP_DIR/resolv.conf"
# Never the machine's /etc: only in a mount namespace that is not init's.
lib_in_private_mntns &&
	[ -n "$TMP_DIR" ] && mkdir "$TMP_DIR/etc" && cp -a /etc/. "$TMP_DIR/etc/" &&
	rm -f "$TMP_DIR/etc/resolv.conf" &&
	ln -s ../run/lxnet-test-absent/stub-resolv.conf "$TMP_DIR/etc/resolv.conf" &&
	mount --bind "$TMP_DIR/etc" /etc &&
	lxrun -- cat /etc/resolv.conf | grep -q '^nameserver 10.77.0.1$'
tap_result $? "a dangling /etc/resolv.conf symlink is covered by the view"
umount /etc 2>/dev/null

tap_done
