#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy-basic.sh - lxnet-proxy + lxnet shim: a sandbox in an empty network
# namespace reaches the test namespace's loopback through injected host
# sockets (curl, busybox wget, IPv4/IPv6, servers both ways, TCP/UDP, ping),
# while AF_UNIX, socketpair and AF_PACKET stay native; malformed control
# messages are refused without disturbing other clients.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
command -v curl >/dev/null || apt-get install -y curl >/dev/null 2>&1 || tap_skip_all "curl missing and not installable"
lib_tmpdir
SOCK=$TMP_DIR/proxy.sock
ECHO=$top_srcdir/tests/integration/proxy-echo.py
mkdir "$TMP_DIR/www"
echo "lxnet-proxy-token-$$" >"$TMP_DIR/www/index.txt"
TOKEN="lxnet-proxy-token-$$"

tap_plan 28
proxy_start "$SOCK"
tap_result $? "proxy listens at its socket"
[ "$(stat -c %a "$SOCK")" = 600 ]
tap_result $? "control socket has mode 0600"

http_start "$TMP_DIR/www" 127.0.0.1 8080
http_start "$TMP_DIR/www" ::1 8086
wait_until 5 port_open 127.0.0.1 8080 && wait_until 5 port_open ::1 8086 ||
	tap_diag "http servers did not start"

! unshare -rn curl -s -m 3 http://127.0.0.1:8080/index.txt >/dev/null 2>&1
tap_result $? "without the proxy the sandbox reaches nothing"

