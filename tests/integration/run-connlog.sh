#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-connlog.sh - the connection log (--log-connections): without a policy
# (who talked to what), with one (verdict, rule, errno), TCP and UDP, IPv4
# and IPv6, the pool thread's connects, first sends only, 20,000 refused
# connects folded with nothing lost, standard error, a shim of a shared
# proxy, bad input. Each line is checked against what the client saw.
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-300}
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
[ -c /dev/fuse ] && [ -x "$top_builddir/fs/lxnetfs" ] || tap_skip_all "no /dev/fuse or lxnetfs"
lib_tmpdir
CHECK="$PY $top_srcdir/tests/integration/connlog-check.py"
tap_plan 10

ip link add cl0 type veth peer name cl1 && ip link set cl0 up && ip link set cl1 up &&
	ip addr add 10.68.0.1/24 dev cl0 ||
	tap_skip_all "cannot make a veth pair here"
"$PY" "$top_srcdir/tests/integration/policy-servers.py" "$TMP_DIR/ready" "$TMP_DIR/counts" \
	tcp:127.0.0.1:9301 "tcp:[::1]:9301" tcp:10.68.0.1:9301 udp:127.0.0.1:9401 \
	udp:10.68.0.1:9401 udp:127.0.0.1:9402 &
lib_on_exit "kill $! 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/ready" || tap_skip_all "servers did not start"
printf 'nameserver 10.68.0.1\n' >"$TMP_DIR/resolv.conf"
printf '127.0.0.1 localhost\n' >"$TMP_DIR/hosts"
VIEW=(--resolv-conf "$TMP_DIR/resolv.conf" --hosts-file "$TMP_DIR/hosts")

