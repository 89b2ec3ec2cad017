#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""unix-peer.py - abstract AF_UNIX servers and clients for run-unix.sh.

  serve READY COUNTS NAME...   stream servers on the abstract NAMEs; each
                               connection is answered with one line
                               "NAME PID UID GID COMM" (the server's name,
                               the peer's SO_PEERCRED as seen here and the
                               comm of that pid, "-" if none); the
                               arrivals per name, those still in a backlog
                               included, are written to COUNTS at SIGTERM
  dserve READY NAME            a datagram server: each datagram is answered
                               to its sender with "NAME PID UID GID COMM"
                               of the SCM_CREDENTIALS it came with
  connect NAME                 connect, print "ok REPLY / PEER PID UID GID"
                               (the server's line, then SO_PEERCRED as seen
                               here) or the errno's name
  dsend NAME [FROM]            a datagram to NAME from a socket bound to
                               FROM (else autobound), print "ok REPLY" or
                               the errno's name
  sink READY NAME              a stream server that accepts and closes
  dcount READY COUNTS NAME...  datagram servers on the NAMEs counting what
                               arrives, written to COUNTS at SIGTERM
  edges ALLOWED PRIVATE PATH   what a socket that cannot move, or has moved,
                               gets: one errno name (or "ok") per line
  listen READY NAME            one stream server, as serve, answering one
                               connection, then exits
  big PATH                     datagrams past 256 KiB (and within the
                               socket's sndbuf) to a private abstract name
                               and to pathname PATH, by sendto and sendmsg:
                               "WHAT ok" when all of it arrived, else the
                               errno's name; "skip SNDBUF" when the
                               sndbuf cannot be made large enough
  timeo NAME                   a datagram socket with SO_RCVTIMEO 0.3 s and
                               SO_SNDTIMEO 0.4 s sends to NAME (it moves),
                               reads the reply, then reads again: "rcvtimeo
                               ERRNO SECONDS" ("hang" past 3 s), then
                               "sndtimeo USEC" as getsockopt says
  backlog NAME                 a server on NAME/srv with listen(0) and its
                               backlog filled, a socket moved by binding
                               NAME/b connecting to it (blocks), then
                               another call timed: "other ok SECONDS" or
                               "other hang", then "blocked ok" once the
                               server accepts
"""
import errno
import os
import select
import signal
import socket
import struct
import sys
import threading
import time


def abstract(name):
    return "\0" + name


def peercred(s):
    pid, uid, gid = struct.unpack("3i", s.getsockopt(
        socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    return pid, uid, gid


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip() or "-"
    except OSError:
        return "-"


def ename(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def serve(ready, counts, names, once=False):
    socks = {}
    for n in names:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(abstract(n))
        s.listen(4096)
        socks[s.fileno()] = (s, n)
    arrived = {n: 0 for n in names}

    def done(*_):
        # connections still in a backlog arrived too: count them
        for s, n in socks.values():
            s.setblocking(False)
            while True:
                try:
                    s.accept()[0].close()
                except OSError:
                    break
                arrived[n] += 1
        if counts:
            with open(counts + ".tmp", "w") as f:
                for n in names:
                    f.write("%s %d\n" % (n, arrived[n]))
            os.rename(counts + ".tmp", counts)
        sys.exit(0)

    signal.signal(signal.SIGTERM, done)
    open(ready, "w").close()
    while True:
        r, _, _ = select.select(list(socks), [], [])
        for fd in r:
            s, n = socks[fd]
            c, _ = s.accept()
            arrived[n] += 1
            try:
                cred = peercred(c)
                c.sendall(("%s %d %d %d %s\n" % ((n,) + cred + (comm(cred[0]),))).encode())
            except OSError:
                pass
            c.close()
            if once:
                return


def dserve(ready, name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.bind(abstract(name))
    open(ready, "w").close()
    while True:
        data, anc, _, addr = s.recvmsg(4096, socket.CMSG_SPACE(12))
        cred = (0, 0, 0)
        for level, kind, d in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                cred = struct.unpack("3i", d[:12])
        if addr:
            s.sendto(("%s %d %d %d %s" % ((name,) + cred + (comm(cred[0]),))).encode(), addr)


def dcount(ready, counts, names):
    socks = {}
    for n in names:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind(abstract(n))
        socks[s.fileno()] = (s, n)
    arrived = {n: 0 for n in names}

    def done(*_):
        for s, n in socks.values():  # what is still queued arrived too
            s.setblocking(False)
            while True:
                try:
                    s.recv(16)
                except OSError:
                    break
                arrived[n] += 1
        with open(counts + ".tmp", "w") as f:
            for n in names:
                f.write("%s %d\n" % (n, arrived[n]))
        os.rename(counts + ".tmp", counts)
        sys.exit(0)

    signal.signal(signal.SIGTERM, done)
    open(ready, "w").close()
    while True:
        r, _, _ = select.select(list(socks), [], [])
        for fd in r:
            s, n = socks[fd]
            s.recv(16)
            arrived[n] += 1


def connect(name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(abstract(name))
    except OSError as e:
        print(ename(e))
        return 0
    s.settimeout(5)
    line = s.makefile().readline().strip()
    print("ok %s / PEER %d %d %d" % ((line,) + peercred(s)))
    return 0


def sink(ready, name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(abstract(name))
    s.listen(4096)
    open(ready, "w").close()
    while True:
        s.accept()[0].close()


def dsend(name, bind=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)  # autobinds
    if bind:
        s.bind(abstract(bind))
    s.settimeout(5)
    try:
        s.sendto(b"hello", abstract(name))
        print("ok %s" % s.recv(4096).decode())
    except OSError as e:
        print(ename(e) if e.errno else "timeout")
    return 0


def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return ename(e)


def edges(allowed, private, path):
    out = []
    # bound in the sandbox (a private name), then an allowed name
    b = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    b.bind(abstract(private))
    out.append("bound-connect " + attempt(lambda: b.connect(abstract(allowed))))
    out.append("bound-sendto " + attempt(lambda: b.sendto(b"x", abstract(allowed))))
    # a datagram socket moves with its first send to the allowed name
    m = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    out.append("move " + attempt(lambda: m.sendto(b"x", abstract(allowed))))
    out.append("moved-private " + attempt(lambda: m.sendto(b"x", abstract(private))))
    out.append("moved-path " + attempt(lambda: m.sendto(b"x", path)))
    out.append("moved-rights " + attempt(lambda: m.sendmsg(
        [b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", 0))],
        0, abstract(allowed))))
    out.append("moved-bind " + attempt(lambda: m.bind(abstract(private))))
    out.append("moved-allowed " + attempt(lambda: m.sendto(b"x", abstract(allowed))))
    print("\n".join(out))
    return 0


def big(path):
    r = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    r.bind(abstract("lxu-big-private"))
    p = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    p.bind(path)
    for x in (r, p):
        x.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
        x.settimeout(5)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 21)
    sndbuf = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    n = min(sndbuf - 4096, 400000)
    if n <= 256 * 1024:
        print("skip %d" % sndbuf)
        return 0
    data = b"x" * n
    out = []
    for what, dst, rx in (("abstract", abstract("lxu-big-private"), r),
                          ("path", path, p)):
        for how in ("sendto", "sendmsg"):
            if how == "sendto":
                res = attempt(lambda: s.sendto(data, dst))
            else:
                res = attempt(lambda: s.sendmsg([data], [], 0, dst))
            if res == "ok":
                res = "ok" if len(rx.recv(n + 1)) == n else "short"
            out.append("%s-%s %s" % (what, how, res))
    print("\n".join(out))
    return 0


def timeo(name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                 struct.pack("ll", 0, 300000))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                 struct.pack("ll", 0, 400000))
    s.sendto(b"hello", abstract(name))
    for _ in range(20):  # the reply (a loaded machine may take > 0.3 s)
        if attempt(lambda: s.recv(4096)) == "ok":
            break
    res = {}
    t0 = time.monotonic()
    t = threading.Thread(target=lambda: res.update(
        r=attempt(lambda: s.recv(4096))), daemon=True)
    t.start()
    t.join(3)
    print("rcvtimeo %s %.1f" % (res.get("r", "hang"), time.monotonic() - t0))
    sec, usec = struct.unpack("ll", s.getsockopt(
        socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.calcsize("ll")))
    print("sndtimeo %d" % (sec * 1000000 + usec))
    sys.stdout.flush()
    os._exit(0)  # a hung read must not hold the exit


def backlog(name):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(abstract(name + "/srv"))
    srv.listen(0)
    fill = []
    for _ in range(8):  # until the backlog is full (EAGAIN)
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.setblocking(False)
        if attempt(lambda: c.connect(abstract(name + "/srv"))) != "ok":
            break
        fill.append(c)
    b = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    b.bind(abstract(name + "/b"))  # moves it
    res = {}
    t = threading.Thread(target=lambda: res.update(
        b=attempt(lambda: b.connect(abstract(name + "/srv")))), daemon=True)
    t.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    o = threading.Thread(target=lambda: res.update(o=attempt(
        lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(
            abstract("lxu-not-allowed")))), daemon=True)
    o.start()
    o.join(5)
    print("filled %d" % len(fill))
    print("other ok %.3f" % (time.monotonic() - t0) if not o.is_alive()
          else "other hang")
    srv.settimeout(5)
    for _ in range(len(fill) + 1):
        try:
            srv.accept()
        except OSError:
            break
    t.join(5)
    print("blocked " + res.get("b", "hang"))
    sys.stdout.flush()
    os._exit(0)  # a hung thread must not hold the exit


def main(argv):
    if len(argv) >= 4 and argv[1] == "serve":
        serve(argv[2], argv[3], argv[4:])
    elif len(argv) == 4 and argv[1] == "dserve":
        dserve(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "listen":
        serve(argv[2], None, [argv[3]], once=True)
    elif len(argv) == 3 and argv[1] == "connect":
        return connect(argv[2])
    elif len(argv) in (3, 4) and argv[1] == "dsend":
        return dsend(*argv[2:])
    elif len(argv) == 5 and argv[1] == "edges":
        return edges(*argv[2:])
    elif len(argv) >= 5 and argv[1] == "dcount":
        dcount(argv[2], argv[3], argv[4:])
    elif len(argv) == 3 and argv[1] == "big":
        return big(argv[2])
    elif len(argv) == 3 and argv[1] == "timeo":
        return timeo(argv[2])
    elif len(argv) == 3 and argv[1] == "backlog":
        return backlog(argv[2])
    elif len(argv) == 4 and argv[1] == "sink":
        sink(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
