#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-ping.sh - ICMP echo as root inside `lxnet run`: a raw ICMP socket is
# a host ping socket dressed as raw (proxy/pingraw.c) where the host's
# ping_group_range admits the proxy's group, EPERM where it does not.
# busybox ping and iputils ping to a peer namespace and to the host's
# loopback, the reply format checked field by field (ping-check.py), Go's
# raw IP tests, and the same as an ordinary user.
. "$(dirname "$0")/run-common.sh"
: "${LXNET_TEST_TIMEOUT:=300}" # Go's net tests are built here
export LXNET_TEST_TIMEOUT
lib_enter_ns "$@"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
command -v python3 >/dev/null || tap_skip_all "python3 missing"
# ping_group_range is per network namespace: this one is the test's own
sysctl -qw net.ipv4.ping_group_range="0 2147483647" 2>/dev/null &&
	python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM, 1)' 2>/dev/null ||
	tap_skip_all "no ICMP ping sockets in this kernel"
CHECK=$(dirname "$0")/ping-check.py
tap_plan 16

# A peer namespace answering echo requests at 10.79.0.2 (a veth pair,
# one end moved into it).
unshare -n sleep 300 &
peer=$!
lib_on_exit "kill $peer"
wait_until 5 sh -c "[ \"\$(readlink /proc/$peer/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]"
ip link add lxp0 type veth peer name lxp1 &&
	ip link set lxp1 netns "$peer" &&
	ip addr add 10.79.0.1/24 dev lxp0 && ip link set lxp0 up &&
	nsenter -t "$peer" -n sh -c 'ip link set lo up; ip addr add 10.79.0.2/24 dev lxp1; ip link set lxp1 up' ||
	tap_skip_all "cannot make the peer namespace"
wait_until 5 ping -c1 -W1 10.79.0.2 >/dev/null 2>&1

# busybox ping opens SOCK_RAW as uid 0 (and says "permission denied (are
# you root?)" when refused).
if command -v busybox >/dev/null || apt-get install -y busybox >/dev/null 2>&1; then
	out=$(lxrun -- busybox ping -c 3 -W 2 10.79.0.2 2>&1)
	st=$?
	[ $st -eq 0 ] && printf '%s\n' "$out" | grep -q '3 packets transmitted, 3 packets received'
	tap_result $? "busybox ping -c 3 to the peer namespace ($(printf %s "$out" | tail -2 | tr '\n' '|'))"
	out=$(lxrun -- busybox ping -c 3 -i 0.2 127.0.0.1 2>&1)
	[ $? -eq 0 ] && printf '%s\n' "$out" | grep -q 'seq=2 ttl=64'
	tap_result $? "busybox ping -c 3 to the host's loopback, TTL from the header ($(printf %s "$out" | tail -1))"
else
	tap_skip "busybox ping to the peer" "busybox not installable"
	tap_skip "busybox ping to loopback" "busybox not installable"
fi

# iputils ping: the installed one may carry cap_net_raw or be setuid; a
# plain copy runs as root inside and asks for what root asks.
if command -v ping >/dev/null || apt-get install -y iputils-ping >/dev/null 2>&1; then
	cp "$(command -v ping)" "$TMP_DIR/ping" && chmod 755 "$TMP_DIR" "$TMP_DIR/ping"
	# (it takes a ping socket first where ping_group_range allows one)
	out=$(lxrun -- "$TMP_DIR/ping" -c 3 -i 0.2 -W 2 10.79.0.2 2>&1)
	[ $? -eq 0 ] && printf '%s\n' "$out" | grep -q '3 received'
	tap_result $? "iputils ping -c 3 to the peer namespace ($(printf %s "$out" | grep received))"
	out=$(lxrun -- "$TMP_DIR/ping" -c 2 -i 0.2 127.0.0.1 2>&1)
	[ $? -eq 0 ] && printf '%s\n' "$out" | grep -q 'icmp_seq=2 ttl=64'
	tap_result $? "iputils ping -c 2 to the host's loopback"
else
	tap_skip "iputils ping to the peer" "iputils-ping not installable"
	tap_skip "iputils ping to loopback" "iputils-ping not installable"
fi

