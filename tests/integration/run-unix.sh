#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-unix.sh - abstract AF_UNIX names across the boundary (--allow
# unix:@GLOB, proxy/unixcross.c): a host server reached from inside under
# an allowed name, private names refused as non-existent, a deny rule
# before a broader allow, a server inside reached from the host, datagrams
# both ways, SO_PEERCRED as each side sees it, the connection log, the races
# of a thread flipping the name during many connects and sends, the per-connect
# cost, and a throw-away user's run.
. "$(dirname "$0")/run-common.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-300}
lib_enter_ns "$@"
run_require
lib_tmpdir
PEER="$PY $top_srcdir/tests/integration/unix-peer.py"
RACE=$top_builddir/tests/helpers/unix-race
[ -x "$RACE" ] || tap_skip_all "tests/helpers/unix-race not built"
run_make_host || tap_skip_all "cannot make a veth pair here"
tap_plan 20

# host servers: two allowed names, one the deny rule keeps private, one no
# rule names
$PEER serve "$TMP_DIR/ready" "$TMP_DIR/counts" lxu-host/a lxu-host/secret lxu-other &
SERVERS=$!
lib_on_exit "kill $SERVERS 2>/dev/null"
$PEER dserve "$TMP_DIR/dready" lxu-host/dgram &
lib_on_exit "kill $! 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/ready" -a -e "$TMP_DIR/dready" || tap_skip_all "servers did not start"
RULES="--deny unix:@lxu-host/secret --allow unix:@lxu-host/* --allow unix:@lxu-in/* --allow bind:unix:@lxu-in/*"

# 1: an allowed name reaches the host's server; SO_PEERCRED both ways
out=$(lxrun $RULES --log-connections "$TMP_DIR/conn.log" -- $PEER connect lxu-host/a 2>&1)
printf '# %s\n' "$out"
set -- $out # ok NAME PID UID GID COMM / PEER PID UID GID
[ "$1" = ok ] && [ "$2" = lxu-host/a ]
tap_result $? "an allowed abstract name inside reaches the host's server"

# 2: what each side sees: the host's server sees the proxy (it made the
# connect), with the uid of the user who ran lxnet; the client sees the
# server's pid and uid as the kernel maps them (root here: 0)
[ "$1" = ok ] && [ "$6" = lxnet-proxy ] && [ "$4" = 0 ] && [ "$9" = "$SERVERS" ] && [ "${10}" = 0 ]
tap_result $? "SO_PEERCRED: the host's server sees the connecting proxy ($6, pid $3, uid $4); the client the server (pid $9 = $SERVERS, uid ${10})"

# 3: private names: no rule, or the deny rule before the broader allow:
# refused as a name that does not exist, and nothing arrives on the host
out=$(lxrun $RULES -- sh -c "$PEER connect lxu-other; $PEER connect lxu-host/secret; $PEER connect lxu-nowhere" 2>&1)
printf '# %s\n' $out
[ "$(echo $out)" = "ECONNREFUSED ECONNREFUSED ECONNREFUSED" ]
tap_result $? "a name no rule allows, or a deny rule keeps, stays private: ECONNREFUSED as a non-existent name"

