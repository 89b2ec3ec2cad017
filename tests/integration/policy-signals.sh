#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# policy-signals.sh - signals and a governed blocking connect: the same
# EINTR, restart and timeout results and times as the kernel's own connect
# (tests/helpers/connect-intr run natively, then in a shim of a proxy with
# a policy, then in lxnet run), towards a black hole (a neighbour entry
# whose frames no one takes).
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-240}
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
lib_tmpdir
INTR=$top_builddir/tests/helpers/connect-intr
[ -x "$INTR" ] || tap_skip_all "tests/helpers/connect-intr not built"
MODES="eintr restart sndtimeo timeout stop main other"
tap_plan 11

ip link add bh0 type veth peer name bh1 && ip link set bh0 up && ip link set bh1 up &&
	ip addr add 10.67.0.1/24 dev bh0 &&
	ip neigh add 10.67.0.9 lladdr 02:00:00:00:00:09 dev bh0 nud permanent ||
	tap_skip_all "cannot make a veth pair here"
printf 'nameserver 10.67.0.1\n' >"$TMP_DIR/resolv.conf"
printf '127.0.0.1 localhost\n' >"$TMP_DIR/hosts"
mount --bind "$TMP_DIR/resolv.conf" /etc/resolv.conf || tap_diag "cannot bind resolv.conf"
"$PROXY_BIN" --socket "$TMP_DIR/p.sock" --resolv-conf "$TMP_DIR/resolv.conf" \
	--hosts-file "$TMP_DIR/hosts" --log-connections="$TMP_DIR/conn.log" \
	2>>"$TMP_DIR/proxy.log" &
PPID_=$!
lib_on_exit "kill $PPID_ 2>/dev/null"
wait_until 5 test -S "$TMP_DIR/p.sock" || tap_skip_all "the proxy did not start"

# same NATIVE INSIDE - the same result and handler counts, and a time
# within 40 ms below and 400 ms above the kernel's
same() {
	local n=$1 i=$2
	[ "${n% ms=*}" = "${i% ms=*}" ] || return 1
	[ "${i##*ms=}" -ge $((${n##*ms=} - 40)) ] && [ "${i##*ms=}" -le $((${n##*ms=} + 400)) ]
}

# 1-7: each mode natively, then under the policy
for m in $MODES; do
	native=$(timeout 20 "$INTR" "$m" 10.67.0.9 80 2>&1)
	inside=$(in_shim "$TMP_DIR/p.sock" timeout 20 "$INTR" "$m" 10.67.0.9 80 2>&1)
	tap_diag "native: $native"
	tap_diag "inside: $inside"
	same "$native" "$inside"
	tap_result $? "connect and signals, $m: as the kernel's ($inside)"
done

# 8: the connects were governed (else 1-7 compared the kernel with itself)
n=$(grep -c '"call":"connect".*"remote_addr":"10.67.0.9"' "$TMP_DIR/conn.log")
tap_diag "governed connects to the black hole: $n"
[ "$n" -ge 7 ]
tap_result $? "the connects of 1-7 were made by the proxy ($n logged)"

# 9: a caught signal no longer holds back a later fatal one: SIGTERM after
# SIGUSR2 (caught, SA_RESTART) ends the process at once
in_shim "$TMP_DIR/p.sock" "$PY" -c '
import os, signal, socket, sys, time
signal.signal(signal.SIGUSR2, lambda s, f: None)
signal.siginterrupt(signal.SIGUSR2, False)
pid = os.getpid()
if os.fork() == 0:
    time.sleep(0.3); os.kill(pid, signal.SIGUSR2)
    time.sleep(0.3); os.kill(pid, signal.SIGTERM)
    os._exit(0)
socket.create_connection(("10.67.0.9", 80))
print("connect returned", file=sys.stderr)
' &
pid=$!
start=$(date +%s%N)
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_until 20 gone
ms=$((($(date +%s%N) - start) / 1000000))
wait "$pid"
st=$?
tap_diag "status $st after $ms ms"
[ "$st" = 143 ] && [ "$ms" -lt 5000 ]
tap_result $? "SIGTERM after a caught signal ends a connecting process (status $st, $ms ms)"

# 10: the same through lxnet run
if [ -c /dev/fuse ] && [ -x "$top_builddir/fs/lxnetfs" ]; then
	out=$(timeout -k 5 60 "$LXNET_BIN" run --resolv-conf "$TMP_DIR/resolv.conf" \
		--hosts-file "$TMP_DIR/hosts" --deny tcp:10.67.0.10 -- \
		"$INTR" restart 10.67.0.9 80 2>&1)
	tap_diag "lxnet run: $out"
	native=$("$INTR" restart 10.67.0.9 80 2>&1)
	same "$native" "$out"
	tap_result $? "lxnet run with a policy: an SA_RESTART signal restarts the connect, another ends it EINTR ($out)"
else
	tap_skip "lxnet run, connect and signals" "no /dev/fuse or lxnetfs"
fi

# 11: SIGHUP is refused with a warning; the proxy goes on governing
kill -HUP "$PPID_"
before=$(grep -c '"call":"connect"' "$TMP_DIR/conn.log")
sleep 0.2
out=$(in_shim "$TMP_DIR/p.sock" timeout 20 "$INTR" eintr 10.67.0.9 80 2>&1)
after=$(grep -c '"call":"connect"' "$TMP_DIR/conn.log")
tap_diag "after SIGHUP: $out; connects logged $before, then $after"
kill -0 "$PPID_" && grep -q 'SIGHUP: the policy is not read again' "$TMP_DIR/proxy.log" &&
	[ "$after" -gt "$before" ] && [ "${out% ms=*}" = "eintr result=EINTR a=1 b=0" ]
tap_result $? "SIGHUP: the proxy warns, keeps its policy and goes on"
tap_done
