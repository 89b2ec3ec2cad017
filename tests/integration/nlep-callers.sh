#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# nlep-callers.sh - the proxy's per-sandbox cache of callers (nlep_sandbox.c:
# a pidfd, a /proc/PID directory fd and the inner tgid per calling thread)
# never answers a call through another task's files: 24 threads of one
# process at once (three times the cache), a process that exec()s (same
# pid, new memory), 30 short-lived children in turn, and a new process
# that gets the very pid of a cached caller that has exited (forced with
# ns_last_pid in this test's own pid namespace), a thread with a file
# table of its own, and the same on the path kernels before 6.9 take (the
# leader's pidfd, forced by an environment switch). Every answer is checked
# against the interfaces of the test's "host" namespace (the sandbox's own
# namespace has only lo, so a right answer is the emulation's).
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
command -v ip >/dev/null || tap_skip_all "ip (iproute2) missing"
lib_tmpdir
SOCK=$TMP_DIR/proxy.sock

ip link add ncb0 type veth peer name ncb1 || tap_skip_all "no veth"
ip addr add 10.68.0.1/24 dev ncb0
ip link set ncb0 up
ip link set ncb1 up
proxy_start "$SOCK" --netlink=emulated --resolv-conf /dev/null --hosts-file /dev/null ||
	tap_skip_all "lxnet-proxy did not start"
tap_plan 11

# sandbox CMD... - run CMD under the shim, bounded
sandbox() { timeout 60 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$@"; }

WANT=$("$PY" -c 'import socket; print(" ".join(sorted(n for i, n in socket.if_nameindex())))')
tap_diag "host interfaces: $WANT"

# A Python program that prints its pid, then the interfaces it sees.
cat >"$TMP_DIR/names.py" <<'EOF'
import os, socket
print(os.getpid())
print(" ".join(sorted(n for i, n in socket.if_nameindex())))
EOF

# 1: 24 threads, 20 lookups each, all at once
cat >"$TMP_DIR/threads.py" <<'EOF'
import socket, sys, threading
want = sys.argv[1]
bad = []
def work():
    for _ in range(20):
        got = " ".join(sorted(n for i, n in socket.if_nameindex()))
        if got != want:
            bad.append(got)
ts = [threading.Thread(target=work) for _ in range(24)]
for t in ts: t.start()
for t in ts: t.join()
print("bad %d" % len(bad), bad[:1])
EOF
out=$(sandbox "$PY" "$TMP_DIR/threads.py" "$WANT" 2>&1)
[ "$out" = "bad 0 []" ]
tap_result $? "24 threads x 20 if_nameindex() at once: every answer right ($out)"

# 2: the same pid after exec(), its memory laid out anew
cat >"$TMP_DIR/exec.py" <<'EOF'
import os, socket, sys
first = " ".join(sorted(n for i, n in socket.if_nameindex()))
code = ("import socket\nblock = [bytearray(1 << 20) for _ in range(8)]\n"
        "print(%r, ' '.join(sorted(n for i, n in socket.if_nameindex())))" % first)
os.execv(sys.executable, [sys.executable, "-c", code])
EOF
out=$(sandbox "$PY" "$TMP_DIR/exec.py" 2>&1)
[ "$out" = "$WANT $WANT" ]
tap_result $? "before and after exec() in one pid: both answers right ($out)"

# 3: 30 children in turn, each a new caller
NL=$(ip -o link | wc -l)
out=$(sandbox sh -c 'i=0; while [ $i -lt 30 ]; do ip -o link; i=$((i + 1)); done' 2>&1 |
	grep -c ': ncb0@')
[ "$out" -eq 30 ]
tap_result $? "30 children in turn: each listed ncb0 ($out of 30; $NL links each)"

# 4, 5: a new process with the pid of a cached caller that exited. The
# parent opens one endpoint; child A dumps the links through it (a cached
# caller) and exits; child B, forked with A's pid, does the same: its
# first trapped call finds A's entry, whose task is gone, and must not be
# answered through it. recvfrom's address is checked too: only the
# emulation gives (0, 0) (the AF_UNIX socket underneath gives none).
cat >"$TMP_DIR/reuse.py" <<'PYEOF'
import os, socket, struct, sys
d = sys.argv[1]
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 0))
def dump():
    # RTM_GETLINK, NLM_F_REQUEST|NLM_F_DUMP, an ifinfomsg of zeros
    s.send(struct.pack("=LHHLL", 32, 18, 0x301, 1, 0) + bytes(16))
    names, addrs = [], set()
    for _ in range(100):
        data, addr = s.recvfrom(65536)
        addrs.add(addr)
        off = 0
        while off + 16 <= len(data):
            ln, typ = struct.unpack_from("=LH", data, off)
            if typ in (2, 3) or ln < 16:
                return " ".join(sorted(names)), sorted(addrs)
            a = off + 32
            while typ == 16 and a + 4 <= off + ln:
                alen, atyp = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if atyp == 3:
                    names.append(data[a + 4:a + alen].rstrip(b"\0").decode())
                a += (alen + 3) & ~3
            off += (ln + 3) & ~3
    return "no end", sorted(addrs)
def child(tag):
    pid = os.fork()
    if pid == 0:
        try:
            names, addrs = dump()
            r = "%s %s" % (names, addrs)
        except Exception as e:
            r = "error %r" % e
        with open(os.path.join(d, tag), "w") as f:
            f.write("%d\n%s\n" % (os.getpid(), r))
        os._exit(0)
    os.waitpid(pid, 0)
child("a.out")
with open(os.path.join(d, "go")) as f:
    f.read()
