#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-errors.sh - the errors a user meets: one clear line, the right status.
. "$(dirname "$0")/run-common.sh"
lib_enter_ns "$@"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
tap_plan 19

# expect STATUS PATTERN ARGS... - lxnet run ARGS exits STATUS and its
# stderr is one line matching PATTERN
expect() {
	local want=$1 pat=$2 st
	shift 2
	lxrun "$@" >/dev/null 2>"$TMP_DIR/err"
	st=$?
	[ $st -eq "$want" ] || { tap_diag "status $st, want $want"; return 1; }
	[ "$(wc -l <"$TMP_DIR/err")" -eq 1 ] || { tap_diag "$(cat "$TMP_DIR/err")"; return 1; }
	grep -q -e "$pat" "$TMP_DIR/err" || { tap_diag "$(cat "$TMP_DIR/err")"; return 1; }
}

mkdir -p "$TMP_DIR/emptyroot"
expect 125 'no /bin/sh' --root "$TMP_DIR/emptyroot" -- true
tap_result $? "--root without /bin/sh: 125 and a clear message"

expect 125 'No such file' --root "$TMP_DIR/nonexistent" -- true
tap_result $? "--root that does not exist: 125"

expect 127 'nonexistent-cmd: command not found' -- nonexistent-cmd
tap_result $? "CMD not found: 127"

printf 'not a program\n' >"$TMP_DIR/notexec"
expect 126 'cannot execute' -- "$TMP_DIR/notexec"
tap_result $? "CMD not executable: 126"

expect 2 'Unknown option' --bogus-option -- true
tap_result $? "unknown option: 2"

expect 2 'no command given' --hostname x
tap_result $? "no command: 2"

expect 2 'invalid --no-generate' --no-generate=resolv.conf,bogus -- true
tap_result $? "bad --no-generate: 2"

expect 2 'invalid --add-host' --add-host nocolon -- true
tap_result $? "bad --add-host: 2"

"$LXNET" run --help >"$TMP_DIR/help" 2>&1
grep -q -- '--root=DIR' "$TMP_DIR/help" && grep -q -- '--pid' "$TMP_DIR/help" &&
	grep -q -- '--no-generate' "$TMP_DIR/help" && grep -q -- '--add-host=NAME:ADDR' "$TMP_DIR/help" &&
	grep -q -- '--hide-if=GLOB' "$TMP_DIR/help" && grep -q '^  lxnet run .*-- CMD' "$TMP_DIR/help"
tap_result $? "--help lists the options"

LXNET_LXNETFS=$TMP_DIR/no-such-lxnetfs expect 125 'cannot execute.*no-such-lxnetfs' -- true
tap_result $? "a companion that cannot be executed: 125, one line"

# Companions start before the sandbox; one that ends before it served is
# named, with its status, in one line.
printf '#!/bin/sh\nexit 3\n' >"$TMP_DIR/fail-companion"
chmod +x "$TMP_DIR/fail-companion"
LXNET_LXNETFS=$TMP_DIR/fail-companion expect 125 'lxnetfs ended during start-up (status 3)' -- true
tap_result $? "lxnetfs ending during start-up: 125, one line with its status"

# The sandbox does not wait for the proxy's answer to its listener: CMD
# runs meanwhile, and a refusal must still end it with 125. This stand-in
# proxy takes the listener (and the netns) on fd 3 and answers FDPASS_ACK -EPERM.
cat >"$TMP_DIR/refusing-proxy" <<'PY'
#!/usr/bin/env python3
import socket, struct, sys
s = socket.socket(fileno=3)
msg, fds, _, _ = socket.recv_fds(s, 16, 4)
magic, kind = struct.unpack('<II', msg[:8])
ok = magic == 0x6c786e65 and kind == 1 and len(fds) == 3  # listener, netns, in-flight record
s.send(struct.pack('<IIii', 0x6c786e65, 3, -1 if ok else -74, 0))
PY
chmod +x "$TMP_DIR/refusing-proxy"
LXNET_PROXY=$TMP_DIR/refusing-proxy expect 125 'lxnet-proxy could not serve the sandbox: Operation not permitted' \
	-- sh -c "sleep 10; echo > $TMP_DIR/survived"
