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
#   dsend ADDR PORT MSG         sendto() MSG to ADDR:PORT from an unconnected
#                               UDP socket, print the reply or the errno's
#                               name
#   full PORT                   listen(0) on PORT, never accepting; fill the
#                               accept queue from 127.0.0.1; a blocking
#                               connect to it in a thread (it waits); then
#                               time a getsockname() (trapped): "other ok
#                               SECONDS" or "other hang" (past 5 s)
# Every wait is bounded (10 s).
import errno
import os
import socket
import sys
import threading
import time

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


def dsend(addr, port, msg):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    try:
        s.sendto(msg.encode(), (addr, port))
        print(s.recv(512).decode())
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)) if e.errno
              else "timeout")
    return 0


def full(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(0)
    fill = []
    for _ in range(4):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        fill.append(c)
    time.sleep(0.5)
    b = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # blocking
    threading.Thread(target=lambda: b.connect_ex(("127.0.0.1", port)),
                     daemon=True).start()
    time.sleep(0.5)
    res = {}
    t0 = time.monotonic()
    o = threading.Thread(target=lambda: res.update(
        n=socket.socket(socket.AF_INET, socket.SOCK_STREAM).getsockname()),
        daemon=True)
    o.start()
    o.join(5)
    print("other ok %.3f" % (time.monotonic() - t0) if "n" in res
          else "other hang")
    sys.stdout.flush()
    os._exit(0)  # the blocked connect must not hold the exit


def main(a):
    if a[0] == "serve":
        return serve(a[1], int(a[2]), int(a[3]), *a[4:6])
    if a[0] == "talk":
        return talk(a[1], a[2], int(a[3]), a[4])
    if a[0] == "dsend":
        return dsend(a[1], int(a[2]), a[3])
    if a[0] == "full":
        return full(int(a[1]))
    if a[0] == "bind":
        return try_bind(a[1], a[2], int(a[3]))
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
