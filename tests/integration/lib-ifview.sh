# SPDX-License-Identifier: LGPL-2.1-or-later
# lib-ifview.sh - the "host" network that ifioctl.sh and netlink-compat.sh
# compare the sandbox against (sourced after lib.sh and lib_enter_ns, so
# everything here lives in the test's own network namespace).
#
# Links: veth v0/v1, v2/v3 (v3 down, so v2 has no carrier), bridge br0 with
# v1 as its port, veth hid0/hid1 (hidden with --hide-if 'hid*').
# IPv4: v0 10.77.0.1/24 + secondary 10.77.0.2, secondary labelled v0:sec
# 10.77.0.3, primary labelled v0:web 10.77.5.1/24; br0 10.78.0.1/24;
# point-to-point 10.77.9.1 peer 10.77.9.2 on v2; hid0 10.79.0.1/24.
# IPv6 (no DAD): fd00:77::1/64 on v0, fd00:78::1/64 on br0, fd00:79::1/64
# on hid0. Routes: default, two metrics to 10.88/16, a multipath 10.99/16,
# 10.66/16 via the hidden link, 10.88.0/24 inside 10.88/16 (same trie key:
# dump order), IPv6 default, fd00:88::/64 inside fd00:88::/48 (fib6 walk
# order). Neighbours: permanent and reachable, IPv4 and IPv6. Policy rules:
# pref 1000 from 10.77.5/24, 1001 iif hid0 (hidden with the interface),
# 1002 oif nosuch0 (an interface the host lacks: shown, "[detached]").

IFVIEW_HIDE='hid*'
IFVIEW_HIDDEN="hid0 hid1"
IFVIEW_NAMES="lo v0 v0:sec v0:web v1 v2 v3 br0 hid0 hid1"

# ifview_make_host - build the network above; 0 on success
ifview_make_host() {
	sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 || return 1
	ip link add v0 type veth peer name v1 || return 1
	ip link add v2 type veth peer name v3 || return 1
	ip link add hid0 type veth peer name hid1 || return 1
	ip link add br0 type bridge forward_delay 0 || return 1
	ip link set v1 master br0
	for l in v0 v1 br0 v2 hid0 hid1; do ip link set "$l" up || return 1; done
	ip addr add 10.77.0.1/24 brd + dev v0 &&
	ip addr add 10.77.0.2/24 brd + dev v0 &&
	ip addr add 10.77.0.3/24 brd + dev v0 label v0:sec &&
	ip addr add 10.77.5.1/24 brd + dev v0 label v0:web &&
	ip addr add 10.78.0.1/24 brd + dev br0 &&
	ip addr add 10.77.9.1 peer 10.77.9.2 dev v2 &&
	ip addr add 10.79.0.1/24 dev hid0 &&
	ip -6 addr add fd00:77::1/64 dev v0 nodad &&
	ip -6 addr add fd00:78::1/64 dev br0 nodad &&
	ip -6 addr add fd00:79::1/64 dev hid0 nodad || return 1
	ip route add default via 10.77.0.254 dev v0 &&
	ip route add 10.88.0.0/16 via 10.77.0.254 metric 50 &&
	ip route add 10.88.0.0/16 via 10.78.0.254 metric 100 &&
	ip route add 10.99.0.0/16 nexthop via 10.77.0.254 weight 1 \
		nexthop via 10.78.0.254 weight 2 &&
	ip route add 10.66.0.0/16 via 10.79.0.254 dev hid0 &&
	ip route add 10.88.0.0/24 via 10.77.0.254 &&
	ip -6 route add fd00:88::/64 via fd00:77::fe metric 10 &&
	ip -6 route add fd00:88::/48 via fd00:77::fe &&
	ip -6 route add default via fd00:77::fe dev v0 || return 1
	ip neigh add 10.77.0.254 lladdr 02:00:00:00:00:fe dev v0 nud permanent &&
	ip neigh add 10.78.0.254 lladdr 02:00:00:00:01:fe dev br0 nud reachable &&
	ip neigh add fd00:77::fe lladdr 02:00:00:00:00:fe dev v0 nud permanent &&
	ip neigh add 10.79.0.254 lladdr 02:00:00:00:02:fe dev hid0 nud permanent || return 1
	# policy routing's tables (VPN clients put their routes there); 101's
	# route leaves through the hidden interface
	ip route add default via 10.77.0.253 dev v0 table 100 &&
	ip route add 10.55.0.0/16 dev br0 table 100 &&
	ip route add 10.56.0.0/16 via 10.79.0.254 dev hid0 table 101 &&
	ip -6 route add default via fd00:77::fd dev v0 table 51820 &&
	ip -6 route add fd00:55::/64 dev br0 table 100 || return 1
	ip rule add from 10.77.5.0/24 table 100 pref 1000 &&
	ip rule add iif hid0 table 101 pref 1001 &&
	ip rule add oif nosuch0 table 102 pref 1002 || return 1
	# let operstates settle (veth: UNKNOWN -> UP) before anyone compares
	wait_until 5 ifview_settled
}

# ifview_settled - the up veths and the bridge report state UP (the test's
# mount namespace still shows the outer /sys, so ask rtnetlink)
ifview_settled() {
	local l
	for l in v0 br0 hid0; do
		ip -o link show dev "$l" | grep -q 'state UP' || return 1
	done
}
