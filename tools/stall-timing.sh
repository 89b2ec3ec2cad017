#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/stall-timing.sh - how long SIGTERM takes to end lxnet while a
# sandbox is stalled (issue "One sandbox cannot hurt another"), measured.
#
# Usage: tools/stall-timing.sh [--runs N] [--series NAME,...] [--bound S]
#                              [--builddir DIR]
#
# The stall is tests/integration/proxy-stall.sh's: a sandbox mounts a FUSE
# file system of its own whose server never answers a READ
# (tests/helpers/fuse-stall; build it with `make -C BUILDDIR
# tests/helpers/fuse-stall`) and parks a blocking NETLINK_ROUTE receive
# whose buffer is a shared mapping of its file (stall-attack.py). Series,
# N runs each (default 5):
#   run         `lxnet run -- ATTACK`, SIGTERM to lxnet while the receive
#               is parked; also checks that its lxnetfs and lxnet-proxy end
#   run-pid     the same with `lxnet run --pid`
#   shared      `lxnet-proxy --socket`, the attack under `lxnet shim`, a
#               second shim sandbox running `ip monitor address`: an
#               address added on the host must reach that monitor and a
#               new shim (ip -o addr) must be served while the receive
#               stays parked; then SIGTERM to the proxy
#   shared-efault  as proxy-stall.sh measures it: `ip monitor link`, a link
#               change completes the parked receive (EFAULT: the proxy
#               refuses to write into the FUSE mapping), then SIGTERM
# and, for the limit docs/ARCHITECTURE.md names ("the proxy's reads of
# callers' memory are not checked against FUSE mappings"), the same three
# with a recvmsg(2) whose struct msghdr is in the mapping, which the proxy
# must read: run-msghdr, run-pid-msghdr, shared-msghdr (each also checks
# that a thread of the proxy is in D state before SIGTERM).
# For each run: ms from SIGTERM until the process exited (zombie or gone)
# and until it was gone (reaped). A process not gone after BOUND seconds
# (default 10) has the hostile sandbox's FUSE server killed under it (said
# in the line), then is SIGKILLed 2*BOUND later. At the end min, median
# and max per series.
#
# As root, in network, mount, pid and uts namespaces of its own (as
# tests/integration/lib.sh's lib_enter_ns); /dev/fuse is covered there by a
# node of the run's own (lib_fuse_node). Exit status: 0 when the series
# ran (a check that failed is printed as FAIL, not an error), 1 when it
# could not be set up, 2 on a usage error.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
runs=5 bound=10 builddir=$src/build
all_series="run run-pid shared shared-efault run-msghdr run-pid-msghdr shared-msghdr"
series=$all_series

usage() {
	sed -n 's/^# Usage: /usage: /p; s/^#  *\(\[--.*\)$/                             \1/p' "$0" >&2
	exit 2
}
die() {
	echo "tools/stall-timing.sh: $*" >&2
	exit 1
}
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--runs) runs=$2 ;;
	--bound) bound=$2 ;;
	--series) series=${2//,/ } ;;
	--builddir) builddir=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case $runs in '' | *[!0-9]*) usage ;; esac
case $bound in '' | *[!0-9]*) usage ;; esac
[ "$runs" -ge 1 ] && [ "$runs" -le 100 ] && [ "$bound" -ge 1 ] || usage
for s in $series; do
	case " $all_series " in *" $s "*) ;; *) usage ;; esac
done
builddir=$(cd "$builddir" 2>/dev/null && pwd) || die "no build directory $builddir"

top_builddir=$builddir top_srcdir=$src
. "$src/tests/integration/lib.sh"
LXNET=$builddir/src/lxnet/lxnet
PROXY=$builddir/proxy/lxnet-proxy
STALL=$builddir/tests/helpers/fuse-stall
ATTACK=$src/tests/integration/stall-attack.py
PY=/usr/bin/python3

