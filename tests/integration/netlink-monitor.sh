#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netlink-monitor.sh - every rtnetlink event as the kernel sends it:
# `ip -o monitor all` natively in this test's "host" namespace and inside
# `lxnet run` at once, over a scripted sequence of host changes in
# batches (links made, bridged, renamed, set down and deleted; IPv4 and
# IPv6 addresses, one through DAD; routes in tables main, local, 100 and
# 200, multipath, `ip -6 route append` on two devices; neighbours
# permanent, NOARP and proxy; policy rules; a link deleted while its
# link-local address is tentative; a carrier change). A third monitor,
# in a sandbox with --hide-if, checks the rule, netconf and bridge
# (AF_BRIDGE link and FDB) events it gets against the kernel's without
# the hidden ones': a hidden port of a visible bridge, a visible port of
# a hidden bridge. Each batch ends with a marker route the monitors must
# print before the next begins. After the first, `bridge link` and
# `bridge fdb` inside, with and without --hide-if, are compared with
# the host's.
# One TAP line per message type (the monitor's [LINK], [ADDR], ...
# prefix): ok when the sandbox's stream of that type equals the
# kernel's, or, for a type with a known gap (issue 14), when the
# difference is exactly the one netlink-monitor.known lists, so the line
# fails when the gap grows, shrinks or is fixed.
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-120}
lib_enter_ns "$@"
LXNET=$top_builddir/src/lxnet/lxnet
[ -x "$LXNET" ] || tap_skip_all "lxnet not built"
[ -x "$top_builddir/fs/lxnetfs" ] || tap_skip_all "lxnetfs not built"
[ -c /dev/fuse ] || tap_skip_all "no /dev/fuse"
command -v ip >/dev/null || tap_skip_all "ip (iproute2) missing"
ip link add mbr0 type bridge 2>/dev/null && ip link del mbr0 ||
	tap_skip_all "no bridge link type here"
lib_tmpdir

# Asynchronous host traffic makes the kernel's stream differ between two
# runs of the same script; this namespace's own sysctls make it settle:
# no router solicitations (their ff02::2 neighbours), DAD probes at once
# and 100 ms apart, MLD and IGMP reports within 10 ms (the neighbour
# entries their destinations get, which the kernel announces only when
# it deletes them). Fixed MAC addresses make link-local addresses, and
# so every line, the same each run.
for c in all default; do
	sysctl -qw net.ipv6.conf.$c.router_solicitations=0 \
		net.ipv6.conf.$c.router_solicitation_delay=0 \
		net.ipv6.conf.$c.mldv1_unsolicited_report_interval=10 \
		net.ipv6.conf.$c.mldv2_unsolicited_report_interval=10 \
		net.ipv4.conf.$c.igmpv2_unsolicited_report_interval=10 \
		net.ipv4.conf.$c.igmpv3_unsolicited_report_interval=10
done
# mkveth NAME PEER N - a veth pair with MAC addresses 02:00:00:00:N:01/02,
# DAD probes 100 ms apart
mkveth() {
	ip link add "$1" address "02:00:00:00:$3:01" type veth \
		peer name "$2" address "02:00:00:00:$3:02" &&
		sysctl -qw "net.ipv6.neigh.$1.retrans_time_ms=100" \
			"net.ipv6.neigh.$2.retrans_time_ms=100"
}
mkveth vA pA 0a && mkveth vB pB 0b &&
	for l in vA pA vB pB; do ip link set "$l" up || exit 1; done &&
	ip addr add 10.61.0.1/24 dev vA && ip addr add 10.62.0.1/24 dev vB &&
	ip -6 addr add fd61::1/64 dev vA nodad && ip -6 addr add fd62::1/64 dev vB nodad ||
	tap_skip_all "cannot make veth pairs here"
# their link-local addresses past DAD before anyone listens
wait_until 10 sh -c '! ip -6 addr show tentative | grep -q inet6' ||
	tap_skip_all "link-local addresses still tentative after 10 s"
printf 'nameserver 10.61.0.53\n' >"$TMP_DIR/resolv.conf"
printf '127.0.0.1 localhost\n' >"$TMP_DIR/hosts"

ip -o monitor all >"$TMP_DIR/native" 2>&1 &
lib_on_exit "kill $! 2>/dev/null"
timeout -k 5 100 "$LXNET" run --netlink=emulated --resolv-conf "$TMP_DIR/resolv.conf" \
	--hosts-file "$TMP_DIR/hosts" -- \
	sh -c "exec ip -o monitor all >'$TMP_DIR/inside' 2>&1" &
