#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netlink-diff.sh - the netlink socket API, native against inside: the
# same program (tests/helpers/nl-diff.c) runs on the kernel's own
# NETLINK_ROUTE in this test's "host" namespace and on lxnet's emulated
# endpoint under `unshare -rn lxnet shim`; each case prints results only
# (return values, errno names, flags), and every line must be equal.
# Cases: SOL_NETLINK options with lengths 0, 3, 4, 8; zero-byte sends;
# NETLINK_PKTINFO with no, a short and an unmapped control buffer; 5,000
# dump requests sent without reading; SIOCGIFINDEX with no fd left.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
DIFF=$top_builddir/tests/helpers/nl-diff
[ -x "$DIFF" ] || tap_skip_all "tests/helpers/nl-diff not built"
lib_tmpdir
chmod 755 "$TMP_DIR"
ip link add nld0 type veth peer name nld1 && ip link set nld0 up ||
	tap_skip_all "cannot make a veth pair here"
proxy_start "$TMP_DIR/p.sock" --netlink=emulated --resolv-conf /dev/null --hosts-file /dev/null ||
	tap_skip_all "lxnet-proxy did not start"
tap_plan 3

timeout 60 "$DIFF" >"$TMP_DIR/native.out" 2>&1
timeout 60 unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/p.sock" -- "$DIFF" \
	>"$TMP_DIR/inside.out" 2>&1
n=$(wc -l <"$TMP_DIR/native.out")
[ "$n" -ge 70 ] && ! grep -q 'no answer\|no socket\|cannot lower' "$TMP_DIR/native.out"
tap_result $? "the checker ran every case against the kernel ($n lines)"
if diff -u "$TMP_DIR/native.out" "$TMP_DIR/inside.out" >"$TMP_DIR/diff"; then
	tap_result 0 "inside equals native, case by case ($n lines)"
else
	sed -n '3,$p' "$TMP_DIR/diff" | grep '^[-+]' | sed 's/^-/# native: /; s/^+/# inside: /'
	tap_result 1 "inside equals native, case by case ($(grep -c '^-[^-]' "$TMP_DIR/diff") of $n differ)"
fi

# 3: a sandbox that sent 5,000 dump requests and reads none: its sends
# return (they blocked after about 600), and the proxy does not spin on
# requests it cannot answer into a full socket (it took a whole core)
unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/p.sock" -- "$PY" -c '
import signal, socket, struct, sys, time
signal.signal(signal.SIGALRM, lambda *a: sys.exit("a send blocked for 20 s"))
signal.alarm(20)
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
for i in range(5000):   # RTM_GETLINK, NLM_F_REQUEST|NLM_F_DUMP
    s.send(struct.pack("=IHHII", 32, 18, 0x301, i + 1, 0) + bytes(16))
signal.alarm(0)
open(sys.argv[1], "w").close()
time.sleep(4)
' "$TMP_DIR/sent" >"$TMP_DIR/unread.out" 2>&1 &
bg=$!
if wait_until 25 test -e "$TMP_DIR/sent"; then
	sleep 0.3
	t0=$(lib_cpu_ticks "$PROXY_PID")
	sleep 2
	t1=$(lib_cpu_ticks "$PROXY_PID")
	tap_diag "proxy CPU over 2 s with 5,000 unread requests: $((t1 - t0)) ticks"
	[ $((t1 - t0)) -le 10 ]
	tap_result $? "5,000 unread dump requests: every send returns, the proxy idles"
else
	tap_result 1 "5,000 unread dump requests: the sends did not return ($(cat "$TMP_DIR/unread.out"))"
fi
wait "$bg"
exit $((LIB_TAP_FAILED > 0))