if [ -z "${LXNET_IN_TEST_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || die "run it as root"
	for b in "$LXNET" "$builddir/fs/lxnetfs" "$PROXY"; do
		[ -x "$b" ] || die "$b not built"
	done
	[ -x "$STALL" ] || die "$STALL not built (make -C $builddir tests/helpers/fuse-stall)"
	[ -x "$PY" ] || die "$PY missing"
	[ -c /dev/fuse ] || die "no /dev/fuse"
	unshare -rn true 2>/dev/null || die "cannot create user namespaces here"
	unshare --net --mount --uts --pid --fork true 2>/dev/null ||
		die "cannot create network, mount, uts and pid namespaces here"
	d=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-stall.XXXXXX") || die "mktemp failed"
	n=$(echo $series | wc -w)
	lib_run_ns "$d" $((runs * n * (3 * bound + 40) + 60)) --runs "$runs" \
		--bound "$bound" --series "${series// /,}" --builddir "$builddir"
fi
# from here on: init of the run's own namespaces
# lib.sh's clean-up commands may fail (a server already gone): not under -e
trap 'set +e; lib_run_cleanup' EXIT
ip link set lo up
lib_hide_config
TMP_DIR=$LIB_RUN_DIR
export TMPDIR=$TMP_DIR
lib_fuse_node 0666 || die "cannot give the run a /dev/fuse node of its own"
ip link add lxv0 type veth peer name lxv1 && ip addr add 10.77.0.1/24 dev lxv0 &&
	ip link set lxv0 up && ip link set lxv1 up || die "cannot make a veth pair"
# a sleep without a fork: read -t on a FIFO nobody writes
mkfifo "$TMP_DIR/never" && exec {NEVER}<>"$TMP_DIR/never" || die "mkfifo failed"

# The limit's attack: recvmsg(2) on the endpoint, its struct msghdr at the
# start of the FUSE file's mapping. Prints "parked" before the call.
MSGHDR_ATTACK=$TMP_DIR/msghdr-attack.py
cat >"$MSGHDR_ATTACK" <<'EOF'
import ctypes, errno, mmap, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_RDWR)
mm = mmap.mmap(fd, 65536, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
hdr = ctypes.addressof(ctypes.c_char.from_buffer(mm))
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 1))
print("parked", flush=True)
n = libc.recvmsg(s.fileno(), ctypes.c_void_p(hdr), 0)
print("recvmsg", n, errno.errorcode.get(ctypes.get_errno(), ""), flush=True)
EOF

# The hostile sandbox's command: its FUSE server on DIR/m, then the attack.
# sh -c ATTACK_SH sh STALL DIR PY ATTACK
# shellcheck disable=SC2016
ATTACK_SH='"$1" "$2/m" 2>"$2/stall.err" &
	i=0
	while ! grep -q " $2/m fuse" /proc/self/mounts && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	exec "$3" "$4" "$2/m/f"'

# The functions below run in this shell (their children must be its own
# to be waited for); a measurement is left in RES_*, "-" when none; a
# failed check is a FAIL line and counted in NFAIL.
NFAIL=0
# fail WHAT - a check did not hold (usage: CHECK || fail WHAT)
fail() {
	echo "  FAIL: $*"
	NFAIL=$((NFAIL + 1))
}

