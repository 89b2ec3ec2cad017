#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy-unpriv.sh - lxnet-proxy and lxnet shim both run by an ordinary user
# (a throw-away account made here): curl reaches the test namespace's
# loopback from the user's own sandbox.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
command -v curl >/dev/null || tap_skip_all "curl missing"
lib_tmpdir
chmod 755 "$TMP_DIR"
proxy_make_user lxnpx
mkdir "$TMP_DIR/www" "$TMP_DIR/run"
chown "$U" "$TMP_DIR/run"
echo "unpriv-token-$$" >"$TMP_DIR/www/index.txt"
chmod -R a+rX "$TMP_DIR/www"
SOCK=$TMP_DIR/run/proxy.sock

tap_plan 7
http_start "$TMP_DIR/www" 127.0.0.1 8080
wait_until 5 port_open 127.0.0.1 8080
as_user "$PROXY_BIN" --socket "$SOCK" 2>"$TMP_DIR/proxy.log" &
PROXY_PID=$!
lib_on_exit "kill $PROXY_PID 2>/dev/null"
wait_until 5 test -S "$SOCK"
[ "$(stat -c %U:%a "$SOCK")" = "$U:600" ]
tap_result $? "the user's proxy socket belongs to the user, mode 0600"
out=$(as_user unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- curl -sS -m 5 http://127.0.0.1:8080/index.txt 2>&1)
[ "$out" = "unpriv-token-$$" ]
tap_result $? "unprivileged proxy + shim: curl fetches from 127.0.0.1 ($out)"
! as_user unshare -rn curl -s -m 3 http://127.0.0.1:8080/index.txt >/dev/null 2>&1
tap_result $? "the same user's sandbox without the shim reaches nothing"
# Another user (nobody) cannot use this user's proxy: the socket is 0600.
err=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- unshare -rn \
	"$LXNET_BIN" shim --proxy "$SOCK" -- true 2>&1)
[ $? -eq 125 ] && printf '%s' "$err" | grep -q 'Permission denied'
tap_result $? "another user cannot connect to the proxy ($err)"
kill $PROXY_PID 2>/dev/null

# Without XDG_RUNTIME_DIR (su, sudo, cron): the proxy and the shim, uid 0
# in its `unshare -rn`, meet at the same default path, the user's
# $TMPDIR/lxnet-UID (the user has no /run/user/UID here)
uid=$(id -u "$U")
mkdir -m 1777 "$TMP_DIR/tu" "$TMP_DIR/tv"
if [ -d "/run/user/$uid" ]; then
	tap_skip "no XDG_RUNTIME_DIR: proxy and shim meet at \$TMPDIR/lxnet-$uid" "/run/user/$uid exists (a recycled uid): both would use it"
else
	as_user env -u XDG_RUNTIME_DIR TMPDIR="$TMP_DIR/tu" "$PROXY_BIN" --no-config 2>"$TMP_DIR/proxy2.log" &
	lib_on_exit "kill $! 2>/dev/null"
	wait_until 5 test -S "$TMP_DIR/tu/lxnet-$uid/proxy.sock"
	out=$(as_user env -u XDG_RUNTIME_DIR TMPDIR="$TMP_DIR/tu" unshare -rn "$LXNET_BIN" shim -- curl -sS -m 5 http://127.0.0.1:8080/index.txt 2>&1)
	[ "$out" = "unpriv-token-$$" ] && [ "$(stat -c %a "$TMP_DIR/tu/lxnet-$uid")" = 700 ]
	tap_result $? "no XDG_RUNTIME_DIR: proxy and shim meet at \$TMPDIR/lxnet-$uid (0700) by default ($out; $(head -c 200 "$TMP_DIR/proxy2.log"))"
fi
# two user namespaces deep (rootless bwrap) uid 0 says nothing of the
# user: no default, and the shim says what to give
err=$(as_user env -u XDG_RUNTIME_DIR TMPDIR="$TMP_DIR/tu" unshare -rn unshare -r "$LXNET_BIN" shim -- true 2>&1)
st=$?
[ $st -eq 125 ] && printf '%s' "$err" | grep -q "give --proxy PATH"
tap_result $? "nested user namespaces without XDG_RUNTIME_DIR: the shim asks for --proxy (status $st: $err)"
# that directory made first by someone else (here root, 0755): refused
mkdir -m 755 "$TMP_DIR/tv/lxnet-$uid"
err=$(as_user env -u XDG_RUNTIME_DIR TMPDIR="$TMP_DIR/tv" timeout 10 "$PROXY_BIN" --no-config 2>&1)
st=$?
[ $st -eq 1 ] && printf '%s' "$err" | grep -q "is not a directory only this user may change" &&
	! [ -e "$TMP_DIR/tv/lxnet-$uid/proxy.sock" ]
tap_result $? "a default directory another user made first is refused (status $st: $err)"
tap_done
