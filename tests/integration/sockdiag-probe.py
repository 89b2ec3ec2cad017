#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# sockdiag-probe.py HOSTPORT - run inside `lxnet run` by run-sockets.sh:
# speak NETLINK_SOCK_DIAG (inet_diag) directly. Prints one line per check,
# "ok NAME" or "FAIL NAME: why":
#   own-get      an exact GET of the sandbox's own listener answers it
#   host-get     an exact GET of the host's listener on 127.0.0.1:HOSTPORT
#                is ENOENT (it exists, but is not the sandbox's)
#   dump         a TCP dump lists the own listener, not the host's
#   destroy      SOCK_DESTROY of an inet socket is EPERM
#   ack          a request with NLM_F_ACK and no NLM_F_DUMP on an unknown
#                type is answered with an error, never silence
#   garbage      short, lying and malformed datagrams get the kernel's
#                answers (nothing, or EINVAL) and a dump still works after
import errno
import os
import socket
import struct
import sys

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
SOCK_DESTROY = 21
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
hostport = int(sys.argv[1])

nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
nl.bind((0, 0))
nl.settimeout(5)
seq = [0]


def req(typ, flags, sport, src, states=0xffffffff):
    seq[0] += 1
    sockid = struct.pack("!HH16s16s", sport, 0, socket.inet_aton(src) + bytes(12), bytes(16))
    sockid += struct.pack("=III", 0, 0xffffffff, 0xffffffff)
    body = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, 0, 0, states) + sockid
    nl.send(struct.pack("=IHHII", 16 + len(body), typ, flags, seq[0], 0) + body)


def answers():
    """Messages of the answer to the last request, up to DONE or ERROR."""
    out = []
    while True:
        data = nl.recv(65536)
        off = 0
        while off + 16 <= len(data):
            ln, typ, flags, sq, pid = struct.unpack_from("=IHHII", data, off)
            payload = data[off + 16:off + ln]
            out.append((typ, payload))
            off += (ln + 3) & ~3
            if typ in (NLMSG_DONE, NLMSG_ERROR):
                return out


def err_of(msgs):
    for typ, p in msgs:
        if typ == NLMSG_ERROR:
            return -struct.unpack_from("=i", p)[0]
    return None


def sports(msgs):
    return [struct.unpack_from("!H", p, 4)[0] for typ, p in msgs if typ == SOCK_DIAG_BY_FAMILY]


def check(name, cond, why):
    print(("ok %s" % name) if cond else ("FAIL %s: %s" % (name, why)))


own = socket.socket()
own.bind(("127.0.0.1", 0))
own.listen()
oport = own.getsockname()[1]

# GETs ask for an ack: the reply, then an NLMSG_ERROR 0 (or the error)
req(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_ACK, oport, "127.0.0.1")
m = answers()
check("own-get", sports(m) == [oport] and err_of(m) == 0, repr(m)[:200])

req(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_ACK, hostport, "127.0.0.1")
m = answers()
check("host-get", err_of(m) == errno.ENOENT and not sports(m), repr(m)[:200])

req(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 0, "0.0.0.0")
m = answers()
p = sports(m)
check("dump", oport in p and hostport not in p and m[-1][0] == NLMSG_DONE, repr(p))

req(SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, oport, "127.0.0.1")
m = answers()
check("destroy", err_of(m) == errno.EPERM, repr(m)[:200])

seq[0] += 1
nl.send(struct.pack("=IHHII", 16, 99, NLM_F_REQUEST | NLM_F_ACK, seq[0], 0))
m = answers()
check("ack", err_of(m) not in (None, 0), repr(m)[:200])

# Garbage: shorter than a header and a header whose length lies are
# dropped without an answer (netlink_rcv_skb); a body shorter than
# struct sock_diag_req and a family past AF_MAX are EINVAL.
import time as _t
nl.send(b"\x01\x02\x03")
nl.send(struct.pack("=IHHII", 100, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, 77, 0))
_t.sleep(0.2)
try:
    quiet = not nl.recv(65536, socket.MSG_DONTWAIT)
except (BlockingIOError, socket.timeout):
    quiet = True
seq[0] += 1
nl.send(struct.pack("=IHHIIB", 17, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, seq[0], 0, 2))
e1 = err_of(answers())
seq[0] += 1
nl.send(struct.pack("=IHHIIBBxx", 20, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, seq[0], 0, 200, 0))
e2 = err_of(answers())
req(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 0, "0.0.0.0")
p = sports(answers())
check("garbage", quiet and e1 == errno.EINVAL and e2 == errno.EINVAL and oport in p,
      repr((quiet, e1, e2, p)))
