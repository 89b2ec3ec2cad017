#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# podman.sh - a rootless podman container with no network of its own
# (--network=none) given the host's network by lxnet: podman's default
# seccomp profile, merged with what lxnet-proxy serves (lxnet oci-profile
# --base), crun handing the listener to lxnet-proxy --oci-socket (the
# run.oci.seccomp.receiver annotation), lxnetfs's live files bound at
# /etc/resolv.conf, /etc/hosts and /etc/hostname, and at /proc/net by a
# createContainer hook (`lxnet oci-hook`, from a --hooks-dir made here).
# The image is imported from a busybox tarball made here: no registry is
# needed.
#
# Usage: examples/podman.sh [CMD...]   (as an ordinary user)
#   With no CMD the container fetches a page from a server on the host's
#   loopback (busybox httpd on 127.0.0.1:$PODMAN_PORT, or $PODMAN_URL),
#   resolves $PODMAN_NAME (default: debian.org) through the host's resolvers
#   and lists the host's interfaces (ip link, /proc/net/dev).
# Needs: podman with crun as its runtime (Debian: podman crun), a static
#   busybox (busybox-static), subordinate ids for rootless podman
#   (/etc/subuid, /etc/subgid), lxnet, lxnet-proxy and lxnetfs on PATH.
# Environment: LXNET_VIEW_OPTS (view options for lxnetfs and lxnet-proxy),
#   PODMAN_SECCOMP_BASE (default /usr/share/containers/seccomp.json),
#   PODMAN_OPTS (extra `podman run` options).
# Cgroups: rootless podman on cgroup v1 runs without cgroups; crun 1.8
#   refuses a hybrid layout (v1 controllers plus /sys/fs/cgroup/unified:
#   "cgroups in hybrid mode not supported"). Boot with
#   systemd.unified_cgroup_hierarchy=1, or, with root's help, run this in a
#   mount namespace where /sys/fs/cgroup is an empty tmpfs (see
#   tests/integration/oci-podman.sh).
set -eu

LXNET=${LXNET:-lxnet}
LXNET_PROXY=${LXNET_PROXY:-lxnet-proxy}
LXNETFS=${LXNETFS:-lxnetfs}
PORT=${PODMAN_PORT:-18092}
URL=${PODMAN_URL:-http://127.0.0.1:$PORT/}
NAME=${PODMAN_NAME:-debian.org}
BASE=${PODMAN_SECCOMP_BASE:-/usr/share/containers/seccomp.json}
VIEW_OPTS=${LXNET_VIEW_OPTS:-}
IMAGE=localhost/lxnet-busybox:latest

for t in podman busybox "$LXNET" "$LXNET_PROXY" "$LXNETFS"; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "podman.sh: $t not found (Debian: apt-get install podman crun busybox-static)" >&2
		exit 2
	}
done
BUSYBOX=$(command -v busybox)

W=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-podman.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	fusermount3 -u "$W/view" 2>/dev/null || umount "$W/view" 2>/dev/null || true
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. the image: a busybox rootfs as a tarball, imported
R=$W/rootfs
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$W/view" "$W/www"
cp "$BUSYBOX" "$R/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"
done
cat >"$R/bin/lxnet-demo" <<'EOF'
#!/bin/sh
echo "== wget $1"; wget -q -O - "$1"
echo "== nslookup $2"; nslookup "$2"
echo "== ip link"; ip -o link
echo "== /proc/net/dev"; cat /proc/net/dev
echo "== /etc/resolv.conf"; cat /etc/resolv.conf
EOF
chmod +x "$R/bin/lxnet-demo"
tar -C "$R" -cf "$W/busybox.tar" .

# 2. the host side: the view, the proxy, a server on the host's loopback
# shellcheck disable=SC2086
"$LXNETFS" -f $VIEW_OPTS "$W/view" &
PIDS="$PIDS $!"
# shellcheck disable=SC2086
"$LXNET_PROXY" $VIEW_OPTS --socket "$W/proxy.sock" --oci-socket "$W/oci.sock" &
PIDS="$PIDS $!"
if [ -z "${PODMAN_URL:-}" ]; then
	echo "hello from the host's loopback" >"$W/www/index.html"
	"$BUSYBOX" httpd -f -p "127.0.0.1:$PORT" -h "$W/www" &
	PIDS="$PIDS $!"
fi
i=0
while [ ! -S "$W/oci.sock" ] || [ ! -e "$W/view/etc/resolv.conf" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "podman.sh: lxnet-proxy or lxnetfs did not start" >&2; exit 1; }
	sleep 0.1
done

# the view is mounted before podman's first command makes its namespaces:
# where / is not a shared mount, later mounts would not reach them
podman import -q --change 'ENV PATH=/bin' "$W/busybox.tar" "$IMAGE" >/dev/null

# 3. podman's default profile, merged with what lxnet-proxy serves
if [ -r "$BASE" ]; then
	"$LXNET" oci-profile --base "$BASE" >"$W/seccomp.json" 2>"$W/profile.log"
else
	"$LXNET" oci-profile >"$W/seccomp.json"
fi

# the hook's environment (a runtime gives it none): LXNET_HOOK_ENV, words
# VAR=VALUE (a sanitizer build's hook, say, runs in the container's pid
# namespace under the host's /proc, where LeakSanitizer cannot work)
HOOK_ENV='"PATH=/usr/sbin:/usr/bin:/sbin:/bin"'
for e in ${LXNET_HOOK_ENV:-}; do HOOK_ENV="$HOOK_ENV, \"$e\""; done
# the hook presenting the view's proc/net at /proc/net
mkdir -p "$W/hooks"
cat >"$W/hooks/lxnet-procnet.json" <<EOF
{
  "version": "1.0.0",
  "hook": { "path": "$(command -v "$LXNET")",
            "args": [ "lxnet", "oci-hook", "--view", "$W/view" ],
            "env": [ $HOOK_ENV ] },
  "when": { "always": true },
  "stages": [ "createContainer" ]
}
EOF

# 4. run it
[ $# -gt 0 ] || set -- /bin/lxnet-demo "$URL" "$NAME"
# shellcheck disable=SC2086
podman --hooks-dir "$W/hooks" run --rm --network=none --runtime=crun \
	--security-opt "seccomp=$W/seccomp.json" \
	--annotation "run.oci.seccomp.receiver=$W/oci.sock" \
	-v "$W/view/etc/resolv.conf:/etc/resolv.conf" \
	-v "$W/view/etc/hosts:/etc/hosts" \
	-v "$W/view/etc/hostname:/etc/hostname:ro" \
	${PODMAN_OPTS:-} "$IMAGE" "$@"
