#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ownserver-check.py CASE EXPECT... - a sandbox's clients and its own TCP
servers on the host's loopback, under a policy (run inside a sandbox).

Each CASE starts a server of its own (unless it names a port), connects a
client to it and exchanges a line; EXPECT is "ok" or an errno name.
Cases:
  own4, own6        server 127.0.0.1 / [::1], blocking client
  own4nb, own6nb    the same, non-blocking client (EINPROGRESS, poll)
  any4              server 0.0.0.0, client to 0.0.0.0
  mapped            server 127.0.0.1, IPv6 client to ::ffff:127.0.0.1
  thread            server bound by a thread that ended before the connect
  passfd, forkchild, dupclose
                    the listener given away by its binder (to a child by
                    pass_fds, to a forked child, dup()ed and closed)
  dual              server [::] dual-stack, IPv4 client
  v6only:PORT       server [::]:PORT IPV6_V6ONLY, IPv4 client to PORT
  other:PORT        server 127.0.0.2:PORT, client to 127.0.0.1:PORT
  reuseport         server with SO_REUSEPORT
  rpclear:PORT[:F]  server on 127.0.0.1:PORT with SO_REUSEPORT; after F.ready
                    is made, waits for F.go (a host server joined its group),
                    clears SO_REUSEPORT; 20 connects
  rpcleared:PORT    server [::1]:PORT with SO_REUSEPORT cleared after
                    listen() (it stays in the port's group, which may hold
                    a host server's socket); 40 clients, blocking and not:
                    "EPERM x40" when all are refused
  shut              server shut down (shutdown()) before the connect (it
                    listens no more)
  anybound:PORT     server 127.0.0.1:PORT; clients bound to 127.0.0.5
                    connect to 0.0.0.0:PORT (the kernel would take their
                    own address), blocking then not: "ok ok" when both
                    reach our server
  closed            server closed before the connect (nothing listens)
  late              our server comes up 0.3 s after the client starts
                    retrying on ECONNREFUSED (nothing listens meanwhile)
  host:PORT         no server of ours: 127.0.0.1:PORT
  own4at:PORT       server on 127.0.0.1:PORT (others of the host's may
                    listen on other addresses on that port), closed after
  busy              a blocking connect to our full listener waits; one to
                    another server of ours meanwhile is answered at once
  fullnb            a non-blocking connect to our full listener: refused at
                    once (ECONNREFUSED, as with tcp_abort_on_overflow)
  serve:FILE        a server on 127.0.0.1 whose port goes to FILE; it
                    answers until FILE.stop exists (for another sandbox)
  client:FILE       connect to the port in FILE
Prints one line per case; exits 1 when one is not as expected.
"""
import errno
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time


def name(e):
    return errno.errorcode.get(e, str(e))


def server(family, addr, port=0, v6only=None, reuseport=False):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))
    s.bind((addr, port))
    s.listen(8)
    return s


def echo_once(srv, forever=False):
    """a thread that echoes one line to one client of srv (or to each)"""
    def run():
        while True:
            try:
                c, _ = srv.accept()
                with c:
                    c.sendall(c.recv(64))
            except OSError:
                pass
            if not forever:
                return
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def echo_all(srv):
    echo_once(srv, forever=True)


def client(family, addr, port, nonblock=False, src=None):
    """ok, or the errno's name"""
    c = socket.socket(family, socket.SOCK_STREAM)
    try:
        if src:
            c.bind((src, 0))
        if nonblock:
            c.setblocking(False)
            e = c.connect_ex((addr, port))
            if e not in (0, errno.EINPROGRESS):
                return name(e)
            if not select.select([], [c], [], 5)[1]:
                return "timeout"
            e = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if e:
                return name(e)
            c.setblocking(True)
        else:  # blocking (settimeout() would make it non-blocking)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                         struct.pack("ll", 5, 0))
            c.connect((addr, port))
        c.sendall(b"ping\n")
        got = c.recv(64)
        return "ok" if got == b"ping\n" else "got %r" % got
    except OSError as e:
        return name(e.errno) if e.errno else str(e)
    finally:
        c.close()


def pair(at, to, port=0, nonblock=False, **kw):
    """a server of ours on at=(family, address), a client to (family,
    address) to; kw: server()'s options"""
    s = server(at[0], at[1], port, **kw)
    echo_once(s)
    return client(to[0], to[1], s.getsockname()[1], nonblock)


def fill(port, n):
    """n non-blocking connects to our own listener on port (its queue)"""
    fillers = []
    for _ in range(n):
        f = socket.socket()
        f.setblocking(False)
        f.connect_ex(("127.0.0.1", port))
        fillers.append(f)
    return fillers


def fullnb():
    full = server(socket.AF_INET, "127.0.0.1")
    full.listen(0)
    port = full.getsockname()[1]
    fillers = fill(port, 2)  # backlog 0 takes one
    t0 = time.monotonic()
    r = client(socket.AF_INET, "127.0.0.1", port, nonblock=True)
    took = time.monotonic() - t0
    return r if took < 1 else "%s after %.1f s" % (r, took)


def moved(kind):
    """a listener its binder gave away: to a child (pass_fds, as socket
    activation does), to a forked child that accepts, or dup()ed and
    closed in the same process"""
    s = server(socket.AF_INET, "127.0.0.1")
    port = s.getsockname()[1]
    child = None
    if kind == "passfd":
        child = subprocess.Popen(
            [sys.executable, "-c",
             "import socket, sys\n"
             "s = socket.socket(fileno=int(sys.argv[1]))\n"
             "c, _ = s.accept()\n"
             "c.sendall(c.recv(64))\n", str(s.fileno())],
            pass_fds=[s.fileno()])
        s.close()
    elif kind == "forkchild":
        pid = os.fork()
        if pid == 0:
            try:
                c, _ = s.accept()
                c.sendall(c.recv(64))
            finally:
                os._exit(0)
        s.close()
        child = pid
    else:
        s2 = socket.socket(fileno=os.dup(s.fileno()))
        s.close()
        echo_once(s2)
    r = client(socket.AF_INET, "127.0.0.1", port)
    if isinstance(child, int):
        os.waitpid(child, 0)
    elif child:
        child.wait(timeout=10)
    return r


def busy():
    full = server(socket.AF_INET, "127.0.0.1")
    full.listen(0)
    port = full.getsockname()[1]
    fillers = fill(port, 4)  # the accept queue (backlog 0 takes one)
    done = {}

    def stuck():
        done["stuck"] = client(socket.AF_INET, "127.0.0.1", port)
    t = threading.Thread(target=stuck, daemon=True)
    t.start()
    time.sleep(0.3)
    other = server(socket.AF_INET, "127.0.0.1")
    echo_once(other)
    t0 = time.monotonic()
    r = client(socket.AF_INET, "127.0.0.1", other.getsockname()[1])
    took = time.monotonic() - t0
    return r if took < 2 else "%s after %.1f s" % (r, took)


SIMPLE = {
    "own4": (socket.AF_INET, "127.0.0.1", False),
    "own4nb": (socket.AF_INET, "127.0.0.1", True),
    "own6": (socket.AF_INET6, "::1", False),
    "own6nb": (socket.AF_INET6, "::1", True),
    "any4": (socket.AF_INET, "0.0.0.0", False),
}


def run(case):
    kind, _, arg = case.partition(":")
    if kind in SIMPLE:
        fam, addr, nonblock = SIMPLE[kind]
        return pair((fam, addr), (fam, addr), nonblock=nonblock)
    if kind == "thread":  # bound by a thread that ended since
        box = {}
        t = threading.Thread(target=lambda: box.update(
            s=server(socket.AF_INET, "127.0.0.1")))
        t.start()
        t.join()
        echo_once(box["s"])
        return client(socket.AF_INET, "127.0.0.1", box["s"].getsockname()[1])
    if kind in ("passfd", "forkchild", "dupclose"):
        return moved(kind)
    if kind == "mapped":
        return pair((socket.AF_INET, "127.0.0.1"),
                    (socket.AF_INET6, "::ffff:127.0.0.1"))
    if kind == "dual":
        return pair((socket.AF_INET6, "::"), (socket.AF_INET, "127.0.0.1"),
                    v6only=False)
    if kind == "v6only":
        return pair((socket.AF_INET6, "::"), (socket.AF_INET, "127.0.0.1"),
                    int(arg), v6only=True)
    if kind == "own4at":  # closed before the next case
        s = server(socket.AF_INET, "127.0.0.1", int(arg))
        t = echo_once(s)
        r = client(socket.AF_INET, "127.0.0.1", int(arg))
        t.join(5)
        s.close()
        return r
    if kind == "other":
        return pair((socket.AF_INET, "127.0.0.2"), (socket.AF_INET, "127.0.0.1"),
                    int(arg))
    if kind == "rpclear":  # a host server joins our group, we leave it
        port, _, sync = arg.partition(":")
        s = server(socket.AF_INET, "127.0.0.1", int(port), reuseport=True)
        if sync:  # FILE.ready: we listen; FILE.go: the host's joined
            open(sync + ".ready", "w").close()
            for _ in range(200):
                if os.path.exists(sync + ".go"):
                    break
                time.sleep(0.05)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 0)
        results = set()
        for _ in range(20):
            echo_once(s)
            results.add(client(socket.AF_INET, "127.0.0.1", int(port)))
        return ",".join(sorted(results))
    if kind == "reuseport":
        return pair((socket.AF_INET, "127.0.0.1"), (socket.AF_INET, "127.0.0.1"),
                    reuseport=True)
    if kind == "rpcleared":
        s = server(socket.AF_INET6, "::1", int(arg), reuseport=True)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 0)
        echo_all(s)
        got = {}
        for i in range(40):
            r = client(socket.AF_INET6, "::1", int(arg), i % 2 == 1)
            got[r] = got.get(r, 0) + 1
        return " ".join("%s x%d" % kv for kv in sorted(got.items()))
    if kind == "anybound":
        s = server(socket.AF_INET, "127.0.0.1", int(arg))
        echo_all(s)
        return " ".join(client(socket.AF_INET, "0.0.0.0", int(arg), nb,
                               "127.0.0.5") for nb in (False, True))
    if kind in ("shut", "closed"):
        s = server(socket.AF_INET, "127.0.0.1")
        port = s.getsockname()[1]
        if kind == "shut":
            s.shutdown(socket.SHUT_RDWR)
        else:
            s.close()
        return client(socket.AF_INET, "127.0.0.1", port)
    if kind == "late":  # a client waiting for our server to come up
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()

        def start():
            time.sleep(0.3)
            echo_once(server(socket.AF_INET, "127.0.0.1", port))
        threading.Thread(target=start, daemon=True).start()
        seen = set()
        for _ in range(100):
            r = client(socket.AF_INET, "127.0.0.1", port)
            seen.add(r)
            if r != "ECONNREFUSED":
                break
            time.sleep(0.05)
        return ",".join(sorted(seen))
    if kind == "host":
        return client(socket.AF_INET, "127.0.0.1", int(arg))
    if kind == "busy":
        return busy()
    if kind == "fullnb":
        return fullnb()
    if kind == "serve":
        s = server(socket.AF_INET, "127.0.0.1")
        s.settimeout(0.2)
        with open(arg + ".tmp", "w") as f:
            f.write(str(s.getsockname()[1]))
        os.rename(arg + ".tmp", arg)
        served = 0
        for _ in range(300):
            if os.path.exists(arg + ".stop"):
                break
            try:
                c, _ = s.accept()
                served += 1
                c.close()
            except socket.timeout:
                pass
        return "served %d" % served
    if kind == "client":
        with open(arg) as f:
            return client(socket.AF_INET, "127.0.0.1", int(f.read()))
    return "unknown case"


def main():
    args = sys.argv[1:]
    bad = 0
    for case, want in zip(args[::2], args[1::2]):
        got = run(case)
        print("%s: %s (want %s)" % (case, got, want))
        bad += got != want
    sys.exit(1 if bad else 0)


main()
