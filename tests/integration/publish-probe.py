#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# publish-probe.py - the sandbox's and the host's ends of run-publish.sh.
#
#   serve tcp|udp PORT N READY [ADDR]
#                               bind ADDR:PORT (0.0.0.0 unless given), write
#                               "bound <getsockname port>" to READY, then
#                               answer N exchanges: reply
#                               "<msg> via <local port of the connection>"
#   talk tcp|udp ADDR PORT MSG  connect to ADDR:PORT, send MSG, print the
#                               reply
#   bind tcp|udp ADDR PORT      try bind(ADDR:PORT): "ok <getsockname port>"
#                               or the errno's name
# Every wait is bounded (10 s).
import errno
import os
import socket
import sys

TIMEOUT = 10


def kind(k):
    return socket.SOCK_STREAM if k == "tcp" else socket.SOCK_DGRAM


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(k, port, n, ready, addr="0.0.0.0"):
    s = socket.socket(family(addr), kind(k))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(TIMEOUT)
    s.bind((addr, port))
    if k == "tcp":
        s.listen(8)
    with open(ready + ".tmp", "w") as f:
        f.write("bound %d\n" % s.getsockname()[1])
    os.rename(ready + ".tmp", ready)
    for _ in range(n):
        if k == "tcp":
            c, _peer = s.accept()
            c.settimeout(TIMEOUT)
            msg = c.recv(512)
            c.sendall(msg + b" via %d" % c.getsockname()[1])
            c.close()
        else:
            msg, peer = s.recvfrom(512)
            s.sendto(msg + b" via %d" % s.getsockname()[1], peer)
    return 0


def talk(k, addr, port, msg):
    s = socket.socket(family(addr), kind(k))
    s.settimeout(TIMEOUT)
    s.connect((addr, port))
    s.send(msg.encode())
    print(s.recv(512).decode())
    return 0


def try_bind(k, addr, port):
    s = socket.socket(family(addr), kind(k))
    try:
        s.bind((addr, port))
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))
        return 0
    print("ok %d" % s.getsockname()[1])
    return 0


def main(a):
    if a[0] == "serve":
        return serve(a[1], int(a[2]), int(a[3]), *a[4:6])
    if a[0] == "talk":
        return talk(a[1], a[2], int(a[3]), a[4])
    if a[0] == "bind":
        return try_bind(a[1], a[2], int(a[3]))
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
