#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# rootfs-userland.sh - run a distribution's userland (a rootfs directory:
# debootstrap, a container image unpacked, busybox) with the host's network,
# without root: lxnet run --root pivots into it, gives it /proc, a minimal
# /dev, a read-only /sys, and binds the live network view over its /etc and
# /proc/net.
#
# Usage: rootfs-userland.sh [ROOTFS [CMD [ARG...]]]
#   ROOTFS defaults to a busybox-static tree built in a temporary directory.
#   CMD defaults to a short tour of the view.
# Make a Debian one with:
#   debootstrap --variant=minbase bookworm /srv/bookworm http://deb.debian.org/debian
# Environment: LXNET (default: lxnet), LXNET_RUN_OPTS (extra options).
set -eu

LXNET=${LXNET:-lxnet}
tmp=
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

if [ $# -ge 1 ]; then
	root=$1
	shift
else
	bb=$(command -v busybox) || { echo "no busybox: apt-get install busybox-static" >&2; exit 2; }
	if ldd "$bb" >/dev/null 2>&1; then
		echo "$bb is not static: apt-get install busybox-static" >&2
		exit 2
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/rootfs-userland.XXXXXX")
	root=$tmp/root
	mkdir -p "$root/bin" "$root/etc" "$root/tmp"
	cp "$bb" "$root/bin/busybox"
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
fi

if [ $# -eq 0 ]; then
	set -- /bin/sh -c '
		echo "== $(hostname): uid $(id -u) in $(cat /etc/os-release 2>/dev/null | sed -n "s/^PRETTY_NAME=//p" || echo busybox)"
		echo "== /etc/resolv.conf"; cat /etc/resolv.conf
		echo "== /proc/net/route"; cat /proc/net/route
		echo "== /proc/net/dev"; cat /proc/net/dev'
fi
# shellcheck disable=SC2086
"$LXNET" run --pid ${LXNET_RUN_OPTS:-} --root "$root" -- "$@"
