#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# policy-swap.sh - under a policy, a call the proxy hands back to the kernel
# (CONTINUE) cannot become a connection nobody decided: a thread swapping a
# host TCP socket onto the call's fd number, and another rewriting the
# address to a refused destination or local port, get nothing through
# (tests/helpers/policy-swap.c); TCP over a nested namespace's own loopback
# still works (the proxy connects and binds it: Landlock refuses the
# sandbox's own tasks every TCP connect, and bind but to privileged ports,
# they make themselves).
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-300}
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
lib_tmpdir
SWAP=$top_builddir/tests/helpers/policy-swap
[ -x "$SWAP" ] || tap_skip_all "tests/helpers/policy-swap not built"
tap_plan 8
N=20000

# the Landlock ABI of this kernel: TCP rules from 4 (Linux 6.7)
ABI=$("$PY" -c 'import ctypes; print(ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1))')
tap_diag "Landlock ABI: $ABI"
landlock=false
[ "$ABI" -ge 4 ] 2>/dev/null && landlock=true

# one refused port per mode, one allowed
"$PY" "$top_srcdir/tests/integration/policy-servers.py" "$TMP_DIR/ready" "$TMP_DIR/counts" \
	tcp:127.0.0.1:9121 tcp:127.0.0.1:9122 tcp:127.0.0.1:9123 tcp:127.0.0.1:9124 \
	tcp:127.0.0.1:9125 &
SERVERS=$!
lib_on_exit "kill $SERVERS 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/ready" || tap_skip_all "servers did not start"
printf 'nameserver 127.0.0.1\n' >"$TMP_DIR/resolv.conf"
printf '127.0.0.1 localhost\n' >"$TMP_DIR/hosts"
"$PROXY_BIN" --socket "$TMP_DIR/p.sock" --resolv-conf "$TMP_DIR/resolv.conf" \
	--hosts-file "$TMP_DIR/hosts" --allow tcp:127.0.0.1:9121 \
	--allow bind:tcp:127.0.0.1:9121 2>>"$TMP_DIR/proxy.log" &
lib_on_exit "kill $! 2>/dev/null"
wait_until 5 test -S "$TMP_DIR/p.sock" || tap_skip_all "the proxy did not start"

# swap MODE PORT [NAME] - the race in MODE against refused PORT; its line
# in OUT_NAME (NAME: MODE)
swap() {
	local out
	out=$(timeout -k 5 120 unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/p.sock" -- \
		"$SWAP" "$1" 127.0.0.1 "$2" $N 2>&1)
	printf '# %s: %s\n' "${3:-$1}" "$out"
	eval "OUT_${3:-$1}=\$out"
}
swap unix 9122
swap file 9123
swap fastopen 9124
swap bind 9126
# a privileged port the host lets anyone bind (its own sysctl: this
# test's namespace), which the policy refuses
sysctl -qw net.ipv4.ip_unprivileged_port_start=0
swap bind 999 bind999
sysctl -qw net.ipv4.ip_unprivileged_port_start=1024
# the same through lxnet run, which enters the domain for its sandbox
OUT_run=skipped
if [ -c /dev/fuse ] && [ -x "$top_builddir/fs/lxnetfs" ]; then
	OUT_run=$(timeout -k 5 120 "$LXNET_BIN" run --resolv-conf "$TMP_DIR/resolv.conf" \
		--hosts-file "$TMP_DIR/hosts" --allow tcp:127.0.0.1:9121 -- \
		"$SWAP" unix 127.0.0.1 9125 $N 2>&1)
	printf '# lxnet run, unix: %s\n' "$OUT_run"
fi
kill "$SERVERS"
wait "$SERVERS" 2>/dev/null
sed 's/^/# counts: /' "$TMP_DIR/counts"

# 1-3: each run made its N calls, and nothing arrived at its refused port
port=9122
for m in unix file fastopen; do
	eval "out=\$OUT_$m"
	arrived=$(awk -v p="tcp:127.0.0.1:$port" '$1 == p { print $2 }' "$TMP_DIR/counts")
	port=$((port + 1))
	if [ "$m" != file ] && ! $landlock; then
		tap_skip "$m decoy swap" "no Landlock TCP rules on this kernel (ABI $ABI): $arrived arrived"
		continue
	fi
	case $out in "calls $N "*) [ "$arrived" = 0 ] ;; *) false ;; esac
	tap_result $? "$m decoy swapped with a host TCP socket during $N calls: $arrived arrivals at the refused port ($out)"
