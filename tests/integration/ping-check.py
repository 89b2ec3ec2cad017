#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# ping-check.py DEST LOCAL - run as root inside `lxnet run`: a raw ICMP
# socket (made of a host ping socket by lxnet-proxy) answers as the
# kernel's raw socket does; an IPv6 DEST checks a raw ICMPv6 socket. Prints one "ok NAME" or "not ok NAME: why"
# line per check and exits 1 when any failed.
import errno
import os
import select
import signal
import socket
import struct
import sys

DEST, LOCAL = sys.argv[1], sys.argv[2]
ICMP_FILTER = 1
IP_RECVTTL = 12
failed = False


def check(name, cond, why=""):
    global failed
    print(("ok " if cond else "not ok ") + name + ("" if cond else ": " + why))
    failed |= not cond


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def echo(ident, seq, payload):
    h = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def check6():
    # raw ICMPv6: no IP header; the id the program sent, ICMP6_FILTER
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    check("v6: SO_TYPE is SOCK_RAW",
          s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_RAW)
    check("v6: getsockname's port is the protocol",
          s.getsockname()[:2] == ("::", 58), repr(s.getsockname()))
    s.settimeout(3)
    ident = 0x4C36
    s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, 7) + b"six", (DEST, 0))
    data, addr = s.recvfrom(4096)
    typ, code, _sum, rid, rseq = struct.unpack("!BBHHH", data[:8])
    check("v6: echo reply without an IP header, the program's id and sequence",
          (typ, code, rid, rseq) == (129, 0, ident, 7) and data[8:] == b"six",
          repr((typ, code, hex(rid), rseq, data[8:])))
    check("v6: recvfrom's address is the source, port 0",
          addr[0] == DEST and addr[1] == 0, repr(addr))
    block = [0] * 8
    block[129 >> 5] |= 1 << (129 & 31)
    s.setsockopt(58, 1, struct.pack("8I", *block))
    check("v6: ICMP6_FILTER reads back",
          list(struct.unpack("8I", s.getsockopt(58, 1, 32))) == block)
    s.settimeout(0.5)
    s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, 8), (DEST, 0))
    try:
        s.recv(4096)
        check("v6: ICMP6_FILTER blocks echo replies", False, "received one")
    except socket.timeout:
        check("v6: ICMP6_FILTER blocks echo replies (timeout)", True)
    sys.exit(1 if failed else 0)


if ":" in DEST:
    check6()

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
check("fd in the trapped range", s.fileno() >= 56, "fd %d" % s.fileno())
check("SO_TYPE is SOCK_RAW",
      s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_RAW)
check("SO_PROTOCOL is IPPROTO_ICMP",
      s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL) == 1)
check("getsockname's port is the protocol, as a raw socket's",
      s.getsockname() == ("0.0.0.0", 1), repr(s.getsockname()))
check("IP_HDRINCL reads 0", s.getsockopt(socket.SOL_IP, socket.IP_HDRINCL) == 0)
try:
    s.setsockopt(socket.SOL_IP, socket.IP_HDRINCL, 1)
    check("IP_HDRINCL 1 refused", False, "accepted")
except OSError as e:
    check("IP_HDRINCL 1 refused (ENOPROTOOPT)", e.errno == errno.ENOPROTOOPT,
          e.strerror)

ident, payload = 0x4C58, b"lxnet-ping-check"
s.settimeout(3)
s.sendto(echo(ident, 1, payload), (DEST, 0))
data, addr = s.recvfrom(4096)
ip, icmp = data[:20], data[20:]
ver_ihl, tos, tot, _id, frag, ttl, proto, hsum, src, dst = struct.unpack(
    "!BBHHHBBH4s4s", ip)
check("reply starts with an IPv4 header (version 4, IHL 5)", ver_ihl == 0x45,
      hex(ver_ihl))
check("total length is the datagram's", tot == len(data),
      "%d != %d" % (tot, len(data)))
