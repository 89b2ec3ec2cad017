#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""connlog-check.py - both sides of tests/integration/run-connlog.sh.

  connlog-check.py client OUT STEP...   run in the sandbox: make the calls
      STEP names, write what the process saw (its pid, each socket's local
      and remote address, each errno) to OUT as JSON
  connlog-check.py verify LOG SEEN EXPECT...   read the connection log and
      the client's record; each EXPECT is checked, a line per failure

Steps (client):
  tcp:ADDR:PORT        connect (blocking), then close
  tcpnb:ADDR:PORT      non-blocking connect (EINPROGRESS), then close
  nbagain:ADDR:PORT    non-blocking connect, wait (10 s at most) until
                       writable, connect() again to learn the outcome (the
                       BSD idiom: 0 when connected, else the errno), close
  nbsoerr:ADDR:PORT    the same, but the outcome from getsockopt(SO_ERROR)
  udp:ADDR:PORT:N      N sendto() on one socket
  udpmsg:ADDR:PORT     one sendmsg() with a name
  bind:ADDR            bind to port 0
  flood:ADDR:PORT:N    N connects in a row (a refused destination)
  scan:ADDR:PORT:N     one connect to each of N ports from PORT on

Expectations (verify), KIND:ADDR:PORT=FIELD=VALUE[,FIELD=VALUE...] or:
  lines:CALL:ADDR:PORT=N       exactly N lines for the destination
  total:CALL:ADDR:PORT=N       lines plus their "repeated" counts equal N
  maxlines:CALL:ADDR:PORT=N    at most N lines
  match:CALL:ADDR:PORT=F=V,... every line for it has these fields
  seen:CALL:ADDR:PORT          its line's local/remote equal what the client saw
  errnos:CALL:ADDR:PORT=E1/E2  the lines' errno fields, in order ("null")
  outcome:CALL:ADDR:PORT=E     what the client learnt after a non-blocking
                               connect ("null": connected)
