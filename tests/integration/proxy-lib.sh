# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy-lib.sh - helpers for the proxy-*.sh tests (sourced after lib.sh and
# lib_enter_ns): start lxnet-proxy in the test namespace, run commands under
# `unshare -rn lxnet shim` (a new, empty network namespace), small servers.

PROXY_BIN=$top_builddir/proxy/lxnet-proxy
LXNET_BIN=$top_builddir/src/lxnet/lxnet
# The distribution's interpreter: a per-user shim (pyenv) may not be
# readable by the throw-away user of the unprivileged test.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

# proxy_require - skip the whole script when the binaries or tools are missing
proxy_require() {
	[ -x "$PROXY_BIN" ] || tap_skip_all "lxnet-proxy not built"
	[ -x "$LXNET_BIN" ] || tap_skip_all "lxnet not built"
	[ -n "$PY" ] || tap_skip_all "python3 missing"
	unshare -rn true 2>/dev/null || tap_skip_all "unprivileged user namespaces unavailable"
}

# proxy_make_user PREFIX - a throw-away user PREFIXxxxxxxxx into U (removed,
# with its processes, at exit) that reaches the build tree and may make user
# namespaces; as_user CMD... runs CMD as U. Skips the script otherwise.
proxy_make_user() {
	[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root to create a throw-away user"
	command -v useradd >/dev/null || tap_skip_all "useradd missing"
	# not $$: each test is its pid namespace's init, so $$ is always 1
	U=$1$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	lib_make_user "$U" || tap_skip_all "useradd failed"
	lib_on_exit "pkill -KILL -u $U 2>/dev/null"
	as_user test -x "$LXNET_BIN" -a -x "$PROXY_BIN" ||
		tap_skip_all "build tree not accessible to an unprivileged user"
	as_user unshare -rn true 2>/dev/null || tap_skip_all "unprivileged user namespaces disabled"
}
as_user() { setpriv --reuid="$U" --regid="$U" --init-groups -- "$@"; }

# proxy_start SOCK [ARGS...] - start lxnet-proxy --socket SOCK, wait for the
# socket; PROXY_PID is its pid. Killed at exit.
proxy_start() {
	local sock=$1
	shift
	"$PROXY_BIN" --socket "$sock" "$@" 2>>"$TMP_DIR/proxy.log" &
	PROXY_PID=$!
	lib_on_exit "kill $PROXY_PID 2>/dev/null; wait $PROXY_PID 2>/dev/null"
	wait_until 5 test -S "$sock"
}

# in_shim SOCK CMD... - run CMD in a new user+network namespace under the shim
in_shim() {
	local sock=$1
	shift
	unshare -rn "$LXNET_BIN" shim --proxy "$sock" -- "$@"
}

# bg_start CMD... - start CMD in the background; killed at exit; BG_PID
bg_start() {
	"$@" &
	BG_PID=$!
	lib_on_exit "kill $BG_PID 2>/dev/null"
}

# http_start DIR ADDR PORT - python3 http.server serving DIR on ADDR:PORT
http_start() {
	(cd "$1" && exec "$PY" -m http.server -b "$2" "$3") >/dev/null 2>&1 &
	lib_on_exit "kill $! 2>/dev/null"
}

# port_open HOST PORT - whether a TCP connect succeeds
port_open() {
	"$PY" -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()' "$1" "$2" 2>/dev/null
}

# proxy_alive - the proxy still runs
proxy_alive() { kill -0 "$PROXY_PID" 2>/dev/null; }

# proxy_rss_kb - the proxy's VmRSS in KiB
proxy_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$PROXY_PID/status"; }

# policy_proxy NAME OPTIONS... - a proxy with these rules at
# $TMP_DIR/NAME.sock, the view from $TMP_DIR/resolv.conf and hosts, its
# messages appended to $TMP_DIR/proxy.log
policy_proxy() {
	local name=$1
	shift
	"$PROXY_BIN" --socket "$TMP_DIR/$name.sock" --resolv-conf "$TMP_DIR/resolv.conf" \
		--hosts-file "$TMP_DIR/hosts" "$@" 2>>"$TMP_DIR/proxy.log" &
	lib_on_exit "kill $! 2>/dev/null"
	wait_until 5 test -S "$TMP_DIR/$name.sock"
}
