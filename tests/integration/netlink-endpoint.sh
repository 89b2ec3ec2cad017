#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netlink-endpoint.sh - the emulated NETLINK_ROUTE endpoint under
# `unshare -rn lxnet shim`: the socket API checked call by call
# (tests/helpers/nlep-check.c; the same checks first run against the
# kernel's own NETLINK_ROUTE, so the checker is held to the kernel's
# behaviour), bad input, a listener that never reads gets ENOBUFS once
# while another listener is unaffected, a dump read with native read(2),
# a thousand endpoints, and ip link/addr/route/monitor inside agree with
# the test's "host" namespace.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
CHECK=$top_builddir/tests/helpers/nlep-check
[ -x "$CHECK" ] || tap_skip_all "tests/helpers/nlep-check not built"
command -v ip >/dev/null || tap_skip_all "ip (iproute2) missing"
lib_tmpdir
SOCK=$TMP_DIR/proxy.sock

# The "host": a veth pair with addresses and a route, in this namespace.
ip link add nle0 type veth peer name nle1 || tap_skip_all "no veth"
ip addr add 10.66.0.1/24 dev nle0
ip addr add fd66::1/64 dev nle0 nodad
ip link set nle0 up
ip link set nle1 up
ip route add 10.67.0.0/16 via 10.66.0.2 dev nle0
proxy_start "$SOCK" --netlink=emulated --resolv-conf /dev/null --hosts-file /dev/null ||
	tap_skip_all "lxnet-proxy did not start"

API_CHECKS=72
tap_plan $((API_CHECKS + 28))

# 1: the checker against the kernel itself (a fresh namespace: lo only)
NLEP_CHECK_NATIVE=1 timeout 60 unshare -rn sh -c 'ip link set lo up && exec "$0" api 1' \
	"$CHECK" >"$TMP_DIR/native.out" 2>&1
[ "$(grep -c '^PASS' "$TMP_DIR/native.out")" -eq $API_CHECKS ] &&
	! grep -q '^FAIL' "$TMP_DIR/native.out"
tap_result $? "api: every check holds for the kernel's own NETLINK_ROUTE"
grep '^FAIL' "$TMP_DIR/native.out" | sed 's/^/# kernel: /'

# 2..API_CHECKS+1: the helper's checks under the proxy, one TAP line each
NLINKS=$(ip -o link | wc -l)
timeout 60 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$CHECK" api "$NLINKS" \
	>"$TMP_DIR/api.out" 2>&1
n=0
while read -r word name rest && [ $n -lt $API_CHECKS ]; do
	case $word in
	PASS) n=$((n + 1)); tap_result 0 "api: $name" ;;
	FAIL) n=$((n + 1)); tap_result 1 "api: $name: $rest" ;;
	esac
done <"$TMP_DIR/api.out"
while [ $n -lt $API_CHECKS ]; do
	n=$((n + 1))
	tap_result 1 "api: check $n did not run (see below)"
done
[ "$LIB_TAP_FAILED" -eq 0 ] || sed 's/^/# /' "$TMP_DIR/api.out"

# a listener that does not read overruns and is told once; another
# listener of the same group is not affected
mkfifo "$TMP_DIR/go"
timeout 60 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$CHECK" enobufs-listen 200 \
	<"$TMP_DIR/go" >"$TMP_DIR/enobufs.out" 2>&1 &
EPID=$!
exec 7>"$TMP_DIR/go"
wait_until 10 grep -q READY "$TMP_DIR/enobufs.out"
for i in $(seq 1 200); do
	ip addr add "10.68.$((i / 250)).$((i % 250 + 1))/32" dev nle1
done
# the events are queued to the listener asynchronously: wait until done
wait_idle 30 "$PROXY_PID" || tap_diag "the proxy stayed busy for 30 s"
echo go >&7
exec 7>&-
wait "$EPID"
grep -q '^PASS enobufs-once' "$TMP_DIR/enobufs.out"
tap_result $? "listener that never read: ENOBUFS exactly once"
grep -q '^PASS enobufs-then-data' "$TMP_DIR/enobufs.out"
tap_result $? "after ENOBUFS the queued notifications are read"
grep -q '^PASS enobufs-then-service' "$TMP_DIR/enobufs.out"
tap_result $? "after ENOBUFS the endpoint answers a dump"
grep -q '^PASS enobufs-other-unaffected' "$TMP_DIR/enobufs.out"
tap_result $? "another listener got all 200 notifications and no ENOBUFS"
grep -q '^FAIL' "$TMP_DIR/enobufs.out" && sed 's/^/# /' "$TMP_DIR/enobufs.out"

