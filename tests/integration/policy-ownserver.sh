#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# policy-ownserver.sh - under a policy the sandbox's clients reach its own
# TCP servers on the host's loopback (proxy/ownserver.c), and nothing else
# there: not a host server sharing the port's number on another address
# or family, not another sandbox's server, not a server that stopped
# listening, not where a NAT rule of the host's sends the connection.
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-240}
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
lib_tmpdir
CHECK="$PY $top_srcdir/tests/integration/ownserver-check.py"
tap_plan 14

ip link set lo up
ip addr add 198.51.100.1/32 dev lo
"$PY" "$top_srcdir/tests/integration/policy-servers.py" "$TMP_DIR/ready" "$TMP_DIR/counts" \
	tcp:127.0.0.1:9701 tcp:127.0.0.1:9702 tcp:127.0.0.1:9703 'tcprp:[::1]:9705' \
	tcp:198.51.100.1:9706 tcp:127.0.0.5:9707 &
SERVERS=$!
lib_on_exit "kill $SERVERS 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/ready" || tap_skip_all "servers did not start"
printf 'nameserver 192.0.2.53\n' >"$TMP_DIR/resolv.conf"
printf '127.0.0.1 localhost\n' >"$TMP_DIR/hosts"

# check NAME CASE EXPECT... - ownserver-check.py in a shim of proxy NAME
check() {
	local name=$1 out st
	shift
	out=$(timeout -k 5 60 unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/$name.sock" -- \
		$CHECK "$@" 2>&1)
	st=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	return $st
}
# in_proxy NAME SCRIPT ARGS... - a Python script in a shim of proxy NAME
in_proxy() {
	local name=$1
	shift
	timeout -k 5 120 unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/$name.sock" -- \
		"$PY" "$@" 2>&1
}
# arrivals_of SPEC - connections the host's server SPEC took
arrivals_of() {
	kill -USR1 "$SERVERS" 2>/dev/null
	sleep 0.2
	awk -v k="$1" '$1 == k { print $2 }' "$TMP_DIR/counts"
}
# arrivals PORT - connections the host's server on 127.0.0.1:PORT took
arrivals() { arrivals_of "tcp:127.0.0.1:$1"; }

# 1: any --allow refuses the host's loopback; the sandbox's own servers
# stay reachable: IPv4, IPv6, IPv4-mapped, the wildcard, dual-stack,
# blocking and not, and a blocking connect to its own full listener holds
# no other call
policy_proxy allow --allow tcp:192.0.2.1:443 --log-connections "$TMP_DIR/conn.log"
check allow own4 ok mapped ok own4nb ok own6 ok own6nb ok any4 ok dual ok thread ok \
	busy ok fullnb ECONNREFUSED late ECONNREFUSED,ok passfd ok forkchild ok dupclose ok \
	host:9701 EPERM
r=$?
grep -q '"rule":"own server"' "$TMP_DIR/conn.log"
tap_result $((r + $?)) "--allow: the sandbox's own servers on the loopback are reached (IPv4, IPv6, mapped, wildcard, dual-stack, non-blocking, bound by an ended thread, given away by its binder; logged as \"own server\"; a non-blocking connect to its full queue refused at once; a port nobody listens on ECONNREFUSED, so a client waiting for its server retries), the host's are not"

# 2: --no-host-loopback alone, the same
policy_proxy lo --no-host-loopback
check lo own4 ok own6nb ok host:9701 EPERM
tap_result $? "--no-host-loopback: the sandbox's own servers are reached, the host's are not"

# 3: a socket of the sandbox's that cannot take the connection alone does
# not open the port: [::]:9702 with IPV6_V6ONLY and 127.0.0.2:9703 share
# their numbers with the host's servers on 127.0.0.1; SO_REUSEPORT (a host
# server of the same user may join); shut down; closed
before2=$(arrivals 9702) before3=$(arrivals 9703)
check allow v6only:9702 EPERM other:9703 EPERM reuseport EPERM shut ECONNREFUSED \
	closed ECONNREFUSED
r=$?
after2=$(arrivals 9702) after3=$(arrivals 9703)
tap_diag "host servers' arrivals: 9702 $before2 -> $after2, 9703 $before3 -> $after3"
[ "$before2" = "$after2" ] && [ "$before3" = "$after3" ]
tap_result $((r + $?)) "a V6ONLY, another address's or a SO_REUSEPORT socket of the sandbox's lets no connection through to the host's servers (EPERM, 0 arrivals); after a shut-down or closed one nothing listens (ECONNREFUSED)"

# 3b: a host server that joined the sandbox's SO_REUSEPORT group (same
# user) before the sandbox cleared the option again would share the
# connections: the host's listeners on the port are read, EPERM
rm -f "$TMP_DIR/rp.ready" "$TMP_DIR/rp.go"
timeout -k 5 60 unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/allow.sock" -- \
	$CHECK "rpclear:9706:$TMP_DIR/rp" EPERM >"$TMP_DIR/rp.out" 2>&1 &
C=$!
wait_until 10 test -e "$TMP_DIR/rp.ready"
"$PY" -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(("127.0.0.1", 9706))
s.listen(64)
s.settimeout(2)
open(sys.argv[1], "w").close()
n = 0
try:
    while True:
        s.accept()[0].close()
        n += 1
except socket.timeout:
    pass
print(n)' "$TMP_DIR/rp.go" >"$TMP_DIR/rp.host" 2>&1
wait "$C"
r=$?
sed 's/^/# /' "$TMP_DIR/rp.out"
tap_diag "the host server in the group took $(cat "$TMP_DIR/rp.host") connections"
[ "$(cat "$TMP_DIR/rp.host")" = 0 ]
tap_result $((r + $?)) "a host server in the sandbox's SO_REUSEPORT group, the option cleared since: EPERM, 0 arrivals"

# 4: an explicit --deny wins over the sandbox's own server
policy_proxy deny --deny tcp:127.0.0.0/8 --allow tcp:192.0.2.1:443
check deny own4 EPERM own6 ok
tap_result $? "an explicit --deny of the loopback refuses the sandbox's own servers too"

# 5: one sandbox does not reach another's server (two shims, one proxy)
rm -f "$TMP_DIR/port" "$TMP_DIR/port.stop"
timeout -k 5 60 unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/allow.sock" -- \
	$CHECK "serve:$TMP_DIR/port" "served 0" >"$TMP_DIR/serve.out" 2>&1 &
A=$!
wait_until 10 test -s "$TMP_DIR/port"
check allow "client:$TMP_DIR/port" EPERM
r=$?
touch "$TMP_DIR/port.stop"
wait "$A"
r=$((r + $?))
sed 's/^/# A: /' "$TMP_DIR/serve.out"
tap_result $r "another sandbox's server is the host's to this one: EPERM, and it saw no connection"

# 6: a NAT rule of the host's sending the connection elsewhere: the
# connection is checked by its 4-tuple after the handshake and refused
if iptables -t nat -A OUTPUT -p tcp -d 127.0.0.1 --dport 9704 -j REDIRECT --to-ports 9701 2>"$TMP_DIR/ipt.err"; then
	cat >"$TMP_DIR/nat.py" <<'EOF'
import errno, select, socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9704))
s.listen(4)
c = socket.socket()
try:
    c.connect(("127.0.0.1", 9704))
    print("blocking: connected")
