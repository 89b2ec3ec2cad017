#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-policy.sh - the connection policy (--allow, --deny, --no-host-loopback,
# --policy): every rule kind allowed and refused, TCP, UDP, IPv4, IPv6, on
# connect, sendto, sendmsg, sendmmsg (the resolver) and bind; the race of a
# thread flipping the sockaddr during 20,000 connects; bad rules; the same
# through lxnet run.
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-300}
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
lib_tmpdir
RACE=$top_builddir/tests/helpers/policy-race
CHECK="$PY $top_srcdir/tests/integration/policy-check.py"
[ -x "$RACE" ] || tap_skip_all "tests/helpers/policy-race not built"
tap_plan 16

ip link add pv0 type veth peer name pv1 && ip link set pv0 up && ip link set pv1 up &&
	ip addr add 10.66.0.1/24 dev pv0 && ip addr add 10.66.1.1/24 dev pv1 &&
	ip -6 addr add fd00:66::1/64 dev pv0 nodad ||
	tap_skip_all "cannot make a veth pair here"
"$PY" "$top_srcdir/tests/integration/policy-servers.py" "$TMP_DIR/ready" "$TMP_DIR/counts" \
	tcp:127.0.0.1:9101 tcp:127.0.0.1:9102 tcp:10.66.0.1:9101 tcp:10.66.1.1:9101 \
	"tcp:[::1]:9101" "tcp:[fd00:66::1]:9102" udp:10.66.0.1:9201 udp:10.66.1.1:9201 \
	"udp:[fd00:66::1]:9201" &
SERVERS=$!
lib_on_exit "kill $SERVERS 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/ready" || tap_skip_all "servers did not start"
printf 'nameserver 10.66.0.1\n' >"$TMP_DIR/resolv.conf"
printf '127.0.0.1 localhost\n' >"$TMP_DIR/hosts"
# the shims read the files of this (the test's own) mount namespace
mount --bind "$TMP_DIR/resolv.conf" /etc/resolv.conf || tap_diag "cannot bind resolv.conf"

# check NAME CASE EXPECT... - run policy-check.py in a shim of proxy NAME
check() {
	local name=$1 out st
	shift
	out=$(in_shim "$TMP_DIR/$name.sock" $CHECK "$@" 2>&1)
	st=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	return $st
}

# 1: an allow-list: one network, one port, one protocol; the rest refused
policy_proxy allow --allow tcp:10.66.0.0/24:9101 --allow "udp:[fd00:66::/64]:9201" \
	--allow "tcp:[::1]:9101"
check allow tcp:10.66.0.1:9101 ok tcpnb:10.66.0.1:9101 ok tcp:10.66.1.1:9101 EPERM \
	tcp:127.0.0.1:9101 EPERM tcpnb:127.0.0.1:9102 EPERM "tcp:[::1]:9101" ok \
	"tcp:[fd00:66::1]:9102" EPERM v4mapped:10.66.0.1:9101 ok v4mapped:10.66.1.1:9101 EPERM \
	"tcp6short:[::1]:9101" ok "tcp6short:[fd00:66::1]:9102" EPERM tcp6short:10.66.1.1:9101 EPERM \
	"udp6short:[fd00:66::1]:9201" ok udp6short:10.66.0.1:9201 EPERM \
	"udp:[fd00:66::1]:9201" ok udp:10.66.0.1:9201 EPERM udpmsg:10.66.1.1:9201 EPERM \
	udpconn:10.66.1.1:9201 EPERM
tap_result $? "--allow: TCP and UDP, IPv4 and IPv6 (v4-mapped too), connect/sendto/sendmsg: the rest EPERM"

# 2: deny rules only: what they name is refused, the rest passes; first
# match decides (an --allow after a --deny of the same does not undo it)
policy_proxy deny --deny tcp:10.66.1.0/24 --deny udp:10.66.0.1:9201
check deny tcp:10.66.0.1:9101 ok tcp:10.66.1.1:9101 EPERM udp:10.66.1.1:9201 ok \
	mptcp:10.66.0.1:9101 ENOPROTOOPT mptcp:10.66.1.1:9101 ENOPROTOOPT \
	udpmsg:10.66.0.1:9201 EPERM tcp:127.0.0.1:9101 ok udpunspec:10.66.0.1:9201 EPERM \
	udpunspec:10.66.1.1:9201 ok
