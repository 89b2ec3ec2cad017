#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netlink-events.sh - route and address events as the kernel sends them:
# `ip -o monitor route address` natively and inside `lxnet run` at once,
# over a scripted sequence of host changes (one prefix on two devices, a
# deletion on the first, a metric, a replace, policy tables, an address
# added and removed with the routes it brings, a link gaining carrier),
# compared line by line, order included. A sentinel route before and
# after frames the sequence. `ip -o monitor link` runs alongside: the
# RTM_DELLINK of a deleted veth pair is compared too.
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-180}
lib_enter_ns "$@"
LXNET=$top_builddir/src/lxnet/lxnet
[ -x "$LXNET" ] || tap_skip_all "lxnet not built"
[ -x "$top_builddir/fs/lxnetfs" ] || tap_skip_all "lxnetfs not built"
[ -c /dev/fuse ] || tap_skip_all "no /dev/fuse"
command -v ip >/dev/null || tap_skip_all "ip (iproute2) missing"
lib_tmpdir
tap_plan 5

ip link add vA type veth peer name pA && ip link add vB type veth peer name pB &&
	ip link set vA up && ip link set vB up && ip link set pA up &&
	ip addr add 10.61.0.1/24 dev vA && ip addr add 10.62.0.1/24 dev vB &&
	ip -6 addr add fd61::1/64 dev vA nodad && ip -6 addr add fd62::1/64 dev vB nodad ||
	tap_skip_all "cannot make veth pairs here"
printf 'nameserver 10.61.0.53\n' >"$TMP_DIR/resolv.conf"
printf '127.0.0.1 localhost\n' >"$TMP_DIR/hosts"
sleep 0.3 # let the addresses' own routes settle before anyone listens

ip -o monitor route address >"$TMP_DIR/native" 2>&1 &
NATIVE=$!
lib_on_exit "kill $NATIVE 2>/dev/null"
ip -o monitor link >"$TMP_DIR/native.link" 2>&1 &
lib_on_exit "kill $! 2>/dev/null"
timeout -k 5 120 "$LXNET" run --netlink=emulated --resolv-conf "$TMP_DIR/resolv.conf" --hosts-file "$TMP_DIR/hosts" -- \
	sh -c "ip -o monitor link >'$TMP_DIR/inside.link' 2>&1 &
		exec ip -o monitor route address >'$TMP_DIR/inside' 2>&1" &
INSIDE=$!
lib_on_exit "kill $INSIDE 2>/dev/null"

# sentinel ADDR - add a host route and wait until both monitors print it
sentinel() {
	ip route add "$1" dev vA &&
		wait_until 20 grep -q "^$1 dev vA" "$TMP_DIR/native" &&
		wait_until 20 grep -q "^$1 dev vA" "$TMP_DIR/inside"
}
# the inside monitor may start after the first sentinel: add one until seen
ok=1
for i in 1 2 3 4 5 6 7 8 9 10; do
	if sentinel "10.60.0.$i"; then ok=0; break; fi
done
FIRST=10.60.0.$i
tap_result $ok "both monitors print a sentinel route"

ip -6 route add fd0c::/64 dev vA
ip -6 route append fd0c::/64 dev vB
ip -6 route del fd0c::/64 dev vA
ip route add 10.63.0.0/24 dev vA
ip route add 10.63.0.0/24 dev vB metric 5
ip route del 10.63.0.0/24 dev vA
ip route replace 10.63.0.0/24 dev vB metric 5 mtu 1400
ip route add 10.64.0.0/16 via 10.61.0.254 table 100
ip -6 route add default via fd62::fe dev vB table 51820
ip route del 10.64.0.0/16 table 100
ip addr add 10.65.0.1/24 dev vA
ip -6 addr add fd65::1/64 dev vA nodad
ip addr del 10.65.0.1/24 dev vA
ip -6 addr del fd65::1/64 dev vA
# a link set down, then deleted: the kernel flushes its IPv4 routes
# without a word, announces the rest. No IPv6 on it (its link-local
# address would be deleted during DAD, or not, as the machine is loaded:
# netlink-monitor.sh makes that case deterministic)
ip link add vC type veth peer name pC &&
	sysctl -qw net.ipv6.conf.vC.disable_ipv6=1 net.ipv6.conf.pC.disable_ipv6=1 &&
	ip link set vC up && ip link set pC up
ip addr add 10.66.0.1/24 dev vC
ip route add 10.67.0.0/16 via 10.66.0.254 dev vC
ip route add 10.68.0.0/16 dev vC table 100
sleep 0.2
ip link set vC down
sleep 0.2
ip link del vC
ip link set pB up # carrier on vB: the kernel announces no route
# pB's own IPv6 comes up too (its ff00::/8 in table local); under load its
# announcement may come late: the frame closes once both monitors have it
wait_until 10 grep -q '^multicast ff00::/8 dev pB' "$TMP_DIR/native" &&
	wait_until 10 grep -q '^multicast ff00::/8 dev pB' "$TMP_DIR/inside" ||
	tap_diag "pB's ff00::/8 not seen by both monitors in 10 s"
sleep 0.2
sentinel 10.60.1.1
tap_result $? "both monitors print the closing sentinel"

# the lines between the sentinels, in order; carrier-up on vB makes
# IPv6 link-local routes, which the kernel announces: kept
frame() {
	sed -n "/^${FIRST//./\\.} dev vA/,/^10\\.60\\.1\\.1 dev vA/p" "$1" |
		sed '1d;$d' | sed 's/ *$//'
}
# Everything in order, vC's address deletion and the routes IPv6 makes
# when pB comes up included (they were left out, or compared as a set,
# until the model took the kernel's order from every notification)
frame "$TMP_DIR/native" >"$TMP_DIR/native.f"
frame "$TMP_DIR/inside" >"$TMP_DIR/inside.f"
sed 's/^/# native: /' "$TMP_DIR/native.f"
if diff "$TMP_DIR/native.f" "$TMP_DIR/inside.f" >"$TMP_DIR/diff"; then
	tap_result 0 "the same $(wc -l <"$TMP_DIR/native.f") route and address events inside as natively, in order"
else
	sed 's/^/# /' "$TMP_DIR/diff"
	tap_result 1 "the same route and address events inside as natively, in order"
fi
grep -q '^Deleted fd0c::/64 dev vA' "$TMP_DIR/inside.f" &&
	! grep -q '^Deleted fd0c::/64 dev vB' "$TMP_DIR/inside.f"
tap_result $? "a prefix on two devices, deleted on the first: 'Deleted ... dev vA' inside (it was dev vB)"

# RTM_DELLINK as the kernel sends it: qdisc noop (shut down), a veth's
# peer gone (IFLA_LINK 0, "@NONE"); before: the last state, "vC@pC ...
# M-DOWN qdisc noqueue"
dellink() { grep '^Deleted [0-9]*: [vp]C@' "$1" | sed 's/ *$//' | sort; }
dellink "$TMP_DIR/native.link" >"$TMP_DIR/native.del"
dellink "$TMP_DIR/inside.link" >"$TMP_DIR/inside.del"
sed 's/^/# native: /' "$TMP_DIR/native.del"
sed 's/^/# inside: /' "$TMP_DIR/inside.del"
[ "$(wc -l <"$TMP_DIR/native.del")" = 2 ] && cmp -s "$TMP_DIR/native.del" "$TMP_DIR/inside.del"
tap_result $? "RTM_DELLINK of a deleted veth pair inside as natively"
tap_done