"""
import errno
import json
import os
import select
import socket
import sys

FIELDS = ["time", "pid", "comm", "call", "proto", "family", "local_addr",
          "local_port", "remote_addr", "remote_port", "verdict", "rule",
          "errno"]


def split_addr(text):
    """'[::1]:80' or '10.0.0.1:80' -> (addr, port, family)."""
    if text.startswith("["):
        addr, rest = text[1:].split("]", 1)
        return addr, rest[1:], socket.AF_INET6
    addr, rest = text.split(":", 1)
    return addr, rest, socket.AF_INET


def errname(e):
    """An errno as its name, None for 0."""
    return errno.errorcode.get(e, e) if e else None


def nb_outcome(rec, fam, addr, port, again):
    """A non-blocking connect, then its outcome as a program learns it."""
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setblocking(False)
    rec["errno"] = errname(s.connect_ex((addr, port)))
    select.select([], [s], [], 10)
    if again:
        rec["outcome"] = errname(s.connect_ex((addr, port)))
    else:
        rec["outcome"] = errname(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    rec["local"] = list(s.getsockname()[:2])
    s.close()


def client(out, steps):
    seen = {"pid": os.getpid(), "calls": []}
    for step in steps:
        kind, rest = step.split(":", 1)
        if kind == "bind":
            addr, _, fam = split_addr(rest + ":0")
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.bind((addr, 0))
            seen["calls"].append({"call": "bind", "local": list(s.getsockname()[:2])})
            s.close()
            continue
        addr, port, fam = split_addr(rest)
        count = 1
        if kind in ("udp", "flood", "scan"):
            port, count = port.split(":")
            count = int(count)
        port = int(port)
        rec = {"step": kind, "remote": [addr, port], "errno": None}
        if kind in ("nbagain", "nbsoerr"):
            nb_outcome(rec, fam, addr, port, kind == "nbagain")
        elif kind in ("tcp", "tcpnb", "flood", "scan"):
            for i in range(count):
                s = socket.socket(fam, socket.SOCK_STREAM)
                if kind == "tcpnb":
                    s.setblocking(False)
                try:
                    s.connect((addr, port + i if kind == "scan" else port))
                except OSError as e:
                    rec["errno"] = errno.errorcode.get(e.errno, e.errno)
                rec["local"] = list(s.getsockname()[:2])
                s.close()
        else:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            for _ in range(count):
                try:
                    if kind == "udpmsg":
                        s.sendmsg([b"x"], [], 0, (addr, port))
                    else:
                        s.sendto(b"x", (addr, port))
                except OSError as e:
                    rec["errno"] = errno.errorcode.get(e.errno, e.errno)
            rec["local"] = list(s.getsockname()[:2])
            s.close()
        seen["calls"].append(rec)
    with open(out, "w") as f:
        json.dump(seen, f)
    return 0


def verify(log, seen_path, expects):
    bad = []
    lines = []
    with open(log) as f:
        for n, text in enumerate(f, 1):
            try:
                d = json.loads(text)
            except ValueError:
                bad.append("line %d is not JSON: %r" % (n, text))
                continue
            missing = [k for k in FIELDS if k not in d]
            if missing:
                bad.append("line %d lacks %s" % (n, missing))
            lines.append(d)
    seen = {}
    if seen_path != "-":
        with open(seen_path) as f:
            seen = json.load(f)
    for e in expects:
        what, _, want = e.partition("=")
        kind, call, dest = what.split(":", 2)
        if call == "bind":
            mine = [d for d in lines if d.get("call") == "bind"
                    and d.get("local_addr") == dest]
        else:
            addr, port, _ = split_addr(dest)
            mine = [d for d in lines if d.get("call") == call
                    and d.get("remote_addr") == addr
                    and str(d.get("remote_port")) == port]
        if kind == "lines" and len(mine) != int(want):
            bad.append("%s: %d lines, want %s" % (what, len(mine), want))
        elif kind == "maxlines" and len(mine) > int(want):
            bad.append("%s: %d lines, want at most %s" % (what, len(mine), want))
        elif kind == "total":
            total = sum(1 + d.get("repeated", 0) for d in mine)
            if total != int(want):
                bad.append("%s: %d calls in %d lines, want %s" %
                           (what, total, len(mine), want))
        elif kind == "match":
            for pair in want.split(","):
                f, v = pair.split("=", 1)
                for d in mine:
                    got = d.get(f)
                    if str(got) != v and not (v == "null" and got is None):
                        bad.append("%s: %s is %r, want %s" % (what, f, got, v))
            if not mine:
                bad.append("%s: no line" % what)
        elif kind == "errnos":
            got = "/".join("null" if d.get("errno") is None else str(d["errno"])
                           for d in mine)
            if got != want:
                bad.append("%s: errnos %s, want %s" % (what, got, want))
        elif kind == "outcome":
            recs = [c for c in seen.get("calls", [])
                    if c.get("remote") == [addr, int(port)] and "outcome" in c]
            got = "null" if recs and recs[0]["outcome"] is None else \
                str(recs[0]["outcome"]) if recs else "no such call"
            if got != want:
                bad.append("%s: the client learnt %s, want %s" % (what, got, want))
        elif kind == "seen":
            if not mine:
                bad.append("%s: no line" % what)
                continue
            d = mine[0]
            if d["pid"] != seen.get("pid"):
                bad.append("%s: pid %r, the client is %r" % (what, d["pid"], seen.get("pid")))
            recs = [c for c in seen.get("calls", [])
                    if (c.get("call") == "bind" and call == "bind"
                        and c["local"][0] == dest)
                    or (call != "bind" and c.get("remote") == [addr, int(port)])]
            if not recs:
                bad.append("%s: the client made no such call" % what)
                continue
            loc = [d["local_addr"], d["local_port"]]
            if loc != recs[0]["local"]:
                bad.append("%s: local %r, the client saw %r" % (what, loc, recs[0]["local"]))
    for b in bad:
        print(b)
    print("%d log lines" % len(lines))
    return 1 if bad else 0


def main():
    if sys.argv[1] == "client":
        return client(sys.argv[2], sys.argv[3:])
    return verify(sys.argv[2], sys.argv[3], sys.argv[4:])


if __name__ == "__main__":
    sys.exit(main())