r=$?
policy_proxy first --deny tcp:10.66.1.0/24 --allow tcp:10.66.1.1:9101 --allow tcp:10.66.0.1:9101
check first tcp:10.66.1.1:9101 EPERM tcp:10.66.0.1:9101 ok tcp:127.0.0.1:9101 EPERM
tap_result $((r + $?)) "--deny: refused, the rest passes (an AF_UNSPEC address on an IPv4 socket too; MPTCP off, ENOPROTOOPT); the first matching rule decides, and any --allow makes the rest refused"

# 3: --no-host-loopback, with one loopback port allowed before it
policy_proxy lo --allow tcp:127.0.0.1:9102 --no-host-loopback
check lo tcp:127.0.0.1:9101 EPERM tcp:127.0.0.1:9102 ok "tcp:[::1]:9101" EPERM
r=$?
policy_proxy lo2 --no-host-loopback
check lo2 tcp:127.0.0.1:9101 EPERM "tcp:[::1]:9101" EPERM tcp:10.66.0.1:9101 ok
r=$((r + $?))
tap_result $r "--no-host-loopback: 127.0.0.0/8 and ::1 refused, the rest passes; an explicit --allow first still passes"

# 4: bind rules
policy_proxy bind --allow bind:tcp:127.0.0.1:9300-9310
check bind bindtcp:127.0.0.1:9305 ok bindtcp:127.0.0.1:9311 EPERM bindtcp:0.0.0.0:9305 EPERM \
	bindtcp:0.0.0.0:0 ok tcp:10.66.1.1:9101 ok bindunspec:0.0.0.0:9306 EPERM
tap_result $? "bind: rules: the allowed range binds, other ports and addresses EPERM, port 0 always; destinations untouched"

# 5: the view's nameserver stays reachable on 53 (glibc's sendmmsg), a denied one not
if command -v dnsmasq >/dev/null; then
	dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
		--listen-address=10.66.0.1 --port=53 --user="$(id -un)" \
		--pid-file="$TMP_DIR/dnsmasq.pid" --address=/pol.test/10.66.0.9 \
		--log-facility="$TMP_DIR/dnsmasq.log" &
	lib_on_exit "kill $! 2>/dev/null"
	wait_until 10 test -s "$TMP_DIR/dnsmasq.pid"
	out=$(RES_OPTIONS="timeout:2 attempts:1" in_shim "$TMP_DIR/allow.sock" getent ahosts pol.test 2>&1)
	echo "$out" | grep -q '^10.66.0.9[[:space:]]'
	r=$?
	policy_proxy nodns --allow tcp:10.66.0.0/24:9101 --deny udp:10.66.0.1:53 --deny tcp:10.66.0.1:53
	! RES_OPTIONS="timeout:1 attempts:1" in_shim "$TMP_DIR/nodns.sock" getent ahosts pol.test >/dev/null 2>&1
	tap_result $((r + $?)) "the view's nameserver answers under an allow-list (sendmmsg); a --deny of it holds"
else
	tap_skip "nameserver under a policy" "dnsmasq missing"
fi

# 7-8: no policy: nothing of it is trapped (the filter is the old one)
"$LXNET_BIN" shim --print-filter >"$TMP_DIR/plain.pfc"
# (sendmsg only where raw ICMP sockets are put: fd 0, 896-911, 56-63)
awk '/filter for syscall "sendmsg"/ { f = 1; next } /# filter for syscall/ { f = 0 } f' \
	"$TMP_DIR/plain.pfc" >"$TMP_DIR/plain.sendmsg"
! grep -q '"sendmmsg"' "$TMP_DIR/plain.pfc" &&
	[ "$(grep -c 'action' "$TMP_DIR/plain.sendmsg")" = 3 ] &&
	[ "$(grep -c 'a0.lo32' "$TMP_DIR/plain.sendmsg")" = 3 ] &&
	grep -q '0xfffffff0 == 896)$' "$TMP_DIR/plain.sendmsg" &&
	grep -q '0xffffffff == 0)$' "$TMP_DIR/plain.sendmsg"