# a dump of 200+ addresses (several parts) read with read(2), not trapped
NADDR=$(ip -o addr | wc -l)
timeout 30 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$CHECK" dump-read "$NADDR" \
	>"$TMP_DIR/dumpread.out" 2>&1
grep -q '^PASS dumpread-all-parts' "$TMP_DIR/dumpread.out"
tap_result $? "a $NADDR-address dump read with read(2): every part arrives"
grep -q '^PASS dumpread-small-rcvbuf' "$TMP_DIR/dumpread.out"
tap_result $? "the same with the smallest SO_RCVBUF: the proxy refills as it drains"
grep -q '^FAIL' "$TMP_DIR/dumpread.out" && sed 's/^/# /' "$TMP_DIR/dumpread.out"
ip addr flush dev nle1

# a thousand endpoints open at once in one sandbox (ten processes, a
# hundred each), every one used, all closed, then the proxy still serves
timeout 100 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$CHECK" many 1000 \
	>"$TMP_DIR/many.out" 2>&1
grep -q '^PASS many-endpoints' "$TMP_DIR/many.out" &&
	grep -q '^PASS many-unique-ports' "$TMP_DIR/many.out"
tap_result $? "1000 endpoints open at once, each answers, unique port ids"
grep -q '^PASS many-then-service' "$TMP_DIR/many.out"
tap_result $? "after the 1000 are closed a new endpoint is served"
grep -q '^FAIL' "$TMP_DIR/many.out" && sed 's/^/# /' "$TMP_DIR/many.out"

# 100 endpoints each sent a 200 KB datagram of requests, never read: the
# replies the proxy holds are bounded by each endpoint's SO_RCVBUF (was
# 3.5 MB per endpoint), and each first receive fails ENOBUFS as natively
mkfifo "$TMP_DIR/go2"
timeout 60 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$CHECK" flood 100 \
	<"$TMP_DIR/go2" >"$TMP_DIR/flood.out" 2>&1 &
FPID=$!
exec 7>"$TMP_DIR/go2"
wait_until 30 grep -q READY "$TMP_DIR/flood.out"
# The requests are answered after send() returns (the kernel answers
# within it): wait until the proxy is done with all of them.
wait_idle 30 "$PROXY_PID" || tap_diag "the proxy stayed busy for 30 s"
rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$PROXY_PID"/status)
echo go >&7
exec 7>&-
wait "$FPID"
if ldd "$PROXY_BIN" 2>/dev/null | grep -q libasan; then
	# ASan's shadow and quarantine (256 MB by default) are in VmRSS
	tap_skip "100 flooded endpoints: proxy VmRSS bounded" "ASan shadow and quarantine are in VmRSS (${rss} kB)"
else
	[ -n "$rss" ] && [ "$rss" -lt 65536 ]
	tap_result $? "100 flooded endpoints: proxy VmRSS ${rss} kB (< 64 MB)"
fi
grep -q '^PASS flood-enobufs' "$TMP_DIR/flood.out"
tap_result $? "each flooded endpoint's first receive fails ENOBUFS"
grep -q '^FAIL' "$TMP_DIR/flood.out" && sed 's/^/# /' "$TMP_DIR/flood.out"

# one sandbox blocking 1100 receives gets 256 parked and ENOBUFS for the
# rest; another sandbox's blocking receive still parks (and times out)
mkfifo "$TMP_DIR/go3"
timeout 60 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$CHECK" park 1100 \
	<"$TMP_DIR/go3" >"$TMP_DIR/park.out" 2>&1 &
PPID_A=$!
exec 7>"$TMP_DIR/go3"
wait_until 30 grep -q READY "$TMP_DIR/park.out"
grep -q '^PASS park-sandbox-quota' "$TMP_DIR/park.out"
tap_result $? "a sandbox parks at most 256 receives ($(grep INFO "$TMP_DIR/park.out"))"
timeout 20 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$CHECK" recv-timeo \
	>"$TMP_DIR/timeo.out" 2>&1
grep -q '^PASS recv-timeo-eagain' "$TMP_DIR/timeo.out"
tap_result $? "meanwhile another sandbox's blocking receive parks and times out (EAGAIN)"
echo go >&7
exec 7>&-
wait "$PPID_A"
grep -q '^FAIL' "$TMP_DIR/park.out" "$TMP_DIR/timeo.out" &&
	sed 's/^/# /' "$TMP_DIR/park.out" "$TMP_DIR/timeo.out"

