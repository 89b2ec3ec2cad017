#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-net.sh - the sandbox uses the host's network: HTTP to a server on the
# host's loopback, and name resolution through the generated resolv.conf
# against a dnsmasq serving a test zone on a veth address.
. "$(dirname "$0")/run-common.sh"
lib_enter_ns "$@"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
tap_plan 7

python3 -m http.server -b 127.0.0.1 18082 --directory "$TMP_DIR" >/dev/null 2>&1 &
lib_on_exit "kill $!"
echo net-ok >"$TMP_DIR/probe"
wait_until 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/18082' 2>/dev/null

# Control: without lxnet a fresh network namespace cannot reach it.
! timeout 10 unshare -n curl -s -m 3 http://127.0.0.1:18082/probe >/dev/null 2>&1
tap_result $? "control: a plain new network namespace cannot reach the server"

if command -v curl >/dev/null; then
	[ "$(lxrun -- curl -s -m 10 http://127.0.0.1:18082/probe)" = net-ok ]
	tap_result $? "curl in the sandbox reaches a server on the host's loopback"
	[ "$(lxrun --pid -- sh -c 'curl -s -m 10 http://127.0.0.1:18082/probe')" = net-ok ]
	tap_result $? "curl from a grandchild under --pid"
else
	tap_skip "curl to the host's loopback" "curl missing"
	tap_skip "curl from a grandchild" "curl missing"
fi

if command -v dnsmasq >/dev/null; then
	dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
		--listen-address=10.77.0.1 --port=53 --user="$(id -un)" \
		--pid-file="$TMP_DIR/dnsmasq.pid" \
		--address=/name.test/10.77.0.5 --log-facility="$TMP_DIR/dnsmasq.log" &
	lib_on_exit "kill $!"
	wait_until 10 sh -c 'test -s "$1"' sh "$TMP_DIR/dnsmasq.pid"
	wait_until 5 sh -c 'getent ahosts name.test >/dev/null' 2>/dev/null
	out=$(RES_OPTIONS="timeout:2 attempts:2" lxrun -- getent ahosts name.test)
	echo "$out" | grep -q '^10.77.0.5[[:space:]]'
	tap_result $? "getent ahosts name.test in the sandbox asks dnsmasq on the host"

	out=$(lxrun --add-host name.test:10.77.0.6 -- getent ahosts name.test)
	echo "$out" | grep -q '^10.77.0.6[[:space:]]' && ! echo "$out" | grep -q 10.77.0.5
	tap_result $? "--add-host wins over DNS"

	out=$(lxrun --dns 10.77.0.1 --dns-search test -- sh -c 'cat /etc/resolv.conf; getent ahosts name')
	echo "$out" | grep -q '^search test$' && echo "$out" | grep -q '^10.77.0.5[[:space:]]'
	tap_result $? "--dns and --dns-search shape the resolver"

	lxrun --dns 10.77.1.99 -- sh -c 'grep -q "^nameserver 10.77.1.99$" /etc/resolv.conf && ! getent ahosts name.test'
	tap_result $? "a --dns without a server fails to resolve (the answer came from dnsmasq)"
else
	for t in ahosts add-host dns negative; do
		tap_skip "dns $t" "dnsmasq missing (apt-get install dnsmasq-base)"
	done
fi

tap_done