tap_result $? "without a policy the filter traps no send call but on raw ICMP sockets' fds"
in_shim "$TMP_DIR/allow.sock" sh -c 'grep -q "^Seccomp:[[:space:]]*2" /proc/self/status'
tap_result $? "a shim of a proxy with a policy is filtered"

# 9-10: bad rules: one line, exit 2; a bad policy file names its line
out=$("$PROXY_BIN" --socket "$TMP_DIR/bad.sock" --allow tcp:10.0.0.0/33 2>&1)
st=$?
[ $st -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && printf '%s' "$out" | grep -q "invalid rule 'tcp:10.0.0.0/33'"
tap_result $? "an unparseable rule: one line, exit 2 ($out)"
printf 'allow tcp:10.0.0.0/8:443\nallow tcp:non_sense\n' >"$TMP_DIR/bad.policy"
out=$("$PROXY_BIN" --socket "$TMP_DIR/bad.sock" --policy "$TMP_DIR/bad.policy" 2>&1)
st=$?
[ $st -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
	printf '%s' "$out" | grep -q "^lxnet-proxy: error: $TMP_DIR/bad.policy:2: invalid rule 'tcp:non_sense'" &&
	! printf '%s' "$out" | grep -q -e '--help'
r=$?
# lxnet run reads the file itself (it hands its proxy the rules): the same
# line, no --help hint (it says nothing of the file's lines); a bad rule on
# the command line keeps the hint
out2=$("$LXNET_BIN" run --no-config --policy="$TMP_DIR/bad.policy" -- true 2>&1)
st2=$?
out3=$("$LXNET_BIN" run --no-config --allow=tcp:non_sense -- true 2>&1)
st3=$?
[ $st2 -eq 2 ] && [ "$(printf '%s\n' "$out2" | wc -l)" = 1 ] &&
	printf '%s' "$out2" | grep -q "^lxnet run: error: $TMP_DIR/bad.policy:2: invalid rule 'tcp:non_sense'.*)$" &&
	! printf '%s' "$out2" | grep -q -e '--help' &&
	[ $st3 -eq 2 ] && printf '%s' "$out3" | grep -q "(try 'lxnet run --help')$"
tap_result $((r + $?)) "a bad policy file line: its file and line, no --help hint, exit 2 (proxy: $out; lxnet run: $out2; the same rule as --allow: $out3)"

# 11: a policy file
printf '# test policy\nallow tcp:10.66.0.1:9101\nno-host-loopback\n' >"$TMP_DIR/good.policy"
policy_proxy file --policy "$TMP_DIR/good.policy"
check file tcp:10.66.0.1:9101 ok tcp:10.66.1.1:9101 EPERM
tap_result $? "--policy FILE: its rules apply"

# 6: the race: 20,000 connects while a thread flips the port (servers of
# its own, which count every arrival)
"$PY" "$top_srcdir/tests/integration/policy-servers.py" "$TMP_DIR/ready3" "$TMP_DIR/counts3" \
	tcp:127.0.0.1:9111 tcp:127.0.0.1:9112 &
RACE_SERVERS=$!
lib_on_exit "kill $RACE_SERVERS 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/ready3"
policy_proxy race --allow tcp:127.0.0.1:9111
out=$(in_shim "$TMP_DIR/race.sock" "$RACE" 127.0.0.1 9111 9112 20000 2>&1)
printf '# %s\n' "$out"
kill "$RACE_SERVERS"
wait "$RACE_SERVERS" 2>/dev/null
arrived=$(awk '$1 == "tcp:127.0.0.1:9112" { print $2 }' "$TMP_DIR/counts3")
allowed=$(awk '$1 == "tcp:127.0.0.1:9111" { print $2 }' "$TMP_DIR/counts3")
printf '# arrivals: allowed port %s, refused port %s\n' "$allowed" "$arrived"
[ "$arrived" = 0 ] && echo "$out" | grep -q '^connected [1-9]' && echo "$out" | grep -q ' refused [1-9]'
tap_result $? "a thread flipping the sockaddr during 20,000 connects: 0 arrivals at the refused port ($out; $allowed arrived at the allowed one)"

# 12: lxnet run passes the policy to its proxy and filters with it
if [ -c /dev/fuse ] && [ -x "$top_builddir/fs/lxnetfs" ]; then
	"$PY" "$top_srcdir/tests/integration/policy-servers.py" "$TMP_DIR/ready2" "$TMP_DIR/counts2" \
		tcp:10.66.0.1:9401 tcp:10.66.1.1:9401 &
	lib_on_exit "kill $! 2>/dev/null"
	wait_until 10 test -e "$TMP_DIR/ready2"
	out=$(timeout -k 5 60 "$LXNET_BIN" run --resolv-conf "$TMP_DIR/resolv.conf" \
		--hosts-file "$TMP_DIR/hosts" --allow tcp:10.66.0.1:9401 -- \
		$CHECK tcp:10.66.0.1:9401 ok tcp:10.66.1.1:9401 EPERM 2>&1)
	st=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	tap_result $st "lxnet run --allow: its sandbox is held to it"
else
	tap_skip "lxnet run --allow" "no /dev/fuse or lxnetfs"
fi

# 13: an i386 program, whose connect the filter does not trap, gets no
# socket of the host's under a policy (before: a host socket, and its
# connect to a refused server went through)
if lib_build32 "$TMP_DIR/sock32" "$top_srcdir/tests/helpers/proxy-sock32.c"; then
	# the server there accepts and closes: a connect that got through
	# prints nothing, one in the sandbox's own namespace "connect: ..."
	out=$(in_shim "$TMP_DIR/allow.sock" "$TMP_DIR/sock32" connect 9101 2>&1)
	tap_diag "i386: $out"
	case $out in connect:*) true ;; *) false ;; esac &&
		grep -q 'i386 or x32 program .* gets no socket of the host' "$TMP_DIR/proxy.log"
	tap_result $? "an i386 program under a policy reaches nothing of the host's"
