#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-glibc.sh - a long-running glibc program follows the view's
# resolv.conf: /etc/resolv.conf of this test's mount namespace is the view's
# file; two DNS responders on veth addresses give different answers; the
# host file's nameserver line is swapped and the same process, calling
# getaddrinfo() in a loop, gets the new server's answer (glibc's stat-based
# reload working through lxnetfs).
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/lxnetfs-common.sh"

lxfs_require
lxfs_need_python
lib_tmpdir
T=$TMP_DIR
tap_plan 7

ip link add vg0 type veth peer name vg1
ip addr add 10.79.0.1/24 dev vg0
ip addr add 10.79.0.2/24 dev vg0
ip link set vg0 up
ip link set vg1 up

# Two responders: 10.79.0.1 answers 192.0.2.1, 10.79.0.2 answers 192.0.2.2,
# for any A query. They stop by themselves after 60 s.
cat >"$T/dns.py" <<'EOF'
import select, socket, struct, sys, time
socks = {}
for addr, answer in (("10.79.0.1", "192.0.2.1"), ("10.79.0.2", "192.0.2.2")):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    socks[s] = socket.inet_aton(answer)
print("ready", flush=True)
end = time.monotonic() + 60
while time.monotonic() < end:
    r, _, _ = select.select(list(socks), [], [], 0.5)
    for s in r:
        q, peer = s.recvfrom(2048)
        if len(q) < 12:
            continue
        qid, flags, qd = struct.unpack("!HHH", q[:6])
        i = 12
        while i < len(q) and q[i] != 0:
            i += q[i] + 1
        qend = i + 5
        qtype = struct.unpack("!H", q[i + 1:i + 3])[0] if qend <= len(q) else 0
        question = q[12:qend]
        if qtype == 1:
            ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4) + socks[s]
            hdr = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
        else:
            ans = b""
            hdr = struct.pack("!HHHHHH", qid, 0x8180, 1, 0, 0, 0)
        s.sendto(hdr + question + ans, peer)
EOF
python3 "$T/dns.py" >"$T/dns.log" 2>&1 &
lib_on_exit "kill $!"
wait_until 5 grep -q ready "$T/dns.log"
tap_result $? "DNS responders up"

printf 'nameserver 10.79.0.1\noptions timeout:1 attempts:2\n' >"$T/resolv.conf"
printf '127.0.0.1 localhost\n' >"$T/hosts"
M=$T/m
lxfs_mount "$M" --resolv-conf "$T/resolv.conf" --hosts-file "$T/hosts"
tap_result $? "mounted"

# This namespace's /etc/resolv.conf is the view's; names go to DNS only.
printf 'hosts: dns\n' >"$T/nsswitch.conf"
mount --bind "$M/etc/resolv.conf" /etc/resolv.conf &&
	mount --bind "$T/nsswitch.conf" /etc/nsswitch.conf
tap_result $? "view's resolv.conf bound over /etc/resolv.conf"

cat >"$T/client.py" <<'EOF'
import os, socket, sys, time
print("pid", os.getpid(), flush=True)
for _ in range(400):
    try:
        a = socket.getaddrinfo("probe.lxnet.test", None, socket.AF_INET)[0][4][0]
    except socket.gaierror as e:
        a = "error %s" % e
    print(a, flush=True)
    time.sleep(0.02)
EOF
python3 "$T/client.py" >"$T/client.log" 2>&1 &
CPID=$!
lib_on_exit "kill $CPID"
wait_until 5 grep -qx 192.0.2.1 "$T/client.log"
tap_result $? "the program gets the first server's answer"

t0=$EPOCHREALTIME
sed -i 's/10\.79\.0\.1/10.79.0.2/' "$T/resolv.conf"
wait_until 5 grep -qx 192.0.2.2 "$T/client.log"
tap_result $? "the same program gets the new server's answer after the swap"
tap_diag "switch seen after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f ms", (b - a) * 1000 }')"
kill -0 "$CPID" 2>/dev/null && [ "$(sed -n 's/^pid //p' "$T/client.log")" = "$CPID" ]
tap_result $? "it is one process throughout (pid $CPID)"
# After the switch, no answer from the old server again.
awk '/^192\.0\.2\.2$/ { s = 1 } s && /^192\.0\.2\.1$/ { bad = 1 } END { exit bad }' "$T/client.log"
tap_result $? "answers never go back to the old server"
tap_diag "answers: $(grep -c 192.0.2.1 "$T/client.log") old, $(grep -c 192.0.2.2 "$T/client.log") new, $(grep -c error "$T/client.log") errors"
tap_done
