#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-rootfs.sh - `lxnet run --root`: a busybox-static rootfs built here and
# a debootstrap'd Debian minbase (cached in /var/cache/lxnet-test).
. "$(dirname "$0")/run-common.sh"

DEBROOT=$RUN_DEBROOT
if [ -z "${LXNET_IN_TEST_NS:-}" ]; then
	: "${LXNET_TEST_TIMEOUT:=300}"
	export LXNET_TEST_TIMEOUT
	run_debian_rootfs
fi
lib_enter_ns "$@"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
tap_plan 9

R=$TMP_DIR/bbroot
if run_busybox_rootfs "$R"; then
	# resolv.conf a dangling symlink, hosts and hostname missing.
	ln -s /run/systemd/resolve/stub-resolv.conf "$R/etc/resolv.conf"
	out=$(lxrun --root "$R" --hostname bb -- sh -c 'cat /etc/resolv.conf /etc/hosts; hostname; cat /etc/hostname')
	echo "$out" | grep -q '^nameserver 10.77.0.1$' && echo "$out" | grep -q '^10.77.0.9[[:space:]]*hostfile.test' &&
		[ "$(echo "$out" | tail -2)" = "$(printf 'bb\nbb')" ]
	tap_result $? "busybox rootfs: /etc files are the view (dangling or missing before), hostname set"

	lxrun --root "$R" -- cat /proc/net/route >"$TMP_DIR/route.bb" &&
		diff -u /proc/net/route "$TMP_DIR/route.bb"
	tap_result $? "busybox rootfs: /proc/net/route is the view"

	lxrun --root "$R" -- sh -c 'test ! -e /usr/bin/dpkg && test -c /dev/null && echo x >/dev/null &&
		test -d /proc/self && ! touch /sys/x 2>/dev/null && test -d /run/lxnet'
	tap_result $? "busybox rootfs: its own /, /dev/null, /proc, read-only /sys"

	lxrun --root "$R" --pid -- sh -c 'test "$$" = 1 || test "$(ps | wc -l)" -le 4; exit 6'
	[ $? -eq 6 ]
	tap_result $? "busybox rootfs with --pid: status passes through"

	python3 -m http.server -b 127.0.0.1 18081 --directory "$TMP_DIR" >/dev/null 2>&1 &
	lib_on_exit "kill $!"
	echo rootfs-ok >"$TMP_DIR/probe"
	wait_until 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/18081' 2>/dev/null
	[ "$(lxrun --root "$R" -- wget -q -O - http://127.0.0.1:18081/probe)" = rootfs-ok ]
	tap_result $? "busybox rootfs: static wget reaches the host's loopback"
else
	for t in resolv route fs pid wget; do
		tap_skip "busybox rootfs $t" "no static busybox (apt-get install busybox-static)"
	done
fi

if [ -x "$DEBROOT/bin/sh" ]; then
	out=$(lxrun --root "$DEBROOT" -- sh -c 'cat /etc/resolv.conf; . /etc/os-release; echo "$ID"')
	echo "$out" | grep -q '^nameserver 10.77.0.1$' && echo "$out" | grep -q '^debian$'
	tap_result $? "debian minbase: resolv.conf is the view"

	lxrun --root "$DEBROOT" --add-host deb.test:10.77.0.61 -- getent hosts deb.test |
		grep -q '^10.77.0.61'
	tap_result $? "debian minbase: glibc getent sees --add-host"

	lxrun --root "$DEBROOT" -- cat /proc/net/route >"$TMP_DIR/route.deb" &&
		diff -u /proc/net/route "$TMP_DIR/route.deb"
	tap_result $? "debian minbase: /proc/net/route is the view"

	lxrun --root "$DEBROOT" -- bash -c 'exec 3<>/dev/tcp/127.0.0.1/18081 && printf "GET /probe HTTP/1.0\r\n\r\n" >&3 && grep -q rootfs-ok <&3'
	tap_result $? "debian minbase: bash reaches the host's loopback"
else
	why="no Debian tree in $DEBROOT (debootstrap missing, not root, or the archive unreachable: see /var/cache/lxnet-test/debootstrap.log)"
	for t in resolv hosts route tcp; do
		tap_skip "debian minbase $t" "$why"
	done
fi

tap_done
