#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# policy-check.py - what a sandbox under a connection policy may reach, run
# inside it: "CASE EXPECT" arguments, each CASE one call, EXPECT ok or an
# errno name. Prints one "pass"/"fail" line per case; exits 1 if any failed.
#
# Cases: tcp:ADDR:PORT (connect), tcpnb:ADDR:PORT (non-blocking connect,
# then wait), udp:ADDR:PORT (sendto, and the echo answer read back),
# udpmsg:ADDR:PORT (sendmsg with a name), udpmmsg:ADDR:PORT (sendmmsg,
# through the C library), udpconn:ADDR:PORT (connect then send),
# bindtcp:ADDR:PORT (bind), v4mapped:ADDR:PORT (connect from an AF_INET6
# socket to ::ffff:ADDR), udpunspec:ADDR:PORT and bindunspec:ADDR:PORT
# (sendto and bind on an IPv4 socket with an AF_UNSPEC address, which the
# kernel reads as AF_INET), tcp6short:ADDR:PORT and udp6short:ADDR:PORT
# (connect and sendto on an AF_INET6 socket with a 24-byte sockaddr_in6,
# without sin6_scope_id, which the kernel takes; an IPv4 ADDR is sent
# v4-mapped), mptcp:ADDR:PORT (socket(IPPROTO_MPTCP) and connect: under a
# policy the socket is refused, ENOPROTOOPT, as with net.mptcp.enabled=0). IPv6 addresses go in brackets.
import ctypes
import errno
import select
import socket
import sys


def parse(spec):
    kind, rest = spec.split(":", 1)
    if rest.startswith("["):
        addr, port = rest[1:].split("]:")
    else:
        addr, port = rest.rsplit(":", 1)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    return kind, fam, addr, int(port)


def raw_call(fn, s, sa, data=None):
    """sendto(), bind() or connect() with the sockaddr bytes @sa as given."""
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(sa, len(sa))
    if fn == "sendto":
        r = libc.sendto(s.fileno(), data, len(data), 0, buf, len(sa))
    else:
        r = getattr(libc, fn)(s.fileno(), buf, len(sa))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, errno.errorcode.get(e, str(e)))


def unspec_call(fn, s, addr, port, data=None):
    """sendto() or bind() with a sockaddr_in whose family is AF_UNSPEC."""
    raw_call(fn, s, bytes([0, 0]) + port.to_bytes(2, "big") +
             socket.inet_aton(addr) + bytes(8), data)


def short6_call(fn, s, addr, port, data=None):
    """connect() or sendto() with a sockaddr_in6 of 24 bytes (RFC 2133)."""
    a6 = socket.inet_pton(socket.AF_INET6, addr if ":" in addr else "::ffff:" + addr)
    raw_call(fn, s, socket.AF_INET6.to_bytes(2, sys.byteorder) +
             port.to_bytes(2, "big") + bytes(4) + a6, data)


def run(kind, fam, addr, port):
    if kind == "tcp":
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect((addr, port))
    elif kind == "tcpnb":
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.setblocking(False)
            e = s.connect_ex((addr, port))
            if e not in (0, errno.EINPROGRESS):
                raise OSError(e, errno.errorcode[e])
            select.select([], [s], [], 5)
            e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if e:
                raise OSError(e, errno.errorcode[e])
    elif kind in ("udp", "udpmsg", "udpconn"):
        with socket.socket(fam, socket.SOCK_DGRAM) as s:
            s.settimeout(3)
            if kind == "udp":
                s.sendto(b"ping", (addr, port))
            elif kind == "udpmsg":
                s.sendmsg([b"pi", b"ng"], [], 0, (addr, port))
            else:
                s.connect((addr, port))
                s.send(b"ping")
            if s.recv(16) != b"ping":
                raise OSError(errno.EPROTO, "bad echo")
    elif kind == "bindtcp":
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port))
    elif kind == "udpunspec":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(3)
            unspec_call("sendto", s, addr, port, b"ping")
            if s.recv(16) != b"ping":
                raise OSError(errno.EPROTO, "bad echo")
    elif kind == "bindunspec":
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            unspec_call("bind", s, addr, port)
    elif kind == "mptcp":
        with socket.socket(fam, socket.SOCK_STREAM, 262) as s:
            s.settimeout(5)
            s.connect((addr, port))
    elif kind == "tcp6short":
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            short6_call("connect", s, addr, port)
    elif kind == "udp6short":
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.settimeout(3)
            short6_call("sendto", s, addr, port, b"ping")
            if s.recv(16) != b"ping":
                raise OSError(errno.EPROTO, "bad echo")
    elif kind == "v4mapped":
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(("::ffff:" + addr, port))
    else:
        raise SystemExit("unknown case " + kind)


def main():
    failed = 0
    args = sys.argv[1:]
    for spec, want in zip(args[0::2], args[1::2]):
        try:
            run(*parse(spec))
            got = "ok"
        except OSError as e:
            got = errno.errorcode.get(e.errno, str(e.errno)) if e.errno else str(e)
        ok = got == want
        failed |= not ok
        print("%s %s: %s (want %s)" % ("pass" if ok else "fail", spec, got, want))
    return failed


if __name__ == "__main__":
    sys.exit(main())
