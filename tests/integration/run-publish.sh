#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-publish.sh - --publish=HOSTPORT:PORT[/udp] as an ordinary user: a
# server inside binds 80 (below ip_unprivileged_port_start) and listens on
# the host's HOSTPORT; getsockname inside says 80; a host client and a
# client inside (at the loopback and at an address of an interface) reach
# it; UDP; under a policy too; and the refusals: no --publish (EACCES),
# a privileged HOSTPORT (warned at start), HOSTPORT taken (EADDRINUSE,
# said on stderr), a bind to HOSTPORT inside, bad values.
. "$(dirname "$0")/run-common.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-180}
lib_enter_ns "$@"
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root to make a throw-away user"
run_require
command -v python3 >/dev/null || tap_skip_all "no python3"
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
run_make_user || tap_skip_all "cannot make a throw-away user that reaches $LXNET"
run_grant_fuse || tap_skip_all "cannot give the user a /dev/fuse of the test's own (not root, or no private mount namespace)"
chmod 644 "$TMP_DIR/resolv.conf" "$TMP_DIR/hosts"
start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null)
[ "${start:-0}" -gt 80 ] || tap_skip_all "ip_unprivileged_port_start is ${start:-unknown}: port 80 is not privileged here"
PROBE="python3 $top_srcdir/tests/integration/publish-probe.py"
D=$TMP_DIR/p
mkdir -m 777 "$D"
tap_plan 24

# uxrun ARGS... - `lxnet run $VIEW ARGS...` as the user, bounded by 60 s
uxrun() {
	run_as_user "timeout -k 5 60 '$LXNET' run $VIEW $*"
}

# serve NAME PUBLISH PROTO PORT N [ADDR] - a server inside, in the
# background (SERVER: its pid), ready (its first line in $D/NAME) or not
# within 10 s
serve() {
	rm -f "$D/$1"
	uxrun "$2 -- $PROBE serve $3 $4 $5 $D/$1 $6" >"$D/$1.out" 2>&1 &
	SERVER=$!
	lib_on_exit "kill $SERVER 2>/dev/null"
	wait_until 10 test -e "$D/$1"
}

out=$(uxrun "-- $PROBE bind tcp 0.0.0.0 80")
[ "$out" = EACCES ]
tap_result $? "no --publish: bind to port 80 gets the host's EACCES (got '$out')"

serve t1 --publish=8080:80 tcp 80 3 && [ "$(cat "$D/t1")" = "bound 80" ]
tap_result $? "--publish=8080:80: the server inside binds 80, getsockname says 80"

ss -Hltn 'sport = :8080' | grep -q . && ! ss -Hltn 'sport = :80' | grep -q .
tap_result $? "the host listens on 8080, not on 80"

out=$($PROBE talk tcp 127.0.0.1 8080 host)
[ "$out" = "host via 80" ]
tap_result $? "a host client at 127.0.0.1:8080 reaches it; the accepted socket says 80 inside (got '$out')"

out=$(uxrun "--publish=8080:80 -- $PROBE talk tcp 127.0.0.1 80 lo")
[ "$out" = "lo via 80" ]
tap_result $? "a client inside reaches 127.0.0.1:80 (got '$out')"

out=$(uxrun "--publish=8080:80 -- $PROBE talk tcp 10.77.0.1 80 if")
[ "$out" = "if via 80" ]
tap_result $? "a client inside reaches 80 at an address of an interface, 10.77.0.1 (got '$out')"
t1=$SERVER
wait_until 10 sh -c "! kill -0 $t1 2>/dev/null" && wait "$t1" && [ ! -s "$D/t1.out" ]
tap_result $? "the server inside answered three and exited, status 0, nothing on stderr ($(cat "$D/t1.out"))"