except OSError as e:
    print("blocking:", errno.errorcode[e.errno])
c = socket.socket()
c.setblocking(False)
print("non-blocking connect:", errno.errorcode.get(c.connect_ex(("127.0.0.1", 9704)), "0"))
select.select([], [c], [], 5)
c.setblocking(True)
try:
    c.sendall(b"x")
    print("non-blocking: sent, read", c.recv(8))
except OSError as e:
    print("non-blocking:", errno.errorcode[e.errno])
EOF
	out=$(in_proxy allow "$TMP_DIR/nat.py")
	iptables -t nat -F OUTPUT
	printf '%s\n' "$out" | sed 's/^/# /'
	printf '%s\n' "$out" | grep -qx 'blocking: EPERM' &&
		printf '%s\n' "$out" | grep -qx 'non-blocking connect: EPERM' &&
		printf '%s\n' "$out" | grep -Eqx 'non-blocking: (EPIPE|ECONNRESET)' &&
		[ "$(grep -c '"verdict":"deny","rule":"own server: the host sent it elsewhere"' \
			"$TMP_DIR/conn.log")" -ge 1 ]
	tap_result $? "a connection a host NAT rule sent to a host server is refused (blocking and non-blocking: EPERM, the socket shut down, logged as denied)"
else
	tap_skip "NAT on the loopback" "iptables cannot add a nat rule here: $(head -c 200 "$TMP_DIR/ipt.err")"
