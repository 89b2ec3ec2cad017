#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# completion.sh - the bash completion (completion/lxnet) offers exactly the
# options each program's --help lists (lxnet run, shim, exec, ps; lxnetfs;
# lxnet-proxy, its view options too) and lxnet's commands; it completes
# option arguments by kind (a directory for --root and lxnetfs's
# MOUNTPOINT, a file for --proxy, --no-generate's names, which must still
# be in --help), CMD after `--` as a command, and exec's NAME from
# `lxnet ps`.
. "$(dirname "$0")/run-common.sh"
lib_enter_ns "$@"
run_require
lib_tmpdir
tap_plan 16

LXNETFS=$top_builddir/fs/lxnetfs
PROXY=$top_builddir/proxy/lxnet-proxy
SHIMP=$top_builddir/src/lxnet/lxnet-shim
# shellcheck source=/dev/null
source "$top_srcdir/completion/lxnet" || tap_skip_all "cannot source completion/lxnet"
# bash-completion may be loaded in an interactive shell; here it is not,
# so the script's own fallbacks are what is tested.
unset -f _command_offset 2>/dev/null

# offer FUNC WORD... - what FUNC completes for the command line WORD...
# (the last word is the one under the cursor), sorted, one a line
offer() {
	local fn=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	"$fn" 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort -u
}

# help_opts CMD... - short and long options CMD's --help lists (and its
# --help-view, where --help names it), sorted, one a line; read here
# without the completion's code
help_opts() {
	{
		"$@" --help
		"$@" --help | grep -q -- '--help-view' && "$@" --help-view
	} 2>/dev/null | grep -oE '^ +(-[^-], )?--[A-Za-z0-9][A-Za-z0-9-]*' |
		tr -d ' ' | tr ',' '\n' | sed '/^$/d' | sort -u
}

# same WHAT EXPECTED OFFERED - record whether two lists are equal; on a
# difference, say which entries are missing from the completion and which
# it offers beyond --help
same() {
	if [ "$2" = "$3" ] && [ -n "$2" ]; then
		tap_result 0 "$1"
	else
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed -n 's/^</# only in --help:/p; s/^>/# only in completion:/p'
		tap_result 1 "$1"
	fi
}

commands=$("$LXNET" --help | awk '/^Commands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }' | sort)
same "lxnet: the commands of lxnet --help" "$commands" "$(offer _lxnet "$LXNET" '')"
ok=0
for c in $commands; do
	[ "$c" = help ] && continue
	"$LXNET" "$c" --help >/dev/null 2>&1 || { tap_diag "lxnet $c --help fails"; ok=1; }
done
"$LXNET" --version >/dev/null 2>&1 || ok=1
[ "$(offer _lxnet "$LXNET" -)" = "$(printf '%s\n' --help --version)" ] || ok=1
tap_result $ok "lxnet: each command offered has a --help; --help and --version offered and work"

for c in run shim exec ps; do
	same "lxnet $c: options offered = options of lxnet $c --help" \
		"$(help_opts "$LXNET" "$c")" "$(offer _lxnet "$LXNET" "$c" -)"
done
same "lxnetfs: options offered = options of lxnetfs --help" \
	"$(help_opts "$LXNETFS")" "$(offer _lxnetfs "$LXNETFS" -)"
same "lxnet-proxy: options offered = options of --help and --help-view" \
	"$(help_opts "$PROXY")" "$(offer _lxnet_proxy "$PROXY" -)"
same "lxnet-shim: options offered = options of lxnet-shim --help" \
	"$(help_opts "$SHIMP")" "$(offer _lxnet_shim "$SHIMP" -)"

# ---- arguments ----
mkdir "$TMP_DIR/d1" "$TMP_DIR/d2"
: >"$TMP_DIR/f1"
[ "$(offer _lxnet "$LXNET" run --root "$TMP_DIR/")" = "$(printf '%s\n' "$TMP_DIR/d1" "$TMP_DIR/d2")" ] &&
	[ "$(offer _lxnet "$LXNET" run --pid --root = "$TMP_DIR/d")" = "$(printf '%s\n' "$TMP_DIR/d1" "$TMP_DIR/d2")" ] &&
	[ "$(offer _lxnetfs "$LXNETFS" -f "$TMP_DIR/")" = "$(printf '%s\n' "$TMP_DIR/d1" "$TMP_DIR/d2")" ]
tap_result $? "directories only for lxnet run --root DIR, --root=DIR and lxnetfs MOUNTPOINT"

