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

tap_plan 4
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
tap_done
