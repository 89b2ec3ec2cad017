#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-policy-names.sh - host names in connection-policy rules: a test DNS
# server on this namespace's loopback answers with addresses of a veth
# pair, with short TTLs. Allowed and refused connects by name (TCP, UDP,
# IPv4, IPv6); the allowed set follows a changed answer after its TTL and
# follows a change of nameserver at once; a name that does not resolve
# warns, matches nothing, and matches once the server answers; the
# connection log names the rule as written; bad name rules exit 2; A and
# AAAA are kept apart: the AAAA query failing (no answer, SERVFAIL) keeps
# the IPv6 addresses while A answers change, its NODATA drops only them.
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-240}
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
lib_tmpdir
CHECK="$PY $top_srcdir/tests/integration/policy-check.py"
DNS="$PY $top_srcdir/tests/integration/policy-dns.py"
tap_plan 10

ip link add nv0 type veth peer name nv1 && ip link set nv0 up && ip link set nv1 up &&
	ip addr add 10.67.0.1/24 dev nv0 && ip addr add 10.67.1.1/24 dev nv1 &&
	ip -6 addr add fd00:67::1/64 dev nv0 nodad &&
	ip -6 addr add fd00:67:1::1/64 dev nv1 nodad ||
	tap_skip_all "cannot make a veth pair here"
"$PY" "$top_srcdir/tests/integration/policy-servers.py" "$TMP_DIR/ready" "$TMP_DIR/counts" \
	tcp:10.67.0.1:9101 tcp:10.67.1.1:9101 "tcp:[fd00:67::1]:9101" \
	"tcp:[fd00:67:1::1]:9101" udp:10.67.0.1:9201 udp:10.67.1.1:9201 \
	"udp:[fd00:67::1]:9201" "udp:[fd00:67:1::1]:9201" &
lib_on_exit "kill $! 2>/dev/null"
# zone A (127.0.0.1), zone B (127.0.0.2): rewritten with mv to change answers
zone() { # zone FILE LINES...
	local f=$1
	shift
	printf '%s\n' "$@" >"$f.new" && mv "$f.new" "$f"
}
zone "$TMP_DIR/zoneA" "web.test A 10.67.0.1 2" "web.test AAAA fd00:67::1 2"
zone "$TMP_DIR/zoneB" "web.test A 10.67.1.1 3600" "web.test AAAA fd00:67:1::1 3600"
$DNS 127.0.0.1 53 "$TMP_DIR/zoneA" "$TMP_DIR/dnsA.ready" >"$TMP_DIR/dnsA.log" 2>&1 &
lib_on_exit "kill $! 2>/dev/null"
$DNS 127.0.0.2 53 "$TMP_DIR/zoneB" "$TMP_DIR/dnsB.ready" >"$TMP_DIR/dnsB.log" 2>&1 &
lib_on_exit "kill $! 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/ready" -a -e "$TMP_DIR/dnsA.ready" -a -e "$TMP_DIR/dnsB.ready" ||
	tap_skip_all "servers did not start"
printf 'nameserver 127.0.0.1\n' >"$TMP_DIR/resolv.conf"
printf '127.0.0.1 localhost\n' >"$TMP_DIR/hosts"

# check CASE EXPECT... - run policy-check.py in a shim of the proxy at $SOCK
SOCK=$TMP_DIR/p.sock
check() {
	local out st
	out=$(in_shim "$SOCK" $CHECK "$@" 2>&1)
	st=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	return $st
}
# settle SECONDS CASE EXPECT... - check quietly every 0.5 s until it
# holds or SECONDS pass; then once more, shown
settle() {
	local limit=$(($1 * 2)) i=0
	shift
	while [ $i -lt $limit ]; do
		in_shim "$SOCK" $CHECK "$@" >/dev/null 2>&1 && break
		sleep 0.5
		i=$((i + 1))
	done
	check "$@"
}

# 1: the proxy resolves before it serves; the name's addresses pass, the
# rest is refused; late.test does not resolve yet
t0=$(date +%s%N)
"$PROXY_BIN" -v --socket "$TMP_DIR/p.sock" --resolv-conf "$TMP_DIR/resolv.conf" \
	--hosts-file "$TMP_DIR/hosts" --allow tcp:web.test:9101 --allow udp:web.test:9201 \
	--allow late.test --log-connections "$TMP_DIR/conn.log" 2>"$TMP_DIR/proxy.log" &
PROXY=$!
lib_on_exit "kill $PROXY 2>/dev/null"
wait_until 10 test -S "$TMP_DIR/p.sock"
t1=$(date +%s%N)
grep 'policy host names' "$TMP_DIR/proxy.log" | sed 's/^/# /'
tap_diag "socket up $(((t1 - t0) / 1000000)) ms after start"
check tcp:10.67.0.1:9101 ok "tcp:[fd00:67::1]:9101" ok udp:10.67.0.1:9201 ok \
	"udp:[fd00:67::1]:9201" ok tcp:10.67.1.1:9101 EPERM "tcp:[fd00:67:1::1]:9101" EPERM \
	udp:10.67.1.1:9201 EPERM "udp:[fd00:67:1::1]:9201" EPERM tcp:10.67.0.1:9102 EPERM \
	udp:10.67.0.1:9101 EPERM
