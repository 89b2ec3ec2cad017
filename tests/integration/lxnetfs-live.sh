#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-live.sh - changes to the test namespace's network and to the host
# files show in the mounted view within 2 s; prints each latency.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/lxnetfs-common.sh"

lxfs_require
lib_tmpdir
T=$TMP_DIR
tap_plan 13

ip link add vl0 type veth peer name vl1
ip addr add 10.78.0.1/24 dev vl0
ip link set vl0 up
ip link set vl1 up
# resolv.conf is followed through a symlink, to retarget it later.
printf 'nameserver 10.78.0.53\n' >"$T/r1.conf"
printf 'nameserver 10.78.0.99\n' >"$T/r2.conf"
ln -s r1.conf "$T/resolv.conf"
printf '127.0.0.1 localhost\n10.78.0.7 seven\n' >"$T/hosts"
M=$T/m
lxfs_mount "$M" --resolv-conf "$T/resolv.conf" --hosts-file "$T/hosts"
tap_result $? "mounted"

has() { grep -q -- "$2" "$M/$1" 2>/dev/null; }
hasnt() { ! grep -q -- "$2" "$M/$1" 2>/dev/null; }
same_as_kernel() { diff -q "/proc/net/$1" "$M/proc/net/$1" >/dev/null 2>&1; }
route_has() { same_as_kernel route && has proc/net/route "$1"; }
route_hasnt() { same_as_kernel route && hasnt proc/net/route "$1"; }

wait_until 2 same_as_kernel route
timed "address added" "ip -6 addr add fd00:78::1/64 dev vl0 nodad" \
	has proc/net/if_inet6 "^fd000078000000000000000000000001 "
timed "address removed" "ip -6 addr del fd00:78::1/64 dev vl0" \
	hasnt proc/net/if_inet6 "^fd000078000000000000000000000001 "
timed "route added" "ip route add 10.200.0.0/16 via 10.78.0.2" \
	route_has "^vl0	0000C80A	02004E0A"
# A veth goes down with its peer's carrier: the kernel flushes its routes.
timed "link set down" "ip link set vl0 down" route_hasnt "^vl0	"
timed "link renamed" "ip link set vl0 name vlx" \
	sh -c "grep -q '^ *vlx:' '$M/proc/net/dev' && ! grep -q '^ *vl0:' '$M/proc/net/dev'"
timed "resolv.conf edited in place" \
	"printf 'nameserver 10.78.0.54\n' >'$T/r1.conf'" \
	has etc/resolv.conf "^nameserver 10.78.0.54$"
timed "resolv.conf replaced by rename" \
	"printf 'nameserver 10.78.0.55\n' >'$T/r1.new' && mv '$T/r1.new' '$T/r1.conf'" \
	has etc/resolv.conf "^nameserver 10.78.0.55$"
timed "resolv.conf symlink retargeted" \
	"ln -s r2.conf '$T/link.new' && mv -T '$T/link.new' '$T/resolv.conf'" \
	has etc/resolv.conf "^nameserver 10.78.0.99$"
timed "hosts edited" "printf '10.78.0.8 eight\n' >>'$T/hosts'" \
	has etc/hosts "eight"
if lib_in_private_utsns; then
	timed "hostname changed (sethostname)" "hostname lxnet-live-$$" \
		has etc/hostname "^lxnet-live-$$\$"
else
	tap_skip "hostname changed" "no UTS namespace of the test's own"
fi

sizes_ok() {
	local f n
	for f in $LXFS_FILES; do
		n=$(wc -c <"$M/$f"); [ "$(stat -c %s "$M/$f")" = "$n" ] || return 1
	done
}
tap_check "sizes still exact after the changes" sizes_ok
lxfs_stop "$M" "$LXFS_PID"
tap_result $? "clean exit"
tap_done