# a port that is not published is left alone by the same sandbox
serve t2 "" tcp 9099 1
out=$(uxrun "--publish=8080:80 -- $PROBE talk tcp 127.0.0.1 9099 plain")
[ "$out" = "plain via 9099" ]
tap_result $? "with --publish, a connect to a port not published goes on (got '$out')"

serve u1 --publish=8053:53/udp udp 53 2 && [ "$(cat "$D/u1")" = "bound 53" ] &&
	out=$($PROBE talk udp 127.0.0.1 8053 uhost) && [ "$out" = "uhost via 53" ] &&
	out=$(uxrun "--publish=8053:53/udp -- $PROBE talk udp 127.0.0.1 53 uin") &&
	[ "$out" = "uin via 53" ]
tap_result $? "--publish=8053:53/udp: bound 53 inside, reached at 8053 from the host and at 53 inside (got '$out')"

if [ -e /proc/net/if_inet6 ] && ip -6 addr show dev lo | grep -q '::1/128'; then
	serve v6 --publish=8088:80 tcp 80 2 :: && [ "$(cat "$D/v6")" = "bound 80" ] &&
		out=$($PROBE talk tcp ::1 8088 h6) && [ "$out" = "h6 via 80" ] &&
		out=$(uxrun "--publish=8088:80 -- $PROBE talk tcp ::1 80 i6") &&
		[ "$out" = "i6 via 80" ]
	tap_result $? "IPv6: bound [::]:80 inside, reached at [::1]:8088 from the host and at [::1]:80 inside (got '$out')"
else
	tap_skip "IPv6 --publish" "no IPv6 loopback here"
fi

out=$(uxrun "--publish=8053:53/udp -- $PROBE bind tcp 0.0.0.0 53")
[ "$out" = EACCES ]
tap_result $? "/udp publishes UDP only: a TCP bind to 53 gets EACCES (got '$out')"

# HOSTPORT taken on the host: the bind's errno, and one line on stderr
# saying which --publish and host port, until a bind of it succeeds. A
# host listener on 8081 that lets go of it and takes it again when the
# sandbox says so (files in $D; every wait bounded)
python3 -c "
import os, socket, sys, time
def wait(f):
    for _ in range(300):
        if os.path.exists('$D/' + f):
            return
        time.sleep(0.1)
    sys.exit(1)
def take(f):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('0.0.0.0', 8081)); s.listen(1); open('$D/' + f, 'w').close()
    return s
