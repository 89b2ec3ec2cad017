#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-fast.sh - the guarantees the fast paths must keep: proc/net/dev
# counters are read per open (a packet sent before an open shows in it),
# --stats-max-age shares a read only within its bound, and handles reading
# resolv.conf in small pieces, in parallel, while it changes many times,
# each read exactly one version, with stat agreeing with the bytes.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/lxnetfs-common.sh"

lxfs_require
lxfs_need_python
lib_tmpdir
T=$TMP_DIR
tap_plan 6

printf 'nameserver 10.77.0.1\n' >"$T/resolv.conf"
printf '127.0.0.1 localhost\n' >"$T/hosts"
M=$T/m
lxfs_mount "$M" --resolv-conf "$T/resolv.conf" --hosts-file "$T/hosts"
tap_result $? "mounted"

# lo's tx packets in a proc/net/dev file, read through one open.
cat >"$T/counters.py" <<'EOF'
import socket, sys, time
path, n, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
def lo_tx():
    with open(path) as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name.strip() == "lo" and rest:
                return int(rest.split()[9])
    raise SystemExit("no lo line")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a = lo_tx()
for _ in range(n):
    s.sendto(b"x", ("127.0.0.1", 9))
time.sleep(pause)
b = lo_tx()
print(b - a)
EOF
d=$(timeout 20 python3 "$T/counters.py" "$M/proc/net/dev" 20 0)
[ -n "$d" ] && [ "$d" -ge 20 ]
tap_result $? "default: 20 datagrams sent right before an open all show (lo tx +$d)"

M2=$T/m2
lxfs_mount "$M2" --stats-max-age=1000000 --resolv-conf "$T/resolv.conf" --hosts-file "$T/hosts"
M2_PID=$LXFS_PID
d=$(timeout 20 python3 "$T/counters.py" "$M2/proc/net/dev" 20 0)
[ "$d" = 0 ]
tap_result $? "--stats-max-age=1000000: an open within 1 s shares the read (lo tx +$d)"
d=$(timeout 20 python3 "$T/counters.py" "$M2/proc/net/dev" 20 1.2)
[ -n "$d" ] && [ "$d" -ge 20 ]
tap_result $? "--stats-max-age=1000000: an open after 1.2 s reads again (lo tx +$d)"
lxfs_stop "$M2" "$M2_PID"

# Readers in parallel, each reading its handle 5 bytes at a time with pauses,
# while a writer replaces the host file 200 times with versions of
# different lengths. Every handle must read exactly one version.
cat >"$T/snap.py" <<'EOF'
import os, sys, threading, time
view, host = sys.argv[1], sys.argv[2]
def version(i):
    return "nameserver 10.77.%d.%d\n" % (i % 250, i % 7) + "search " + "x" * (i % 37) + ".test\n"
done = threading.Event()
bad = []
reads = [0]
def reader():
    while not done.is_set():
        fd = os.open(view, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            chunks = []
            while True:
                c = os.read(fd, 5)
                if not c:
                    break
                chunks.append(c)
                time.sleep(0.0002)
        finally:
            os.close(fd)
        data = b"".join(chunks).decode()
        body = data.split("\n", 2)[2] if data.startswith("#") else data
        reads[0] += 1
        if not any(body == version(i) for i in range(201)):
            bad.append(repr(data))
threads = [threading.Thread(target=reader) for _ in range(3)]
for t in threads:
    t.start()
for i in range(1, 201):
    tmp = host + ".new"
    with open(tmp, "w") as f:
        f.write(version(i))
    os.rename(tmp, host)
    time.sleep(0.003)
done.set()
for t in threads:
    t.join()
print("reads", reads[0], "mixed", len(bad))
for b in bad[:3]:
    print("bad", b)
sys.exit(1 if bad or reads[0] < 30 else 0)
EOF
# Start from version 0, as the script's versions.
python3 -c "
import sys
sys.stdout.write('nameserver 10.77.0.0\nsearch .test\n')" >"$T/resolv.conf"
wait_until 5 grep -q '10.77.0.0$' "$M/etc/resolv.conf"
out=$(timeout 60 python3 "$T/snap.py" "$M/etc/resolv.conf" "$T/resolv.conf" 2>&1)
tap_result $? "parallel piecewise readers across 200 changes: each handle read one version ($out)"

# After the storm, stat's size is the size of what an open reads.
wait_until 5 grep -q '10.77.200.4$' "$M/etc/resolv.conf"
[ "$(stat -c %s "$M/etc/resolv.conf")" = "$(wc -c <"$M/etc/resolv.conf")" ]
tap_result $? "stat size equals the bytes read after the changes"
tap_done