fi

# 7: nothing is left held after a connect to the sandbox's own server:
# 600 non-blocking ones in a row, each accepted and closed, all connect
cat >"$TMP_DIR/many.py" <<'EOF'
import select, socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1024)
ok = 0
for i in range(600):
    c = socket.socket()
    c.setblocking(False)
    c.connect_ex(s.getsockname())
    select.select([], [c], [], 5)
    if c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
        ok += 1
    c.close()
    s.accept()[0].close()
print("connected", ok)
EOF
out=$(in_proxy allow "$TMP_DIR/many.py")
printf '# %s\n' "$out"
[ "$out" = "connected 600" ]
tap_result $? "600 non-blocking connects in a row to the sandbox's own server all connect (nothing left held)"

# 8: a socket that joined the SO_REUSEPORT group of a host server of the
# same user ([::1]:9705) and cleared the option after listen() reads 0
# but stays in the group: no connect is let through, none reaches the host
before=$(arrivals_of 'tcprp:[::1]:9705')
check allow rpcleared:9705 "EPERM x40"
r=$?
after=$(arrivals_of 'tcprp:[::1]:9705')
tap_diag "host server [::1]:9705 (SO_REUSEPORT): arrivals $before -> $after"
[ -n "$before" ] && [ "$before" = "$after" ]
tap_result $((r + $?)) "SO_REUSEPORT cleared after listen(): the host server in the port's group is not reached (0 arrivals, EPERM)"

# 9: a long-lived server stays reachable after 300 short-lived processes
# each bound a TCP socket on the loopback (a test suite's workers): the
# full table forgets the sockets that are gone, not the server's
cat >"$TMP_DIR/table.py" <<'EOF'
import os, socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
for i in range(300):
    pid = os.fork()
    if pid == 0:
        socket.socket().bind(("127.0.0.1", 0))
        os._exit(0)
    os.waitpid(pid, 0)
c = socket.socket()
try:
    c.connect(s.getsockname())
    print("connected")
except OSError as e:
    print(os.strerror(e.errno))
EOF
out=$(in_proxy allow "$TMP_DIR/table.py")
printf '# %s\n' "$out"
[ "$out" = "connected" ]
tap_result $? "the sandbox's server is reached after 300 other processes bound a socket each (a full table forgets the ones gone)"

# 10: blocking connects to a sandbox's own full listener (each waits for
# the SYN retries) take at most CONNPOOL_MAX_OWN of the proxy's pool: two
# sandboxes making 256 each leave a third's blocking connect to an allowed
# host server, and to its own server, answered at once
cat >"$TMP_DIR/hog.py" <<'EOF'
import socket, sys, threading, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
port = s.getsockname()[1]
fill = []
for _ in range(4):  # fill the accept queue (backlog 0 takes one)
    f = socket.socket()
    f.setblocking(False)
    f.connect_ex(("127.0.0.1", port))
    fill.append(f)
def stuck():
    try:
        socket.socket().connect(("127.0.0.1", port))
    except OSError:
        pass
for _ in range(256):
    threading.Thread(target=stuck, daemon=True).start()
time.sleep(2)
open(sys.argv[1], "w").close()
time.sleep(30)
EOF
cat >"$TMP_DIR/victim.py" <<'EOF'
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
for name, addr in (("allowed", ("198.51.100.1", 9706)), ("own", s.getsockname())):
    c = socket.socket()
    t = time.monotonic()
    try:
        c.connect(addr)
        took = time.monotonic() - t
        print("%s: %s" % (name, "at once" if took < 2 else "after %.1f s" % took))
    except OSError as e:
        print("%s: %s" % (name, e))
