#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# crun.sh - a crun container (busybox rootfs, its own empty network
# namespace) given the host's network by lxnet: lxnet-proxy serves its
# sockets through the OCI seccomp listener, lxnetfs's live files are bound
# at /etc/resolv.conf, /etc/hosts and /etc/hostname by the config's mounts
# and at /proc/net by a createContainer hook (`lxnet oci-hook`: /proc/net
# is a symlink to self/net, so a config mount there would land on one
# process's /proc/PID/net).
#
# Usage: examples/crun.sh [CMD...]
#   With no CMD the container fetches a page from a server on the host's
#   loopback (busybox httpd on 127.0.0.1:$CRUN_PORT, started here, or
#   $CRUN_URL), resolves $CRUN_NAME (default: debian.org) through the
#   host's resolvers and lists the host's interfaces (ip link,
#   /proc/net/dev).
# Needs: crun (Debian: crun), a static busybox (busybox-static), lxnet,
#   lxnet-proxy and lxnetfs (on PATH, or $LXNET, $LXNET_PROXY, $LXNETFS).
# Environment: LXNET_VIEW_OPTS (view options for lxnetfs and lxnet-proxy,
#   e.g. --resolv-conf FILE), CRUN_CGROUP_MANAGER (crun's
#   --cgroup-manager; default: crun's own choice), CRUN_SECCOMP_BASE (a
#   profile to merge into, e.g. /usr/share/containers/seccomp.json;
#   default: allow all else), CRUN_ADD (static programs copied into /bin),
#   CRUN_CAPS (capabilities of the container's process, e.g.
#   "CAP_SYS_ADMIN"; default: none).
# Cgroups: when crun fails with a cgroup error (no delegated cgroup v2
#   subtree as an ordinary user, "could not join cgroup"), run it without
#   cgroups: CRUN_CGROUP_MANAGER=disabled examples/crun.sh
#   crun 1.8 refuses a hybrid layout (cgroup v1 controllers plus a cgroup2
#   at /sys/fs/cgroup/unified: "cgroups in hybrid mode not supported")
#   whatever the manager; as root, hide it in a mount namespace of its own:
#   unshare -m sh -c 'mount -t tmpfs none /sys/fs/cgroup &&
#     CRUN_CGROUP_MANAGER=disabled examples/crun.sh'
#   (or boot with systemd.unified_cgroup_hierarchy=1 for cgroup v2 only).
# As an ordinary user the container gets a user namespace mapping your uid
#   to root; as root, none.
set -eu

LXNET=${LXNET:-lxnet}
LXNET_PROXY=${LXNET_PROXY:-lxnet-proxy}
LXNETFS=${LXNETFS:-lxnetfs}
PORT=${CRUN_PORT:-18090}
URL=${CRUN_URL:-http://127.0.0.1:$PORT/}
NAME=${CRUN_NAME:-debian.org}
VIEW_OPTS=${LXNET_VIEW_OPTS:-}

for t in crun busybox "$LXNET" "$LXNET_PROXY" "$LXNETFS"; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "crun.sh: $t not found (Debian: apt-get install crun busybox-static)" >&2
		exit 2
	}
done
BUSYBOX=$(command -v busybox)

W=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-crun.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	crun delete -f "lxnet-ex-$$" >/dev/null 2>&1 || true
	fusermount3 -u "$W/view" 2>/dev/null || umount "$W/view" 2>/dev/null || true
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. the rootfs: busybox and its applets
R=$W/bundle/rootfs
mkdir -p "$R/bin" "$R/etc" "$R/proc" "$R/dev" "$R/sys" "$R/tmp" "$W/view" "$W/www"
cp "$BUSYBOX" "$R/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"
done
for f in ${CRUN_ADD:-}; do cp "$f" "$R/bin/"; done
: >"$R/etc/resolv.conf"
: >"$R/etc/hosts"
: >"$R/etc/hostname"

# 2. the host side: the view, the proxy, a server on the host's loopback
# shellcheck disable=SC2086
"$LXNETFS" -f $VIEW_OPTS "$W/view" &
PIDS="$PIDS $!"
# shellcheck disable=SC2086
"$LXNET_PROXY" $VIEW_OPTS --socket "$W/proxy.sock" --oci-socket "$W/oci.sock" &
PIDS="$PIDS $!"
if [ -z "${CRUN_URL:-}" ]; then
	echo "hello from the host's loopback" >"$W/www/index.html"
	"$BUSYBOX" httpd -f -p "127.0.0.1:$PORT" -h "$W/www" &
	PIDS="$PIDS $!"
