#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-sysnet.sh - the view's sys/class/net: every attribute equal to
# the kernel's sysfs (a fresh sysfs mounted in the test's namespace is the
# reference), hidden interfaces absent, interfaces added, renamed and
# removed within 2 s, statistics following traffic; `lxnet run` with and
# without --root, and as an ordinary user, shows it at /sys/class/net.
. "$(dirname "$0")/run-common.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/lxnetfs-common.sh"

lxfs_require
run_require
lib_tmpdir
T=$TMP_DIR
lib_in_private_mntns || tap_skip_all "no mount namespace of the test's own"
mkdir "$T/sys" && mount -t sysfs sysfs "$T/sys" ||
	tap_skip_all "cannot mount a sysfs of the test's network namespace"
lib_on_exit "umount -l '$T/sys'"
tap_plan 17

# No IPv6: its router solicitations would move counters mid-comparison.
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
ip link add vs0 type veth peer name vs1
ip link add vd0 type veth peer name vd1 # stays down: carrier, speed refused
ip link add vh0 type veth peer name vh1 # hidden
ip link set vs0 address 02:00:00:00:5e:01 mtu 1400 txqueuelen 77
ip link set vs0 up
# vs1 lives in a namespace of its own, so traffic crosses the veth.
unshare --net sleep 100 &
PEER=$!
lib_on_exit "kill $PEER"
wait_until 2 test "$(readlink /proc/$PEER/ns/net)" != "$(readlink /proc/self/ns/net)"
ip link set vs1 netns "$PEER"
nsenter -t "$PEER" -n sh -c 'echo 1 >/proc/sys/net/ipv6/conf/vs1/disable_ipv6
	ip addr add 10.79.0.2/24 dev vs1; ip link set vs1 up; ip link set lo up'
ip addr add 10.79.0.1/24 dev vs0

M=$T/m
lxfs_mount "$M" --hide-if 'vh*'
tap_result $? "mounted"
S=$M/sys/class/net
K=$T/sys/class/net

ATTRS="address addr_len broadcast carrier duplex flags ifindex iflink mtu
operstate speed tx_queue_len type $(cd "$K/lo/statistics" && ls | sed 's|^|statistics/|')"

# show DIR/FILE - the file's bytes, or the error cat reports (its errno)
show() { cat "$1" 2>&1 | sed 's/^cat: .*: //'; }

# same_attrs IFACE - every attribute of IFACE reads as the kernel's
same_attrs() {
	local a bad=0
	for a in $ATTRS; do
		if [ "$(show "$S/$1/$a")" != "$(show "$K/$1/$a")" ]; then
			tap_diag "$1/$a: view '$(show "$S/$1/$a")' kernel '$(show "$K/$1/$a")'"
			bad=1
		fi
	done
	return $bad
}
visible() { ls "$K" | grep -v '^vh' | sort; }

[ "$(ls "$S" | sort)" = "$(visible)" ] && ls "$K" | grep -q '^vh0$'
tap_result $? "sys/class/net lists the kernel's interfaces but the hidden ones"
[ ! -e "$S/vh0" ] && [ ! -e "$S/vh1/mtu" ] && [ -d "$K/vh0" ]
tap_result $? "a hidden interface is absent by name as well"
for i in lo vs0 vd0; do
	same_attrs "$i"
	tap_result $? "$i: all $(echo $ATTRS | wc -w) attributes equal the kernel's sysfs"
done
[ "$(show "$S/vd0/carrier")" = "Invalid argument" ] &&
	[ "$(show "$S/vs0/speed")" = "$(show "$K/vs0/speed")" ] &&
	[ "$(cat "$S/vs0/mtu")" = 1400 ] && [ "$(cat "$S/vs0/tx_queue_len")" = 77 ]
tap_result $? "reads the kernel refuses fail alike (carrier of a down link: EINVAL)"
[ "$(stat -c '%s %a %F' "$S/vs0/mtu")" = "4096 444 regular file" ] &&
	[ "$(stat -c %F "$S/vs0/statistics")" = directory ]
tap_result $? "attributes are read-only files of sysfs's size, statistics a directory"

before=$(cat "$S/vs0/statistics/tx_packets")
for n in 1 2 3 4 5; do echo x >/dev/udp/10.79.0.2/9; done
sleep 0.3
after=$(cat "$S/vs0/statistics/tx_packets")
[ "$after" -ge $((before + 5)) ] && same_attrs vs0
tap_result $? "statistics follow traffic ($before -> $after tx packets) and equal the kernel's"

timed "interface added" "ip link add vn0 type veth peer name vn1" \
	test -r "$S/vn0/ifindex"
[ "$(cat "$S/vn0/ifindex")" = "$(cat "$K/vn0/ifindex")" ]
tap_result $? "the new interface's ifindex is the kernel's"
timed "interface renamed" "ip link set vn0 name vr0" \
	sh -c "test -e '$S/vr0' && ! test -e '$S/vn0'"
timed "interface removed" "ip link del vr0" \
	sh -c "! test -e '$S/vr0' && ! ls '$S' | grep -q '^vn1\$'"

# lxnet run: ls /sys/class/net inside agrees with ip link inside.
VIEW="--hide-if vh*"
inside_same='a=$(ls /sys/class/net | sort)
	b=$(ip -o link | sed "s/^[0-9]*: \([^:@]*\).*/\1/" | sort)
	echo "$a"; [ "$a" = "$b" ] && cat /sys/class/net/vs0/mtu'
out=$(lxrun -- sh -c "$inside_same" 2>&1)
[ "$(echo "$out" | head -n -1)" = "$(visible)" ] && [ "$(echo "$out" | tail -1)" = 1400 ]
tap_result $? "lxnet run: /sys/class/net lists what ip link lists, hidden ones left out"
R=$T/bbroot
if run_busybox_rootfs "$R"; then
	out=$(lxrun --root "$R" -- sh -c "$inside_same" 2>&1)
	[ "$(echo "$out" | head -n -1)" = "$(visible)" ] && [ "$(echo "$out" | tail -1)" = 1400 ]
	tap_result $? "lxnet run --root: /sys/class/net is the view, not the fresh sysfs's lo alone"
else
	tap_skip "lxnet run --root" "no static busybox (apt-get install busybox-static)"
fi
if run_make_user && run_grant_fuse; then
	out=$(run_as_user "'$LXNET' run --hide-if 'vh*' -- sh -c 'ls /sys/class/net; cat /sys/class/net/vs0/address'" 2>&1)
	[ "$(echo "$out" | head -n -1)" = "$(visible)" ] &&
		[ "$(echo "$out" | tail -1)" = 02:00:00:00:5e:01 ]
	tap_result $? "ordinary user: lxnet run shows the view's /sys/class/net"
else
	tap_skip "ordinary user" "cannot make a throw-away user with a /dev/fuse here"
fi
lxfs_stop "$M" "$LXFS_PID"
tap_result $? "lxnetfs exits cleanly (sanitizer builds: no error, no leak)"
tap_done
