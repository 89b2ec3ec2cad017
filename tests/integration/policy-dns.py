#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# policy-dns.py - a tiny authoritative DNS server over UDP for the host-name
# rules of run-policy-names.sh. The zone file is read again for every
# query, so a test changes the answers by rewriting it (atomically: mv).
# Zone lines: "NAME A|AAAA ADDRESS TTL"; a name with no line gets NXDOMAIN,
# a name with lines of the other type only gets an empty answer. Each query
# is logged to standard output as "NAME TYPE RCODE COUNT". A line
# "NAME A|AAAA SERVFAIL|DROP TTL" makes the queries of that type for NAME
# get SERVFAIL, or no answer at all (logged as "NAME TYPE DROP 0").
# usage: policy-dns.py ADDR PORT ZONE READY
import socket
import struct
import sys

addr, port, zone_path, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
TYPES = {1: "A", 28: "AAAA"}


def zone():
    recs = []
    try:
        with open(zone_path) as f:
            for line in f:
                p = line.split()
                if len(p) == 4:
                    recs.append((p[0].lower().rstrip("."), p[1], p[2], int(p[3])))
    except OSError:
        pass
    return recs


def qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels), off
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n


def answer(msg):
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1:
        return None
    name, off = qname(msg, 12)
    qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
    question = msg[12:off + 4]
    recs = [r for r in zone() if r[0] == name.lower().rstrip(".")]
    want = TYPES.get(qtype)
    fail = [r[2] for r in recs if r[1] == want and r[2] in ("SERVFAIL", "DROP")]
    if fail and fail[0] == "DROP":
        print(name, want, "DROP", 0, flush=True)
        return None
    rrs = b""
    count = 0
    for _, typ, value, ttl in recs:
        if typ != want or fail:
            continue
        fam = socket.AF_INET if typ == "A" else socket.AF_INET6
        rdata = socket.inet_pton(fam, value)
        rrs += struct.pack("!HHHIH", 0xC00C, qtype, 1, ttl, len(rdata)) + rdata
        count += 1
    rcode = 2 if fail else 0 if recs else 3
    print(name, want or qtype, rcode, count, flush=True)
    # QR, AA, RD copied, RA
    hdr = struct.pack("!HHHHHH", qid, 0x8400 | (flags & 0x0100) | 0x80 | rcode,
                      1, count, 0, 0)
    return hdr + question + rrs


fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((addr, port))
open(ready, "w").close()
while True:
    data, peer = s.recvfrom(4096)
    try:
        out = answer(data)
    except (ValueError, IndexError, struct.error):
        out = None
    if out:
        s.sendto(out, peer)
