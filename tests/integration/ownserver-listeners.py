#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ownserver-listeners.py N READY [PORT] - N TCP listeners of the host's
(not a sandbox's) on 127.0.2.2 and up, ports 10000-59999, or all on PORT
on 127.1.0.0 and up (slow: the kernel's bind conflict check walks the
port's sockets), in processes of at most PER each (RLIMIT_NOFILE may not
be raised); READY is made once all listen.
Each process ends when its parent (this one) does, at most after 600 s."""
import os
import signal
import socket
import sys
import time

PER = 15000


def hold(first, last, ready, port):
    keep = []
    for i in range(first, last):
        s = socket.socket()
        if port:
            s.bind(("127.%d.%d.%d" % (1 + i // 65536, i // 256 % 256, i % 256),
                    port))
        else:
            s.bind(("127.0.%d.2" % (2 + i // 50000), 10000 + i % 50000))
        s.listen(1)
        keep.append(s)
    open(ready, "w").close()
    for _ in range(6000):  # bounded: 600 s
        if os.getppid() == 1:
            break
        time.sleep(0.1)
    os._exit(0)


def main():
    n, ready = int(sys.argv[1]), sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    kids = {}
    for first in range(0, n, PER):
        pid = os.fork()
        if pid == 0:
            hold(first, min(n, first + PER), "%s.%d" % (ready, first), port)
        kids[pid] = "%s.%d" % (ready, first)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for _ in range(1200):  # bounded: 120 s
            if all(os.path.exists(r) for r in kids.values()):
                open(ready, "w").close()
                break
            if any(os.waitpid(pid, os.WNOHANG)[0] for pid in kids):
                sys.exit(1)  # one could not make its share
            time.sleep(0.1)
        time.sleep(600)
    finally:
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass  # already reaped


if __name__ == "__main__":
    main()