tap_result $? "a name rule: its A and AAAA addresses pass (TCP, UDP), other addresses and ports EPERM"

# 2: the connection log names the rule as written
grep -q '"verdict":"allow","rule":"tcp:web.test:9101"' "$TMP_DIR/conn.log" &&
	grep -q '"verdict":"allow","rule":"udp:web.test:9201"' "$TMP_DIR/conn.log" &&
	grep -q '"verdict":"deny","rule":"default"' "$TMP_DIR/conn.log"
tap_result $? "the connection log names the name rule as written"

# 3: a name that does not resolve: one warning, and it matches nothing
n=$(grep -c 'host name late.test in the policy does not resolve' "$TMP_DIR/proxy.log")
[ "$n" = 1 ]
tap_result $? "a name that does not resolve is warned about once ($n)"

# 4: the answer changes; after its TTL (2 s) the new addresses pass and
# the old ones not; late.test resolves and starts matching
zone "$TMP_DIR/zoneA" "web.test A 10.67.1.1 3600" "web.test AAAA fd00:67:1::1 3600" \
	"late.test AAAA fd00:67::1 3600"
t0=$(date +%s%N)
settle 15 tcp:10.67.1.1:9101 ok "tcp:[fd00:67:1::1]:9101" ok udp:10.67.1.1:9201 ok \
	"udp:[fd00:67:1::1]:9201" ok tcp:10.67.0.1:9101 EPERM udp:10.67.0.1:9201 EPERM
r=$?
t1=$(date +%s%N)
tap_result $r "after the TTL the new answer's addresses pass and the old ones are refused ($(((t1 - t0) / 1000000)) ms)"
settle 70 "tcp:[fd00:67::1]:9101" ok "udp:[fd00:67::1]:9201" ok
r=$?
grep -q 'host name late.test in the policy resolves again' "$TMP_DIR/proxy.log"
tap_result $((r + $?)) "a name that did not resolve matches once the server answers (any proto, port)"

# 5: a new nameserver (zone B) is asked at once, although zone A's TTL is an hour
zone "$TMP_DIR/zoneB" "web.test A 10.67.0.1 3600" "web.test AAAA fd00:67::1 3600"
printf 'nameserver 127.0.0.2\n' >"$TMP_DIR/resolv.new" && mv "$TMP_DIR/resolv.new" "$TMP_DIR/resolv.conf"
t0=$(date +%s%N)
settle 10 tcp:10.67.0.1:9101 ok tcp:10.67.1.1:9101 EPERM "tcp:[fd00:67:1::1]:9101" EPERM
r=$?
t1=$(date +%s%N)
grep -q 'web.test' "$TMP_DIR/dnsB.log"
tap_result $((r + $?)) "a resolver change asks every name again at once ($(((t1 - t0) / 1000000)) ms)"

