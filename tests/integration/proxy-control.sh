#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy-control.sh - who may use lxnet-proxy's control socket: a shim never
# hands its listener to a socket another user listens on (squatting in a
# shared sticky directory), the proxy serves only its user's and root's
# clients unless --allow-user says otherwise, idle and flooding clients
# never lock a shim out, and both find the default socket in
# $XDG_RUNTIME_DIR.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
lib_tmpdir
chmod 755 "$TMP_DIR"
proxy_make_user lxnpc

tap_plan 11

# 1-2: a squatter. The throw-away user listens first at a path in a shared
# sticky directory and records every message it gets; root's shim must
# refuse it (exit 125, one line) and send nothing.
mkdir -m 1777 "$TMP_DIR/shared"
SQ=$TMP_DIR/shared/lxnet.sock
cat >"$TMP_DIR/squat.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
s.listen(8)
open(sys.argv[2], "w").close()
while True:
    c, _ = s.accept()
    c.settimeout(3)
    try:
        msg, anc, _, _ = c.recvmsg(64, socket.CMSG_SPACE(16))
        if msg or anc:
            with open(sys.argv[2], "a") as f:
                f.write("got %d bytes, %d fds\n" % (len(msg), len(anc)))
    except OSError:
        pass
    c.close()
EOF
as_user "$PY" "$TMP_DIR/squat.py" "$SQ" "$TMP_DIR/shared/squat.log" &
lib_on_exit "kill $! 2>/dev/null"
wait_until 5 test -e "$TMP_DIR/shared/squat.log"
err=$(unshare -n "$LXNET_BIN" shim --proxy "$SQ" -- true 2>&1)
st=$?
[ $st -eq 125 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
	printf '%s' "$err" | grep -q "served by uid $(id -u "$U"), neither you"
tap_result $? "shim refuses a socket another user listens on: $st, one line ($err)"
sleep 0.2
[ ! -s "$TMP_DIR/shared/squat.log" ]
tap_result $? "the squatter received nothing ($(cat "$TMP_DIR/shared/squat.log"))"

# 3-5: root's proxy refuses another user's shim unless --allow-user names
# it (the socket is made reachable by mode here to get that far). The shim
# runs without a user namespace, so it sees root as 0 and trusts it; in
# one, root reads as the overflow uid like any other unmapped user, and
# only --trust-uid lets the shim hand its sandbox over.
echo token-$$ >"$TMP_DIR/index.txt"
http_start "$TMP_DIR" 127.0.0.1 8091
wait_until 5 port_open 127.0.0.1 8091
P1=$TMP_DIR/p1.sock
proxy_start "$P1" || tap_skip_all "lxnet-proxy did not start"
chmod 666 "$P1"
# The shim's listener is already queued when the proxy refuses it, and the
# shim reads the answer only after the proxy has closed: the refusal must
# still be read (closing with the listener unread made the kernel report
# ECONNRESET to the shim instead). Both are held with SIGSTOP to order it.
kill -STOP "$PROXY_PID"
as_user "$LXNET_BIN" shim --proxy "$P1" -- true 2>"$TMP_DIR/refused.err" &
shim_bg=$!
shim_held() {
	shim_pid=$(pgrep -f "^$LXNET_BIN shim --proxy $P1")
	[ -n "$shim_pid" ] && grep -q "^State:.*S (sleeping)" "/proc/$shim_pid/status"
}
wait_until 5 shim_held
sleep 0.2 # past its send, into its poll
kill -STOP "$shim_pid"
n_fd=$(ls "/proc/$PROXY_PID/fd" | wc -l)
kill -CONT "$PROXY_PID"
proxy_closed() { [ "$(ls "/proc/$PROXY_PID/fd" | wc -l)" -le "$n_fd" ]; }
sleep 0.2
wait_until 5 proxy_closed
kill -CONT "$shim_pid"
wait "$shim_bg"
st=$?
err=$(cat "$TMP_DIR/refused.err")
[ $st -eq 125 ] && printf '%s' "$err" | grep -q 'did not take the sandbox: Operation not permitted'
tap_result $? "root's proxy refuses another user's shim: $st ($err)"
P2=$TMP_DIR/p2.sock
"$PROXY_BIN" --socket "$P2" --allow-user "$U" 2>>"$TMP_DIR/proxy.log" &
P2_PID=$!
lib_on_exit "kill $P2_PID 2>/dev/null"
wait_until 5 test -S "$P2"
chmod 666 "$P2"
out=$(as_user "$LXNET_BIN" shim --proxy "$P2" -- curl -sS -m 5 http://127.0.0.1:8091/index.txt 2>&1)
[ "$out" = "token-$$" ]
tap_result $? "--allow-user $U: that user's shim is served ($out)"
err=$(as_user unshare -rn "$LXNET_BIN" shim --proxy "$P2" -- true 2>&1)
st=$?
out=$(as_user unshare -rn "$LXNET_BIN" shim --trust-uid 65534 --proxy "$P2" -- \
	curl -sS -m 5 http://127.0.0.1:8091/index.txt 2>&1)
[ $st -eq 125 ] && printf '%s' "$err" | grep -q 'served by uid 65534' && [ "$out" = "token-$$" ]
tap_result $? "in a user namespace root's proxy is unmapped: refused ($st), served with --trust-uid 65534 ($out)"

# 6-8: floods. One process opening 1,100 idle connections keeps only a few;
# 40 processes holding connections beyond --max-listeners are dropped
# oldest first. A shim is served in both cases.
P3=$TMP_DIR/p3.sock
"$PROXY_BIN" --socket "$P3" --max-listeners 16 2>>"$TMP_DIR/proxy.log" &
P3_PID=$!
lib_on_exit "kill $P3_PID 2>/dev/null"
wait_until 5 test -S "$P3"
cat >"$TMP_DIR/flood.py" <<'EOF'
import socket, sys, time
path, n, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
kept = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.connect(path)
    except OSError:
        s.close()
        continue
    kept.append(s)
time.sleep(0.5)
alive = 0
for s in kept:
    s.setblocking(False)
    try:
        s.recv(64)       # an answer (refused) or end of file (dropped)
    except BlockingIOError:
        alive += 1       # nothing yet: still kept
    except OSError:
        pass
print(alive)
sys.stdout.flush()
time.sleep(hold)
EOF
"$PY" "$TMP_DIR/flood.py" "$P3" 1100 20 >"$TMP_DIR/flood.out" &
FL=$!
lib_on_exit "kill $FL 2>/dev/null"
wait_until 10 test -s "$TMP_DIR/flood.out"
kept=$(cat "$TMP_DIR/flood.out")
out=$(in_shim "$P3" curl -sS -m 5 http://127.0.0.1:8091/index.txt 2>&1)
[ "$out" = "token-$$" ] && [ "${kept:-0}" -le 20 ]
tap_result $? "1,100 idle connections of one process: at most a few kept ($kept), a shim is served ($out)"
kill $FL 2>/dev/null
for i in $(seq 40); do
	"$PY" "$TMP_DIR/flood.py" "$P3" 4 20 >/dev/null &
	lib_on_exit "kill $! 2>/dev/null"
done
sleep 1
t0=$(date +%s%N)
out=$(in_shim "$P3" curl -sS -m 5 http://127.0.0.1:8091/index.txt 2>&1)
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$out" = "token-$$" ]
tap_result $? "160 idle connections from 40 processes past --max-listeners 16: a shim is served in $ms ms ($out)"
n=$(ls /proc/"$P3_PID"/fd | wc -l)
[ "$n" -lt 64 ]
tap_result $? "the proxy holds $n fds, not one per idle connection"

# 9-10: the default socket, in $XDG_RUNTIME_DIR/lxnet (made 0700)
mkdir -m 700 "$TMP_DIR/xdg"
chown "$U" "$TMP_DIR/xdg"
as_user env XDG_RUNTIME_DIR="$TMP_DIR/xdg" "$PROXY_BIN" 2>>"$TMP_DIR/proxy.log" &
lib_on_exit "kill $! 2>/dev/null"
wait_until 5 test -S "$TMP_DIR/xdg/lxnet/proxy.sock"
[ "$(stat -c %U:%a "$TMP_DIR/xdg/lxnet")" = "$U:700" ]
tap_result $? "the default socket's directory: \$XDG_RUNTIME_DIR/lxnet, the user's, 0700"
out=$(as_user env XDG_RUNTIME_DIR="$TMP_DIR/xdg" unshare -rn "$LXNET_BIN" shim -- \
	curl -sS -m 5 http://127.0.0.1:8091/index.txt 2>&1)
[ "$out" = "token-$$" ]
tap_result $? "proxy and shim without a path meet at the default socket ($out)"

# 11: a proxy newer than the shim asks for a filter feature the shim does
# not know (a TRAP_FILTER_* bit past its mask): both shims refuse, in one
# line, exit 125, rather than build a filter that ignores it. This
# stand-in proxy answers every FDPASS_HELLO with flags 0x7 (bit 2 unknown).
cat >"$TMP_DIR/new-proxy" <<'PY'
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1])
s.listen(8)
open(sys.argv[2], "w").close()
s.settimeout(30)
while True:
    c, _ = s.accept()
    c.settimeout(10)
    msg = c.recv(16)
    if len(msg) == 16 and struct.unpack("<II", msg[:8]) == (0x6c786e65, 4):
        c.send(struct.pack("<IIii", 0x6c786e65, 3, 7, 0))
    c.close()
PY
$PY "$TMP_DIR/new-proxy" "$TMP_DIR/new.sock" "$TMP_DIR/new.ready" &
lib_on_exit "kill $! 2>/dev/null"
wait_until 5 test -e "$TMP_DIR/new.ready"
SHIM2=$top_builddir/src/lxnet/lxnet-shim
out=$(unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/new.sock" -- echo ran 2>&1)
st=$?
r=1
[ $st = 125 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
	echo "$out" | grep -q 'asks for filter features this lxnet shim does not know (flags 0x4)' && r=0
if [ $r = 0 ] && [ -x "$SHIM2" ]; then
	out2=$(unshare -rn "$SHIM2" --proxy "$TMP_DIR/new.sock" -- echo ran 2>&1)
	st2=$?
	[ $st2 = 125 ] && echo "$out2" | grep -q 'does not know (flags 0x4)' || r=1
fi
tap_result $r "a proxy asking for an unknown filter feature: the shim refuses, 125, one line ($st: $out; lxnet-shim: ${st2:-not built}: ${out2:-})"
tap_done
