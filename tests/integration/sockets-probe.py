#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# sockets-probe.py DIR - run inside `lxnet run` by run-sockets.sh: make a
# TCP listener, a connected client and its accepted end, a UDP socket (in a
# forked child: sockets of several processes) and an abstract AF_UNIX
# listener; write their inodes and ports to DIR/inside.inodes and
# DIR/inside.ports; record what ss, netstat and /proc/net/tcp* show inside
# (DIR/in.*); then say DIR/ready and hold the sockets until DIR/done
# exists (bounded), so the test reads the host's rows of the same sockets.
import os
import socket
import subprocess
import sys
import time

d = sys.argv[1]


def run(name, argv):
    with open(os.path.join(d, name), "w") as f:
        subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT)


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(8)
cli = socket.create_connection(srv.getsockname())
acc, _ = srv.accept()
un = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
un.bind("\0lxnet-sockets-%d" % os.getpid())
un.listen(1)
r, w = os.pipe()
child = os.fork()
if child == 0:
    os.close(r)
    udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    udp.bind(("::1", 0))
    os.write(w, ("%d %d\n" % (os.fstat(udp.fileno()).st_ino,
                              udp.getsockname()[1])).encode())
    os.close(w)
    for _ in range(6000):
        if os.path.exists(os.path.join(d, "done")):
            break
        time.sleep(0.01)
    os._exit(0)
os.close(w)
uino, uport = (int(x) for x in os.read(r, 100).split())
os.close(r)
inos = [os.fstat(s.fileno()).st_ino for s in (srv, cli, acc)] + [uino]
with open(os.path.join(d, "inside.inodes"), "w") as f:
    f.write("".join("%d\n" % i for i in inos))
with open(os.path.join(d, "inside.ports"), "w") as f:
    f.write("%d %d\n" % (srv.getsockname()[1], uport))
# Let the new connection settle (delayed ACKs, ack timers) so that its rows
# hold still while the test reads the host's: two equal reads in a row.
prev = None
for _ in range(40):
    cur = [open("/proc/net/" + f).read() for f in ("tcp", "udp6")]
    if cur == prev:
        break
    prev = cur
    time.sleep(0.1)
run("in.ss-tunae", ["ss", "-tunaeH"])
run("in.ss-tunap", ["ss", "-tunap"])
run("in.ss-ltn", ["ss", "-ltnH"])
run("in.ss-xl", ["ss", "-xlH"])
run("in.ss-s", ["ss", "-s"])
for f in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6", "sockstat", "sockstat6", "snmp"):
    with open("/proc/net/" + f) as src, open(os.path.join(d, "in." + f), "w") as dst:
        dst.write(src.read())
if os.path.exists("/bin/netstat") or os.path.exists("/usr/bin/netstat"):
    run("in.netstat", ["netstat", "-tln"])
if os.path.exists("/usr/bin/lsof"):
    run("in.lsof", ["lsof", "-nP", "-a", "-p", str(os.getpid()), "-i"])
open(os.path.join(d, "ready"), "w").close()
for _ in range(6000):
    if os.path.exists(os.path.join(d, "done")):
        break
    time.sleep(0.01)
# After the host's read too: a row that moved in between matches one of them.
for f in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6"):
    with open("/proc/net/" + f) as src, open(os.path.join(d, "after." + f), "w") as dst:
        dst.write(src.read())
run("after.ss-tunae", ["ss", "-tunaeH"])
os.waitpid(child, 0)
