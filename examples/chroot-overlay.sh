#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# chroot-overlay.sh - run a command in a chroot that sees the host's network
# configuration live, through lxnetfs.
#
# usage: chroot-overlay.sh ROOTFS [CMD [ARG...]]
#
# Mounts lxnetfs on a temporary directory, then, in a private mount (and UTS)
# namespace -- `unshare -m` as root, `unshare -rm` (a user namespace) as
# anyone else, with `--map-auto` when the user has /etc/subuid and
# /etc/subgid ranges and newuidmap is installed, so that the chroot's other
# users (nobody, _apt, daemons) exist -- bind-mounts the view's etc/resolv.conf, etc/hosts and
# etc/hostname over ROOTFS/etc/ (creating empty files there when missing),
# binds the view's proc/net files over ROOTFS/proc/net (or the view's proc
# directory over an empty ROOTFS/proc), sets the namespace's hostname from
# the view, chroots into ROOTFS and runs CMD. Default CMD: show the three etc
# files and /proc/net/route as the chroot sees them. Everything is undone at
# exit: the namespace dies with CMD, lxnetfs is unmounted, files this script
# created are removed.
#
# Every user of the chroot reads the view: lxnetfs mounts with allow_other
# as root, and as an ordinary user when /etc/fuse.conf has the line
# user_allow_other (without it only the user itself can read the files;
# this script then says so).
#
# Environment:
#   LXNETFS       the lxnetfs binary (default: lxnetfs from PATH)
#   LXNETFS_OPTS  extra lxnetfs options, split on blanks
#                 (e.g. "--resolv-conf /tmp/r.conf --hostname demo")
set -eu

me=$(basename "$0")
die() { echo "$me: $*" >&2; exit 1; }

if [ "${LXNET_OVERLAY_STAGE:-}" = inner ]; then
	# Stage 2, inside the private mount namespace: $VIEW and $ROOTFS set.
	for f in resolv.conf hosts hostname; do
		mount --bind "$VIEW/etc/$f" "$ROOTFS/etc/$f"
	done
	if [ -d "$ROOTFS/proc/net" ]; then
		for f in "$VIEW"/proc/net/*; do
			t="$ROOTFS/proc/net/$(basename "$f")"
			[ -e "$t" ] && mount --bind "$f" "$t"
		done
	elif [ -d "$ROOTFS/proc" ]; then
		mount --bind "$VIEW/proc" "$ROOTFS/proc"
	fi
	hostname "$(cat "$VIEW/etc/hostname")" 2>/dev/null ||
		echo "$me: cannot set the hostname here; continuing" >&2
	if [ $# -eq 0 ]; then
		set -- /bin/sh -c 'for f in /etc/resolv.conf /etc/hosts /etc/hostname /proc/net/route; do echo "== $f"; cat "$f"; done'
	fi
	exec chroot "$ROOTFS" "$@"
fi

[ $# -ge 1 ] || die "usage: $me ROOTFS [CMD [ARG...]]"
ROOTFS=$(cd "$1" && pwd) || die "no such directory: $1"
shift
[ -d "$ROOTFS/etc" ] || die "$ROOTFS/etc: not a directory"
LXNETFS=${LXNETFS:-$(command -v lxnetfs || true)}
[ -n "$LXNETFS" ] && [ -x "$LXNETFS" ] || die "lxnetfs not found (set LXNETFS)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-overlay.XXXXXX")
created=""
mounted=0
cleanup() {
	if [ $mounted = 1 ]; then
		if [ "$(id -u)" -eq 0 ]; then
			umount "$tmp/view" 2>/dev/null || umount -l "$tmp/view" 2>/dev/null
		else
			fusermount3 -u "$tmp/view" 2>/dev/null ||
				fusermount3 -u -z "$tmp/view" 2>/dev/null
		fi
	fi
	for f in $created; do rm -f "$f"; done
	rmdir "$tmp/view" "$tmp" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for f in resolv.conf hosts hostname; do
	t="$ROOTFS/etc/$f"
	# A symlink would be followed outside ROOTFS by the bind mount.
	[ -L "$t" ] && die "$t is a symlink; replace it by a file first"
	if [ ! -e "$t" ]; then
		: > "$t" || die "cannot create $t"
		created="$created $t"
	fi
done

mkdir "$tmp/view"
# shellcheck disable=SC2086 # LXNETFS_OPTS is split on purpose
"$LXNETFS" ${LXNETFS_OPTS:-} "$tmp/view" || die "lxnetfs failed to mount"
mounted=1

if [ "$(id -u)" -eq 0 ]; then
	ns="--mount --uts --propagation private"
else
	ns="--map-root-user --mount --uts --propagation private"
	me_re="^\($(id -un)\|$(id -u)\):"
	if command -v newuidmap >/dev/null && command -v newgidmap >/dev/null &&
	   grep -qs "$me_re" /etc/subuid && grep -qs "$me_re" /etc/subgid; then
		ns="--map-auto $ns"
		grep -qs " $tmp/view .*fuse.*allow_other" /proc/self/mountinfo ||
			echo "$me: only you can read the view, not the chroot's other users: add user_allow_other to /etc/fuse.conf" >&2
	fi
fi
set +e
# shellcheck disable=SC2086
LXNET_OVERLAY_STAGE=inner VIEW="$tmp/view" ROOTFS="$ROOTFS" \
	unshare $ns sh "$0" "$@"
status=$?
exit $status