s = take('taken'); wait('release'); s.close(); open('$D/released', 'w').close()
wait('retake'); s = take('retaken'); time.sleep(60)" &
lib_on_exit "kill $! 2>/dev/null"
wait_until 10 test -e "$D/taken"
# waitfile F - in the sandbox's script: wait up to 10 s for $D/F
waitfile() {
	printf 'i=0; while [ ! -e %s ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done' "$D/$1"
}
out=$(uxrun "--publish=8081:80 -- sh -c '$PROBE bind tcp 0.0.0.0 80; $PROBE bind tcp 0.0.0.0 80
	touch $D/release; $(waitfile released)
	$PROBE bind tcp 0.0.0.0 80; touch $D/retake; $(waitfile retaken)
	$PROBE bind tcp 0.0.0.0 80'" 2>"$D/taken.err")
said=$(grep -c -- "--publish=8081:80: pid [0-9]*'s bind of 0.0.0.0 port 80 cannot take host port 8081 (another socket, the host's or a sandbox's, has that port): Address already in use; it gets EADDRINUSE" "$D/taken.err")
sed 's/^/# /' "$D/taken.err"
[ "$(echo $out)" = "EADDRINUSE EADDRINUSE ok 80 EADDRINUSE" ] && [ "$said" = 2 ] &&
	[ "$(wc -l <"$D/taken.err")" = 2 ]
tap_result $? "HOSTPORT taken on the host: bind to 80 inside gets EADDRINUSE, stderr says which --publish and host port once, again after a bind of it succeeded (got '$(echo $out)', $said lines)"

# the same under a policy (govern.c makes the bind)
out=$(uxrun "--publish=8081:80 --allow=bind:tcp:*:80 -- $PROBE bind tcp 0.0.0.0 80" 2>"$D/taken2.err")
sed 's/^/# /' "$D/taken2.err"
[ "$out" = EADDRINUSE ] &&
	grep -q -- "--publish=8081:80: pid [0-9]*'s bind of 0.0.0.0 port 80 cannot take host port 8081 .*it gets EADDRINUSE" "$D/taken2.err"
tap_result $? "under a policy too: EADDRINUSE and the line on stderr (got '$out')"

out=$(uxrun "--publish=8082:80 -- $PROBE bind tcp 0.0.0.0 8082")
[ "$out" = EADDRINUSE ]
tap_result $? "a bind inside to the published HOSTPORT gets EADDRINUSE (got '$out')"

printf '# lxnet.conf(5)\npublish = 8089:80\n' >"$D/lxnet.conf"
chmod 644 "$D/lxnet.conf"
out=$(uxrun "--config=$D/lxnet.conf -- $PROBE bind tcp 0.0.0.0 80")
[ "$out" = "ok 80" ]
tap_result $? "publish = 8089:80 in a configuration file: bind to 80 inside works (got '$out')"

out=$(uxrun "--publish=8083:80 --allow=bind:tcp:*:80 -- $PROBE bind tcp 0.0.0.0 80")
[ "$out" = "ok 80" ]
tap_result $? "under a policy allowing bind 80: bound on 8083, getsockname says 80 (got '$out')"

out=$(uxrun "--publish=8083:80 --deny=bind:tcp:*:80 -- $PROBE bind tcp 0.0.0.0 80")
[ "$out" = EPERM ]
tap_result $? "under a policy denying bind 80: EPERM (got '$out')"

ok=0
for bad in 80 8080: :80 0:80 8080:65536 8080:80/sctp 'x:80' '8080:80/udp/tcp'; do
	uxrun "--publish='$bad' -- true" >"$D/bad.out" 2>&1
	st=$?
	if [ $st -ne 2 ] || [ "$(wc -l <"$D/bad.out")" -ne 1 ] ||
		! grep -q "invalid --publish '$bad'" "$D/bad.out"; then
		ok=1
		break
	fi
done
[ $ok -eq 0 ]
tap_result $? "unparseable --publish: one line, exit 2 (last: '$bad', status $st: $(cat "$D/bad.out"))"

uxrun "--publish=8084:80 --publish=8085:80 -- true" >"$D/dup.out" 2>&1
st=$?
uxrun "--publish=8084:80 --publish=8084:81 -- true" >"$D/dup2.out" 2>&1
st2=$?
[ $st -eq 2 ] && [ $st2 -eq 2 ] && grep -q 'already published' "$D/dup.out" &&
	grep -q 'already taken' "$D/dup2.out" &&
	uxrun "--publish=8084:80 --publish=8084:80/udp -- true"
tap_result $? "a PORT or HOSTPORT published twice: exit 2; the same pair for tcp and udp is fine"

# a published server whose accept queue is full (listen(0), filled from
# inside): a blocking connect to PORT waits for the SYN retries (about
# 127 s) on a pool thread, not the serving one, so the sandbox's other
# trapped calls (a getsockname) are still answered; with a policy too
out=$(uxrun "--publish=8090:80 -- $PROBE full 80" 2>&1)
out2=$(uxrun "--publish=8091:80 --allow=tcp:* -- $PROBE full 80" 2>&1)
echo "$out" | grep -q '^other ok 0\.' && echo "$out2" | grep -q '^other ok 0\.'
tap_result $? "a blocking connect to a full published server does not hold the sandbox's other calls (no policy: $out; policy: $out2)"

# under a policy the sends are trapped: a UDP sendto() to PORT at the
# loopback, without connect(), reaches the server inside (on HOSTPORT),
# and the connection log says PORT
out=$(uxrun "--publish=8092:80/udp --allow=udp:* --log-connections=$D/udp.log -- sh -c 'rm -f $D/usend; $PROBE serve udp 80 1 $D/usend & i=0
	while [ ! -e $D/usend ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done
	$PROBE dsend 127.0.0.1 80 dgram; wait'" 2>&1)
sed 's/^/# /' "$D/udp.log" 2>/dev/null | cut -c1-300
[ "$out" = "dgram via 80" ] &&
	grep -q '"call":"send","proto":"udp".*"remote_addr":"127.0.0.1","remote_port":80,' "$D/udp.log"
tap_result $? "under a policy a UDP sendto() to published PORT 80 reaches the server inside (got '$out')"

# under a policy the connection log says what the sandbox named, PORT, of
# a bind (bound as HOSTPORT) and of a connect (made to HOSTPORT) alike
out=$(uxrun "--publish=8093:80 --allow=tcp:* --log-connections=$D/tcp.log -- sh -c 'rm -f $D/tsend; $PROBE serve tcp 80 1 $D/tsend & i=0
	while [ ! -e $D/tsend ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done
	$PROBE talk tcp 127.0.0.1 80 logged; wait'" 2>&1)
sed 's/^/# /' "$D/tcp.log" 2>/dev/null | cut -c1-300
[ "$out" = "logged via 80" ] &&
	grep -q '"call":"bind","proto":"tcp".*"local_port":80,' "$D/tcp.log" &&
	grep -q '"call":"connect","proto":"tcp".*"remote_addr":"127.0.0.1","remote_port":80,' "$D/tcp.log" &&
	! grep -q '8093' "$D/tcp.log"
tap_result $? "under a policy the log names PORT 80 for the bind and the connect, never HOSTPORT (got '$out')"

# a HOSTPORT the host keeps for privileged users: said at start, not only
# by the server's bind inside
if [ "$start" -gt 81 ]; then
	out=$(uxrun "--publish=81:8081 -- $PROBE bind tcp 0.0.0.0 8081" 2>"$D/priv.err")
	[ "$out" = EACCES ] && grep -q "publish=81:8081: this host lets only privileged users bind port 81" "$D/priv.err"
	tap_result $? "--publish=81:8081 as an ordinary user: a warning at start, EACCES inside (got '$out'; $(head -c 300 "$D/priv.err"))"
else
	tap_skip "--publish=81:8081 as an ordinary user" "ip_unprivileged_port_start is $start: port 81 is not privileged here"
fi

# lxnet-proxy --publish serving lxnet shim: the shim learns from the proxy
# that bind, connect and getsockname are to be trapped
PROXY=$top_builddir/proxy/lxnet-proxy
run_as_user "timeout -k 5 60 '$PROXY' --no-config --socket '$D/proxy.sock' --publish=8087:80" 2>"$D/proxy.log" &
lib_on_exit "kill $! 2>/dev/null"
if wait_until 10 test -S "$D/proxy.sock"; then
	rm -f "$D/s1"
	run_as_user "timeout -k 5 60 unshare -rn '$LXNET' shim --proxy '$D/proxy.sock' -- $PROBE serve tcp 80 1 $D/s1" >"$D/s1.out" 2>&1 &
	lib_on_exit "kill $! 2>/dev/null"
	wait_until 10 test -e "$D/s1" && [ "$(cat "$D/s1")" = "bound 80" ] &&
		out=$($PROBE talk tcp 127.0.0.1 8087 shim) && [ "$out" = "shim via 80" ]
	tap_result $? "lxnet-proxy --publish=8087:80 with lxnet shim: bound 80 inside, reached at 8087 (got '$out'; $(cat "$D/s1.out" "$D/proxy.log"))"
else
	tap_result 1 "lxnet-proxy --socket did not come up: $(cat "$D/proxy.log")"
fi