out=$(in_shim "$SOCK" curl -sS -m 5 http://127.0.0.1:8080/index.txt 2>&1)
[ "$out" = "$TOKEN" ]
tap_result $? "curl through the shim fetches from 127.0.0.1 ($out)"

if command -v busybox >/dev/null || apt-get install -y busybox-static >/dev/null 2>&1; then
	# (busybox 1.35's wget -T crashes natively too: bound it with timeout)
	out=$(in_shim "$SOCK" timeout 10 busybox wget -q -O - http://127.0.0.1:8080/index.txt 2>&1)
	[ "$out" = "$TOKEN" ]
	tap_result $? "busybox wget through the shim ($out)"
else
	tap_skip "busybox wget through the shim" "busybox not installable"
fi

out=$(in_shim "$SOCK" curl -sS -m 5 'http://[::1]:8086/index.txt' 2>&1)
[ "$out" = "$TOKEN" ]
tap_result $? "curl over IPv6 [::1] ($out)"

# A server started inside the sandbox is a host socket: reachable from here.
(in_shim "$SOCK" "$PY" -m http.server -d "$TMP_DIR/www" -b 127.0.0.1 8091 >/dev/null 2>&1) &
lib_on_exit "kill $! 2>/dev/null; pkill -P $! 2>/dev/null"
wait_until 10 port_open 127.0.0.1 8091
out=$(curl -sS -m 5 http://127.0.0.1:8091/index.txt 2>&1)
[ "$out" = "$TOKEN" ]
tap_result $? "server inside the sandbox reachable from the host namespace ($out)"

# TCP and UDP echo, both directions.
echo_host_server() { # PROTO PORT
	rm -f "$TMP_DIR/ready"
	"$PY" "$ECHO" "$1-server" 127.0.0.1 "$2" "$TMP_DIR/ready" &
	lib_on_exit "kill $! 2>/dev/null"
	wait_until 5 test -e "$TMP_DIR/ready"
	in_shim "$SOCK" "$PY" "$ECHO" "$1-client" 127.0.0.1 "$2" "hello-$1-out"
}
echo_sandbox_server() { # PROTO PORT
	rm -f "$TMP_DIR/ready"
	in_shim "$SOCK" "$PY" "$ECHO" "$1-server" 127.0.0.1 "$2" "$TMP_DIR/ready" &
	lib_on_exit "kill $! 2>/dev/null"
	wait_until 10 test -e "$TMP_DIR/ready"
	"$PY" "$ECHO" "$1-client" 127.0.0.1 "$2" "hello-$1-in"
}
out=$(echo_host_server tcp 9001 2>&1)
[ "$out" = hello-tcp-out ]
tap_result $? "TCP echo: sandbox client, host server ($out)"
out=$(echo_sandbox_server tcp 9002 2>&1)
[ "$out" = hello-tcp-in ]
tap_result $? "TCP echo: host client, sandbox server ($out)"
out=$(echo_host_server udp 9003 2>&1)
[ "$out" = hello-udp-out ]
tap_result $? "UDP echo: sandbox client, host server ($out)"
out=$(echo_sandbox_server udp 9004 2>&1)
[ "$out" = hello-udp-in ]
tap_result $? "UDP echo: host client, sandbox server ($out)"

# ICMP echo sockets depend on the host namespace's ping_group_range and the
# proxy's gid (0 here).
if command -v ping >/dev/null || apt-get install -y iputils-ping >/dev/null 2>&1; then
	sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	out=$(in_shim "$SOCK" ping -c1 -W2 127.0.0.1 2>&1)
	tap_result $? "ping -c1 127.0.0.1 works when ping_group_range covers the proxy's gid"
	sysctl -qw net.ipv4.ping_group_range="1 0"
	# The reference: the same ping natively, by a user without CAP_NET_RAW
	# (a copy of the binary carries no file capability).
	cp "$(command -v ping)" "$TMP_DIR/ping"
	chmod 755 "$TMP_DIR" "$TMP_DIR/ping"
	want=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TMP_DIR/ping" -c1 -W2 127.0.0.1 2>&1)
	wst=$?
	out=$(in_shim "$SOCK" "$TMP_DIR/ping" -c1 -W2 127.0.0.1 2>&1)
	st=$?
	# Same status and the same kernel error; ping adds a hint about
	# capabilities only when it does not run as uid 0, as in the sandbox.
	lines_in_want() {
		local l
		while IFS= read -r l; do
			printf '%s\n' "$want" | grep -qxF -- "$l" || return 1
		done <<<"$out"
	}
	[ $st -ne 0 ] && [ $st -eq $wst ] && lines_in_want &&
		printf '%s' "$out" | grep -q 'socket: Operation not permitted'
	tap_result $? "ping fails like the kernel says when the range excludes the gid ($(printf %s "$out" | tr "\n" "|"))"
else
	tap_skip "ping works with ping_group_range" "iputils-ping not installable"
	tap_skip "ping fails without ping_group_range" "iputils-ping not installable"
fi

# AF_UNIX stays native: an abstract socket in the sandbox is not visible here,
# while one bound here is (the control case proves the probe can succeed).
probe_abstract() {
	"$PY" -c 'import socket,sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("\0" + sys.argv[1]); print("connected")
except OSError as e:
    print(e.errno)' "$1"
}
rm -f "$TMP_DIR/ready"
in_shim "$SOCK" "$PY" -c 'import socket,sys,time
a, b = socket.socketpair(); a.send(b"x"); assert b.recv(1) == b"x"
s = socket.socket(socket.AF_UNIX); s.bind("\0lxnet-sbx-'$$'"); s.listen(1)
open(sys.argv[1], "w").close(); time.sleep(5)' "$TMP_DIR/ready" &
lib_on_exit "kill $! 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/ready"
tap_result $? "socketpair and AF_UNIX bind work natively in the sandbox"
"$PY" -c 'import socket,time; s = socket.socket(socket.AF_UNIX); s.bind("\0lxnet-host-'$$'"); s.listen(1); time.sleep(5)' &
lib_on_exit "kill $! 2>/dev/null"
host_abstract_up() { [ "$(probe_abstract "lxnet-host-$$")" = connected ]; }
wait_until 5 host_abstract_up
host=$(probe_abstract "lxnet-host-$$")
sbx=$(probe_abstract "lxnet-sbx-$$")
[ "$host" = connected ] && [ "$sbx" = 111 ]
tap_result $? "abstract AF_UNIX socket of the sandbox is invisible from the host (host: $host, sandbox's: $sbx)"

# AF_PACKET is not served: the sandbox gets exactly what its own namespace says.
pkt='import socket
try:
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0); print("ok")
except OSError as e:
    print("errno", e.errno)'
want=$(timeout 10 unshare -rn "$PY" -c "$pkt" 2>&1)
out=$(timeout 10 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c "$pkt" 2>&1)
[ -n "$out" ] && [ "$out" = "$want" ]
tap_result $? "AF_PACKET answered natively, no hang ($out, native: $want)"

# AF_INET SOCK_PACKET is a packet socket the kernel checks against its
# creator's CAP_NET_RAW: a root proxy must not make it on the host. Made
# natively it lives in the sandbox's namespace (SIOCGSKNS names it).
spkt='import fcntl,os,socket
try:
    s = socket.socket(socket.AF_INET, 10, socket.htons(3))
except OSError as e:
    print("errno", e.errno); raise SystemExit
try:
    ns = fcntl.ioctl(s.fileno(), 0x894C)
    print("own" if os.fstat(ns).st_ino == os.stat("/proc/self/ns/net").st_ino else "foreign")
except OSError as e:
    print("SIOCGSKNS errno", e.errno)'
out=$(timeout 10 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c "$spkt" 2>&1)
[ "$out" = own ] || [ "${out%% *}" = errno ]
tap_result $? "AF_INET SOCK_PACKET never a host packet socket ($out)"

# A raw socket of the host's only for a caller the kernel would give one:
# CAP_NET_RAW over the user namespace owning the proxy's network namespace
# (root in the proxy's own; not root of a child, nor root without it)
raw='import socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP); print("raw")
except OSError as e:
    print("errno", e.errno)'
a=$(timeout 10 unshare -n "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c "$raw" 2>&1)
b=$(timeout 10 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c "$raw" 2>&1)
c=$(timeout 10 unshare -n setpriv --bounding-set=-net_raw --inh-caps=-net_raw \
	"$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c "$raw" 2>&1)
[ "$a" = raw ] && [ "$b" = "errno 1" ] && [ "$c" = "errno 1" ]
tap_result $? "SOCK_RAW: root of the proxy's user namespace gets one, a child's root or a root without CAP_NET_RAW EPERM ($a; $b; $c)"

# NETLINK_ROUTE (--netlink=auto): a caller in a child user namespace can
# never administer the host's network and gets a socket of the host's
# namespace (a copy of it at an untrapped number is AF_NETLINK for the
# kernel, an endpoint's is AF_UNIX); one in the proxy's user namespace, even
# without capabilities now (a set-uid program could give it some), keeps
# the emulated endpoint, at the top of the endpoint range.
nl='import os, socket
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
d = socket.socket(fileno=os.dup(s.fileno()))
print(s.fileno(), d.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN))'
host=$("$PY" -c "$nl" 2>&1)
a=$(timeout 10 unshare -n "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c "$nl" 2>&1)
b=$(timeout 10 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c "$nl" 2>&1)
c=$(timeout 10 unshare -n setpriv --bounding-set=-all --inh-caps=-all \
	"$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" -c "$nl" 2>&1)
# (an endpoint sits at 896-1023, or 56-63 under a low RLIMIT_NOFILE)
[ "${a#* }" = 1 ] && [ "${a% *}" -ge 56 ] && [ "${c#* }" = 1 ] &&
	[ "${c% *}" -ge 56 ] && [ "$b" = "$host" ] && [ "${host#* }" = 16 ]
tap_result $? "NETLINK_ROUTE: a child's root gets the host's own socket ($b; natively: $host), the proxy's user namespace the endpoint ($a; $c)"

# Malformed control messages: FDPASS_ACK -EBADMSG and the client is dropped.
ctl='import array,os,socket,struct,sys
M = 0x6c786e65
def ask(data, fds=()):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(sys.argv[1])
    if fds:
        socket.send_fds(s, [data], list(fds))
    else:
        s.send(data)
    r = s.recv(64)
    magic, kind, status, pid = struct.unpack("<IIii", r)
    closed = s.recv(64) == b""
    return "%d/%d/%s" % (kind, status, "closed" if closed else "open")
print(ask(b"garbage that is not a header at all"),
      ask(struct.pack("<IIii", M, 1, 0, os.getpid())),
      ask(struct.pack("<IIii", M, 1, 0, os.getpid()), [os.open("/dev/null", os.O_RDONLY)]),
      ask(struct.pack("<IIii", 0x12345678, 1, 0, 0)),
      ask(struct.pack("<IIii", M, 9, 0, 0)))'
out=$("$PY" -c "$ctl" "$SOCK" 2>&1)
[ "$out" = "3/-74/closed 3/-74/closed 3/-74/closed 3/-74/closed 3/-74/closed" ]
tap_result $? "garbage, fd-less, non-listener fd, bad magic, bad kind: ACK -EBADMSG, dropped ($out)"
out=$(in_shim "$SOCK" curl -sS -m 5 http://127.0.0.1:8080/index.txt 2>&1)
[ "$out" = "$TOKEN" ] && proxy_alive
tap_result $? "proxy keeps serving other shims after bad clients"

# Front end and errors a user meets.
"$LXNET_BIN" --help | grep -q '^  shim ' && "$LXNET_BIN" help >/dev/null
tap_result $? "lxnet --help lists subcommands"
v=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
[ "$("$LXNET_BIN" --version)" = "lxnet $v" ] &&
	[ "$("$PROXY_BIN" --version)" = "lxnet-proxy $v" ] &&
	[ "$("$top_builddir/fs/lxnetfs" --version)" = "lxnetfs $v" ]
tap_result $? "--version on every program: $v"
"$LXNET_BIN" frobnicate >/dev/null 2>&1
[ $? -eq 2 ]
tap_result $? "unknown subcommand exits 2"
err=$(unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/none.sock" -- true 2>&1)
st=$?
[ $st -eq 125 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
	printf '%s' "$err" | grep -q 'no lxnet-proxy is listening'
tap_result $? "shim without a proxy: one clear line, exit 125 ($err)"

kill -TERM "$PROXY_PID"
wait_until 5 sh -c "! kill -0 $PROXY_PID 2>/dev/null" && [ ! -e "$SOCK" ]
tap_result $? "SIGTERM ends the proxy and removes its socket"

# SIGTERM while sandboxes are being served: the serving threads are woken
# and joined before the proxy exits (it used to exit under them, and a late
# thread read freed state). The sandboxes then get ENOSYS, as documented.
waiter='
import errno, os, socket, sys, time
d = sys.argv[1]
open("%s/ready.%s" % (d, sys.argv[2]), "w").close()
for _ in range(200):
    if os.path.exists(d + "/go"):
        break
    time.sleep(0.05)
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    r = "ok"
except OSError as e:
    r = errno.errorcode.get(e.errno, str(e.errno))
open("%s/result.%s" % (d, sys.argv[2]), "w").write(r + "\n")'
mkdir "$TMP_DIR/term"
# A second proxy, verbose: each serving thread logs "stopped serving" as
# it ends.
TSOCK=$TMP_DIR/term.sock
proxy_start "$TSOCK" --verbose
for i in 1 2 3 4 5 6 7 8; do
	(in_shim "$TSOCK" "$PY" -c "$waiter" "$TMP_DIR/term" $i >/dev/null 2>&1 &)
done
wait_until 10 sh -c "[ \$(ls '$TMP_DIR/term' | grep -c '^ready') -eq 8 ]"
threads=$(lib_threads "$PROXY_PID")
log_lines=$(wc -l <"$TMP_DIR/proxy.log")
kill -TERM "$PROXY_PID"
wait_until 5 sh -c "! kill -0 $PROXY_PID 2>/dev/null"
wait "$PROXY_PID"
st=$?
tail -n +$((log_lines + 1)) "$TMP_DIR/proxy.log" >"$TMP_DIR/term.log"
gone=$(grep -c 'stopped serving the sandbox of pid' "$TMP_DIR/term.log")
[ $st -eq 0 ] && [ ! -e "$TSOCK" ] && [ "${threads:-0}" -ge 9 ] &&
	[ "$gone" -eq 8 ] && ! grep -qiE 'warning|error' "$TMP_DIR/term.log"
tap_result $? "SIGTERM with 8 sandboxes served: their $gone threads end before exit 0, socket removed, no warning (status $st)"
touch "$TMP_DIR/term/go"
wait_until 15 sh -c "[ \$(ls '$TMP_DIR/term' | grep -c '^result') -eq 8 ]"
out=$(cat "$TMP_DIR"/term/result.* 2>/dev/null | sort | uniq -c | tr -s ' ')
[ "$out" = " 8 ENOSYS" ]
tap_result $? "their socket() calls then fail ENOSYS ($out)"
tap_done