# 4: the same private name is the sandbox's own: a server inside on it
# is reached inside, not the host's
out=$(lxrun $RULES -- sh -c "$PEER listen $TMP_DIR/in.ready lxu-other & i=0
	while [ ! -e $TMP_DIR/in.ready ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done
	$PEER connect lxu-other; wait" 2>&1)
printf '# %s\n' "$out"
set -- $out
[ "$1" = ok ] && [ "$2" = lxu-other ] && [ "$3" != "$SERVERS" ]
tap_result $? "a private name stays the sandbox's: its own server there answers"

# 5: a server inside on an allowed name is reached from the host; the
# host's client sees the sandbox's listening process
rm -f "$TMP_DIR/in.ready"
lxrun $RULES -- sh -c "echo \$\$ >$TMP_DIR/in.pid; exec $PEER listen $TMP_DIR/in.ready lxu-in/srv" \
	>"$TMP_DIR/in.out" 2>&1 &
INSIDE=$!
wait_until 20 test -e "$TMP_DIR/in.ready"
out=$($PEER connect lxu-in/srv 2>&1)
wait $INSIDE
printf '# %s\n' "$out"
set -- $out
[ "$1" = ok ] && [ "$2" = lxu-in/srv ] && [ "$9" = "$(cat "$TMP_DIR/in.pid")" ] && [ "${10}" = 0 ]
tap_result $? "a server inside on an allowed name is reached from the host (the host's client sees the sandbox's server, pid $9; the server sees pid $3, $6)"

# 5b: without bind:, an allowed name is not bound in the host's namespace:
# a server inside on it stays the sandbox's, host clients do not reach it
# (else a sandbox could pose as a host server whose name is free)
rm -f "$TMP_DIR/in.ready" "$TMP_DIR/host.done"
lxrun --allow 'unix:@lxu-in/*' -- sh -c "$PEER listen $TMP_DIR/in.ready lxu-in/srv2 & i=0
	while [ ! -e $TMP_DIR/host.done ] && [ \$i -lt 200 ]; do sleep 0.1; i=\$((i+1)); done
	kill \$!" >"$TMP_DIR/in2.out" 2>&1 &
INSIDE=$!
wait_until 20 test -e "$TMP_DIR/in.ready"
out=$($PEER connect lxu-in/srv2 2>&1)
touch "$TMP_DIR/host.done"
wait $INSIDE
printf '# host: %s\n' "$out"
[ -e "$TMP_DIR/in.ready" ] && [ "$out" = ECONNREFUSED ]
tap_result $? "unix:@GLOB alone does not let the sandbox bind the name on the host (bind:unix:@GLOB does)"

# 6: datagrams both ways: inside to the host's datagram server and back
# (the reply goes to the inside client's autobound name, in the host's
# namespace since its first send); from the host to a server inside, whose
# replies go only to names the policy allows (the client binds one)
out=$(lxrun $RULES -- $PEER dsend lxu-host/dgram 2>&1)
printf '# %s\n' "$out"
set -- $out
r=1
# the first datagram was sent by the proxy: its credentials
[ "$1" = ok ] && [ "$2" = lxu-host/dgram ] && [ "$6" = lxnet-proxy ] && r=0
rm -f "$TMP_DIR/d.ready"
lxrun $RULES -- sh -c "exec $PEER dserve $TMP_DIR/d.ready lxu-in/dgram" >/dev/null 2>&1 &
DIN=$!
wait_until 20 test -e "$TMP_DIR/d.ready"
out2=$($PEER dsend lxu-in/dgram lxu-in/client 2>&1)
kill $DIN 2>/dev/null
printf '# %s\n' "$out2"
set -- $out2
[ $r = 0 ] && [ "$1" = ok ] && [ "$2" = lxu-in/dgram ]
tap_result $? "SOCK_DGRAM both ways: sendto an allowed name crosses, the reply comes back ($out; $out2)"

# 7: sockets that cannot move, or have moved: a bound one is refused an
# allowed name; a moved one reaches no private name, no pathname, sends
# no descriptors of the proxy's and binds no private name (Python names
# EOPNOTSUPP ENOTSUP, the same number)
# A host server holds the private name: a leak into the host's namespace
# would reach it (and make the moved bind EADDRINUSE), so none may arrive.
touch "$TMP_DIR/path"
$PEER dcount "$TMP_DIR/pvready" "$TMP_DIR/pvcounts" lxu-private &
PVSERV=$!
lib_on_exit "kill $PVSERV 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/pvready"
out=$(lxrun $RULES -- $PEER edges lxu-host/dgram lxu-private "$TMP_DIR/path" 2>&1)
printf '# %s\n' $out
kill $PVSERV
wait $PVSERV 2>/dev/null
pv=$(awk '$1 == "lxu-private" { print $2 }' "$TMP_DIR/pvcounts")
[ "$(echo $out)" = "bound-connect EADDRNOTAVAIL bound-sendto EADDRNOTAVAIL move ok moved-private ECONNREFUSED moved-path ENOTSUP moved-rights ENOTSUP moved-bind EADDRNOTAVAIL moved-allowed ok" ] &&
	[ "$pv" = 0 ]
tap_result $? "a bound socket does not move; a moved one reaches only allowed names, without control messages (at the host's server on the private name: ${pv:-?} arrivals)"

# 7b: a moved socket's blocking connect to a full backlog (listen(0),
# filled by the sandbox itself) waits on a pool thread: the sandbox's
# other calls are still served, and it completes once the server accepts
out=$(lxrun $RULES -- $PEER backlog lxu-in/q 2>&1)
printf '# %s\n' $out
echo "$out" | grep -q '^filled [1-9]' && echo "$out" | grep -q '^other ok 0\.' &&
	echo "$out" | grep -q '^blocked ok'
tap_result $? "a moved socket's blocking connect to a full backlog does not hold the sandbox's other calls ($(echo $out))"

# 7c: sends that stay in the sandbox's namespace (a private abstract name,
# a pathname) are the kernel's whole under unix rules: a datagram past
# the proxy's 256 KiB copy bound, within the socket's sndbuf, arrives
rm -f "$TMP_DIR/big.sock"
out=$(lxrun $RULES -- $PEER big "$TMP_DIR/big.sock" 2>&1)
printf '# %s\n' $out
if echo "$out" | grep -q '^skip'; then
	tap_skip "big datagrams" "SO_SNDBUF stays at or below 256 KiB here ($out)"
else
	[ "$(echo $out)" = "abstract-sendto ok abstract-sendmsg ok path-sendto ok path-sendmsg ok" ]
	tap_result $? "under unix rules a 256+ KiB datagram to a private name or a pathname is the kernel's ($(echo $out))"
fi

# 7d: a socket that moves keeps its SO_RCVTIMEO and SO_SNDTIMEO: a read
# with nothing to come times out as set
out=$(lxrun $RULES -- $PEER timeo lxu-host/dgram 2>&1)
printf '# %s\n' "$out"
echo "$out" | grep -q '^rcvtimeo EAGAIN 0\.[2-9]' && echo "$out" | grep -q '^sndtimeo 400000$'
tap_result $? "a moved socket keeps SO_RCVTIMEO and SO_SNDTIMEO ($(echo $out))"

# 8: the connection log names the calls: family unix, the name, the rule
grep -q '"call":"connect","proto":"stream","family":"unix".*"remote_addr":"@lxu-host/a".*"verdict":"allow","rule":"unix:@lxu-host/\*"' "$TMP_DIR/conn.log"
r=$?
lxrun $RULES --log-connections "$TMP_DIR/conn2.log" -- $PEER connect lxu-host/secret >/dev/null 2>&1
grep -q '"family":"unix".*"remote_addr":"@lxu-host/secret".*"verdict":"deny","rule":"unix:@lxu-host/secret"' "$TMP_DIR/conn2.log"
tap_result $((r + $?)) "the connection log reports abstract names: family unix, the name, verdict and rule"
sed 's/^/# /' "$TMP_DIR/conn.log" "$TMP_DIR/conn2.log" | head -4

# 9: the race: connects while a thread flips the name between an allowed
# and a private name of one length; servers on both count arrivals
$PEER serve "$TMP_DIR/rready" "$TMP_DIR/rcounts" lxu-race/ok lxu-race/no &
RSERV=$!
lib_on_exit "kill $RSERV 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/rready"
out=$(lxrun --allow unix:@lxu-race/ok -- "$RACE" lxu-race/ok lxu-race/no 5000 2>&1)
printf '# %s\n' "$out"
kill $RSERV
wait $RSERV 2>/dev/null
ok=$(awk '$1 == "lxu-race/ok" { print $2 }' "$TMP_DIR/rcounts")
no=$(awk '$1 == "lxu-race/no" { print $2 }' "$TMP_DIR/rcounts")
printf '# arrivals: allowed name %s, private name %s\n' "$ok" "$no"
[ "$no" = 0 ] && echo "$out" | grep -q '^connected [1-9]' && echo "$out" | grep -q ' refused [1-9]'
tap_result $? "a thread flipping the name during 5,000 connects: 0 arrivals at the private name ($out; $ok at the allowed one)"

# 9b: the same race on datagrams: each from a fresh socket, sendto the
# flipping name
$PEER dcount "$TMP_DIR/dready2" "$TMP_DIR/dcounts" lxu-race/ok lxu-race/no &
DSERV=$!
lib_on_exit "kill $DSERV 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/dready2"
out=$(lxrun --allow unix:@lxu-race/ok -- "$RACE" dgram lxu-race/ok lxu-race/no 5000 2>&1)
printf '# %s\n' "$out"
kill $DSERV
wait $DSERV 2>/dev/null
ok=$(awk '$1 == "lxu-race/ok" { print $2 }' "$TMP_DIR/dcounts")
no=$(awk '$1 == "lxu-race/no" { print $2 }' "$TMP_DIR/dcounts")
printf '# datagrams: allowed name %s, private name %s\n' "$ok" "$no"
[ "$no" = 0 ] && echo "$out" | grep -q '^connected [1-9]' && echo "$out" | grep -q ' refused [1-9]'
tap_result $? "a thread flipping the name during 5,000 sendto: 0 datagrams at the private name ($out; $ok at the allowed one)"

# 10: per-connect cost: socket+connect+close to a host name, native (here)
# and crossing from inside
# and a private name's under unix rules (a server inside, CONTINUE)
$PEER sink "$TMP_DIR/bready" lxu-bench/x >/dev/null 2>&1 &
lib_on_exit "kill $! 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/bready"
nat=$("$RACE" bench lxu-bench/x 5000 2>&1)
crs=$(lxrun --allow unix:@lxu-bench/* -- "$RACE" bench lxu-bench/x 5000 2>&1)
prv=$(lxrun --allow unix:@lxu-none -- sh -c "$PEER sink $TMP_DIR/pready lxu-bench/x & i=0
	while [ ! -e $TMP_DIR/pready ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done
	$RACE bench lxu-bench/x 5000; kill \$!" 2>&1)
tap_diag "native: $nat; crossing: $crs; private under unix rules: $prv"
echo "$nat" | grep -q '^connects 5000' && echo "$crs" | grep -q '^connects 5000' &&
	echo "$prv" | grep -q '^connects 5000'
tap_result $? "per-connect cost measured (native: $nat; crossing: $crs; private: $prv)"

# 11: a nested network namespace inside is not the sandbox's: its
# sockets keep the kernel's answer even for an allowed name
if lxrun -- unshare -rn true >/dev/null 2>&1; then
	out=$(lxrun $RULES -- unshare -rn $PEER connect lxu-host/a 2>&1)
	printf '# %s\n' "$out"
	[ "$out" = ECONNREFUSED ]
	tap_result $? "a nested namespace's socket does not cross, even to an allowed name"
else
	tap_skip "nested namespace" "unshare -rn fails inside lxnet run here"
fi

# 11b: the same through lxnet shim and a standalone lxnet-proxy --socket
. "$(dirname "$0")/proxy-lib.sh"
proxy_start "$TMP_DIR/shim.sock" $RULES
out=$(unshare -rn "$LXNET" shim --proxy "$TMP_DIR/shim.sock" -- \
	sh -c "$PEER connect lxu-host/a; $PEER connect lxu-other" 2>&1)
printf '# %s\n' "$out"
set -- $out
[ "$1" = ok ] && [ "$6" = lxnet-proxy ] && [ "$3" = "$PROXY_PID" ] && [ "${12}" = ECONNREFUSED ]
tap_result $? "lxnet shim under lxnet-proxy --socket --allow unix:@...: the allowed name crosses (made by pid $3), a private one does not"

# 12: a bad unix rule: one line, exit 2
out=$("$LXNET" run --allow 'unix:@' -- true 2>&1)
st=$?
[ $st = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "invalid rule 'unix:@'"
tap_result $? "an empty unix glob: one line, exit 2 ($out)"

# 13: a throw-away user: the same crossing, peer credentials as that
# user's proxy gives them
if run_make_user && run_grant_fuse; then
	chmod 644 "$TMP_DIR/resolv.conf" "$TMP_DIR/hosts"
	uid=$(id -u "$RUN_USER")
	out=$(run_as_user "timeout -k 5 60 '$LXNET' run $VIEW $RULES -- $PEER connect lxu-host/a; \
		timeout -k 5 60 '$LXNET' run $VIEW $RULES -- $PEER connect lxu-other" 2>&1)
	printf '# %s\n' "$out"
	set -- $out
	# the host's server sees the user's proxy (uid $uid); inside, the
	# server's uid 0 is not mapped: the overflow uid
	[ "$1" = ok ] && [ "$4" = "$uid" ] && [ "$6" = lxnet-proxy ] && [ "$9" = "$SERVERS" ] &&
		[ "${10}" = "$(cat /proc/sys/kernel/overflowuid)" ] && [ "${12}" = ECONNREFUSED ]
	tap_result $? "ordinary user: an allowed name crosses (the server sees $6 uid $4, the client uid ${10}), a private one does not"
else
	tap_skip "ordinary user" "cannot make a throw-away user with /dev/fuse here"
fi

# 14: root's proxy serving another user's shim (--allow-user): nothing
# crosses, since the host's server would see uid 0 in SO_PEERCRED instead
# of the user's; the name the host serves is refused as a private one
# (under unshare -r root's uid is unmapped: the shim sees the overflow
# uid, which --trust-uid names)
if [ -n "$RUN_USER" ] || run_make_user; then
	uid=$(id -u "$RUN_USER")
	proxy_start "$TMP_DIR/root.sock" $RULES --allow-user "$uid" \
		--log-connections "$TMP_DIR/conn3.log"
	chmod 666 "$TMP_DIR/root.sock"
	out=$(run_as_user "timeout -k 5 60 unshare -rn '$LXNET' shim --trust-uid $(cat /proc/sys/kernel/overflowuid) --proxy '$TMP_DIR/root.sock' -- $PEER connect lxu-host/a" 2>&1)
	printf '# %s\n' "$out"
	sed 's/^/# /' "$TMP_DIR/conn3.log" 2>/dev/null | head -2
	[ "$out" = ECONNREFUSED ] &&
		grep -q '"remote_addr":"@lxu-host/a".*"verdict":"deny","rule":"proxy of another user"' "$TMP_DIR/conn3.log"
	tap_result $? "root's proxy serving uid $uid's shim: an allowed name does not cross (ECONNREFUSED, logged as denied)"
else
	tap_skip "another user's shim" "cannot make a throw-away user here"
fi
tap_done
