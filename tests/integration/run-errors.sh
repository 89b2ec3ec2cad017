#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-errors.sh - the errors a user meets: one clear line, the right status.
. "$(dirname "$0")/run-common.sh"
lib_enter_ns "$@"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
tap_plan 13

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

# /dev/fuse not accessible: a throw-away user without the ACL.
if run_make_user; then
	run_as_user "'$LXNET' run $VIEW -- true" >/dev/null 2>"$TMP_DIR/err"
	st=$?
	[ $st -eq 125 ] && [ "$(wc -l <"$TMP_DIR/err")" -eq 1 ] &&
		grep -q '/dev/fuse: permission denied.*setfacl -m u:'"$RUN_USER"':rw /dev/fuse' "$TMP_DIR/err"
	tap_result $? "/dev/fuse not accessible: 125 and how to fix it"
else
	tap_skip "/dev/fuse not accessible" "cannot make a throw-away user"
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
