#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cli-usage.sh - every program reads its command line one way (src/cli.c;
# lxnet-shim, without GLib, the same way with getopt):
# --help on stdout and 0, a usage error in one line with status 2.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
lib_tmpdir
LXNET=$top_builddir/src/lxnet/lxnet
LXNETFS=$top_builddir/fs/lxnetfs
PROXY=$top_builddir/proxy/lxnet-proxy
SHIM=$top_builddir/src/lxnet/lxnet-shim
for b in "$LXNET" "$LXNETFS" "$PROXY" "$SHIM"; do
	[ -x "$b" ] || tap_skip_all "$b not built"
done
tap_plan 17
set -f # "-?" is an option here, not a pattern

# PROG (as the user typed it) and the command that runs it; an option
# only this program has, to find in its --help
progs=(
	"lxnet run|$LXNET run|--no-generate"
	"lxnet shim|$LXNET shim|--trust-uid"
	"lxnet exec|$LXNET exec|--verbose"
	"lxnet ps|$LXNET ps|--help"
	"lxnetfs|$LXNETFS|--max-pinned"
	"lxnet-proxy|$PROXY|--max-listeners"
	"lxnet-shim|$SHIM|--trust-uid"
)

# usage_error PROG CMD... - CMD --bogus-option exits 2 with one line
usage_error() {
	local prog=$1 st
	shift
	"$@" --bogus-option >"$TMP_DIR/out" 2>"$TMP_DIR/err"
	st=$?
	[ $st -eq 2 ] || { tap_diag "status $st, want 2"; return 1; }
	[ ! -s "$TMP_DIR/out" ] && [ "$(wc -l <"$TMP_DIR/err")" -eq 1 ] &&
		grep -qxF "$prog: error: Unknown option --bogus-option (try '$prog --help')" \
			"$TMP_DIR/err" || { tap_diag "$(cat "$TMP_DIR/err")"; return 1; }
}

# help OPTION CMD... - CMD --help (and --help followed by a mistake, which
# it is not judged: help ends the parse) prints the options on stdout, 0
help() {
	local opt=$1 st h
	shift
	for h in --help "--help --bogus-option" -h "-?" --help-all; do
		# shellcheck disable=SC2086
		"$@" $h >"$TMP_DIR/out" 2>"$TMP_DIR/err"
		st=$?
		[ $st -eq 0 ] && [ ! -s "$TMP_DIR/err" ] &&
			grep -q -- "-h, --help" "$TMP_DIR/out" &&
			grep -q -- "$opt" "$TMP_DIR/out" ||
			{ tap_diag "$h: status $st: $(head -c 300 "$TMP_DIR/err")"; return 1; }
	done
}

for p in "${progs[@]}"; do
	IFS='|' read -r prog cmd opt <<<"$p"
	# shellcheck disable=SC2086
	usage_error "$prog" $cmd
	tap_result $? "$prog: a usage error is one line, status 2"
	# shellcheck disable=SC2086
	help "$opt" $cmd
	tap_result $? "$prog: --help, -h, -?, --help-all print the options, status 0"
done

# the view options every daemon shares are in --help and checked alike
for p in "lxnet run|$LXNET run" "lxnetfs|$LXNETFS" "lxnet-proxy|$PROXY"; do
	IFS='|' read -r prog cmd <<<"$p"
	# shellcheck disable=SC2086
	$cmd --help | grep -q -- '--hide-if=GLOB' &&
		$cmd --hostname=-bad /tmp 2>&1 >/dev/null |
		grep -qxF "$prog: error: invalid --hostname '-bad' (try '$prog --help')"
	tap_result $? "$prog: the view options are listed and validated"
done
tap_done
