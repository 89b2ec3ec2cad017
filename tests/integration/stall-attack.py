#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# stall-attack.py FILE - park a blocking NETLINK_ROUTE receive whose buffer
# is a shared mapping of FILE (a FUSE file whose server never answers READ),
# subscribed to link changes: whoever writes the next notification into it
# waits on that server. Prints "parked" before the receive.
import errno
import mmap
import os
import socket
import sys

RTMGRP_LINK = 1
fd = os.open(sys.argv[1], os.O_RDWR)
mm = mmap.mmap(fd, 65536, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, RTMGRP_LINK))
print("parked", flush=True)
try:
    n = s.recv_into(memoryview(mm))
    print("received", n, flush=True)
except OSError as e:
    print("error", errno.errorcode.get(e.errno, e.errno), flush=True)