st=$?
[ $st -eq 0 ] && [ ! -e "$TMP_DIR/survived" ]
tap_result $? "lxnet-proxy refusing the listener: CMD is killed, 125, one line"

LXNET_PROXY=$TMP_DIR/fail-companion expect 125 'lxnet-proxy ended during start-up (status 3)' -- true
tap_result $? "lxnet-proxy ending during start-up: 125, one line with its status"

# CMD does not wait for the proxy's answer, lxnet does: a proxy that dies
# unanswered after CMD has already ended is still reported.
printf '#!/bin/sh\nsleep 0.5\nexit 3\n' >"$TMP_DIR/slow-fail-companion"
chmod +x "$TMP_DIR/slow-fail-companion"
LXNET_PROXY=$TMP_DIR/slow-fail-companion expect 125 'lxnet-proxy ended during start-up (status 3)' -- true
tap_result $? "lxnet-proxy dying unanswered after CMD ended: 125, one line with its status"

# A proxy that never answers: reported at the answer's deadline (10 s)
# even though CMD ended at once; a signal to lxnet ends that wait early,
# and CMD's status stands.
printf '#!/bin/sh\nexec sleep 30\n' >"$TMP_DIR/stuck-companion"
chmod +x "$TMP_DIR/stuck-companion"
LXNET_PROXY=$TMP_DIR/stuck-companion expect 125 'did not take the seccomp listener within 10 s' -- true
tap_result $? "lxnet-proxy never answering, CMD ended: 125 at the deadline, one line"
LXNET_PROXY=$TMP_DIR/stuck-companion lxrun -- true >/dev/null 2>&1 &
bg=$!
wait_until 10 pgrep -f "^$LXNET run .*-- true\$" >/dev/null
sleep 1
t0=$(date +%s%N)
pkill -TERM -f "^$LXNET run .*-- true\$"
wait_until 5 sh -c "! kill -0 $bg 2>/dev/null"
wait "$bg"
st=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ $st -eq 0 ] && [ $ms -lt 3000 ]
tap_result $? "SIGTERM during that wait: lxnet ends in $ms ms with CMD's status ($st)"

# /dev/fuse not accessible: a throw-away user, and a 0600 root-owned node
# of the test's own over /dev/fuse in this test's mount namespace, so the
# case is the same on machines whose node is 0600, 0666 or has ACLs.
if run_make_user && lib_fuse_node 0600; then
	run_as_user "'$LXNET' run $VIEW -- true" >/dev/null 2>"$TMP_DIR/err"
	st=$?
	[ $st -eq 125 ] && [ "$(wc -l <"$TMP_DIR/err")" -eq 1 ] &&
		grep -q '/dev/fuse: permission denied.*setfacl -m u:'"$RUN_USER"':rw /dev/fuse' "$TMP_DIR/err"
	tap_result $? "/dev/fuse not accessible: 125 and how to fix it"
else
	tap_skip "/dev/fuse not accessible" "cannot make a throw-away user or cover /dev/fuse"
fi

# User namespaces disabled: the limit is per user namespace, so a nested
# one with user.max_user_namespaces = 0 shows it without touching the
# machine's setting.
if unshare -r true 2>/dev/null; then
	# shellcheck disable=SC2016
	unshare -r sh -c 'echo 0 >/proc/sys/user/max_user_namespaces && exec "$@"' sh \
		"$LXNET" run $VIEW -- true >/dev/null 2>"$TMP_DIR/err"
	st=$?
	[ $st -eq 125 ] && [ "$(wc -l <"$TMP_DIR/err")" -eq 1 ] &&
		grep -q 'user namespaces are disabled' "$TMP_DIR/err"
	tap_result $? "user namespaces disabled: 125 and what to change"
else
	tap_skip "user namespaces disabled" "unshare -r does not work here"
fi

# Nothing left after a failed set-up.
! grep -q -e lxnetfs /proc/self/mountinfo && ! ls -d "$TMP_DIR"/lxnet-* >/dev/null 2>&1
tap_result $? "a failed set-up leaves no mount and no staging directory"

tap_done