# 6: bad name rules: one line, exit 2
bad=0
for rule in bind:tcp:web.test:80 tcp:web_test:80 "fe80::1" "tcp:web.test/24"; do
	out=$("$PROXY_BIN" --socket "$TMP_DIR/bad.sock" --allow "$rule" 2>&1)
	st=$?
	tap_diag "$rule: $st $out"
	[ $st -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
		printf '%s' "$out" | grep -q "invalid rule" || bad=$((bad + 1))
done
tap_result $bad "a bind: rule with a name, a bad name, an IPv6 address without brackets: one line, exit 2"
kill $PROXY

# 7: A and AAAA fail apart (zone B serves; web.test stays for case 8)
# drops_since LINE - the dropped or SERVFAILed dual.test AAAA queries
# dnsB.log has logged after its line LINE
drops_since() {
	tail -n +"$(($1 + 1))" "$TMP_DIR/dnsB.log" | grep -cE '^dual.test AAAA (DROP|2) '
}
# drops_3 LINE - wait (at most 30 s, polling every 0.2 s) for 3 of them
drops_3() {
	local i=0
	while [ $i -lt 150 ] && [ "$(drops_since "$1")" -lt 3 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	[ "$(drops_since "$1")" -ge 3 ]
}
zone "$TMP_DIR/zoneB" "web.test A 10.67.0.1 3600" "web.test AAAA fd00:67::1 3600" \
	"dual.test A 10.67.1.1 2" "dual.test AAAA fd00:67:1::1 2"
"$PROXY_BIN" -v --socket "$TMP_DIR/d.sock" --resolv-conf "$TMP_DIR/resolv.conf" \
	--hosts-file "$TMP_DIR/hosts" --allow tcp:dual.test:9101 2>"$TMP_DIR/dproxy.log" &
DPROXY=$!
lib_on_exit "kill $DPROXY 2>/dev/null"
SOCK=$TMP_DIR/d.sock
wait_until 10 test -S "$TMP_DIR/d.sock"
r=0
settle 5 tcp:10.67.1.1:9101 ok "tcp:[fd00:67:1::1]:9101" ok || r=$((r + 1))
# the AAAA query goes unanswered while A moves to 10.67.0.1: once a whole
# AAAA lookup has failed (its 2 tries, then the next one's first), the
# new A address and the last IPv6 address both pass
for fail in DROP SERVFAIL; do
	l=$(wc -l <"$TMP_DIR/dnsB.log")
	zone "$TMP_DIR/zoneB" "web.test A 10.67.0.1 3600" "web.test AAAA fd00:67::1 3600" \
		"dual.test A 10.67.0.1 2" "dual.test AAAA $fail 2"
	drops_3 "$l" || r=$((r + 1))
	tap_diag "AAAA $fail: $(drops_since "$l") AAAA queries failed"
	settle 10 tcp:10.67.0.1:9101 ok "tcp:[fd00:67:1::1]:9101" ok tcp:10.67.1.1:9101 EPERM ||
		r=$((r + 1))
	zone "$TMP_DIR/zoneB" "web.test A 10.67.0.1 3600" "web.test AAAA fd00:67::1 3600" \
		"dual.test A 10.67.1.1 2" "dual.test AAAA fd00:67:1::1 2"
	settle 15 tcp:10.67.1.1:9101 ok "tcp:[fd00:67:1::1]:9101" ok tcp:10.67.0.1:9101 EPERM ||
		r=$((r + 1))
done
# the name loses its AAAA record (NODATA): only the IPv6 address goes
zone "$TMP_DIR/zoneB" "web.test A 10.67.0.1 3600" "web.test AAAA fd00:67::1 3600" \
	"dual.test A 10.67.1.1 2"
settle 15 tcp:10.67.1.1:9101 ok "tcp:[fd00:67:1::1]:9101" EPERM || r=$((r + 1))
grep 'dual.test' "$TMP_DIR/dproxy.log" | grep -v debug | sed 's/^/# /'
# one warning per failing spell, none for the NODATA
n=$(grep -c 'host name dual.test in the policy: its AAAA lookup fails' "$TMP_DIR/dproxy.log")
[ "$n" = 2 ] || r=$((r + 1))
kill $DPROXY
SOCK=$TMP_DIR/p.sock
tap_result $r "A and AAAA apart: an AAAA without answer or SERVFAIL keeps the IPv6 address while A changes (warned once each: $n); its NODATA drops only IPv6"

# 8: an ordinary user's proxy resolves and enforces names the same way
# (the resolver now is zone B's: web.test is 10.67.0.1, fd00:67::1)
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null &&
	U=lxnhn$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n') && lib_make_user "$U"; then
	lib_on_exit "pkill -KILL -u $U 2>/dev/null"
	as_user() { setpriv --reuid="$U" --regid="$U" --init-groups -- "$@"; }
	chmod 755 "$TMP_DIR" && mkdir -m 777 "$TMP_DIR/u" && chmod 644 "$TMP_DIR/resolv.conf" "$TMP_DIR/hosts"
	as_user "$PROXY_BIN" --socket "$TMP_DIR/u/p.sock" --resolv-conf "$TMP_DIR/resolv.conf" \
		--hosts-file "$TMP_DIR/hosts" --allow tcp:web.test:9101 2>"$TMP_DIR/u/proxy.log" &
	lib_on_exit "kill $! 2>/dev/null"
	wait_until 10 test -S "$TMP_DIR/u/p.sock"
	out=$(as_user unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/u/p.sock" -- \
		$CHECK tcp:10.67.0.1:9101 ok "tcp:[fd00:67::1]:9101" ok tcp:10.67.1.1:9101 EPERM 2>&1)
	st=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	tap_result $st "an ordinary user's proxy: name rules resolved and enforced"
else
	tap_skip "an ordinary user's proxy" "cannot make a throw-away user here"
fi

# 9: lxnet run passes name rules to its proxy
if [ -c /dev/fuse ] && [ -x "$top_builddir/fs/lxnetfs" ]; then
	out=$(timeout -k 5 60 "$LXNET_BIN" run --resolv-conf "$TMP_DIR/resolv.conf" \
		--hosts-file "$TMP_DIR/hosts" --allow tcp:web.test:9101 -- \
		$CHECK tcp:10.67.0.1:9101 ok tcp:10.67.1.1:9101 EPERM 2>&1)
	st=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	tap_result $st "lxnet run --allow tcp:NAME:PORT: its sandbox is held to the name's addresses"
else
	tap_skip "lxnet run with a name rule" "no /dev/fuse or lxnetfs"
fi
tap_done