lib_on_exit "kill $! 2>/dev/null"
# a second sandbox hides the veth pair hX/hY: its rule and netconf
# events (passed on from the host's) must leave them out
timeout -k 5 100 "$LXNET" run --hide-if 'h*' --resolv-conf "$TMP_DIR/resolv.conf" \
	--hosts-file "$TMP_DIR/hosts" -- \
	sh -c "exec ip -o monitor all >'$TMP_DIR/hidden' 2>&1" &
lib_on_exit "kill $! 2>/dev/null"

# mark N [SECONDS] - end batch N: a blackhole route both monitors must
# print (the inside one within SECONDS, default 10)
MARK=0
MARKS=()
mark() {
	local m
	MARK=$((MARK + 1))
	m="10.60.$1.$MARK"
	MARKS[$1]=$m
	ip route add blackhole "$m" &&
		wait_until 10 grep -q "^\[ROUTE\]blackhole ${m//./\\.} *\$" "$TMP_DIR/native" &&
		wait_until "${2:-10}" grep -qs "^\[ROUTE\]blackhole ${m//./\\.} *\$" "$TMP_DIR/inside" &&
		wait_until "${2:-10}" grep -qs "^\[ROUTE\]blackhole ${m//./\\.} *\$" "$TMP_DIR/hidden"
}
# the inside monitors start a moment after lxnet run: mark until seen
started=1
for i in $(seq 1 30); do
	if mark 0 1; then started=0; break; fi
done
if [ $started -ne 0 ]; then
	tap_plan 1
	tap_result 1 "both monitors print a marker route"
	exit 1
fi
tap_plan 12
tap_result 0 "the three monitors print a marker route"

# -- batch 1: links made, bridged; one set down, renamed, set up
mkveth vC pC 0c
ip link set vC up
ip link set pC up
ip link add br1 address 02:00:00:00:0e:01 type bridge forward_delay 0
ip link set pC master br1
ip link set pC type bridge_slave learning off
ip link set br1 up
# the bridge's carrier comes from its port's state timer: wait for it
wait_until 5 sh -c "ip -o link show br1 | grep -q LOWER_UP"
mkveth vE pE 0f
ip link set vE up
ip link set pE up
mkveth hX hY 11
ip link set hX up
ip link set hY up
# a hidden port of br1, and a visible port of a hidden bridge
ip link set hY master br1
ip link set hY type bridge_slave learning off
mkveth vG pG 12
ip link add hbr address 02:00:00:00:0e:02 type bridge forward_delay 0
ip link set pG master hbr
ip link set pG type bridge_slave learning off
ip link set vG up
ip link set pG up
ip link set hbr up
wait_until 5 sh -c "ip -o link show hbr | grep -q LOWER_UP"
# `ip monitor` names a deleted link by its index ("dev if12"); this
# mount namespace still shows the outer /sys: ask rtnetlink
HIDDEN_IDX=$(for l in hX hY hbr pG; do ip -o link show "$l" | cut -d: -f1; done | tr '\n' '|')
HIDDEN_IDX=${HIDDEN_IDX%|}
wait_until 5 sh -c "! ip -6 addr show tentative | grep -q inet6"
ip link set vE down
ip link set vE name vF
ip link set vF up
wait_until 5 sh -c "! ip -6 addr show tentative | grep -q inet6"
mark 1

# the bridges' dumps inside (PF_BRIDGE's, asked of the host through the
# view), with and without --hide-if, against the host's before and after
cat >"$TMP_DIR/bridges.sh" <<EOF
#!/bin/sh
o=\$1
bridge link show >"\$o/link" 2>&1
bridge -d link show >"\$o/link-d" 2>&1
bridge fdb show >"\$o/fdb" 2>&1
bridge fdb show br br1 >"\$o/fdb-br1" 2>&1
bridge fdb show brport pG >"\$o/fdb-pG" 2>&1
EOF
chmod +x "$TMP_DIR/bridges.sh"
for d in h1 sb hsb h2; do mkdir -p "$TMP_DIR/br.$d"; done
"$TMP_DIR/bridges.sh" "$TMP_DIR/br.h1"
timeout -k 5 30 "$LXNET" run --netlink=emulated --resolv-conf "$TMP_DIR/resolv.conf" \
	--hosts-file "$TMP_DIR/hosts" -- "$TMP_DIR/bridges.sh" "$TMP_DIR/br.sb"
