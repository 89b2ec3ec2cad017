#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# ifhide-check.py - --hide-if beyond SIOCGIFINDEX, run inside the sandbox:
# SIOCGIFMAP, SO_BINDTODEVICE and SO_BINDTOIFINDEX on hidden and shown
# devices, a thread rewriting the name during SO_BINDTODEVICE, and
# SIOCGIFINDEX on the sandbox's own packet socket. Prints one "pass"/"fail"
# line per check; exits 1 if any failed.
import errno
import fcntl
import socket
import struct
import sys
import threading

SIOCGIFMAP = 0x8970
SIOCGIFINDEX = 0x8933
SO_BINDTOIFINDEX = 62
failed = 0


def check(ok, what):
    global failed
    print(("pass " if ok else "fail ") + what)
    if not ok:
        failed = 1


def err_of(fn):
    try:
        fn()
        return 0
    except OSError as e:
        return e.errno


def ifmap(name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        r = fcntl.ioctl(s, SIOCGIFMAP, struct.pack("16s24s", name.encode(), b""))
        return r[16:40].hex()
    finally:
        s.close()


def bind_dev(name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, name.encode())
        return s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16).rstrip(b"\0").decode()
    finally:
        s.close()


def bind_index(index):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_BINDTOIFINDEX, index)
        return s.getsockopt(socket.SOL_SOCKET, SO_BINDTOIFINDEX)
    finally:
        s.close()


def race(shown, hidden, rounds):
    """Bind fresh sockets to a buffer another thread flips between a shown
    and a hidden name: no socket may end up bound to the hidden one."""
    buf = bytearray(shown.encode().ljust(16, b"\0"))
    names = [shown.encode().ljust(16, b"\0"), hidden.encode().ljust(16, b"\0")]
    stop = threading.Event()

    def flip():
        i = 0
        while not stop.is_set():
            buf[:] = names[i & 1]
            i += 1

    t = threading.Thread(target=flip)
    t.start()
    bad = bound = 0
    try:
        for _ in range(rounds):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, buf)
                got = s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16)
                bound += 1
                if got.rstrip(b"\0").decode() != shown:
                    bad += 1
            except OSError:
                pass
            finally:
                s.close()
    finally:
        stop.set()
        t.join()
    return bad, bound


def main():
    # argv: SHOWN SHOWN_INDEX SHOWN_MAP_HEX HIDDEN HIDDEN_INDEX
    shown, shown_index, shown_map, hidden, hidden_index = sys.argv[1:6]
    shown_index, hidden_index = int(shown_index), int(hidden_index)
    check(err_of(lambda: ifmap(hidden)) == errno.ENODEV, "SIOCGIFMAP %s: ENODEV" % hidden)
    got = ifmap(shown)
    check(got == shown_map, "SIOCGIFMAP %s: the host's answer (%s)" % (shown, got))
    check(err_of(lambda: bind_dev(hidden)) == errno.ENODEV, "SO_BINDTODEVICE %s: ENODEV" % hidden)
    check(err_of(lambda: bind_dev("nosuch0")) == errno.ENODEV, "SO_BINDTODEVICE nosuch0: ENODEV")
    got = bind_dev(shown)
    check(got == shown, "SO_BINDTODEVICE %s: bound (%s)" % (shown, got))
    check(err_of(lambda: bind_index(hidden_index)) == errno.ENODEV,
          "SO_BINDTOIFINDEX %d (%s): ENODEV" % (hidden_index, hidden))
    got = bind_index(shown_index)
    check(got == shown_index, "SO_BINDTOIFINDEX %d (%s): bound (%d)" % (shown_index, shown, got))
    bad, bound = race(shown, hidden, 1500)
    check(bad == 0 and bound > 0,
          "a thread flipping the name during SO_BINDTODEVICE: %d of %d bound to %s" % (bad, bound, hidden))
    try:
        p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    except OSError as e:
        print("skip AF_PACKET: %s" % e.strerror)
        return failed
    try:
        e = err_of(lambda: fcntl.ioctl(p, SIOCGIFINDEX, struct.pack("16s24s", shown.encode(), b"")))
        check(e == errno.ENODEV, "SIOCGIFINDEX %s on the sandbox's packet socket: ENODEV (errno %d)" % (shown, e))
        r = fcntl.ioctl(p, SIOCGIFINDEX, struct.pack("16s24s", b"lo", b""))
        check(struct.unpack_from("i", r, 16)[0] == 1, "SIOCGIFINDEX lo on it: 1, its own namespace's")
    finally:
        p.close()
    return failed


if __name__ == "__main__":
    sys.exit(main())
