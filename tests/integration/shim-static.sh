#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shim-static.sh - lxnet-shim, the shim linked with libc and libseccomp
# only: statically linked, it runs in a busybox-only root made by
# `bwrap --unshare-net` with nothing of the host's bound in, as root and as
# an ordinary user (rootless bwrap), and reaches a server on the test
# host's loopback and sees its interfaces through the proxy; its options,
# messages and exit statuses are those of `lxnet shim`.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
SHIM=$top_builddir/src/lxnet/lxnet-shim
[ -x "$SHIM" ] || tap_skip_all "lxnet-shim not built"
lib_tmpdir
chmod 755 "$TMP_DIR"

tap_plan 15

# 1: linked statically, unless configure said it could not be
static=$(sed -n 's/^#define LXNET_SHIM_STATIC \([01]\)$/\1/p' "$top_builddir/config.h")
if [ "$static" = 1 ]; then
	ok=0
	readelf -lW "$SHIM" | grep -q 'INTERP' && { tap_diag "lxnet-shim has a program interpreter"; ok=1; }
	readelf -dW "$SHIM" 2>/dev/null | grep -q '(NEEDED)' && { tap_diag "lxnet-shim needs: $(readelf -dW "$SHIM" | grep NEEDED)"; ok=1; }
	tap_result $ok "lxnet-shim is statically linked: no interpreter, no shared library"
else
	tap_skip "lxnet-shim is statically linked" \
		"this build links it dynamically (configure: --disable-static-shim, or no libc.a/libseccomp.a)"
	# a dynamic shim cannot run in a root without the host's libraries
	tap_skip "busybox root as root" "lxnet-shim is dynamically linked in this build"
	tap_skip "busybox root as root: exit status" "lxnet-shim is dynamically linked in this build"
	tap_skip "busybox root as an ordinary user" "lxnet-shim is dynamically linked in this build"
	static=0
fi

# the test host: a server on its loopback, a veth pair of its own
mkdir -p "$TMP_DIR/www"
echo "static shim reached the host" >"$TMP_DIR/www/hello"
http_start "$TMP_DIR/www" 127.0.0.1 18731
wait_until 5 port_open 127.0.0.1 18731
ip link add lxss0 type veth peer name lxss1

# mkroot DIR - a root holding busybox and lxnet-shim, nothing else
mkroot() {
	local r=$1 a
	mkdir -p "$r/bin" "$r/proc" "$r/dev" "$r/run/lxnet" "$r/tmp"
	cp /bin/busybox "$SHIM" "$r/bin/"
	for a in sh wget ip cat; do ln -s busybox "$r/bin/$a"; done
	chmod -R a+rX "$r"
}
in_bwrap() { # ROOT SOCKDIR CMD...
	local r=$1 d=$2
	shift 2
	bwrap --unshare-user --unshare-net --unshare-pid --bind "$r" / \
		--proc /proc --dev /dev --bind "$d" /run/lxnet -- "$@"
}

if ! command -v bwrap >/dev/null; then
	[ "$static" = 1 ] && for d in "busybox root as root" "busybox root as root: exit status" \
		"busybox root as an ordinary user"; do tap_skip "$d" "bwrap (bubblewrap) missing"; done
