#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy-stall.sh - one sandbox cannot stall the others (issue: the proxy's
# main loop wrote parked netlink receives into callers' memory). A sandbox
# on a shared proxy parks a blocking receive whose buffer is a mapping of
# a FUSE file its own server never answers; a link change completes it.
# The other sandboxes must still be served (a new shim, `ip monitor`), and
# the proxy must end on SIGTERM within a bound.
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-120}
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
lib_tmpdir
STALL=$top_builddir/tests/helpers/fuse-stall
[ -x "$STALL" ] || tap_skip_all "tests/helpers/fuse-stall not built"
lib_fuse_node 0666 || tap_skip_all "cannot give this test a /dev/fuse node of its own"
tap_plan 6
SOCK=$TMP_DIR/proxy.sock
# the emulated endpoints are what a sandbox could stall
proxy_start "$SOCK" --netlink=emulated || tap_skip_all "lxnet-proxy did not start"
mkdir "$TMP_DIR/m"

# the hostile sandbox: its own FUSE server, a receive parked into its file
unshare -rnm --propagation private "$LXNET_BIN" shim --proxy "$SOCK" -- sh -c '
	"$1" "$2/m" 2>"$2/stall.err" &
	i=0
	while ! grep -q " $2/m fuse" /proc/self/mounts && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	exec "$3" "$4" "$2/m/f"' sh "$STALL" "$TMP_DIR" "$PY" \
	"$top_srcdir/tests/integration/stall-attack.py" >"$TMP_DIR/attack.log" 2>&1 &
ATTACK=$!
lib_on_exit "kill -9 $ATTACK 2>/dev/null; pkill -9 -f '$STALL' 2>/dev/null"
wait_until 10 grep -q parked "$TMP_DIR/attack.log"
tap_result $? "a sandbox parks a receive into a mapping of its stalled FUSE file ($(head -c 200 "$TMP_DIR/attack.log"))"

# another sandbox watches link changes
in_shim "$SOCK" ip -o monitor link >"$TMP_DIR/monitor.log" 2>&1 &
MON=$!
lib_on_exit "kill $MON 2>/dev/null"
sleep 1
for i in 1 2 3; do
	ip link add "stl$i" type veth peer name "stp$i"
done
wait_until 10 sh -c '[ "$(grep -c "stl[0-9]" "$1")" -ge 3 ]' sh "$TMP_DIR/monitor.log"
tap_result $? "another sandbox's ip monitor sees all 3 link changes ($(grep -c 'stl[0-9]' "$TMP_DIR/monitor.log") lines)"

start=$(date +%s%N)
out=$(timeout 10 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- ip -o link show dev stl1 2>&1)
st=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $st -eq 0 ] && [ $ms -lt 5000 ]
tap_result $? "a new sandbox is served while the other is stalled (${ms} ms, status $st)"

wait_until 5 grep -q "^error EFAULT" "$TMP_DIR/attack.log"
tap_result $? "the hostile sandbox's receive into its FUSE mapping fails EFAULT, written by nobody ($(tr '\n' ' ' <"$TMP_DIR/attack.log"))"

# A recvmsg whose struct msghdr lies in the stalled FUSE file: the proxy
# must read it, and refuses to (EFAULT at once) rather than wait on that
# server in a page fault (before: the serving thread stuck for good, the
# sandbox's own exit stuck behind it, lxnet run never returning).
mkdir "$TMP_DIR/m2"
out=$(timeout 20 unshare -rnm --propagation private "$LXNET_BIN" shim --proxy "$SOCK" -- sh -c '
	"$1" "$2/m2" 2>"$2/stall2.err" &
	server=$!
	i=0
	while ! grep -q " $2/m2 fuse" /proc/self/mounts && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	timeout 10 "$3" "$4" --msghdr "$2/m2/f"; st=$?
	kill -9 $server
	exit $st' sh "$STALL" "$TMP_DIR" "$PY" \
	"$top_srcdir/tests/integration/stall-attack.py" 2>&1)
echo "$out" | grep -q '^recvmsg -1 EFAULT$'
tap_result $? "a recvmsg whose msghdr is in a stalled FUSE file fails EFAULT at once ($(echo "$out" | tr '\n' ' '))"

start=$(date +%s%N)
kill -TERM "$PROXY_PID"
wait_until 8 sh -c '! kill -0 "$1" 2>/dev/null' sh "$PROXY_PID"
st=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_result $st "the proxy ends on SIGTERM within 8 s (${ms} ms)"
kill -9 "$ATTACK" 2>/dev/null
pkill -9 -f "$STALL" 2>/dev/null
tap_done