check("protocol 1", proto == 1, str(proto))
check("header checksum is valid", csum(ip) == 0)
check("TTL set", 0 < ttl <= 255, str(ttl))
check("source is the echoed address", socket.inet_ntoa(src) == DEST,
      socket.inet_ntoa(src))
check("destination is ours", socket.inet_ntoa(dst) == LOCAL,
      socket.inet_ntoa(dst))
check("recvfrom's address is the source, port 0", addr == (DEST, 0), repr(addr))
typ, code, _sum, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
check("echo reply with the program's id and sequence",
      (typ, code, rid, rseq) == (0, 0, ident, 1),
      repr((typ, code, hex(rid), rseq)))
check("ICMP checksum valid", csum(icmp) == 0)
check("payload echoed", icmp[8:] == payload)

# recvmsg with MSG_PEEK, a short buffer and MSG_TRUNC; IP_RECVTTL's control
# message only once the program asked for it
s.sendto(echo(ident, 2, payload), (DEST, 0))
select.select([s], [], [], 3)
d, anc, fl, addr = s.recvmsg(10, 256, socket.MSG_PEEK)
check("recvmsg: short buffer truncates (MSG_TRUNC)",
      len(d) == 10 and fl & socket.MSG_TRUNC and d[0] == 0x45,
      repr((len(d), fl)))
check("no control message not asked for", anc == [], repr(anc))
n = len(payload) + 28
got = s.recv_into(bytearray(4), 4, socket.MSG_PEEK | socket.MSG_TRUNC)
check("MSG_TRUNC returns the real length", got == n, "%d != %d" % (got, n))
s.setsockopt(socket.SOL_IP, IP_RECVTTL, 1)
d, anc, fl, addr = s.recvmsg(4096, 256)
ttls = [c for c in anc if c[0] == socket.SOL_IP and c[1] == socket.IP_TTL]
check("IP_TTL control message once asked for, equal to the header's",
      len(ttls) == 1 and struct.unpack("i", ttls[0][2])[0] == d[8],
      repr(anc))
check("second reply: sequence 2", struct.unpack("!H", d[26:28])[0] == 2)

# ICMP_FILTER: echo replies (type 0) filtered out, then let in again
s.setsockopt(255, ICMP_FILTER, struct.pack("I", 1 << 0))
check("ICMP_FILTER reads back",
      struct.unpack("I", s.getsockopt(255, ICMP_FILTER, 4))[0] == 1)
s.settimeout(0.5)
s.sendto(echo(ident, 3, payload), (DEST, 0))
try:
    s.recv(4096)
    check("ICMP_FILTER drops echo replies", False, "received one")
except socket.timeout:
    check("ICMP_FILTER drops echo replies (timeout)", True)
s.setsockopt(255, ICMP_FILTER, struct.pack("I", 0))

# send() and recv() on a connected raw socket; connect() may take an
# ident before the first send: replies still carry the program's id
w = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
w.connect((DEST, 0))
w.send(echo(0x1234, 9, payload))
select.select([w], [], [], 3)
d = w.recv(4096)
check("recv() after connect() and send(): header, the program's id and sequence",
      len(d) == 28 + len(payload) and d[0] == 0x45 and d[20] == 0 and
      struct.unpack("!HH", d[24:28]) == (0x1234, 9) and csum(d[20:]) == 0,
      repr(d[:28]))
w.close()

# a blocking receive is interrupted by a caught signal (busybox's SIGALRM)
class Alarm(Exception):
    pass


def on_alarm(sig, frame):
    raise Alarm()


signal.signal(signal.SIGALRM, on_alarm)
b = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
signal.setitimer(signal.ITIMER_REAL, 0.3)
try:
    b.recv(4096)
    check("blocking recv interrupted by SIGALRM", False, "returned")
except Alarm:
    check("blocking recv interrupted by SIGALRM", True)
b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 200000))
try:
    b.recv(4096)
    check("SO_RCVTIMEO ends a blocking recv with EAGAIN", False, "returned")
except OSError as e:
    check("SO_RCVTIMEO ends a blocking recv with EAGAIN",
          e.errno == errno.EAGAIN, e.strerror)
sys.exit(1 if failed else 0)