elif [ "$static" = 1 ]; then
	# 2-3: as root. The root has no /lib, /usr or /etc: the dynamic
	# `lxnet shim` cannot run there, lxnet-shim does.
	mkroot "$TMP_DIR/root"
	mkdir -m 700 "$TMP_DIR/rs"
	proxy_start "$TMP_DIR/rs/proxy.sock"
	out=$(in_bwrap "$TMP_DIR/root" "$TMP_DIR/rs" /bin/lxnet-shim \
		--proxy /run/lxnet/proxy.sock -- /bin/sh -c \
		'wget -q -O - http://127.0.0.1:18731/hello; ip -o link show' 2>"$TMP_DIR/root.err")
	st=$?
	ok=0
	[ $st -eq 0 ] || { tap_diag "status $st: $(cat "$TMP_DIR/root.err")"; ok=1; }
	grep -qx "static shim reached the host" <<<"$out" || { tap_diag "no answer from the host's server: $out"; ok=1; }
	grep -q ' lxss0@lxss1: ' <<<"$out" || { tap_diag "the host's interfaces not seen: $out"; ok=1; }
	[ -e "$TMP_DIR/root/lib" ] || [ -e "$TMP_DIR/root/usr" ] && ok=1
	# without the shim the same root sees its own, empty namespace
	if in_bwrap "$TMP_DIR/root" "$TMP_DIR/rs" /bin/ip -o link show 2>&1 | grep -q lxss0; then
		tap_diag "the host's veth is visible without the shim"
		ok=1
	fi
	tap_result $ok "busybox root as root: wget reaches the host's loopback server, ip link lists the host's veth (not seen without the shim)"
	in_bwrap "$TMP_DIR/root" "$TMP_DIR/rs" /bin/lxnet-shim --proxy /run/lxnet/proxy.sock \
		-- /bin/sh -c 'exit 7' 2>>"$TMP_DIR/root.err"
	st1=$?
	in_bwrap "$TMP_DIR/root" "$TMP_DIR/rs" /bin/lxnet-shim --proxy /run/lxnet/proxy.sock \
		-- /bin/no-such-program 2>>"$TMP_DIR/root.err"
	st2=$?
	[ $st1 -eq 7 ] && [ $st2 -eq 127 ]
	tap_result $? "busybox root as root: exit status: CMD's own (7), 127 for a missing CMD (got $st1, $st2)"

	# 4: as an ordinary user: rootless bwrap, the user's own proxy
	proxy_make_user lxnss
	mkroot "$TMP_DIR/uroot"
	mkdir -m 700 "$TMP_DIR/us"
	chown "$U:$U" "$TMP_DIR/us"
	if ! as_user bwrap --unshare-user --unshare-net --bind / / true 2>"$TMP_DIR/u.err"; then
		tap_skip "busybox root as an ordinary user" "rootless bwrap fails here: $(head -n1 "$TMP_DIR/u.err")"
	else
		as_user "$PROXY_BIN" --socket "$TMP_DIR/us/proxy.sock" 2>>"$TMP_DIR/proxy.log" &
		lib_on_exit "kill $! 2>/dev/null"
		wait_until 5 test -S "$TMP_DIR/us/proxy.sock"
		out=$(as_user bash -c "$(declare -f in_bwrap); in_bwrap '$TMP_DIR/uroot' '$TMP_DIR/us' \
			/bin/lxnet-shim --proxy /run/lxnet/proxy.sock -- \
			/bin/wget -q -O - http://127.0.0.1:18731/hello" 2>"$TMP_DIR/u.err")
		st=$?
		[ $st -eq 0 ] && [ "$out" = "static shim reached the host" ]
		tap_result $? "busybox root as an ordinary user: wget reaches the host's loopback server (status $st${out:+, '$out'}$( [ -s "$TMP_DIR/u.err" ] && echo ", $(head -n1 "$TMP_DIR/u.err")"))"
	fi
fi

# 5-15: the same command lines give `lxnet shim` and lxnet-shim the same
# status and the same message (but for the program's name)
same() { # DESCRIPTION ARGS...
	local d=$1 a b sa sb
	shift
	a=$("$LXNET_BIN" shim "$@" 2>&1)
	sa=$?
	b=$("$SHIM" "$@" 2>&1)
	sb=$?
	a=${a//lxnet shim/PROG}
	b=${b//lxnet-shim/PROG}
	if [ $sa -ne $sb ] || [ "$a" != "$b" ]; then
		tap_diag "lxnet shim: $sa '$a'"
		tap_diag "lxnet-shim: $sb '$b'"
		tap_result 1 "$d"
		return
	fi
	tap_result 0 "$d (status $sa)"
}
same "no proxy listening: one line, 125" --proxy "$TMP_DIR/none.sock" -- true
same "no command: usage error" --proxy "$TMP_DIR/none.sock"
same "bad --timeout: usage error" --timeout 0 -- true
same "bad --trust-uid: usage error" --trust-uid -5 -- true
same "unknown option: usage error" --bogus -- true
same "a value that is no number" -t abc -- true
same "a number out of range" --timeout=99999999999 -- true
same "numbers are decimal: 0x10 is no number" --trust-uid 0x10 -- true
same "an abbreviated long option" --prox=/x -- true
same "--version" --version
a=$("$LXNET_BIN" shim --print-filter | md5sum)
b=$("$SHIM" --print-filter | md5sum)
[ "$a" = "$b" ] && [ -n "$("$SHIM" --print-filter)" ]
tap_result $? "--print-filter: the same filter as lxnet shim's"

exit $((LIB_TAP_FAILED > 0))