# logged NAME RUN-OPTIONS... -- STEPS... - the client in lxnet run, its log
# at $TMP_DIR/NAME.log and its record at $TMP_DIR/NAME.seen
logged() {
	local name=$1 opts=() st
	shift
	while [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	shift
	timeout -k 5 120 "$LXNET_BIN" run "${VIEW[@]}" --log-connections="$TMP_DIR/$name.log" \
		"${opts[@]}" -- $CHECK client "$TMP_DIR/$name.seen" "$@" 2>"$TMP_DIR/$name.err"
	st=$?
	sed 's/^/# stderr: /' "$TMP_DIR/$name.err"
	return $st
}
verify() {
	local name=$1 out st
	shift
	out=$($CHECK verify "$TMP_DIR/$name.log" "$TMP_DIR/$name.seen" "$@" 2>&1)
	st=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	return $st
}

# 1: no policy: attribution only, each call as the client saw it
logged plain -- tcp:127.0.0.1:9301 "tcp:[::1]:9301" udp:127.0.0.1:9401:3 \
	udp:10.68.0.1:9401:2 udpmsg:127.0.0.1:9402 bind:127.0.0.1 &&
	verify plain lines:connect:127.0.0.1:9301=1 seen:connect:127.0.0.1:9301 \
		match:connect:127.0.0.1:9301=verdict=allow,rule=default,errno=null,comm=python3,proto=tcp,family=ipv4 \
		"lines:connect:[::1]:9301=1" "seen:connect:[::1]:9301" \
		"match:connect:[::1]:9301=family=ipv6,remote_port=9301" \
		lines:send:127.0.0.1:9401=1 seen:send:127.0.0.1:9401 \
		match:send:127.0.0.1:9401=proto=udp,verdict=allow \
		lines:send:10.68.0.1:9401=1 seen:send:10.68.0.1:9401 \
		lines:send:127.0.0.1:9402=1 seen:send:127.0.0.1:9402 \
		lines:bind:127.0.0.1=1 seen:bind:127.0.0.1 match:bind:127.0.0.1=rule=ephemeral\ port
tap_result $? "without a policy: a line per connect (IPv4, IPv6), per first send to a destination (sendto, sendmsg) and per bind, with the client's pid, comm and addresses"

# 2: the log is made private (0600) and appended to
mode=$(stat -c %a "$TMP_DIR/plain.log" 2>/dev/null)
before=$(wc -l <"$TMP_DIR/plain.log")
logged plain -- tcp:127.0.0.1:9301 >/dev/null
after=$(wc -l <"$TMP_DIR/plain.log")
printf '# mode %s, %s lines then %s\n' "$mode" "$before" "$after"
[ "$mode" = 600 ] && [ "$after" -eq $((before + 1)) ]
tap_result $? "a new log file is 0600, and a second run appends to it"

# 3: the result of the call as made: a blocking connect off loopback (made
# on a pool thread), a non-blocking one, a closed port
logged results -- tcp:10.68.0.1:9301 tcpnb:10.68.0.1:9301 tcp:127.0.0.1:9309 &&
	verify results lines:connect:10.68.0.1:9301=2 seen:connect:10.68.0.1:9301 \
		match:connect:127.0.0.1:9309=errno=ECONNREFUSED,verdict=allow &&
	grep -q '"remote_addr":"10.68.0.1".*"errno":null' "$TMP_DIR/results.log" &&
	grep -q '"remote_addr":"10.68.0.1".*"errno":"EINPROGRESS"' "$TMP_DIR/results.log"
tap_result $? "the call's result: null for a blocking connect made on a pool thread, EINPROGRESS, ECONNREFUSED"

# 4: under a policy: the verdict, the rule that decided, EPERM
logged policy --deny tcp:127.0.0.1:9302 --deny udp:127.0.0.1:9403 --allow tcp:127.0.0.1:9301 \
	--allow udp:127.0.0.1:9401 -- tcp:127.0.0.1:9301 tcp:127.0.0.1:9302 udp:127.0.0.1:9401:2 \
	udp:127.0.0.1:9403:2 tcp:10.68.0.1:9301 >/dev/null
verify policy match:connect:127.0.0.1:9301=verdict=allow,rule=tcp:127.0.0.1:9301,errno=null \
	match:connect:127.0.0.1:9302=verdict=deny,rule=tcp:127.0.0.1:9302,errno=EPERM \
	lines:send:127.0.0.1:9401=1 match:send:127.0.0.1:9401=rule=udp:127.0.0.1:9401 \
	match:send:127.0.0.1:9403=verdict=deny,rule=udp:127.0.0.1:9403,errno=EPERM \
	total:send:127.0.0.1:9403=2 match:connect:10.68.0.1:9301=verdict=deny,rule=default
tap_result $? "under a policy: verdict, the deciding rule (or default) and EPERM; a refused send is logged each time, folded"

# 5: a flood of refused connects: folded into a few lines, none lost
logged flood --deny tcp:127.0.0.1:9302 -- flood:127.0.0.1:9302:20000 >/dev/null
verify flood total:connect:127.0.0.1:9302=20000 maxlines:connect:127.0.0.1:9302=30
tap_result $? "20,000 refused connects: at most 30 lines, whose counts add up to 20,000"

# 6: '-' is standard error; standard output stays the command's
out=$(timeout -k 5 60 "$LXNET_BIN" run "${VIEW[@]}" --log-connections=- -- \
	sh -c "$CHECK client /dev/null tcp:127.0.0.1:9301 && echo out" 2>"$TMP_DIR/dash.err")
st=$?
printf '# stdout: %s\n' "$out"
sed 's/^/# stderr: /' "$TMP_DIR/dash.err"
[ $st -eq 0 ] && [ "$out" = out ] &&
	$CHECK verify "$TMP_DIR/dash.err" - lines:connect:127.0.0.1:9301=1 >/dev/null
tap_result $? "--log-connections=-: the lines on standard error, standard output untouched"

# 7: lxnet-proxy --log-connections for every sandbox it serves (a shim
# learns from the proxy that the calls are to be trapped)
"$PROXY_BIN" --socket "$TMP_DIR/p.sock" "${VIEW[@]}" --log-connections="$TMP_DIR/proxy.log" \
	2>"$TMP_DIR/proxy.err" &
PROXY=$!
lib_on_exit "kill $PROXY 2>/dev/null"
wait_until 5 test -S "$TMP_DIR/p.sock"
in_shim "$TMP_DIR/p.sock" $CHECK client "$TMP_DIR/proxy.seen" tcp:127.0.0.1:9301 &&
	in_shim "$TMP_DIR/p.sock" $CHECK client /dev/null tcp:10.68.0.1:9301
st=$?
kill "$PROXY"
wait "$PROXY"
[ $st -eq 0 ] && verify proxy lines:connect:127.0.0.1:9301=1 seen:connect:127.0.0.1:9301 \
	lines:connect:10.68.0.1:9301=1
tap_result $? "lxnet-proxy --log-connections: shims of a shared proxy are logged"

# 8: bad input: one line, the usage status or 125, nothing started
"$LXNET_BIN" run --log-connections= -- true 2>"$TMP_DIR/bad1"
s1=$?
"$LXNET_BIN" run "${VIEW[@]}" --log-connections="$TMP_DIR/no/such/dir/log" -- touch "$TMP_DIR/ran" 2>"$TMP_DIR/bad2"
s2=$?
"$PROXY_BIN" --socket "$TMP_DIR/q.sock" --log-connections="$TMP_DIR/no/such/dir/log" 2>"$TMP_DIR/bad3"
s3=$?
sed 's/^/# /' "$TMP_DIR/bad1" "$TMP_DIR/bad2" "$TMP_DIR/bad3"
[ $s1 -eq 2 ] && [ "$(wc -l <"$TMP_DIR/bad1")" -eq 1 ] &&
	[ $s2 -eq 125 ] && [ "$(wc -l <"$TMP_DIR/bad2")" -eq 1 ] && [ ! -e "$TMP_DIR/ran" ] &&
	grep -q 'No such file or directory' "$TMP_DIR/bad2" &&
	[ $s3 -ne 0 ] && grep -q 'cannot open the connection log' "$TMP_DIR/bad3" &&
	[ ! -e "$TMP_DIR/q.sock" ]
tap_result $? "an empty or unwritable --log-connections: one line, status 2 or 125, nothing run"

# 9: a reader that stops reading does not stall the sandbox: the log is a
# pipe nobody reads, the client still makes its 2,000 connects (to as many
# closed ports: 2,000 different lines, more than the pipe and the ring hold)
mkfifo "$TMP_DIR/fifo"
exec 7<>"$TMP_DIR/fifo"
timeout -k 5 60 "$LXNET_BIN" run "${VIEW[@]}" --log-connections="$TMP_DIR/fifo" -- \
	$CHECK client "$TMP_DIR/stall.seen" scan:127.0.0.1:20000:2000 2>"$TMP_DIR/stall.err"
st=$?
exec 7>&-
sed 's/^/# /' "$TMP_DIR/stall.err"
[ $st -eq 0 ]
tap_result $? "a log pipe nobody reads: the sandbox's 2,000 connects to different ports go on, lxnet ends"

# 10: a non-blocking connect is logged as it returned (EINPROGRESS), never
# its outcome by itself: the kernel hands that to the program alone
# (SO_ERROR clears it as it reads it). A program that learns it with a
# second connect() (the BSD idiom) makes one more governed call, whose
# line carries it (null: connected; ECONNREFUSED); one that reads
# SO_ERROR leaves the single EINPROGRESS line, and still reads its own
# errno (the proxy took nothing from it). What lxnet(1) and
# ARCHITECTURE.md say of --log-connections.
logged outcome -- nbagain:10.68.0.1:9301 nbagain:10.68.0.1:9309 nbsoerr:10.68.0.1:9308 &&
	verify outcome errnos:connect:10.68.0.1:9301=EINPROGRESS/null \
		outcome:connect:10.68.0.1:9301=null \
		errnos:connect:10.68.0.1:9309=EINPROGRESS/ECONNREFUSED \
		outcome:connect:10.68.0.1:9309=ECONNREFUSED \
		errnos:connect:10.68.0.1:9308=EINPROGRESS \
		outcome:connect:10.68.0.1:9308=ECONNREFUSED seen:connect:10.68.0.1:9308
tap_result $? "a non-blocking connect: EINPROGRESS; its outcome logged only from the program's second connect(), not from its SO_ERROR"
tap_done
