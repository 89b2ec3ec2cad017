# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-common.sh - helpers shared by the lxnetfs-*.sh integration tests
# (sourced after lib.sh; not a test itself).

LXNETFS="$top_builddir/fs/lxnetfs"
LXFS_FILES="etc/resolv.conf etc/hosts etc/hostname proc/net/dev proc/net/route
proc/net/if_inet6 proc/net/ipv6_route proc/net/arp proc/net/tcp proc/net/tcp6
proc/net/udp proc/net/udp6 proc/net/raw proc/net/raw6 proc/net/sockstat
proc/net/sockstat6 proc/net/snmp proc/net/igmp proc/net/igmp6 proc/net/dev_mcast"

# lxfs_is_mounted DIR - DIR is an lxnetfs mount point
lxfs_is_mounted() {
	awk -v d="$1" '$2 == d && $3 ~ /^fuse/ { f = 1 } END { exit !f }' \
		/proc/self/mounts
}

# lxfs_mount DIR [LXNETFS-OPTIONS...] - run lxnetfs -f on DIR in the
# background (pid in LXFS_PID, stderr in DIR.log) and wait until served.
lxfs_mount() {
	local d=$1
	shift
	mkdir -p "$d"
	"$LXNETFS" -f "$@" "$d" 2>"$d.log" &
	LXFS_PID=$!
	lib_on_exit "kill $LXFS_PID; umount -l '$d'"
	wait_until 5 test -e "$d/etc/hostname"
}

# lxfs_stop DIR PID - SIGTERM PID, wait (bounded) for it to exit
# and for DIR to be unmounted. Returns the daemon's exit status.
lxfs_stop() {
	local d=$1 pid=$2 i=0
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 500 ]; do
		sleep 0.01
		i=$((i + 1))
	done
	wait "$pid"
}

# lxfs_errno PYTHON-EXPR - evaluate an os.* call in python3, print the errno
# name it failed with, or "OK"
lxfs_errno() {
	python3 -c "
import errno, os, sys
try:
    $1
    print('OK')
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
"
}

# lxfs_mtime_ns FILE - "mtime_ns ctime_ns" of FILE
lxfs_times() { stat -c '%.9Y %.9Z' "$1"; }

# lxfs_need_python - skip the whole test without python3
lxfs_need_python() {
	command -v python3 >/dev/null || tap_skip_all "python3 missing"
}

# lxfs_require - skip the whole test without a built lxnetfs or /dev/fuse
lxfs_require() {
	[ -x "$LXNETFS" ] || tap_skip_all "lxnetfs not built"
	[ -c /dev/fuse ] || tap_skip_all "no /dev/fuse"
}

# timed DESC CHANGE CHECK... - run the shell command CHANGE, then wait (at
# most 2 s) for CHECK to succeed; one TAP result, the delay as a diagnostic
timed() {
	local d=$1 change=$2 t0 t1 st
	shift 2
	t0=$EPOCHREALTIME
	eval "$change"
	wait_until 2 "$@"
	st=$?
	t1=$EPOCHREALTIME
	tap_diag "$d: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f ms", (b - a) * 1000 }')"
	tap_result $st "$d shows within 2 s"
}