# The reply format, field by field, and the socket's options.
out=$(lxrun -- python3 "$CHECK" 10.79.0.2 10.79.0.1 2>&1)
st=$?
printf '%s\n' "$out" | sed 's/^/# /'
[ $st -eq 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'
tap_result $? "raw socket reply format and options (ping-check.py, to the peer)"
out=$(lxrun -- python3 "$CHECK" 127.0.0.1 127.0.0.1 2>&1)
st=$?
[ $st -eq 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'
tap_result $? "raw socket reply format and options (ping-check.py, loopback) $(printf '%s\n' "$out" | grep '^not ok' | head -2 | tr '\n' '|')"

# Under a low fd limit the socket goes to 56-63 (seccomp_filter.h), where
# it is served the same way.
out=$(lxrun -- sh -c 'ulimit -n 256; python3 -c "import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 1)
s.settimeout(3)
s.sendto(struct.pack(\"!BBHHH\", 8, 0, 0xf7a4, 0x55, 2), (\"127.0.0.1\", 0))
d = s.recv(100)
print(s.fileno(), d[0], d[9], d[20], struct.unpack(\"!H\", d[24:26])[0])"' 2>&1)
# shellcheck disable=SC2086
set -- $out
[ "${1:-0}" -ge 56 ] && [ "${1:-0}" -le 63 ] && [ "$2 $3 $4 $5" = "69 1 0 85" ]
tap_result $? "ulimit -n 256: the raw socket at fd 56-63, replies with the header and the id ($out)"

# IPv6: raw ICMPv6 shows no IP header; the id and ICMP6_FILTER matter
out=$(lxrun -- python3 "$CHECK" ::1 ::1 2>&1)
st=$?
[ $st -eq 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'
tap_result $? "raw ICMPv6 socket: id, no header, ICMP6_FILTER (ping-check.py, ::1) $(printf '%s\n' "$out" | grep -v '^ok' | head -3 | tr '\n' '|')"
if command -v busybox >/dev/null; then
	out=$(lxrun -- busybox ping -6 -c 2 -i 0.2 ::1 2>&1)
	[ $? -eq 0 ] && printf '%s\n' "$out" | grep -q '2 packets received'
	tap_result $? "busybox ping -6 -c 2 ::1 ($(printf %s "$out" | tail -1))"
else
	tap_skip "busybox ping -6" "busybox not installable"
fi

# Go's raw IP tests (ip4:icmp)
gotest=""
if command -v go >/dev/null; then
	gotest=$TMP_DIR/net.test
	# the build cache is kept between runs, as the rootfs tests keep theirs
	mkdir -p /var/cache/lxnet-test/go-build &&
		(cd "$TMP_DIR" && HOME=$TMP_DIR GOCACHE=/var/cache/lxnet-test/go-build \
		timeout 200 nice go test -c -o "$gotest" net >"$TMP_DIR/go-build.log" 2>&1) || gotest=""
fi
if [ -n "$gotest" ]; then
	out=$(lxrun -- "$gotest" -test.run '^(TestIPConnLocalName|TestIPConnSpecificMethods)$' -test.v 2>&1)
	st=$?
	[ $st -eq 0 ] && printf '%s\n' "$out" | grep -q -- '--- PASS: TestIPConnLocalName' &&
		printf '%s\n' "$out" | grep -q -- '--- PASS: TestIPConnSpecificMethods'
	tap_result $? "Go TestIPConnLocalName, TestIPConnSpecificMethods as root inside ($(printf %s "$out" | grep -- '^--- ' | tr '\n' '|'))"
else
	tap_skip "Go TestIPConn*" "go not installed or the net tests do not build ($(tail -1 "$TMP_DIR/go-build.log" 2>/dev/null))"
fi

# Under a connection policy the echo requests are governed like any send.
if command -v busybox >/dev/null; then
	out=$(lxrun --deny icmp:127.0.0.2 -- busybox ping -c 1 -W 1 127.0.0.2 2>&1)
	[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q 'Operation not permitted'
	tap_result $? "--deny icmp:127.0.0.2 refuses busybox's echo request ($(printf %s "$out" | grep -i 'not permitted'))"
	out=$(lxrun --deny icmp:127.0.0.2 -- busybox ping -c 1 -W 2 127.0.0.1 2>&1)
	[ $? -eq 0 ] && printf '%s\n' "$out" | grep -q '1 packets received'
	tap_result $? "... and lets 127.0.0.1 through"
else
	tap_skip "--deny icmp" "busybox not installable"
	tap_skip "--deny icmp, other address" "busybox not installable"
fi

# EPERM where the range leaves the proxy's group out (the proxy is root's
# here: gid 0), as a raw socket without CAP_NET_RAW.
sysctl -qw net.ipv4.ping_group_range="1 0"
out=$(lxrun -- python3 -c 'import socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, 1); print("made")
except OSError as e: print(e.errno)' 2>&1)
[ "$out" = 1 ]
tap_result $? "socket(SOCK_RAW, IPPROTO_ICMP) fails EPERM when ping_group_range excludes the proxy's group ($out)"
if command -v busybox >/dev/null; then
	out=$(lxrun -- busybox ping -c 1 -W 1 127.0.0.1 2>&1)
	[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q 'permission denied'
	tap_result $? "busybox ping then says permission denied ($out)"
else
	tap_skip "busybox ping refused" "busybox not installable"
fi
sysctl -qw net.ipv4.ping_group_range="0 2147483647"

# An ordinary user's sandbox: its proxy's group is the user's.
if run_make_user && run_grant_fuse && command -v busybox >/dev/null; then
	chmod 644 "$TMP_DIR/resolv.conf" "$TMP_DIR/hosts"
	out=$(run_as_user "timeout 60 '$LXNET' run $VIEW -- busybox ping -c 2 -i 0.2 10.79.0.2" 2>&1)
	[ $? -eq 0 ] && printf '%s\n' "$out" | grep -q '2 packets received'
	tap_result $? "ordinary user: busybox ping as root inside ($(printf %s "$out" | tail -1))"
	g=$(id -g "$RUN_USER")
	sysctl -qw net.ipv4.ping_group_range="0 $((g - 1))"
	out=$(run_as_user "timeout 60 '$LXNET' run $VIEW -- busybox ping -c 1 -W 1 10.79.0.2" 2>&1)
	[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q 'permission denied'
	tap_result $? "ordinary user outside ping_group_range: permission denied ($out)"
else
	tap_skip "ordinary user: busybox ping" "no throw-away user, /dev/fuse or busybox"
	tap_skip "ordinary user outside ping_group_range" "no throw-away user, /dev/fuse or busybox"
fi
