#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-nested.sh - nested network namespaces get the kernel, a nested
# `lxnet run` shares its sandbox's network, and emulated netlink works
# under low RLIMIT_NOFILE (issue 9, items 5 and 6).
. "$(dirname "$0")/run-common.sh"
lib_enter_ns "$@"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
command -v curl >/dev/null || tap_skip_all "curl missing"
command -v python3 >/dev/null || tap_skip_all "python3 missing"
IFINFO=$top_builddir/tests/helpers/ifinfo
tap_plan 19

python3 -m http.server -b 127.0.0.1 18083 --directory "$TMP_DIR" >/dev/null 2>&1 &
lib_on_exit "kill $!"
echo nested-ok >"$TMP_DIR/probe"
wait_until 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/18083' 2>/dev/null
URL=http://127.0.0.1:18083/probe

# ---- item 5: a namespace of its own gets the kernel ----
out=$(lxrun -- unshare -rn ip -o link)
[ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q '^1: lo:'
tap_result $? "unshare -rn ip link inside lists only the new namespace's lo"

out=$(lxrun -- unshare -rn busybox ip -o link)
[ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q '^1: lo:'
tap_result $? "busybox ip link in the nested namespace lists only lo"

[ "$(lxrun -- curl -s -m 10 "$URL")" = nested-ok ]
tap_result $? "curl in the sandbox reaches the host's loopback"

lxrun -- unshare -rn sh -c 'ip link set lo up && curl -s -m 5 "$1"; [ $? -eq 7 ]' sh "$URL"
tap_result $? "unshare -rn curl is refused in the empty namespace (curl exit 7)"

out=$(lxrun -- unshare -rn sh -c 'busybox ifconfig lo up && ip -o link show lo')
echo "$out" | grep -q 'LOOPBACK,UP'
tap_result $? "SIOCSIFFLAGS in the nested namespace reaches the kernel (lo comes up)"

# One thread unshares, its sibling stays: each is judged by its own namespace.
cat >"$TMP_DIR/threads.py" <<'EOF'
import ctypes, socket, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
port = int(sys.argv[1])
res = {}
def reach():
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        return "reach"
    except OSError:
        return "refused"
def inner():
    if libc.unshare(CLONE_NEWNET) != 0:
        res["t"] = "unshare failed %d" % ctypes.get_errno()
        return
    res["t"] = "%d %s" % (len(socket.if_nameindex()), reach())
t = threading.Thread(target=inner)
t.start(); t.join()
print("thread", res["t"])
print("main %d %s" % (len(socket.if_nameindex()), reach()))
EOF
out=$(lxrun -- python3 "$TMP_DIR/threads.py" 18083)
tap_diag "$(echo $out)"
echo "$out" | grep -qx 'thread 1 refused' && echo "$out" | grep -Eqx 'main [2-9][0-9]* reach'
tap_result $? "a thread that unshared gets its own namespace, its sibling the host's"

# clone3() fails ENOSYS (its flags cannot be filtered); fork and threads
# still work through the C library's fallback to clone().
out=$(lxrun -- python3 -c 'import ctypes, os, threading
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(435, None, 0)
t = threading.Thread(target=lambda: None); t.start(); t.join()
pid = os.fork()
if pid == 0: os._exit(3)
print(r, ctypes.get_errno(), os.waitpid(pid, 0)[1] >> 8)')
[ "$out" = "-1 38 3" ]
tap_result $? "clone3 fails ENOSYS, threads and fork fall back ($out)"

# The same through lxnet shim and a standalone proxy.
. "$(dirname "$0")/proxy-lib.sh"
SOCK=$TMP_DIR/proxy.sock
if proxy_start "$SOCK"; then
	[ "$(in_shim "$SOCK" curl -s -m 10 "$URL")" = nested-ok ] &&
		in_shim "$SOCK" unshare -rn sh -c 'ip link set lo up && curl -s -m 5 "$1"; [ $? -eq 7 ]' sh "$URL" &&
		[ "$(in_shim "$SOCK" unshare -rn ip -o link | wc -l)" -eq 1 ]
	tap_result $? "under lxnet shim: the sandbox reaches the host, a nested namespace does not"
else
	tap_skip "under lxnet shim" "lxnet-proxy --socket did not start"
fi

# ---- item 5: lxnet run inside lxnet run ----
[ "$(lxrun -- "$LXNET" run -- curl -s -m 10 "$URL")" = nested-ok ]
tap_result $? "a nested lxnet run reaches the host"

out=$(lxrun -- "$LXNET" run -- ip -o link)
echo "$out" | grep -q 'lxv0'
tap_result $? "a nested lxnet run sees the host's interfaces"

# options a nested lxnet run cannot honour are bad usage of it (status 2,
# lxnet(1) EXIT STATUS), one line each; a sandbox name that is valid but
# not running is lxnet failing (125), nested or not
nested_refused() { # OPTION...
	lxrun -- "$LXNET" run "$@" -- true 2>"$TMP_DIR/nest.err"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$TMP_DIR/nest.err")" -eq 1 ] &&
		grep -q -- "^lxnet run: error: ${1%%=*}.* cannot apply inside another sandbox" "$TMP_DIR/nest.err" ||
		{ tap_diag "$* gave $rc: $(cat "$TMP_DIR/nest.err")"; return 1; }
}
ok=0
nested_refused --hide-if lxv1 || ok=1
nested_refused --netlink=emulated || ok=1
nested_refused --allow=tcp:10.77.0.1:80 || ok=1
lxrun -- "$LXNET" exec nosuch -- true 2>"$TMP_DIR/exec.err"
rc=$?
[ $rc -eq 125 ] && grep -q "no running sandbox is named 'nosuch'" "$TMP_DIR/exec.err" ||
	{ tap_diag "nested exec nosuch gave $rc: $(cat "$TMP_DIR/exec.err")"; ok=1; }
tap_result $ok "nested --hide-if, --netlink, --allow: usage errors, one line, exit 2; exec of no such sandbox: 125"

# ---- item 6: low RLIMIT_NOFILE ----
for n in 64 256 1024; do
	out=$(lxrun -- sh -c "ulimit -n $n && ip -o link")
	echo "$out" | grep -q 'lxv0'
	tap_result $? "ulimit -n $n: ip link shows the host's interfaces"
done

if [ -x "$IFINFO" ]; then
	host=$("$IFINFO" getifaddrs)
	in=$(lxrun -- sh -c 'ulimit -n 64 && exec "$1" getifaddrs' sh "$IFINFO")
	[ -n "$host" ] && [ "$host" = "$in" ]
	tap_result $? "ulimit -n 64: getifaddrs() inside equals the host's"
else
	tap_skip "getifaddrs under ulimit -n 64" "tests/helpers/ifinfo not built"
fi

# ip monitor under a low limit sees a host change.
lxrun -- sh -c 'ulimit -n 256 && exec ip -o monitor address' >"$TMP_DIR/mon" 2>&1 &
mon=$!
sleep 1
ip addr add 10.77.0.77/24 dev lxv0
wait_until 10 grep -q '10.77.0.77' "$TMP_DIR/mon"
rc=$?
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
tap_result $rc "ulimit -n 256: ip monitor sees an address added on the host"

# A program with many fds: its ordinary sockets in the low range work
# (trapped, let through) and an endpoint still finds a number.
cat >"$TMP_DIR/manyfds.py" <<'EOF'
import os, socket, sys
port = int(sys.argv[1])
keep = [os.open("/dev/null", os.O_RDONLY) for _ in range(48)]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
os.dup2(s.fileno(), 60)
s.close()
c = socket.socket(fileno=60)
c.settimeout(5)
c.sendall(b"GET /probe HTTP/1.0\r\n\r\n")
data = b""
while True:
    b = c.recv(4096)
    if not b:
        break
    data += b
print("fd60", "ok" if data.endswith(b"nested-ok\n") else "bad",
      c.getsockname()[0], c.getpeername()[1])
print("links", len(socket.if_nameindex()))
EOF
out=$(lxrun -- sh -c 'ulimit -n 64 && exec python3 "$1" 18083' sh "$TMP_DIR/manyfds.py")
tap_diag "$(echo $out)"
echo "$out" | grep -qx 'fd60 ok 127.0.0.1 18083' && echo "$out" | grep -Eqx 'links [2-9][0-9]*'
tap_result $? "ulimit -n 64, 50 fds open: a socket at fd 60 works, netlink too"

out=$(lxrun -- sh -c 'ulimit -n 256 && exec ip -o link' 2>&1)
! echo "$out" | grep -q 'Too many open files'
tap_result $? "ulimit -n 256: no 'Too many open files'"

# Last (the test's own /dev/fuse then belongs to the user): the thread
# check as an ordinary user, whose proxy must read its sandbox's threads.
if [ -x /usr/bin/python3 ] && run_make_user && run_grant_fuse; then
	chmod 644 "$TMP_DIR/threads.py"
	out=$(run_as_user "timeout -k 5 60 '$LXNET' run $VIEW -- /usr/bin/python3 '$TMP_DIR/threads.py' 18083")
	tap_diag "$(echo $out)"
	echo "$out" | grep -qx 'thread 1 refused' && echo "$out" | grep -Eqx 'main [2-9][0-9]* reach'
	tap_result $? "as an ordinary user: the unshared thread gets the kernel, its sibling the host"
else
	tap_skip "unshared thread as an ordinary user" "cannot make a throw-away user with /dev/fuse access"
fi

tap_done