timeout -k 5 30 "$LXNET" run --hide-if 'h*' --resolv-conf "$TMP_DIR/resolv.conf" \
	--hosts-file "$TMP_DIR/hosts" -- "$TMP_DIR/bridges.sh" "$TMP_DIR/br.hsb"
"$TMP_DIR/bridges.sh" "$TMP_DIR/br.h2"

# -- batch 2: addresses: IPv4, IPv6 without and with DAD
ip addr add 10.65.0.1/24 dev vA
ip addr add 10.65.0.2/24 dev vA
ip -6 addr add fd65::1/64 dev vA nodad
ip -6 addr add fd66::1/64 dev vA
wait_until 5 sh -c "! ip -6 addr show dev vA tentative | grep -q fd66"
ip addr del 10.65.0.2/24 dev vA
ip -6 addr del fd65::1/64 dev vA
mark 2

# -- batch 3: routes in main, local, 100 and 200; multipath; one IPv6
# prefix on two devices, deleted on the first
ip route add 10.70.0.0/16 via 10.61.0.254
ip route add 10.70.0.0/16 via 10.62.0.254 metric 7
ip route add local 10.71.0.1 dev vA table local
ip route add 10.72.0.0/16 via 10.61.0.254 table 100
ip route add 10.73.0.0/16 dev vB table 200
ip -6 route add fd73::/64 via fd62::fe dev vB table 200
ip route add 10.74.0.0/16 nexthop via 10.61.0.254 weight 1 nexthop via 10.62.0.254 weight 2
ip -6 route add fd74::/64 nexthop via fd61::fe dev vA nexthop via fd62::fe dev vB
ip -6 route add fd0c::/64 dev vA
ip -6 route append fd0c::/64 dev vB
ip -6 route del fd0c::/64 dev vA
ip route replace 10.70.0.0/16 via 10.61.0.253
ip route del 10.72.0.0/16 table 100
ip route del local 10.71.0.1 dev vA table local
mark 3

# -- batch 4: neighbours: permanent, reachable, NOARP, proxy
ip neigh add 10.61.0.7 lladdr 02:00:00:00:01:07 dev vA nud permanent
ip neigh add 10.61.0.8 lladdr 02:00:00:00:01:08 dev vA nud reachable
ip neigh add 10.61.0.9 lladdr 02:00:00:00:01:09 dev vA nud noarp
ip -6 neigh add fd61::7 lladdr 02:00:00:00:01:07 dev vA nud permanent
ip neigh add proxy 10.61.0.10 dev vA
ip -6 neigh add proxy fd61::10 dev vA
ip neigh change 10.61.0.7 lladdr 02:00:00:00:01:17 dev vA nud permanent
ip neigh del 10.61.0.8 dev vA
ip neigh del proxy 10.61.0.10 dev vA
mark 4

# -- batch 5: policy rules, IPv4 and IPv6
ip rule add from 10.65.0.0/24 table 100 pref 1000
ip rule add iif vA table 200 pref 1001
ip -6 rule add from fd65::/64 table 100 pref 1000
ip rule add iif hX table 200 pref 1002
ip rule add oif hY table 200 pref 1003
ip rule del pref 1001
ip rule del pref 1002
mark 5

# -- batch 6: a link deleted while its link-local address is tentative
# (DAD made long on it), with a NOARP neighbour on it
mkveth vT pT 0d
# (IPv6 on vT only: the two ends' routes would race each other)
sysctl -qw net.ipv6.conf.vT.dad_transmits=100 net.ipv6.conf.pT.disable_ipv6=1
ip link set vT up
ip link set pT up
wait_until 5 sh -c "ip -6 addr show dev vT tentative | grep -q fe80"
ip neigh add 10.69.0.9 lladdr 02:00:00:00:01:09 dev vT nud noarp
ip link del vT
mark 6

# -- batch 7: carrier lost and back on vB (its peer down and up)
ip link set pB down
ip link set pB up
wait_until 5 sh -c "! ip -6 addr show tentative | grep -q inet6"
mark 7

# -- batches 8 to 10, one deletion each: the renamed veth, the bridged
# one, the bridge
ip link del vF
ip link del hX
mark 8
ip link del vC
mark 9
ip link del br1
mark 10