child("b.out")
PYEOF
mkfifo "$TMP_DIR/go"
sandbox "$PY" "$TMP_DIR/reuse.py" "$TMP_DIR" &
SHELL_PID=$!
wait_until 30 test -s "$TMP_DIR/a.out"
PID_A=$(head -n 1 "$TMP_DIR/a.out")
EXPECT="$WANT [(0, 0)]"
# From here until the sandboxed parent forks, nothing in this pid
# namespace forks (builtins only), so its next child gets PID_A.
reused=0
if [ -w /proc/sys/kernel/ns_last_pid ] && [ -n "$PID_A" ] &&
	echo $((PID_A - 1)) >/proc/sys/kernel/ns_last_pid 2>/dev/null; then
	reused=1
fi
echo go >"$TMP_DIR/go"
wait "$SHELL_PID"
PID_B=$(head -n 1 "$TMP_DIR/b.out")
[ "$(sed -n 2p "$TMP_DIR/a.out")" = "$EXPECT" ]
tap_result $? "child A (pid $PID_A) through the parent's endpoint: $(sed -n 2p "$TMP_DIR/a.out")"
if [ $reused -eq 1 ] && [ "$PID_B" = "$PID_A" ]; then
	[ "$(sed -n 2p "$TMP_DIR/b.out")" = "$EXPECT" ]
	tap_result $? "child B with A's reused pid $PID_B: $(sed -n 2p "$TMP_DIR/b.out")"
else
	tap_skip "child B with A's reused pid" "the pid was not reused ($PID_A, then $PID_B)"
fi
tap_check "lxnet-proxy survived" proxy_alive

# 7: a thread with a file table of its own (unshare(CLONE_FILES)): its
# endpoint is in no other thread's table, and it is answered right.
cat >"$TMP_DIR/ownfiles.py" <<'EOF'
import ctypes, errno, socket, sys, threading
want = sys.argv[1]
out = []
def work():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x400) != 0:  # CLONE_FILES
        out.append("unshare failed")
        return
    try:
        out.append(" ".join(sorted(n for i, n in socket.if_nameindex())))
    except OSError as e:
        out.append("EOPNOTSUPP" if e.errno == errno.EOPNOTSUPP else
                   errno.errorcode.get(e.errno, str(e.errno)))
t = threading.Thread(target=work)
t.start()
t.join()
print(out[0] == want and "right" or out[0])
EOF
# Needs PIDFD_THREAD (Linux 6.9): pidfd_open(pid, O_EXCL) is EINVAL before.
if "$PY" -c 'import os; os.pidfd_open(os.getpid(), os.O_EXCL)' 2>/dev/null; then
	out=$(sandbox "$PY" "$TMP_DIR/ownfiles.py" "$WANT" 2>&1)
	[ "$out" = right ]
	tap_result $? "a thread with its own file table: answered right ($out)"
else
	tap_skip "a thread with its own file table" "no PIDFD_THREAD (Linux < 6.9): such a thread gets EOPNOTSUPP, tested in 8-11"
fi

# 8-11: the path kernels before 6.9 take (no PIDFD_THREAD: the pidfd of
# the thread group's leader), forced by LXNET_PROXY_TEST_PIDFD_LEADER.
# Threads sharing the leader's file table are answered right; the thread
# with its own gets EOPNOTSUPP, never an answer through another table.
kill "$PROXY_PID" 2>/dev/null
wait "$PROXY_PID" 2>/dev/null
SOCK=$TMP_DIR/leader.sock
LXNET_PROXY_TEST_PIDFD_LEADER=1 proxy_start "$SOCK" --netlink=emulated --resolv-conf /dev/null --hosts-file /dev/null
out=$(sandbox "$PY" "$TMP_DIR/threads.py" "$WANT" 2>&1)
[ "$out" = "bad 0 []" ]
tap_result $? "leader pidfd (before 6.9): 24 threads x 20 if_nameindex(): every answer right ($out)"
out=$(sandbox "$PY" "$TMP_DIR/ownfiles.py" "$WANT" 2>&1)
[ "$out" = EOPNOTSUPP ]
tap_result $? "leader pidfd: a thread with its own file table gets EOPNOTSUPP ($out)"

# 10: the same proxy with a single free fd when a netlink socket is made:
# reading the caller's status fails EMFILE, and socket() must fail with
# it, not be left unanswered (that read failing used to mean "caller gone").
cat >"$TMP_DIR/onefd.py" <<'EOF'
import errno, os, socket, sys, time
for _ in range(500):
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.02)
try:
    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0).close()
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
EOF
base=$(lib_threads "$PROXY_PID")
timeout 20 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" "$TMP_DIR/onefd.py" "$TMP_DIR/onefd.go" >"$TMP_DIR/onefd.out" 2>&1 &
SB=$!
# served (its serving thread is up) before counting fds
wait_until 10 lib_threads_min "$PROXY_PID" $((base + 1))
# the lowest limit below which exactly one fd number is free
L=$(ls "/proc/$PROXY_PID/fd" | awk '{ u[$1] = 1 } END {
	for (L = 1; L < 100000; L++) { f = 0; for (i = 0; i < L; i++) if (!(i in u)) f++; if (f == 1) { print L; exit } } }')
prlimit --pid "$PROXY_PID" --nofile="$L:$L"
touch "$TMP_DIR/onefd.go"
wait "$SB"
st=$?
out=$(cat "$TMP_DIR/onefd.out")
prlimit --pid "$PROXY_PID" --nofile=4096:4096
[ $st -eq 0 ] && [ "$out" = EMFILE ]
tap_result $? "leader pidfd, one free fd in the proxy: socket(AF_NETLINK) fails EMFILE, not unanswered ($out, status $st)"
tap_check "lxnet-proxy (leader pidfd) survived" proxy_alive
tap_done