[ "$(offer _lxnet "$LXNET" shim -p "$TMP_DIR/f")" = "$TMP_DIR/f1" ] &&
	[ "$(offer _lxnet_shim "$SHIMP" -p "$TMP_DIR/f")" = "$TMP_DIR/f1" ] &&
	[ "$(offer _lxnet_proxy "$PROXY" --socket "$TMP_DIR/f")" = "$TMP_DIR/f1" ] &&
	[ -z "$(offer _lxnet "$LXNET" run --hostname "$TMP_DIR/f")" ]
tap_result $? "files for PATH arguments (shim -p, lxnet-shim -p, lxnet-proxy --socket), nothing for a NAME"

# --no-generate's names are written in the completion: each must still be
# one lxnet run --help names on that option's line
line=$("$LXNET" run --help | grep -- '--no-generate')
ok=0
for n in $(offer _lxnet "$LXNET" run --no-generate ''); do
	case $line in *"$n"*) ;; *) tap_diag "--no-generate $n not in --help"; ok=1 ;; esac
done
[ "$(offer _lxnet "$LXNET" run --no-generate hosts,re)" = hosts,resolv.conf ] || ok=1
[ -n "$line" ] && [ "$(offer _lxnet "$LXNET" run --no-generate '' | wc -l)" -ge 4 ] || ok=1
tap_result $ok "--no-generate offers the files --help names, comma lists continue"

# --publish: after HOSTPORT:PORT the protocols, also where bash split the
# word at ':' (COMP_WORDBREAKS); what follows is still lxnet's options
[ "$(offer _lxnet "$LXNET" run --publish 8080:80 | tr '\n' ' ')" = "8080:80 8080:80/tcp 8080:80/udp " ] &&
	[ "$(offer _lxnet "$LXNET" run --publish = 8080 : 80 | tr '\n' ' ')" = "80 80/tcp 80/udp " ] &&
	[ -z "$(offer _lxnet "$LXNET" run --publish 80)" ] &&
	[ "$(offer _lxnet "$LXNET" run --publish 8080 : 80 --no-con)" = --no-config ] &&
	"$LXNET" run --help | grep -q -- '--publish=HOSTPORT:PORT\[/udp\]'
tap_result $? "--publish HOSTPORT:PORT offers /udp and /tcp; the options go on after it"

# after `--` (or the first word that is not an option) comes CMD: a
# command, then CMD's own arguments, never lxnet's options
[ "$(offer _lxnet "$LXNET" run --pid -- bas)" = "$(compgen -c -- bas | sort -u)" ] &&
	offer _lxnet "$LXNET" run --hostname x -- bas | grep -qx bash &&
	offer _lxnet "$LXNET" shim -- bas | grep -qx bash &&
	offer _lxnet_shim "$SHIMP" -p /x -- bas | grep -qx bash &&
	[ -z "$(offer _lxnet "$LXNET" run -- ls --ro)" ] &&
	[ -z "$(offer _lxnet "$LXNET" run --root "$TMP_DIR" ls --ro)" ]
tap_result $? "CMD after -- completed as a command; its options are not lxnet's"

# exec NAME: the names lxnet ps lists
XDG_RUNTIME_DIR=$TMP_DIR/xdg
export XDG_RUNTIME_DIR
mkdir -m 700 "$XDG_RUNTIME_DIR"
timeout -k 5 60 "$LXNET" run --name compbox -- sleep 50 >/dev/null 2>&1 &
lib_on_exit "kill $!"
if wait_until 10 sh -c '"$1" ps | grep -q "^compbox "' _ "$LXNET"; then
	[ "$(offer _lxnet "$LXNET" exec comp)" = compbox ] &&
		[ "$(offer _lxnet "$LXNET" exec compbox -- bas)" = "$(compgen -c -- bas | sort -u)" ]
	tap_result $? "lxnet exec NAME from lxnet ps, then CMD"
else
	tap_skip "lxnet exec NAME from lxnet ps" "lxnet run --name did not register here"
fi

# the file parses as bash and registers all three programs
bash -n "$top_srcdir/completion/lxnet" &&
	bash -c 'source "$1" && complete -p lxnet lxnetfs lxnet-proxy lxnet-shim' _ "$top_srcdir/completion/lxnet" >/dev/null
tap_result $? "completion/lxnet parses and registers lxnet, lxnetfs, lxnet-proxy and lxnet-shim"
tap_done
