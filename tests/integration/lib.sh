# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh - shared helpers for the shell integration tests: TAP output, a
# private network + mount namespace per test, bounded waits, cleanup.
#
# Source it, then call lib_enter_ns "$@" first thing: the script re-executes
# itself in a fresh network and mount namespace (as root; as non-root inside
# a new user namespace too) so it never touches the machine's own network.

LIB_TAP_N=0
LIB_TAP_FAILED=0
LIB_CLEANUP=""
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"

# tap_plan N - print the TAP plan
tap_plan() { echo "1..$1"; }

# tap_skip_all REASON - skip the whole script (exit 0 with a 1..0 plan)
tap_skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# ok COND-STATUS DESCRIPTION - record a result from the last status
# usage: some_check; tap_result $? "description"
tap_result() {
	LIB_TAP_N=$((LIB_TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $LIB_TAP_N - $2"
	else
		echo "not ok $LIB_TAP_N - $2"
		LIB_TAP_FAILED=$((LIB_TAP_FAILED + 1))
	fi
}

# tap_check DESCRIPTION CMD... - run CMD, record its status
tap_check() {
	local d=$1
	shift
	"$@"
	tap_result $? "$d"
}

# tap_skip DESCRIPTION REASON - record a skipped test
tap_skip() {
	LIB_TAP_N=$((LIB_TAP_N + 1))
	echo "ok $LIB_TAP_N - $1 # SKIP $2"
}

# tap_diag TEXT... - a diagnostic line (ignored by the harness)
tap_diag() { printf '# %s\n' "$*"; }

# lib_on_exit CMD - run CMD (a string) at exit, last registered first
lib_on_exit() { LIB_CLEANUP="$1; $LIB_CLEANUP"; }
lib_run_cleanup() { eval "$LIB_CLEANUP" >/dev/null 2>&1; LIB_CLEANUP=""; }
trap 'lib_run_cleanup' EXIT
trap 'exit 130' INT TERM

# lib_enter_ns "$@" - re-exec this script in a fresh net + mount + pid +
# uts namespace (a test may set the hostname), under a timeout (LXNET_TEST_TIMEOUT seconds, default 120).
# The script is the pid namespace's init: when it ends, however it ends,
# every process it started is killed by the kernel, so no test leaves a
# server behind. Brings lo up.
lib_enter_ns() {
	if [ -z "${LXNET_IN_TEST_NS:-}" ]; then
		local t=${LXNET_TEST_TIMEOUT:-120} u=""
		command -v unshare >/dev/null || tap_skip_all "unshare(1) missing"
		[ "$(id -u)" -eq 0 ] || u="--user --map-root-user"
		if ! unshare $u --net --mount --uts --pid --fork true 2>/dev/null; then
			tap_skip_all "cannot create network, uts and pid namespaces here"
		fi
		LXNET_OUTER_MNTNS=$(readlink /proc/self/ns/mnt)
		LXNET_OUTER_UTSNS=$(readlink /proc/self/ns/uts)
		export LXNET_OUTER_MNTNS LXNET_OUTER_UTSNS
		LXNET_IN_TEST_NS=1 exec timeout --kill-after=5 "$t" \
			unshare $u --net --mount --propagation private --uts \
			--pid --fork --kill-child --mount-proc bash "$0" "$@"
	fi
	ip link set lo up
	lib_hide_config
}

# lib_run_ns DIR TIMEOUT ARGS... - for tools/ (not the tests): run this
# script again with ARGS in namespaces as lib_enter_ns does, as a child of
# this shell, which waits for it and then removes DIR (the run's
# directory, exported as LIB_RUN_DIR) however the run ends; exits with the
# run's status.
lib_run_ns() {
	local t=$2 st=0
	LIB_RUN_DIR=$1
	shift 2
	LXNET_OUTER_MNTNS=$(readlink /proc/self/ns/mnt)
	LXNET_OUTER_UTSNS=$(readlink /proc/self/ns/uts)
	export LXNET_OUTER_MNTNS LXNET_OUTER_UTSNS LIB_RUN_DIR
	LXNET_IN_TEST_NS=1 timeout --kill-after=5 "$t" \
		unshare --net --mount --propagation private --uts --pid --fork \
		--kill-child --mount-proc bash "$0" "$@" &
	LIB_RUN_CHILD=$!
	trap 'kill "$LIB_RUN_CHILD" 2>/dev/null || true
		wait "$LIB_RUN_CHILD" 2>/dev/null || true
		rm -rf "$LIB_RUN_DIR"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	wait "$LIB_RUN_CHILD" || st=$?
	exit $st
}

# lib_hide_config - keep the user's and the machine's configuration files
# (lxnet.conf(5)) out of the test: each existing lxnet directory, the
# user's and the system's, covered by an empty tmpfs in the test's own
# mount namespace (the environment is left alone: podman and others read
# XDG_CONFIG_HOME too). run-config.sh puts files of its own there.
# LIB_SYSCONFDIR: the build's SYSCONFDIR, from config.status.
lib_hide_config() {
	local prefix d
	prefix=$(sed -n 's/^S\["prefix"\]="\(.*\)"$/\1/p' "$top_builddir/config.status" 2>/dev/null)
	LIB_SYSCONFDIR=$(sed -n 's/^S\["sysconfdir"\]="\(.*\)"$/\1/p' "$top_builddir/config.status" 2>/dev/null)
	LIB_SYSCONFDIR=${LIB_SYSCONFDIR//\$\{prefix\}/$prefix}
	lib_in_private_mntns || return 0
	for d in /etc/lxnet ${LIB_SYSCONFDIR:+"$LIB_SYSCONFDIR/lxnet"} \
		"${XDG_CONFIG_HOME:-${HOME:-/root}/.config}/lxnet"; do
		[ -d "$d" ] && mount -t tmpfs lxnet-test-noconf "$d"
	done
	return 0
}

# lib_in_private_mntns - true when this process is in the test's own mount
# namespace, not the one the test was started from (guard before touching
# /etc even in a bind mount)
lib_in_private_mntns() {
	[ -n "${LXNET_OUTER_MNTNS:-}" ] &&
		[ "$(readlink /proc/self/ns/mnt)" != "$LXNET_OUTER_MNTNS" ]
}

# lib_in_private_utsns - true when this process has its own UTS namespace
# (guard before sethostname)
lib_in_private_utsns() {
	[ -n "${LXNET_OUTER_UTSNS:-}" ] &&
		[ "$(readlink /proc/self/ns/uts)" != "$LXNET_OUTER_UTSNS" ]
}

# lib_private_etc - a writable overlay of /etc in this test's own mount
# namespace (made once): the users and subordinate ids a test adds never
# reach the machine's /etc, even when a timeout kills the test before its
# clean-up runs. Needs $TMP_DIR (made here when unset).
lib_private_etc() {
	grep -q '^lxnet-test-etc /etc overlay' /proc/self/mounts && return 0
	lib_in_private_mntns || return 1
	[ -n "${TMP_DIR:-}" ] || lib_tmpdir
	mkdir -p "$TMP_DIR/etc.up" "$TMP_DIR/etc.work" || return 1
	mount -t overlay lxnet-test-etc \
		-o "lowerdir=/etc,upperdir=$TMP_DIR/etc.up,workdir=$TMP_DIR/etc.work" /etc &&
		lib_on_exit "umount -l /etc"
}

# lib_make_user NAME - add the throw-away user NAME (no home, /bin/sh):
# into the test's private /etc when it can have one, else into the
# machine's, removed at exit. Returns useradd's status.
lib_make_user() {
	if lib_private_etc; then
		useradd -M -d /nonexistent -s /bin/sh "$1" 2>/dev/null
	else
		useradd -M -d /nonexistent -s /bin/sh "$1" 2>/dev/null &&
			lib_on_exit "userdel '$1'"
	fi
}

# lib_tmpdir - create this test's tmpdir (removed at exit) into $TMP_DIR
lib_tmpdir() {
	TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-test.XXXXXX")
	lib_on_exit "rm -rf '$TMP_DIR'"
}

# wait_until SECONDS CMD... - poll CMD every 10 ms until it succeeds or the
# bound expires (tests may poll; the product may not). Returns CMD's status.
wait_until() {
	local limit=$1 i=0 n
	shift
	n=$((limit * 100))
	while [ $i -lt $n ]; do
		"$@" && return 0
		sleep 0.01
		i=$((i + 1))
	done
	"$@"
}

# wait_idle SECONDS PID - wait until PID's queued work is done: over two
# 200 ms windows in a row it used no CPU time and none of its threads was
# runnable (a starved, runnable process uses no CPU time either). Bounded;
# returns 1 when it stayed busy.
wait_idle() {
	local limit=$1 pid=$2 i=0 a b quiet=0
	a=$(lib_cpu_ticks "$pid") || return 1
	while [ $i -lt $((limit * 5)) ]; do
		sleep 0.2
		b=$(lib_cpu_ticks "$pid") || return 1
		if [ "$a" = "$b" ] && ! lib_any_running "$pid"; then
			quiet=$((quiet + 1))
			[ $quiet -ge 2 ] && return 0
		else
			quiet=0
		fi
		a=$b
		i=$((i + 1))
	done
	return 1
}

# lib_threads PID - PID's number of threads
lib_threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# lib_threads_min PID N - true when PID has at least N threads (wait_until)
lib_threads_min() { [ "$(lib_threads "$1")" -ge "$2" ] 2>/dev/null; }

# lib_cpu_ticks PID - utime + stime (fields after the parenthesised name,
# which may hold spaces)
lib_cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }

# lib_any_running PID - true when one of PID's threads is in state R
lib_any_running() {
	cat /proc/"$1"/task/*/stat 2>/dev/null | sed 's/.*) //' | awk '$1 == "R" { r = 1 } END { exit !r }'
}

# in_trap PATTERN - true when the newest process whose command line matches
# PATTERN (pgrep -f) sleeps in a trapped receive (recvmsg or recvfrom on
# x86_64, waiting for the proxy: a netlink listener parked there has made
# its socket, bound and subscribed)
in_trap() {
	local pid nr
	pid=$(pgrep -n -f "$1") || return 1
	grep -q '^seccomp_do_user_notification' "/proc/$pid/wchan" 2>/dev/null || return 1
	# recvmsg, recvfrom: x86_64 numbers (elsewhere any trapped call)
	[ "$(uname -m)" = x86_64 ] || return 0
	nr=$(cut -d' ' -f1 "/proc/$pid/syscall" 2>/dev/null)
	[ "$nr" = 47 ] || [ "$nr" = 45 ]
}

# in_recv PATTERN - the newest process matching PATTERN waits in a
# receive (recvmsg/recvfrom), trapped or the kernel's own (a netlink
# socket of the host's, --netlink=auto)
in_recv() {
	local pid nr
	pid=$(pgrep -n -f "$1") || return 1
	nr=$(cut -d' ' -f1 "/proc/$pid/syscall" 2>/dev/null)
	# x86_64 numbers; elsewhere any wait in a system call
	[ "$(uname -m)" = x86_64 ] || { [ -n "$nr" ] && [ "$nr" != running ]; return; }
	[ "$nr" = 47 ] || [ "$nr" = 45 ]
}

# lib_fuse_node MODE [USER] - cover /dev/fuse, in this test's own mount
# namespace only, with a node of the test's: mode MODE, owned by USER when
# given. The machine's node is never changed, so a test behaves the same
# whether it is 0600, 0666 (Debian's default) or carries ACLs. Returns 1
# outside a private mount namespace or without /dev/fuse.
lib_fuse_node() {
	local mode=$1 user=${2:-} d maj min
	lib_in_private_mntns || return 1
	[ -c /dev/fuse ] || return 1
	maj=$((0x$(stat -c %t /dev/fuse))) min=$((0x$(stat -c %T /dev/fuse)))
	d=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-fuse.XXXXXX") || return 1
	lib_on_exit "rmdir '$d'"
	mount -t tmpfs -o mode=0755,size=64k lxnet-fuse "$d" || return 1
	lib_on_exit "umount -l '$d'"
	mknod -m "$mode" "$d/fuse" c "$maj" "$min" || return 1
	[ -z "$user" ] || chown "$user" "$d/fuse" || return 1
	mount --bind "$d/fuse" /dev/fuse || return 1
	lib_on_exit "umount -l /dev/fuse"
}

# lib_build32 OUT SRC - build SRC as a static i386 program at OUT and
# prove this machine runs it natively. Some VMs have gcc-multilib and a
# kernel configured with IA32_EMULATION, yet execve() of any i386 binary
# fails with ENOEXEC (and a shell then reads it as a script). On failure
# LIB_WHY32 holds the reason to skip with.
lib_build32() {
	local out=$1 src=$2 probe st
	probe=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-i386.XXXXXX") || { LIB_WHY32="mktemp failed"; return 1; }
	printf 'int main(void) { return 42; }\n' >"$probe/p.c"
	if ! gcc -m32 -static -o "$probe/p" "$probe/p.c" >/dev/null 2>&1 &&
		! { timeout 120 apt-get install -y gcc-multilib >/dev/null 2>&1 &&
			gcc -m32 -static -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; }; then
		rm -rf "$probe"
		LIB_WHY32="gcc -m32 -static unavailable (gcc-multilib)"
		return 1
	fi
	# execv(2) itself: a shell or execvp() would retry ENOEXEC as a script
	python3 -c 'import os, sys
try:
    os.execv(sys.argv[1], [sys.argv[1]])
except OSError as e:
    sys.exit("execve: " + e.strerror)' "$probe/p" 2>"$probe/err"
	st=$?
	if [ $st -ne 42 ]; then
		LIB_WHY32="this machine does not execute i386 binaries ($(head -n1 "$probe/err" | head -c 120), status $st)"
		rm -rf "$probe"
		return 1
	fi
	rm -rf "$probe"
	if ! gcc -m32 -static -O2 -o "$out" "$src" >"$out.log" 2>&1; then
		LIB_WHY32="gcc -m32 -static failed on $(basename "$src"): $(tail -n1 "$out.log")"
		return 1
	fi
}

# tap_done - final status: non-zero when any test failed
tap_done() {
	[ "$LIB_TAP_FAILED" -eq 0 ]
}
