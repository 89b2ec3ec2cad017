# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy-echo.py - echo servers and clients for the proxy tests (stdlib only).
# usage: proxy-echo.py tcp-server|udp-server HOST PORT READYFILE
#        proxy-echo.py tcp-client|udp-client HOST PORT MESSAGE
import socket
import sys

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
if mode == "tcp-server":
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(8)
    open(sys.argv[4], "w").close()
    s.settimeout(20)
    c, _ = s.accept()
    c.settimeout(10)
    c.sendall(c.recv(4096))
    c.close()
elif mode == "udp-server":
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((host, port))
    open(sys.argv[4], "w").close()
    s.settimeout(20)
    data, peer = s.recvfrom(4096)
    s.sendto(data, peer)
elif mode == "tcp-client":
    c = socket.create_connection((host, port), 5)
    c.sendall(sys.argv[4].encode())
    print(c.recv(4096).decode())
elif mode == "udp-client":
    c = socket.socket(fam, socket.SOCK_DGRAM)
    c.settimeout(5)
    c.sendto(sys.argv[4].encode(), (host, port))
    print(c.recvfrom(4096)[0].decode())
else:
    sys.exit(2)
