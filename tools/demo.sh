#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/demo.sh - install what is missing, build lxnet, then show what it
# is for: a sandbox (lxnet run, defaults only) reaching a service on the
# host's loopback, resolving a name, listing the host's interfaces and its
# own sockets; then the view's files, mounted with lxnetfs on a temporary
# directory.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"

tools/deps.sh demo
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q
make -j"$(nproc)" >/dev/null

www=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-demo.XXXXXX")
mnt=$www/view
mkdir "$mnt"
echo "hello from the host" >"$www/index.txt"
srv="" pid=""
cleanup() {
	trap - EXIT
	for p in $pid $srv; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	# lxnetfs unmounts when it ends; one that died leaves its mount
	if grep -q " $mnt " /proc/self/mountinfo; then
		fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	fi
	rmdir "$mnt" 2>/dev/null || true
	rm -rf "$www"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
# a reader that goes away (demo.sh | head) must not skip the clean-up
trap 'exit 141' PIPE

# A service on the host's loopback, which the sandbox's empty network
# namespace could not reach without lxnet.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server -b 127.0.0.1 -d "$www" "$port" >/dev/null 2>&1 &
srv=$!
i=0
until python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "demo: the demo's web server did not start" >&2; exit 1; }
	sleep 0.05
done

echo "== lxnet run: a sandbox with its own, empty network namespace"
# shellcheck disable=SC2016
./src/lxnet/lxnet run -- bash -c '
	show() { printf "\n$ %s\n" "$*"; "$@"; }
	show curl -sS "http://127.0.0.1:$1/index.txt"
	show getent hosts localhost "$(hostname)"
	show ip -br addr
	exec 3<>"/dev/tcp/127.0.0.1/$1"
	show ss -tn
	exec 3>&-' demo "$port"

printf '\n== lxnetfs: the same view as files, for a chroot\n'
./fs/lxnetfs -f "$mnt" &
pid=$!
i=0
until [ -f "$mnt/etc/resolv.conf" ]; do
	i=$((i + 1))
	if [ $i -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "demo: lxnetfs did not come up" >&2
		exit 1
	fi
	sleep 0.05
done

echo "lxnetfs is serving the host's network view at $mnt:"
for f in etc/resolv.conf etc/hosts etc/hostname proc/net/dev proc/net/route \
	 proc/net/if_inet6 proc/net/ipv6_route proc/net/arp; do
	printf '\n==> %s <==\n' "$f"
	cat "$mnt/$f"
done
