#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# slirp-run.sh - run CMD in a new user + network namespace attached to slirp4netns
#
# usage: slirp-run.sh CMD [ARG...]
#
# The sandbox is `unshare --user --map-root-user --net`; slirp4netns
# --configure gives it tap0 (10.0.2.100/24, gateway 10.0.2.2) with the host
# loopback reachable at 10.0.2.2 (slirp4netns's default: we do not pass
# --disable-host-loopback). CMD starts only once slirp4netns reports ready;
# slirp4netns is stopped when CMD ends. Exit status: CMD's, 125 on a set-up
# failure.
set -u

[ $# -ge 1 ] || { echo "usage: slirp-run.sh CMD [ARG...]" >&2; exit 125; }
d=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-slirp.XXXXXX") || exit 125
sp=""
p=""
cleanup() {
	[ -n "$p" ] && kill "$p" 2>/dev/null
	[ -n "$sp" ] && { kill "$sp" 2>/dev/null; wait "$sp" 2>/dev/null; }
	rm -rf "$d"
}
trap cleanup EXIT

mkfifo "$d/go" || exit 125
# Opened read-write here, so neither side blocks in open(2).
exec 6<>"$d/go"
# shellcheck disable=SC2016
unshare --user --map-root-user --net \
	sh -c 'read -r x <"$0" && [ "$x" = go ] || exit 125; exec "$@"' "$d/go" "$@" &
p=$!
# slirp4netns joins /proc/$p/ns/net: wait (bounded, 5 s) until unshare(1)
# has made the new namespace, or tap0 would land in ours.
own=$(readlink /proc/self/ns/net)
i=0
while [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$own" ] && [ $i -lt 1000 ]; do
	sleep 0.005
	i=$((i + 1))
done
ns=$(readlink "/proc/$p/ns/net" 2>/dev/null)
if [ -z "$ns" ] || [ "$ns" = "$own" ]; then
	echo "slirp-run.sh: the sandbox did not get its own network namespace" >&2
	exit 125
fi
: >"$d/ready"
slirp4netns --configure --mtu=65520 --ready-fd=5 "$p" tap0 5>"$d/ready" >"$d/log" 2>&1 &
sp=$!
# Bounded wait for slirp4netns to write "1" to the ready fd (5 s).
i=0
while [ ! -s "$d/ready" ] && [ $i -lt 1000 ]; do
	kill -0 "$sp" 2>/dev/null || break
	sleep 0.005
	i=$((i + 1))
done
if [ ! -s "$d/ready" ]; then
	echo "slirp-run.sh: slirp4netns did not become ready:" >&2
	cat "$d/log" >&2
	exit 125
fi
echo go >&6
exec 6>&-
wait "$p"
rc=$?
p=""
exit $rc
