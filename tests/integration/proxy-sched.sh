#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy-sched.sh - how lxnet-proxy's serving threads are scheduled: a
# sandbox's serving thread runs SCHED_BATCH (and only it), --no-sched-batch
# keeps it SCHED_OTHER, sockets are served either way, and a proxy whose
# sandbox is idle uses no CPU (the thread sleeps in NOTIF_RECV).
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-120}
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
STRESS=$top_builddir/tests/helpers/proxy-sockstress
[ -x "$STRESS" ] || tap_skip_all "test helpers not built (make check builds them)"
lib_tmpdir

# thread_policies PID - "TID:POLICY" per thread (stat field 41; the fields
# are counted after the last ')' so a comm with spaces cannot shift them)
thread_policies() {
	local t
	for t in /proc/"$1"/task/*; do
		printf '%s:%s\n' "${t##*/}" "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{ print $39 }')"
	done
}
# n_policy PID POLICY - how many of PID's threads have POLICY
n_policy() { thread_policies "$1" | grep -c ":$2\$"; }
# cpu_ticks PID - utime + stime of the whole process, in clock ticks
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# start_sandbox SOCK TAG - a sandbox that makes 200 sockets, says so, then
# idles until TAG.stop exists (bounded); its output goes to TAG.out
start_sandbox() {
	rm -f "$2.ready" "$2.stop"
	in_shim "$1" sh -c "'$STRESS' 1 200 >'$2.out' 2>&1; touch '$2.ready';
		i=0; while [ ! -e '$2.stop' ] && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i + 1)); done" &
	SANDBOX_PID=$!
	lib_on_exit "touch '$2.stop'; kill $SANDBOX_PID 2>/dev/null"
	wait_until 20 test -e "$2.ready"
}
stop_sandbox() { touch "$1.stop"; wait "$SANDBOX_PID" 2>/dev/null; }

SCHED_OTHER=0 SCHED_BATCH=3
tap_plan 7

# ---- default: serving threads are SCHED_BATCH ----
proxy_start "$TMP_DIR/a.sock"
A=$PROXY_PID
batch0=$(n_policy "$A" $SCHED_BATCH)
start_sandbox "$TMP_DIR/a.sock" "$TMP_DIR/a"
out=$(cat "$TMP_DIR/a.out")
[ "$out" = "ok 200 emfile 0 other 0 bogus 0 enosys 0" ]
tap_result $? "sandbox served by the default proxy ($out)"

pol=$(thread_policies "$A" | tr '\n' ' ')
main=$(sed 's/.*) //' "/proc/$A/stat" | awk '{ print $39 }')
[ "$batch0" -eq 0 ] && [ "$(n_policy "$A" $SCHED_BATCH)" -eq 1 ] && [ "$main" = $SCHED_OTHER ]
tap_result $? "one SCHED_BATCH thread per sandbox, main thread SCHED_OTHER (before: $batch0 batch; now tid:policy $pol)"

# Idle: the sandbox exists but makes no calls. 5 s of wall time; a proxy
# that spun or polled would use hundreds of ticks (CLK_TCK is usually 100).
t0=$(cpu_ticks "$A")
sleep 5
t1=$(cpu_ticks "$A")
[ $((t1 - t0)) -le 2 ]
tap_result $? "proxy with an idle sandbox: $((t1 - t0)) clock ticks of CPU in 5 s (at most 2)"

stop_sandbox "$TMP_DIR/a"
gone() { [ "$(n_policy "$A" $SCHED_BATCH)" -eq 0 ]; }
wait_until 5 gone
tap_result $? "the SCHED_BATCH thread ends with its sandbox ($(n_policy "$A" $SCHED_BATCH) left)"

# ---- --no-sched-batch ----
proxy_start "$TMP_DIR/b.sock" --no-sched-batch
B=$PROXY_PID
nb0=$(thread_policies "$B" | wc -l)
start_sandbox "$TMP_DIR/b.sock" "$TMP_DIR/b"
out=$(cat "$TMP_DIR/b.out")
[ "$out" = "ok 200 emfile 0 other 0 bogus 0 enosys 0" ]
tap_result $? "sandbox served with --no-sched-batch ($out)"
pol=$(thread_policies "$B" | tr '\n' ' ')
n=$(thread_policies "$B" | wc -l)
[ "$n" -eq $((nb0 + 1)) ] && [ "$(n_policy "$B" $SCHED_OTHER)" -eq "$n" ]
tap_result $? "--no-sched-batch: the serving thread and all others SCHED_OTHER ($nb0 threads before the sandbox; tid:policy $pol)"
stop_sandbox "$TMP_DIR/b"

kill -0 "$A" && kill -0 "$B"
tap_result $? "both proxies still running"
tap_done