# requests of 300,000 and 600,000 bytes (S's buffer raised through a copy
# outside the range) get the kernel's answer, never silence: ENOBUFS (the
# replies overrun, or past NLMSG_REQ_MAX the request is refused), or
# EMSGSIZE from send when net.core.wmem_max is too small for the size
big_py='import socket, os, struct, sys
size = int(sys.argv[1])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
d = socket.socket(fileno=os.dup(s.fileno()))
d.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)
one = struct.pack("=IHHII", 32, 18, 5, 1, 0) + struct.pack("=BBHiII", 0, 0, 0, 1, 0, 0)
try: s.send(one * (size // 32))
except OSError as e: print("send errno", e.errno); sys.exit(0)
s.settimeout(3)
try:
    s.recv(65536); print("answer")
except socket.timeout: print("none")
except OSError as e: print("errno", e.errno)'
for size in 300000 600000; do
	out=$(timeout 20 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c "$big_py" $size 2>&1)
	nat=$(timeout 20 unshare -rn "$PY" -c "$big_py" $size 2>&1)
	[ "$out" = "$nat" ] && [ "$out" != none ]
	tap_result $? "$size-byte request: '$out' (kernel: '$nat')"
done

# iproute2 inside sees the host's links, addresses and routes
in_ip() { timeout 20 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- ip "$@"; }
norm_link() { awk -F': ' '{ split($3, a, " "); print $2, a[1] }' | sed 's/@[^ ]*//'; }
diff <(ip -o link | norm_link) <(in_ip -o link | norm_link) >"$TMP_DIR/link.diff"
tap_result $? "ip -o link inside: same names and flags as the host"
diff <(ip -o addr | awk '{ print $2, $3, $4 }') \
	<(in_ip -o addr | awk '{ print $2, $3, $4 }') >"$TMP_DIR/addr.diff"
tap_result $? "ip -o addr inside: same addresses as the host"
diff <(ip route; ip -6 route) <(in_ip route; in_ip -6 route) >"$TMP_DIR/route.diff"
tap_result $? "ip route (v4 and v6) inside: the host's routes"
cat "$TMP_DIR"/*.diff | sed 's/^/# /'

# ip monitor inside prints host changes
timeout 30 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- ip monitor address link \
	>"$TMP_DIR/monitor.out" 2>&1 &
MPID=$!
lib_on_exit "kill $MPID 2>/dev/null"
# subscribed once it waits for events in a parked receive
wait_until 20 in_trap '^ip monitor address link' || tap_diag "ip monitor not waiting after 20 s"
ip addr add 10.69.0.1/24 dev nle0
wait_until 5 grep -q '10.69.0.1/24' "$TMP_DIR/monitor.out"
tap_result $? "ip monitor: an address added on the host"
ip link set nle1 down
wait_until 5 grep -q 'nle1.*state DOWN\|nle1.*<[^>]*BROADCAST' "$TMP_DIR/monitor.out" &&
	grep 'nle1' "$TMP_DIR/monitor.out" | grep -qv 'UP,LOWER_UP'
tap_result $? "ip monitor: a link set down on the host"
kill "$MPID" 2>/dev/null
wait "$MPID" 2>/dev/null
[ "$LIB_TAP_FAILED" -eq 0 ] || sed 's/^/# monitor: /' "$TMP_DIR/monitor.out"

# ip addr add inside fails like an unprivileged container
in_ip addr add 10.70.0.1/24 dev nle0 2>"$TMP_DIR/add.err"
[ $? -ne 0 ] && ! ip -o addr | grep -q 10.70.0.1
tap_result $? "ip addr add inside is refused and changes nothing"

# glibc getifaddrs (python's socket.if_nameindex uses it) lists the host's
names_host=$(ip -o link | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort | tr '\n' ' ')
names_in=$(timeout 20 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c \
	'import socket; print(" ".join(sorted(n for _, n in socket.if_nameindex())))')
[ "$names_host" = "$names_in " ]
tap_result $? "if_nameindex inside: $names_in"

# endpoints are released when the sandbox closes them (fds in the proxy)
few_fds() { nfd=$(ls /proc/"$PROXY_PID"/fd | wc -l); [ "$nfd" -lt 100 ]; }
wait_until 10 few_fds
tap_result $? "endpoints released after their sandboxes ended ($nfd fds in the proxy)"

# A proxy in a pid namespace of its own sees the shim's callers as pid 0:
# it cannot reach them, so their netlink stays the kernel's (the sandbox's
# own, empty namespace) - it must neither hang nor act on another process.
pid0() {
	local s2=$TMP_DIR/p0.sock out pp i
	unshare -pf --kill-child --mount-proc "$top_builddir/proxy/lxnet-proxy" --socket "$s2" \
		--resolv-conf /dev/null --hosts-file /dev/null </dev/null >/dev/null 2>&1 &
	pp=$!
	for i in $(seq 50); do [ -S "$s2" ] && break; sleep 0.1; done
	out=$(timeout 10 unshare -rn "$LXNET_BIN" shim --proxy "$s2" -- "$PY" -c '
import socket
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
print(s.fileno() < 896, " ".join(sorted(n for _, n in socket.if_nameindex())))' 2>&1)
	kill -KILL "$pp" 2>/dev/null; wait "$pp" 2>/dev/null
	tap_diag "pid 0 caller: $out"
	[ "$out" = "True lo" ]
}
tap_check "a caller the proxy cannot see (pid 0) gets the kernel's own netlink, no hang" pid0

# shutdown(SHUT_WR) on an endpoint: refused with EOPNOTSUPP, as netlink
# does (trapped in the endpoint ranges). A copy of the fd outside them
# (dup2 to 10) is not trapped and shuts the AF_UNIX socket underneath:
# the proxy's end is then at end of file for good, and the proxy must
# not spin on it.
shut_wr() {
	local t0 t1 bg
	unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c '
import errno, os, socket, sys, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, 1))   # RTMGRP_LINK: events still arrive after the shutdown
try:
    s.shutdown(socket.SHUT_WR)
    sys.exit("shutdown on the endpoint succeeded")
except OSError as e:
    if e.errno != errno.EOPNOTSUPP:
        sys.exit("shutdown on the endpoint: %s" % e)
os.dup2(s.fileno(), 10)
socket.socket(fileno=10).shutdown(socket.SHUT_WR)
open(sys.argv[1], "w").close()
time.sleep(3)
' "$TMP_DIR/shut.ready" &
	bg=$!
	wait_until 10 test -e "$TMP_DIR/shut.ready" || return 1
	sleep 0.3
	t0=$(lib_cpu_ticks "$PROXY_PID")
	sleep 2
	t1=$(lib_cpu_ticks "$PROXY_PID")
	wait "$bg"
	tap_diag "proxy CPU over 2 s with a shut endpoint: $((t1 - t0)) ticks"
	[ $((t1 - t0)) -le 10 ]
}
tap_check "shutdown(SHUT_WR) on an endpoint: EOPNOTSUPP; shut through a copy, the proxy does not spin" shut_wr

# The fallbacks older kernels take, forced on this one: the /proc/PID/maps
# text instead of PROCMAP_QUERY (6.11) for the writability of receive
# buffers, and ordinary instead of synchronous wake-ups (6.6). The same
# call-by-call checks must hold.
fallbacks() {
	local s2=$TMP_DIR/fb.sock pp i n
	LXNET_PROXY_TEST_NO_PROCMAP_QUERY=1 "$PROXY_BIN" --socket "$s2" --no-sync-wakeup --netlink=emulated \
		--resolv-conf /dev/null --hosts-file /dev/null </dev/null >/dev/null 2>>"$TMP_DIR/proxy.log" &
	pp=$!
	for i in $(seq 50); do [ -S "$s2" ] && break; sleep 0.1; done
	timeout 60 unshare -rn "$LXNET_BIN" shim --proxy "$s2" -- "$CHECK" api "$NLINKS" \
		>"$TMP_DIR/fb.out" 2>&1
	kill "$pp" 2>/dev/null; wait "$pp" 2>/dev/null
	n=$(grep -c '^PASS' "$TMP_DIR/fb.out")
	tap_diag "fallbacks: $n of $API_CHECKS checks pass"
	grep '^FAIL' "$TMP_DIR/fb.out" | sed 's/^/# /'
	[ "$n" -eq $API_CHECKS ] && ! grep -q '^FAIL' "$TMP_DIR/fb.out"
}
tap_check "without PROCMAP_QUERY and synchronous wake-ups (forced): every api check holds" fallbacks

# An endpoint is a socket of the proxy's namespace (the host's): a copy of
# its fd out of the endpoint range, whose calls are not trapped, must not
# bind an abstract name there (squatting the host's names, e.g. a
# SOCK_SEQPACKET service's). The proxy autobinds it, so bind fails EINVAL.
squat() {
	local out
	out=$(timeout 30 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- python3 -c '
import os, socket
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
u = socket.socket(fileno=os.dup(s.fileno()))
try:
    u.bind("\0lxnet-test-squat"); print("bound")
except OSError as e:
    print("errno", e.errno)' 2>&1)
	tap_diag "copy of an endpoint binding @lxnet-test-squat: $out"
	[ "$out" = "errno 22" ] &&
		python3 -c 'import socket
socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET).bind("\0lxnet-test-squat")'
}
tap_check "a copy of an endpoint's fd cannot bind an abstract name of the host's" squat

# the proxy is still alive
proxy_alive
tap_result $? "lxnet-proxy survived"
tap_done