fi
i=0
while [ ! -S "$W/oci.sock" ] || [ ! -e "$W/view/etc/resolv.conf" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "crun.sh: lxnet-proxy or lxnetfs did not start" >&2; exit 1; }
	sleep 0.1
done

# 3. the profile: what lxnet-proxy serves is notified, the rest allowed
if [ -n "${CRUN_SECCOMP_BASE:-}" ]; then
	"$LXNET" oci-profile --base "$CRUN_SECCOMP_BASE" >"$W/seccomp.json"
else
	"$LXNET" oci-profile >"$W/seccomp.json"
fi

# 4. the container's command and config
if [ $# -eq 0 ]; then
	cat >"$R/bin/lxnet-demo" <<EOF
#!/bin/sh
echo "== wget $URL"; wget -q -O - "$URL"
echo "== nslookup $NAME"; nslookup "$NAME"
echo "== ip link"; ip -o link
echo "== /proc/net/dev"; cat /proc/net/dev
echo "== /etc/resolv.conf"; cat /etc/resolv.conf
EOF
	chmod +x "$R/bin/lxnet-demo"
	set -- /bin/lxnet-demo
fi
ARGS=""
for a in "$@"; do
	a=$(printf '%s' "$a" | sed 's/\\/\\\\/g; s/"/\\"/g')
	ARGS="$ARGS${ARGS:+, }\"$a\""
done
# the hook's environment (a runtime gives it none): LXNET_HOOK_ENV, words
# VAR=VALUE (a sanitizer build's hook, say, runs in the container's pid
# namespace under the host's /proc, where LeakSanitizer cannot work)
HOOK_ENV='"PATH=/usr/sbin:/usr/bin:/sbin:/bin"'
for e in ${LXNET_HOOK_ENV:-}; do HOOK_ENV="$HOOK_ENV, \"$e\""; done
CAPS=""
for c in ${CRUN_CAPS:-}; do CAPS="$CAPS${CAPS:+, }\"$c\""; done
USERNS="" MAPS=""
if [ "$(id -u)" -ne 0 ]; then
	USERNS='{ "type": "user" },'
	MAPS="\"uidMappings\": [ { \"containerID\": 0, \"hostID\": $(id -u), \"size\": 1 } ],
	\"gidMappings\": [ { \"containerID\": 0, \"hostID\": $(id -g), \"size\": 1 } ],"
fi
cat >"$W/bundle/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ $ARGS ],
    "env": [ "PATH=/bin", "HOME=/" ],
    "cwd": "/",
    "noNewPrivileges": true,
    "capabilities": { "bounding": [ $CAPS ], "effective": [ $CAPS ],
      "permitted": [ $CAPS ] }
  },
  "root": { "path": "rootfs", "readonly": false },
  "hostname": "lxnet-crun",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid" ] },
    { "destination": "/etc/resolv.conf", "type": "bind", "source": "$W/view/etc/resolv.conf", "options": [ "bind" ] },
    { "destination": "/etc/hosts", "type": "bind", "source": "$W/view/etc/hosts", "options": [ "bind" ] },
    { "destination": "/etc/hostname", "type": "bind", "source": "$W/view/etc/hostname", "options": [ "bind", "ro" ] }
  ],
  "hooks": {
    "createContainer": [
      { "path": "$(command -v "$LXNET")", "args": [ "lxnet", "oci-hook", "--view", "$W/view" ],
        "env": [ $HOOK_ENV ] }
    ]
  },
  "linux": {
    $MAPS
    "namespaces": [ $USERNS { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
      { "type": "uts" }, { "type": "mount" } ],
    "seccomp": $(sed '1s/^{/{ "listenerPath": "'"$(printf '%s' "$W/oci.sock" | sed 's/[\/&]/\\&/g')"'", /' "$W/seccomp.json")
  }
}
EOF

# 5. run it
set -- crun
[ -n "${CRUN_CGROUP_MANAGER:-}" ] && set -- "$@" "--cgroup-manager=$CRUN_CGROUP_MANAGER"
"$@" run --bundle "$W/bundle" "lxnet-ex-$$"