done

# 4: bind: no host socket got bound to the refused local port
case $OUT_bind in "calls $N "*" bound 0"*) true ;; *) false ;; esac
r=$?
if $landlock; then
	tap_result $r "bind with an AF_UNIX decoy swapped with a host TCP socket during $N calls ($OUT_bind)"
else
	tap_skip "bind decoy swap" "no Landlock TCP rules on this kernel (ABI $ABI): $OUT_bind"
fi
case $OUT_bind999 in "calls $N "*" bound 0"*) true ;; *) false ;; esac
r=$?
if $landlock; then
	tap_result $r "the same to port 999 where the host lets anyone bind it ($OUT_bind999)"
else
	tap_skip "bind decoy swap, port 999" "no Landlock TCP rules on this kernel (ABI $ABI): $OUT_bind999"
fi

# 5: lxnet run
arrived=$(awk '$1 == "tcp:127.0.0.1:9125" { print $2 }' "$TMP_DIR/counts")
if [ "$OUT_run" = skipped ]; then
	tap_skip "lxnet run: unix decoy swap" "no /dev/fuse or lxnetfs"
elif ! $landlock; then
	tap_skip "lxnet run: unix decoy swap" "no Landlock TCP rules on this kernel (ABI $ABI): $arrived arrived"
else
	case $OUT_run in "calls $N "*) [ "$arrived" = 0 ] ;; *) false ;; esac
	tap_result $? "lxnet run --allow: unix decoy swapped during $N connects: $arrived arrivals ($OUT_run)"
fi

# 7: a nested namespace's own loopback: TCP binds (the proxy makes them:
# to 8080, and to 80 for root there), connects (blocking, and non-blocking
# then polled)
NESTED='import socket, select
p = socket.socket(); p.bind(("127.0.0.1", 80)); p.close()
s = socket.socket(); s.bind(("127.0.0.1", 8080)); s.listen(4)
c = socket.create_connection(s.getsockname(), timeout=5)
a, _ = s.accept(); c.sendall(b"ping"); got = a.recv(4)
n = socket.socket(); n.setblocking(False)
e = n.connect_ex(s.getsockname())
select.select([], [n], [], 5)
print(got.decode(), e in (0, 115), n.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))'
out=$(timeout -k 5 60 unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/p.sock" -- \
	unshare -rn sh -c "ip link set lo up && exec $PY -c '$NESTED'" 2>&1)
tap_diag "nested: $out"
[ "$out" = "ping True 0" ]
tap_result $? "TCP over a nested namespace's own loopback under a policy"

# 8: port 80 there without CAP_NET_BIND_SERVICE: EACCES, as natively
BIND80='import socket
try:
    socket.socket().bind(("127.0.0.1", 80)); print("bound")
except OSError as e:
    print(e.errno == 13 and "EACCES" or e)'
CAPLESS="setpriv --bounding-set=-net_bind_service --inh-caps=-net_bind_service"
native=$(timeout -k 5 30 unshare -rn sh -c "ip link set lo up && exec $CAPLESS $PY -c '$BIND80'" 2>&1)
out=$(timeout -k 5 30 unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/p.sock" -- \
	unshare -rn sh -c "ip link set lo up && exec $CAPLESS $PY -c '$BIND80'" 2>&1)
tap_diag "port 80 without the capability: natively $native, under the policy $out"
[ "$native" = EACCES ] && [ "$out" = EACCES ]
tap_result $? "a nested namespace's port 80 without CAP_NET_BIND_SERVICE: EACCES, as natively"
