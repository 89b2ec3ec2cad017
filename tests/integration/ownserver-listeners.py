#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ownserver-listeners.py N READY - N TCP listeners of the host's (not a
sandbox's) on 127.0.2.2 and up, ports 10000-59999, in processes of at most
PER each (RLIMIT_NOFILE may not be raised); READY is made once all listen.
Each process ends when its parent (this one) does, at most after 600 s."""
import os
import signal
import socket
import sys
import time

PER = 15000


def hold(first, last, ready):
    keep = []
    for i in range(first, last):
        s = socket.socket()
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
    kids = {}
    for first in range(0, n, PER):
        pid = os.fork()
        if pid == 0:
            hold(first, min(n, first + PER), "%s.%d" % (ready, first))
        kids[pid] = "%s.%d" % (ready, first)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for _ in range(1200):  # bounded: 120 s
            if all(os.path.exists(r) for r in kids.values()):
                open(ready, "w").close()
                break
            time.sleep(0.1)
        time.sleep(600)
    finally:
        for pid in kids:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
