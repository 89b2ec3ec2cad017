# SPDX-License-Identifier: LGPL-2.1-or-later
# lib-procnet.sh - compare a rendered /proc/net file with the kernel's own, by
# the rule each file allows (sourced after lib.sh; not a test itself).
#
#   procnet_live_same FILE CMD...   render with CMD (it prints the file) and
#                                   compare with /proc/net/FILE, retrying
#                                   while the kernel's file moves
#   procnet_same FILE KERNEL OTHER  compare two saved copies
#   procnet_hide_devs FILE DEV...   filter: drop the kernel's lines of DEVs
#
# Rules (net/core/net-procfs.c, net/ipv4/fib_trie.c, net/ipv6/addrconf.c,
# net/ipv6/ip6_fib.c, net/ipv4/arp.c):
#   dev, route   exact bytes: the kernel's order is ifindex order and trie
#                order, both reproducible.
#   if_inet6     sorted lines: the kernel walks a hash table seeded per
#                namespace, so its order cannot be reproduced.
#   arp          header first, then sorted lines: neighbour hash order.
#   ipv6_route   the sequence of (prefix, length, metric) must be the
#                kernel's (fib6 post-order), and the lines must be the same
#                set; routes with the same prefix and metric sit in one node
#                in insertion order, which rtnetlink does not reveal. The
#                reference count column (7th) is kernel-internal and masked.

# procnet_normalize FILE - stdin to stdout in FILE's comparable form
procnet_normalize() {
	case $1 in
	dev | route)
		cat
		;;
	if_inet6)
		LC_ALL=C sort
		;;
	arp)
		local header
		IFS= read -r header
		printf '%s\n' "$header"
		LC_ALL=C sort
		;;
	ipv6_route)
		local t
		t=$(awk '{ $7 = "--------"; print }')
		printf '%s\n' "$t" | awk '{ print $1, $2, $6 }'
		echo "-- lines --"
		printf '%s\n' "$t" | LC_ALL=C sort
		;;
	*)
		echo "procnet_normalize: unknown file $1" >&2
		return 2
		;;
	esac
}

# procnet_dev_field FILE - awk expression for the device column of FILE
procnet_dev_field() {
	case $1 in
	dev) echo 'dev_of_dev()' ;;
	route) echo '$1' ;;
	if_inet6) echo '$6' ;;
	ipv6_route) echo '$10' ;;
	arp) echo '$6' ;;
	esac
}

# procnet_hide_devs FILE DEV... - stdin to stdout without DEVs' lines (the
# headers stay), i.e. what a view hiding DEVs must show
procnet_hide_devs() {
	local f=$1 field
	shift
	field=$(procnet_dev_field "$f")
	awk -v list="$*" -v file="$f" '
		function dev_of_dev(  s) { s = $0; sub(/:.*/, "", s); gsub(/ /, "", s); return s }
		BEGIN { n = split(list, a, " "); for (i = 1; i <= n; i++) hide[a[i]] = 1 }
		(file == "dev" && FNR <= 2) || ((file == "route" || file == "arp") && FNR == 1) { print; next }
		{ if (!(('"$field"') in hide)) print }'
}

# procnet_same FILE KERNEL OTHER - 0 when OTHER matches KERNEL by FILE's rule;
# otherwise prints the difference as TAP diagnostics
procnet_same() {
	local f=$1 a b
	a=$(procnet_normalize "$f" <"$2"; echo .)
	b=$(procnet_normalize "$f" <"$3"; echo .)
	[ "$a" = "$b" ] && return 0
	diff <(printf '%s' "$a") <(printf '%s' "$b") | head -40 | sed 's/^/# /'
	return 1
}

# procnet_live_same [--filter CMD] FILE CMD... - run CMD (it prints FILE as
# rendered) between two reads of /proc/net/FILE; when both reads agree the
# rendering must match them. Retries (at most 10 times) while the kernel's
# file moves (counters, DAD). With --filter, the kernel's copy is piped
# through the filter (a shell string, eval'd, so functions work) first, e.g. to drop hidden
# interfaces' lines.
procnet_live_same() {
	local filter=cat f k1 k2 out i tmp
	if [ "$1" = --filter ]; then
		filter=$2
		shift 2
	fi
	f=$1
	shift
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/procnet.XXXXXX") || return 1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		cat "/proc/net/$f" >"$tmp/k1"
		"$@" >"$tmp/out" || { rm -rf "$tmp"; return 1; }
		cat "/proc/net/$f" >"$tmp/k2"
		if cmp -s "$tmp/k1" "$tmp/k2"; then
			eval "$filter" <"$tmp/k1" >"$tmp/k"
			if procnet_same "$f" "$tmp/k" "$tmp/out" >"$tmp/diff"; then
				rm -rf "$tmp"
				return 0
			fi
		fi
		sleep 0.2
	done
	[ -s "$tmp/diff" ] && cat "$tmp/diff"
	rm -rf "$tmp"
	return 1
}