EOF
policy_proxy pool --allow tcp:198.51.100.1:9706
for h in 1 2; do
	# timeout itself in the background, so that the kill at exit ends it
	timeout -k 5 60 unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/pool.sock" -- \
		"$PY" "$TMP_DIR/hog.py" "$TMP_DIR/hog$h" >/dev/null 2>&1 &
	lib_on_exit "kill $! 2>/dev/null"
done
wait_until 20 test -e "$TMP_DIR/hog1" -a -e "$TMP_DIR/hog2"
out=$(in_proxy pool "$TMP_DIR/victim.py")
printf '%s\n' "$out" | sed 's/^/# /'
[ "$out" = "allowed: at once
own: at once" ]
tap_result $? "two sandboxes' 512 blocking connects to their own full listeners leave another sandbox's blocking connects answered at once"

# 11: a connect to 0.0.0.0 goes to the socket's own bound address: bound
# to 127.0.0.5, where a host server listens on the port of the sandbox's
# 127.0.0.1 server, it is made to 127.0.0.1 (the address checked)
before=$(arrivals_of tcp:127.0.0.5:9707)
check allow anybound:9707 "ok ok"
r=$?
after=$(arrivals_of tcp:127.0.0.5:9707)
tap_diag "host server 127.0.0.5:9707: arrivals $before -> $after"
[ -n "$before" ] && [ "$before" = "$after" ]
tap_result $((r + $?)) "a client bound to 127.0.0.5 connecting to 0.0.0.0 reaches the sandbox's 127.0.0.1 server, not the host's on 127.0.0.5 (0 arrivals)"

# 13: only the host's listeners that could take the destination are read:
# 90000 of them on other ports, or on the port on other addresses (any
# user's, or another sandbox's: each is the host's), would fill the dump
# past what is read, and the sandbox's own servers be refused (EPERM) and
# a free port EPERM as well
# many_listeners ARGS... - ownserver-listeners.py ARGS in the background
# (MANY) until it is ready; false when it could not make them
many_listeners() {
	rm -f "$TMP_DIR/many.ready"*
	"$PY" "$top_srcdir/tests/integration/ownserver-listeners.py" "$1" "$TMP_DIR/many.ready" ${2:+"$2"} &
	MANY=$!
	lib_on_exit "kill $MANY 2>/dev/null; wait $MANY 2>/dev/null"
	wait_until 60 test -e "$TMP_DIR/many.ready"
}
if many_listeners 90000; then
	check allow own4 ok own6nb ok dual ok host:9701 EPERM host:9799 ECONNREFUSED
	r=$?
	kill $MANY; wait $MANY 2>/dev/null
	if many_listeners 90000 9708; then
		check allow own4at:9708 ok host:9708 ECONNREFUSED
		r=$((r + $?))
	else
		r=$((r + 1))
		tap_diag "90000 listeners on port 9708 could not be made"
	fi
	tap_result $r "with 90000 host listeners on other ports, or on the port on other addresses, the sandbox's own servers are reached and a free port is ECONNREFUSED"
else
	tap_skip "90000 host listeners elsewhere" "they could not be made within 60 s (memory, fd limits)"
fi
kill $MANY 2>/dev/null
wait $MANY 2>/dev/null

# 12: through lxnet run
if [ -c /dev/fuse ] && [ -x "$top_builddir/fs/lxnetfs" ]; then
	out=$(timeout -k 5 60 "$LXNET_BIN" run --resolv-conf "$TMP_DIR/resolv.conf" \
		--hosts-file "$TMP_DIR/hosts" --allow tcp:192.0.2.1:443 -- \
		$CHECK own4 ok own6nb ok dual ok host:9701 EPERM 2>&1)
	st=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	tap_result $st "lxnet run --allow: the sandbox's own servers are reached, the host's are not"
else
	tap_skip "lxnet run --allow and the sandbox's own servers" "no /dev/fuse or lxnetfs"
fi
tap_done