# stream FILE TYPE - the lines of one message type, batch by batch, each
# prefixed "bN "; NEIGH and ADDR sorted within each batch: the kernel
# walks a neighbour table and the IPv6 address hash (inet6_addr_lst) in
# an order that follows a per-boot hash seed, so across one batch their
# order is not the kernel's promise, only the set is
stream() {
	local b sort=cat
	case $2 in NEIGH | ADDR) sort="sort" ;; esac
	for b in $(seq 1 "$NBATCH"); do
		awk -v s="${MARKS[$((b - 1))]}" -v e="${MARKS[$b]}" -v t="[$2]" '
			/^\[ROUTE\]blackhole 10\.60\./ {
				if ($2 == s) { on = 1; next }
				if ($2 == e) exit
			}
			on && (t == "[OTHER]" ? $0 !~ /^\[(LINK|ADDR|ROUTE|NEIGH|RULE|NETCONF)\]/ : index($0, t) == 1)' "$1" |
			sed 's/ *$//' | $sort | sed "s/^/b$b /"
	done
}

# known TYPE - the difference (diff's "-native", "+inside" lines) left
# for TYPE (netlink-monitor.known, which says why); empty for a type the
# sandbox sees as the kernel sends it
known() {
	sed -n "s/^$1 //p" "$top_srcdir/tests/integration/netlink-monitor.known"
}

NBATCH=10
for t in LINK ADDR ROUTE NEIGH RULE NETCONF OTHER; do
	stream "$TMP_DIR/native" "$t" >"$TMP_DIR/native.$t"
	stream "$TMP_DIR/inside" "$t" >"$TMP_DIR/inside.$t"
	diff --unchanged-line-format= --old-line-format='-%L' --new-line-format='+%L' \
		"$TMP_DIR/native.$t" "$TMP_DIR/inside.$t" >"$TMP_DIR/diff.$t"
	known "$t" >"$TMP_DIR/known.$t"
	n=$(wc -l <"$TMP_DIR/native.$t")
	if cmp -s "$TMP_DIR/diff.$t" "$TMP_DIR/known.$t"; then
		if [ -s "$TMP_DIR/known.$t" ]; then
			tap_result 0 "[$t] $n events: the known difference, $(wc -l <"$TMP_DIR/known.$t") lines (issue 14)"
		else
			tap_result 0 "[$t] $n events: inside equals native"
		fi
	else
		tap_diag "[$t] difference found:"
		sed 's/^/#   /' "$TMP_DIR/diff.$t"
		tap_diag "[$t] difference expected:"
		sed 's/^/#   /' "$TMP_DIR/known.$t"
		tap_result 1 "[$t] $n events: inside differs from native other than known"
	fi
done
# --hide-if 'h*': the kernel's rule and netconf events, those naming hX
# or hY left out (a rule by its iif/oif name, netconf by interface)
hidden_stream() {
	for t in RULE NETCONF; do
		stream "$1" "$t" | sed 's/^b[0-9]* //'
	done
}
hidden_stream "$TMP_DIR/native" >"$TMP_DIR/native.h"
grep -Ev '(iif|oif|inet6?) (h[XY]|hbr)( |$)' "$TMP_DIR/native.h" >"$TMP_DIR/native.hv"
hidden_stream "$TMP_DIR/hidden" >"$TMP_DIR/hidden.h"
nh=$(($(wc -l <"$TMP_DIR/native.h") - $(wc -l <"$TMP_DIR/native.hv")))
if [ "$nh" -gt 0 ] && cmp -s "$TMP_DIR/native.hv" "$TMP_DIR/hidden.h"; then
	tap_result 0 "--hide-if: $(wc -l <"$TMP_DIR/hidden.h") rule and netconf events, the kernel's without hX/hY/hbr's $nh"
else
	diff "$TMP_DIR/native.hv" "$TMP_DIR/hidden.h" | sed 's/^/# /'
	tap_result 1 "--hide-if: rule and netconf events other than the kernel's without hX/hY/hbr's ($nh)"
fi

