#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy-compat.sh - binaries libc-based interposition cannot reach: a static
# Go program (its own syscalls, a signal-heavy runtime) and a static 32-bit
# program creating sockets through socketcall(2), good and bogus pointers.
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-300}
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
lib_tmpdir
SOCK=$TMP_DIR/proxy.sock
ECHO=$top_srcdir/tests/integration/proxy-echo.py
HELPERS=$top_srcdir/tests/helpers
mkdir "$TMP_DIR/www"
echo "go-token-$$" >"$TMP_DIR/www/index.txt"

tap_plan 5
proxy_start "$SOCK" || { tap_diag "proxy did not start"; }
http_start "$TMP_DIR/www" 127.0.0.1 8080
wait_until 5 port_open 127.0.0.1 8080

# Static Go, stdlib only, built here with the module cache in the tmpdir.
if command -v go >/dev/null || apt-get install -y golang-go >/dev/null 2>&1; then
	mkdir -p "$TMP_DIR/go/src"
	cp "$HELPERS/proxy-gohttp.go" "$TMP_DIR/go/src/main.go"
	if (cd "$TMP_DIR/go/src" && CGO_ENABLED=0 GOCACHE=$TMP_DIR/go/cache \
		GOPATH=$TMP_DIR/go/path GOFLAGS=-mod=mod GO111MODULE=off \
		timeout 200 go build -o "$TMP_DIR/gohttp" main.go) >"$TMP_DIR/go.log" 2>&1; then
		file "$TMP_DIR/gohttp" 2>/dev/null | grep -q 'statically linked' ||
			tap_diag "gohttp may not be static: $(file "$TMP_DIR/gohttp" 2>&1)"
		out=$(in_shim "$SOCK" "$TMP_DIR/gohttp" http://127.0.0.1:8080/index.txt 2>&1)
		printf '%s' "$out" | grep -q "^status 200" &&
			printf '%s' "$out" | grep -q "go-token-$$"
		tap_result $? "static Go binary does an HTTP GET through the proxy ($(printf %s "$out" | tr '\n' ' '))"
	else
		tap_diag "$(cat "$TMP_DIR/go.log")"
		tap_result 1 "static Go binary builds"
	fi
else
	tap_skip "static Go binary does an HTTP GET" "golang-go not installable"
fi

# 32-bit static C program using socketcall directly, where i386 binaries run.
if lib_build32 "$TMP_DIR/sock32" "$HELPERS/proxy-sock32.c"; then
	rm -f "$TMP_DIR/ready"
	"$PY" "$ECHO" tcp-server 127.0.0.1 9032 "$TMP_DIR/ready" &
	lib_on_exit "kill $! 2>/dev/null"
	wait_until 5 test -e "$TMP_DIR/ready"
	out=$(in_shim "$SOCK" "$TMP_DIR/sock32" connect 9032 2>&1)
	[ "$out" = "reply hi32" ]
	tap_result $? "i386 socketcall(SYS_SOCKET) gets a host socket and connects ($out)"
	! unshare -rn "$TMP_DIR/sock32" connect 9032 >/dev/null 2>&1
	tap_result $? "the same i386 program without the proxy cannot connect"
	out=$(in_shim "$SOCK" "$TMP_DIR/sock32" efault 2>&1)
	tap_result $? "bogus and short socketcall argument pointers give EFAULT ($(printf %s "$out" | tr '\n' ' '))"
	out=$(in_shim "$SOCK" "$TMP_DIR/sock32" unix 2>&1)
	tap_result $? "i386 socketcall(SYS_SOCKET, AF_UNIX) is let through natively ($out)"
else
	for t in connect noproxy efault unix; do
		tap_skip "i386 socketcall $t" "$LIB_WHY32"
	done
fi
proxy_alive || tap_diag "proxy died"
tap_done