# pstate PID - PID's state letter into PSTATE ("" when it is gone)
pstate() {
	local l=""
	PSTATE=""
	{ read -r l <"/proc/$1/stat"; } 2>/dev/null || return 0
	l=${l##*) }
	PSTATE=${l%% *}
}

# any_d PID - true when a thread of PID is in D state
any_d() { cat /proc/"$1"/task/*/stat 2>/dev/null | sed 's/.*) //' | awk '$1 == "D" { d = 1 } END { exit !d }'; }

# stall_kill DIR - kill the hostile sandbox's FUSE server serving DIR/m
stall_kill() { pkill -9 -f "^$STALL $1/m" 2>/dev/null || true; }

# term_wait PID DIR - SIGTERM to PID (a child of this shell); polled every
# 5 ms: RES_EXIT ms until it exited (zombie or gone), RES_GONE until it was
# gone, RES_ST its status; after BOUND s the FUSE server of DIR is killed
# (RES_REL: ms when), after 3*BOUND PID is SIGKILLed
term_wait() {
	local pid=$1 d=$2 t1 t st=0
	RES_EXIT=- RES_GONE=- RES_REL=""
	t1=${EPOCHREALTIME/./}
	kill -TERM "$pid" || true
	while :; do
		t=${EPOCHREALTIME/./}
		pstate "$pid"
		if [ "$RES_EXIT" = - ] && { [ -z "$PSTATE" ] || [ "$PSTATE" = Z ]; }; then
			RES_EXIT=$(((t - t1) / 1000))
		fi
		[ -n "$PSTATE" ] || break
		if [ -z "$RES_REL" ] && [ $((t - t1)) -ge $((bound * 1000000)) ]; then
			stall_kill "$d"
			RES_REL=$(((t - t1) / 1000))
		fi
		if [ $((t - t1)) -ge $((3 * bound * 1000000)) ]; then
			kill -9 "$pid" 2>/dev/null || true
			break
		fi
		read -r -t 0.005 -u "$NEVER" || true
	done
	wait "$pid" || st=$?
	RES_GONE=$(((${EPOCHREALTIME/./} - t1) / 1000)) RES_ST=$st
}

# end_stall DIR - end the hostile sandbox's leftovers (its FUSE server, in
# this run's pid namespace) and wait for them
end_stall() {
	stall_kill "$1"
	wait_until 5 sh -c '! pgrep -f "^$1 $2/m" >/dev/null' sh "$STALL" "$1" ||
		fail "the hostile sandbox's FUSE server did not end"
}

# parked DIR ATTACK - the attack has made its call and waits in the trap
parked() { grep -q parked "$1/attack.log" 2>/dev/null && in_trap "$(basename "$2")"; }

# one_run OPT DIR ATTACK - series run*: `lxnet run OPT`
one_run() {
	local opt=$1 d=$2 attack=$3 lx lxfs lxpx
	RES_EXIT=- RES_GONE=- RES_ST=- RES_REL=""
	mkdir -p "$d/m"
	# shellcheck disable=SC2086
	"$LXNET" run $opt -- sh -c "$ATTACK_SH" sh "$STALL" "$d" "$PY" "$attack" \
		>"$d/attack.log" 2>&1 &
	lx=$!
	if ! wait_until 20 parked "$d" "$attack"; then
		fail "the attack did not park ($(head -c 300 "$d/attack.log"))"
		kill -9 "$lx" 2>/dev/null || true
		end_stall "$d"
		{ wait "$lx" || true; } 2>/dev/null
		return 0
	fi
	lxfs=$(pgrep -P "$lx" -x lxnetfs) || true
	lxpx=$(pgrep -P "$lx" -x lxnet-proxy) || true
	[ -n "$lxfs" ] && [ -n "$lxpx" ] || fail "lxnet's lxnetfs or lxnet-proxy not found (pids '$lxfs' '$lxpx')"
	if [ "$attack" = "$MSGHDR_ATTACK" ]; then
		wait_until 5 any_d "${lxpx:-0}" || fail "no thread of lxnet-proxy $lxpx is in D state"
	fi
	term_wait "$lx" "$d"
	wait_until 5 sh -c '! kill -0 "$1" 2>/dev/null && ! kill -0 "$2" 2>/dev/null' sh "${lxfs:-0}" "${lxpx:-0}" ||
		fail "lxnetfs ($lxfs) or lxnet-proxy ($lxpx) still there 5 s after lxnet ended"
	end_stall "$d"
}

# one_shared MODE DIR ATTACK - series shared*: one lxnet-proxy --socket, the
# attack and a second sandbox under lxnet shim; MODE efault: a link change
# completes the parked receive before SIGTERM
one_shared() {
	local mode=$1 d=$2 attack=$3 px at mon t st=0 out
	RES_EXIT=- RES_GONE=- RES_ST=- RES_REL="" RES_SERVED=-
	mkdir -p "$d/m"
	"$PROXY" --socket "$d/proxy.sock" 2>"$d/proxy.log" &
	px=$!
	if ! wait_until 5 test -S "$d/proxy.sock"; then
		fail "lxnet-proxy did not start ($(head -c 300 "$d/proxy.log"))"
		kill -9 "$px" 2>/dev/null || true
		wait "$px" 2>/dev/null || true
		return 0
	fi
	unshare -rnm --propagation private "$LXNET" shim --proxy "$d/proxy.sock" -- \
		sh -c "$ATTACK_SH" sh "$STALL" "$d" "$PY" "$attack" >"$d/attack.log" 2>&1 &
	at=$!
	wait_until 20 parked "$d" "$attack" || fail "the attack did not park ($(head -c 300 "$d/attack.log"))"
	if [ "$attack" = "$MSGHDR_ATTACK" ]; then
		wait_until 5 any_d "$px" || fail "no thread of lxnet-proxy $px is in D state"
	fi
	if [ "$mode" = efault ]; then
		unshare -rn "$LXNET" shim --proxy "$d/proxy.sock" -- ip -o monitor link >"$d/monitor.log" 2>&1 &
	else
		unshare -rn "$LXNET" shim --proxy "$d/proxy.sock" -- ip -o monitor address >"$d/monitor.log" 2>&1 &
	fi
	mon=$!
	sleep 1
	if [ "$mode" = efault ]; then
		ip link add stl1 type veth peer name stp1 || fail "ip link add"
		wait_until 10 grep -q stl1 "$d/monitor.log" ||
			fail "the other sandbox's ip monitor did not see the link ($(head -c 300 "$d/monitor.log"))"
		wait_until 5 grep -q "^error EFAULT" "$d/attack.log" ||
			fail "the parked receive did not end EFAULT ($(tr '\n' ' ' <"$d/attack.log"))"
		ip link del stl1 || fail "ip link del"
	else
		ip addr add 10.66.0.1/32 dev lxv0 || fail "ip addr add"
		wait_until 10 grep -q 10.66.0.1 "$d/monitor.log" ||
			fail "the other sandbox's ip monitor did not see the address ($(head -c 300 "$d/monitor.log"))"
		ip addr del 10.66.0.1/32 dev lxv0 || fail "ip addr del"
	fi
	t=${EPOCHREALTIME/./}
	out=$(timeout 10 unshare -rn "$LXNET" shim --proxy "$d/proxy.sock" -- ip -o addr show dev lxv0 2>&1) || st=$?
	RES_SERVED=$(((${EPOCHREALTIME/./} - t) / 1000))
	{ [ $st -eq 0 ] && echo "$out" | grep -q 10.77.0.1; } ||
		fail "a new sandbox was not served (status $st, $RES_SERVED ms: $(echo "$out" | head -c 300))"
	if [ "$mode" != efault ]; then
		parked "$d" "$attack" ||
			fail "the attack's call is no longer parked at SIGTERM ($(tr '\n' ' ' <"$d/attack.log"))"
	fi
	term_wait "$px" "$d"
	kill -9 "$at" "$mon" 2>/dev/null || true
	{ wait "$at" "$mon" || true; } 2>/dev/null
	end_stall "$d"
	[ ! -s "$d/proxy.log" ] || echo "  lxnet-proxy said: $(tr '\n' ' ' <"$d/proxy.log" | head -c 300)"
}

# stats NAME MS... - NAME min median max of the numbers
stats() {
	local name=$1
	shift
	printf '%s\n' "$@" | grep -E '^[0-9]+$' | sort -n |
		awk -v n="$name" '{ a[NR] = $1 } END {
			if (!NR) { printf "%-28s no measurement\n", n; exit }
			m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			printf "%-28s %7d %9.1f %7d   (n=%d)\n", n, a[1], m, a[NR], NR }'
}

echo "# tools/stall-timing.sh: $runs runs per series, bound $bound s, $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A EXIT GONE
for s in $series; do
	for i in $(seq 1 "$runs"); do
		d=$TMP_DIR/$s.$i
		RES_SERVED=-
		case $s in
		run) one_run "" "$d" "$ATTACK" ;;
		run-pid) one_run --pid "$d" "$ATTACK" ;;
		shared) one_shared parked "$d" "$ATTACK" ;;
		shared-efault) one_shared efault "$d" "$ATTACK" ;;
		run-msghdr) one_run "" "$d" "$MSGHDR_ATTACK" ;;
		run-pid-msghdr) one_run --pid "$d" "$MSGHDR_ATTACK" ;;
		shared-msghdr) one_shared parked "$d" "$MSGHDR_ATTACK" ;;
		esac
		extra=""
		[ -z "$RES_REL" ] || extra="$extra; not gone after $RES_REL ms: its FUSE server killed then"
		[ "$RES_SERVED" = - ] || extra="$extra; before SIGTERM a new shim was served in $RES_SERVED ms"
		echo "$s $i: exited $RES_EXIT ms, gone $RES_GONE ms after SIGTERM, status $RES_ST$extra"
		EXIT[$s]="${EXIT[$s]:-} $RES_EXIT"
		GONE[$s]="${GONE[$s]:-} $RES_GONE"
	done
done
echo
printf '%-28s %7s %9s %7s   (ms after SIGTERM)\n' series min median max
for s in $series; do
	# shellcheck disable=SC2086
	stats "$s exited" ${EXIT[$s]}
	# shellcheck disable=SC2086
	stats "$s gone" ${GONE[$s]}
done
echo "$NFAIL checks failed"
exit 0
