#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netlink-host-boundary.sh - the host's NETLINK_ROUTE socket a sandbox gets
# with --netlink=auto changes nothing of the host's: the kernel refuses the
# sandbox's own requests, and a root proxy's socket handed out of the
# sandbox to a privileged writer (what a set-uid program writing to its
# stdout is) is refused too, since the proxy opened it with no capability
# (__netlink_ns_capable() asks the opener for a message without an
# explicit destination; CVE-2014-0181).
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
proxy_require
[ "$(id -u)" = 0 ] || tap_skip_all "needs root: a root proxy and a root writer"
lib_tmpdir
ip link add nhb0 type veth peer name nhb1 && ip link set nhb0 up ||
	tap_skip_all "cannot make a veth pair here"
SOCK=$TMP_DIR/proxy.sock
proxy_start "$SOCK" --resolv-conf /dev/null --hosts-file /dev/null ||
	tap_skip_all "lxnet-proxy did not start"
tap_plan 3

cat >"$TMP_DIR/nl.py" <<'PY'
import array, errno, os, socket, struct, sys

def attr(t, d):
    n = 4 + len(d)
    return struct.pack("=HH", n, t) + d + b"\0" * ((4 - n % 4) % 4)

def req(t, flags, body):
    return struct.pack("=IHHII", 16 + len(body), t, flags | 1 | 4, 1, 0) + body

def answer(s):
    s.settimeout(5)
    d = s.recv(65536)
    if struct.unpack("=H", d[4:6])[0] != 2:
        return "no ack"
    e = struct.unpack("=i", d[16:20])[0]
    return "ok" if e == 0 else errno.errorcode.get(-e, str(e))

idx = socket.if_nametoindex("nhb0")
ifi = lambda flags=0, change=0: struct.pack("=BxHiII", 0, 0, idx, flags, change)
a = socket.inet_aton("10.99.6.6")
CHANGES = {
    "addr": req(20, 0x600, struct.pack("=BBBBI", 2, 24, 0, 0, idx) + attr(2, a) + attr(1, a)),
    "down": req(19, 0, ifi(0, 1)),
    "mtu": req(16, 0, ifi() + attr(4, struct.pack("=I", 1280))),
    "dummy": req(16, 0x600, struct.pack("=BxHiII", 0, 0, 0, 0, 0) +
                 attr(3, b"nhbevil\0") + attr(18, attr(1, b"dummy\0"))),
    "del": req(17, 0, ifi()),
    "route": req(24, 0x600, struct.pack("=BBBBBBBBI", 2, 32, 0, 0, 254, 3, 0, 1, 0) +
                 attr(1, socket.inet_aton("10.99.8.8")) + attr(4, struct.pack("=I", idx))),
}

def kind(s):
    d = socket.socket(fileno=os.dup(s.fileno()))
    k = d.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)
    d.close()
    return "netlink" if k == socket.AF_NETLINK else "endpoint"

if sys.argv[1] == "inside":
    # every change, sent plainly and to an explicit kernel address
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    out = [kind(s)]
    for name, m in CHANGES.items():
        for dst in (None, (0, 0)):
            try:
                s.send(m) if dst is None else s.sendto(m, dst)
                out.append("%s%s=%s" % (name, "" if dst is None else "/to", answer(s)))
            except OSError as e:
                out.append("%s=send %s" % (name, errno.errorcode[e.errno]))
    print(" ".join(out))
elif sys.argv[1] == "hand-out":
    # inside the sandbox: give our socket to fd 3's peer
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    socket.socket(fileno=3).sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                             array.array("i", [s.fileno()]))])
else:
    # outside, as root: write() (no destination) an RTM_NEWADDR to the
    # socket the command after "--" hands out, or to one of our own
    import subprocess
    if sys.argv[1] == "own":
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    else:
        a_, b_ = socket.socketpair()
        a_ = socket.socket(fileno=os.dup2(a_.detach(), 20))
        os.dup2(b_.fileno(), 3)
        b_.close()
        p = subprocess.Popen(sys.argv[3:], pass_fds=(3,))  # after "--"
        os.close(3)
        _, anc, _, _ = a_.recvmsg(1, socket.CMSG_SPACE(4))
        p.wait()
        if not anc:
            print("nothing handed out"); sys.exit(1)
        s = socket.socket(fileno=array.array("i", anc[0][2])[0])
    k = kind(s)
    try:
        os.write(s.fileno(), CHANGES["addr"])
        print(k, answer(s))
    except OSError as e:
        print(k, "write", errno.errorcode[e.errno])
PY

snap() { ip -d link; ip addr; ip route show table all; }
settle() { wait_until 5 sh -c '! ip addr | grep -q tentative'; }
settle
snap >"$TMP_DIR/before"

out=$(timeout 20 unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" "$TMP_DIR/nl.py" inside 2>&1)
snap >"$TMP_DIR/after"
[ "${out%% *}" = netlink ] && [ -z "$(echo "$out" | tr ' ' '\n' | sed 1d | grep -v '=EPERM$')" ] &&
	cmp -s "$TMP_DIR/before" "$TMP_DIR/after"
tap_result $? "a sandbox's host NETLINK_ROUTE socket: every change refused, with and without a destination, nothing changed ($out)"

# The writer's request is one the kernel takes from root on root's own
# socket: the refusal below is the opener check's, not a bad message.
own=$(timeout 20 "$PY" "$TMP_DIR/nl.py" own 2>&1)
ip -4 addr show dev nhb0 | grep -q 10.99.6.6
tap_result $? "control: root's write() of that RTM_NEWADDR on its own socket is taken ($own)"
ip addr flush dev nhb0

out=$(timeout 20 "$PY" "$TMP_DIR/nl.py" take -- \
	unshare -rn "$LXNET_BIN" shim --proxy "$SOCK" -- "$PY" "$TMP_DIR/nl.py" hand-out 2>&1)
! ip -4 addr show dev nhb0 | grep -q 10.99.6.6 && [ "$out" = "netlink EPERM" ]
tap_result $? "the sandbox's socket handed to a root writer: write() refused, the opener holds no capability ($out)"