else
	tap_skip "i386 program under a policy" "$LIB_WHY32"
fi

# 14: io_uring, whose IORING_OP_CONNECT and SENDMSG seccomp never sees,
# fails ENOSYS under a policy (before: a ring connected anywhere); outside a
# policy a ring is made as natively
URING='import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(425, 1, ctypes.create_string_buffer(120))
print("fd" if r >= 0 else os.strerror(ctypes.get_errno()))'
native=$("$PY" -c "$URING" 2>&1)
out=$(in_shim "$TMP_DIR/allow.sock" "$PY" -c "$URING" 2>&1)
tap_diag "io_uring_setup natively: $native; under a policy: $out"
if [ "$native" = fd ]; then
	[ "$out" = "Function not implemented" ]
	tap_result $? "io_uring_setup under a policy fails ENOSYS ($out)"
else
	tap_skip "io_uring under a policy" "io_uring_setup fails here natively too: $native"
fi

# 15: a shim that hands over a listener without asking what to trap
# (lxnet-shim 0.1, whose filter traps nothing of a policy) is refused
OLDSHIM='import socket, struct, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
r, w = os.pipe()
socket.send_fds(s, [struct.pack("=IIii", 0x6c786e65, 1, 0, os.getpid())], [r])
s.settimeout(5)
magic, kind, status, pid = struct.unpack("=IIii", s.recv(16))
print(kind, status)'
out=$("$PY" -c "$OLDSHIM" "$TMP_DIR/allow.sock" 2>&1)
tap_diag "a listener without FDPASS_HELLO: ack kind, status: $out"
[ "$out" = "3 -71" ] && grep -q "did not ask what to trap" "$TMP_DIR/proxy.log"
tap_result $? "a listener from a shim that did not say HELLO is refused under a policy (EPROTO), with a warning"

# 16: under a policy binds and sends with an address are trapped on every
# fd; on the host's own NETLINK_ROUTE socket (--netlink=auto) they go back
# to the kernel, which answers as natively and checks the caller: the
# addresses inside are the host's, and a change is refused
native=$(ip -br addr | sort)
inside=$(in_shim "$TMP_DIR/allow.sock" ip -br addr 2>&1 | sort)
add=$(in_shim "$TMP_DIR/allow.sock" ip addr add 10.66.9.9/32 dev pv0 2>&1)
[ -n "$native" ] && [ "$inside" = "$native" ] &&
	[ "$add" = "RTNETLINK answers: Operation not permitted" ] &&
	! ip -o addr show dev pv0 | grep -q 10.66.9.9
tap_result $? "under a policy the host's netlink socket answers as natively and refuses a change ($add)"
tap_done
