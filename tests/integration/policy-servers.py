#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# policy-servers.py - the "host" servers of run-policy.sh: TCP ports that
# count their connections, UDP ports that echo. Writes READY when all
# listen; on SIGTERM writes "PROTO:ADDR:PORT COUNT" lines to COUNTS and
# exits, on SIGUSR1 writes them and goes on.
# usage: policy-servers.py READY COUNTS SPEC... (SPEC: tcp|udp:ADDR:PORT,
# IPv6 addresses in brackets; tcprp: TCP with SO_REUSEPORT, a group a
# socket of the same user may join)
import os
import selectors
import signal
import socket
import sys

ready, counts_path, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
sel = selectors.DefaultSelector()
counts = {}


def parse(spec):
    proto, rest = spec.split(":", 1)
    if rest.startswith("["):
        addr, port = rest[1:].split("]:")
    else:
        addr, port = rest.rsplit(":", 1)
    return proto, addr, int(port)


for spec in specs:
    proto, addr, port = parse(spec)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    if proto == "tcprp":
        proto = "tcp"
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    else:
        s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    if proto == "tcp":
        s.listen(1024)
    s.setblocking(False)
    counts[spec] = 0
    sel.register(s, selectors.EVENT_READ, (spec, proto))


def write_counts(sig=None, frame=None):
    with open(counts_path + ".tmp", "w") as f:
        for spec, n in counts.items():
            f.write("%s %d\n" % (spec, n))
    os.rename(counts_path + ".tmp", counts_path)


def dump(sig, frame):
    write_counts()
    sys.exit(0)


signal.signal(signal.SIGTERM, dump)
signal.signal(signal.SIGUSR1, write_counts)
open(ready, "w").close()
while True:
    for key, _ in sel.select():
        spec, proto = key.data
        try:
            if proto == "tcp":
                c, _ = key.fileobj.accept()
                c.close()
            else:
                data, peer = key.fileobj.recvfrom(4096)
                key.fileobj.sendto(data, peer)
            counts[spec] += 1
        except OSError:
            pass