# --hide-if 'h*': the kernel's bridge events (AF_BRIDGE link messages,
# the lines without a qdisc; FDB entries, the neighbours without an
# address) without those of hidden ports (hY), of a hidden bridge's
# port (pG, whose FDB entry's bridge `ip monitor` does not print) and
# of the hidden bridge itself (hbr); each kind of hiding must occur
bridge_lines() {
	local t b
	for b in $(seq 1 "$NBATCH"); do
		for t in LINK NEIGH; do
			awk -v s="${MARKS[$((b - 1))]}" -v e="${MARKS[$b]}" -v t="[$t]" '
				/^\[ROUTE\]blackhole 10\.60\./ {
					if ($2 == s) { on = 1; next }
					if ($2 == e) exit
				}
				on && index($0, t) == 1' "$1" |
				sed 's/ *$//' | grep -Ev '^\[LINK\].* qdisc |^\[NEIGH\](Deleted )?[0-9a-f.:]+ ' |
				sort | sed "s/^/b$b /"
		done
	done
}
bridge_lines "$TMP_DIR/native" >"$TMP_DIR/native.br"
bridge_lines "$TMP_DIR/hidden" >"$TMP_DIR/hidden.br"
grep -Ev "\\](Deleted )?([0-9]+: (hX|hY|hbr)[@:]|.* master hbr |dev (hX|hY|hbr|pG|if($HIDDEN_IDX)) )" \
	"$TMP_DIR/native.br" >"$TMP_DIR/native.brv"
np=$(grep -Ec '\](Deleted )?[0-9]+: hY[@:]' "$TMP_DIR/native.br")
nm=$(grep -Ec ' master hbr ' "$TMP_DIR/native.br")
nd=$(grep -Ec '\](Deleted )?dev (hY|hbr) ' "$TMP_DIR/native.br")
nf=$(grep -Ec '\](Deleted )?dev pG ' "$TMP_DIR/native.br")
if [ "$np" -gt 0 ] && [ "$nm" -gt 0 ] && [ "$nd" -gt 0 ] && [ "$nf" -gt 0 ] &&
	cmp -s "$TMP_DIR/native.brv" "$TMP_DIR/hidden.br"; then
	tap_result 0 "--hide-if: $(wc -l <"$TMP_DIR/hidden.br") bridge events, the kernel's without a hidden port's $np, a hidden bridge's port's $nm, FDB entries of hidden devices $nd and of a hidden bridge $nf"
else
	diff "$TMP_DIR/native.brv" "$TMP_DIR/hidden.br" | sed 's/^/# /'
	tap_result 1 "--hide-if: bridge events other than the kernel's without the hidden ones (port $np, bridge's port $nm, FDB device $nd, FDB bridge $nf)"
fi

# the bridges' dumps: inside as on the host (before or after)
bad=""
for f in link link-d fdb fdb-br1 fdb-pG; do
	[ -s "$TMP_DIR/br.h1/$f" ] && { cmp -s "$TMP_DIR/br.h1/$f" "$TMP_DIR/br.sb/$f" ||
		cmp -s "$TMP_DIR/br.h2/$f" "$TMP_DIR/br.sb/$f"; } || bad="$bad $f"
done
[ -z "$bad" ]
tap_result $? "bridge link, bridge -d link, bridge fdb (all, br br1, brport pG) inside: the host's${bad:+; differ:$bad}"
# with --hide-if 'h*': the host's without the lines of hidden ports and
# devices (hX, hY, hbr) and of the hidden bridge's ports and entries
# ("master hbr"); a port's detail line (bridge -d) goes with it
visible_br() {
	awk '/^[0-9]+: / { skip = $2 ~ /^(hX|hY|hbr)[@:]/ || / master hbr / }
		/^[^ ]/ && !/^[0-9]+: / { skip = / dev (hX|hY|hbr) / || / master hbr / }
		!skip' "$1"
}
bad=""
for f in link link-d fdb fdb-br1 fdb-pG; do
	visible_br "$TMP_DIR/br.h1/$f" >"$TMP_DIR/br.h1v.$f"
	visible_br "$TMP_DIR/br.h2/$f" >"$TMP_DIR/br.h2v.$f"
	cmp -s "$TMP_DIR/br.h1/$f" "$TMP_DIR/br.h1v.$f" && bad="$bad $f(nothing hidden)"
	cmp -s "$TMP_DIR/br.h1v.$f" "$TMP_DIR/br.hsb/$f" ||
		cmp -s "$TMP_DIR/br.h2v.$f" "$TMP_DIR/br.hsb/$f" || bad="$bad $f"
done
[ -z "$bad" ]
tap_result $? "the same with --hide-if 'h*': the host's without hX/hY/hbr's lines and hbr's ports'${bad:+; differ:$bad}"

# LXNET_MONITOR_KEEP=DIR: both streams are copied there, to study a failure
[ -n "${LXNET_MONITOR_KEEP:-}" ] &&
	cp -r "$TMP_DIR/native" "$TMP_DIR/inside" "$TMP_DIR/hidden" "$TMP_DIR"/br.* "$LXNET_MONITOR_KEEP/"
tap_done
