#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-overlay.sh - examples/chroot-overlay.sh against a busybox-static
# rootfs built here: busybox's own cat, hostname and route -n read the view.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/lxnetfs-common.sh"

lxfs_require
BB=$(command -v busybox) || tap_skip_all "busybox missing (apt-get install busybox-static)"
ldd "$BB" >/dev/null 2>&1 && tap_skip_all "busybox is not static (apt-get install busybox-static)"
lib_tmpdir
T=$TMP_DIR
tap_plan 11
SCRIPT=$top_srcdir/examples/chroot-overlay.sh

ip link add vo0 type veth peer name vo1
ip addr add 10.83.0.1/24 dev vo0
ip link set vo0 up
ip link set vo1 up
ip route add 10.84.0.0/16 via 10.83.0.2
printf 'nameserver 10.83.0.53\nsearch overlay.test\n' >"$T/resolv.conf"
printf '127.0.0.1 localhost\n10.83.0.9 nine\n' >"$T/hosts"

ROOT=$T/rootfs
mkdir -p "$ROOT/bin" "$ROOT/etc" "$ROOT/proc"
cp "$BB" "$ROOT/bin/busybox"
chroot "$ROOT" /bin/busybox --install -s /bin &&
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$ROOT/etc/passwd" &&
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
tap_result $? "busybox rootfs built"

export LXNETFS
export LXNETFS_OPTS="--resolv-conf $T/resolv.conf --hosts-file $T/hosts --hostname overlay-host"
timeout 30 sh "$SCRIPT" "$ROOT" >"$T/default.out" 2>"$T/default.err"
tap_result $? "default command runs"
grep -qx 'nameserver 10.83.0.53' "$T/default.out" && grep -qx 'overlay-host' "$T/default.out" &&
	grep -q '^vo0	0000540A	0200530A' "$T/default.out"
tap_result $? "default command shows the view's files and route"

timeout 30 sh "$SCRIPT" "$ROOT" /bin/sh -c 'cat /etc/resolv.conf; echo "host=$(hostname)"; route -n; cat /etc/hosts' \
	>"$T/bb.out" 2>"$T/bb.err"
tap_result $? "busybox commands run in the chroot"
tap_check "busybox cat reads the view's resolv.conf" grep -qx 'search overlay.test' "$T/bb.out"
tap_check "busybox hostname gives the view's hostname" grep -qx 'host=overlay-host' "$T/bb.out"
tap_check "busybox route -n reads the view's route table" \
	grep -Eq '^10\.84\.0\.0 +10\.83\.0\.2 +255\.255\.0\.0 +UG .*vo0$' "$T/bb.out"
# Every user of the chroot reads the view (apt's _apt, daemons): as root,
# lxnetfs mounts with allow_other and default_permissions.
timeout 30 sh "$SCRIPT" "$ROOT" /bin/su nobody -c 'id -u; cat /etc/resolv.conf /etc/hosts /etc/hostname /proc/net/route' \
	>"$T/nobody.out" 2>"$T/nobody.err"
[ "$(head -1 "$T/nobody.out")" = 65534 ] && grep -qx 'search overlay.test' "$T/nobody.out" &&
	grep -qx 'overlay-host' "$T/nobody.out" && grep -q '^vo0' "$T/nobody.out"
tap_result $? "su nobody in the chroot reads the view's files"
mkdir "$T/view"
"$LXNETFS" $LXNETFS_OPTS "$T/view" &&
	grep " $T/view " /proc/self/mountinfo | grep -q 'allow_other.*default_permissions\|default_permissions.*allow_other'
tap_result $? "lxnetfs as root mounts with allow_other,default_permissions"
umount "$T/view" 2>/dev/null
[ ! -e "$ROOT/etc/resolv.conf" ] && [ ! -e "$ROOT/etc/hosts" ] && [ ! -e "$ROOT/etc/hostname" ]
tap_result $? "files the script created are removed"
! grep -q -e lxnet-overlay -e "$T/view" /proc/self/mounts
tap_result $? "no lxnetfs mount left"
[ -s "$T/bb.err" ] && sed 's/^/# /' "$T/bb.err"
tap_done
