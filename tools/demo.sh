#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/demo.sh - install what is missing, build lxnet, mount the view on a
# temporary directory with lxnetfs, show its files, unmount.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"

tools/deps.sh build
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q
make -j"$(nproc)" >/dev/null

mnt=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-view.XXXXXX")
./fs/lxnetfs -f "$mnt" &
pid=$!
cleanup() {
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rmdir "$mnt" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
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
