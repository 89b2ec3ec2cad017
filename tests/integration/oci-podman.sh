#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# oci-podman.sh - examples/podman.sh in a test-made "host", as a throw-away
# user with subordinate ids of its own: rootless podman, --network=none, an
# imported busybox image, podman's default profile merged by lxnet
# oci-profile --base; the container reaches the host's loopback, resolves
# through the host's dnsmasq and lists the host's interfaces.
. "$(dirname "$0")/run-common.sh"
. "$(dirname "$0")/oci-common.sh"
lib_enter_ns "$@"
oci_require podman
command -v crun >/dev/null || tap_skip_all "crun missing (apt-get install crun)"
command -v newuidmap >/dev/null || tap_skip_all "newuidmap missing (apt-get install uidmap)"
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
lib_private_etc || tap_skip_all "no private /etc for a throw-away user (not root?)"
run_make_user || tap_skip_all "cannot make a throw-away user (not root?)"
oci_start_dns
tap_plan 6

# the merged profile keeps podman's own rules and notifies what is served
base=/usr/share/containers/seccomp.json
if [ -r "$base" ]; then
	"$LXNET" oci-profile --base "$base" >"$TMP_DIR/merged.json" 2>/dev/null &&
	python3 - "$base" "$TMP_DIR/merged.json" <<'EOF'
import json, sys
base, merged = (json.load(open(p)) for p in sys.argv[1:3])
assert merged["defaultAction"] == base["defaultAction"]
notified = {n for e in merged["syscalls"] if e["action"] == "SCMP_ACT_NOTIFY" for n in e["names"]}
assert {"socket", "ioctl", "recvmsg"} <= notified, notified
refused = lambda p: {n for e in p["syscalls"] if e["action"] == "SCMP_ACT_ERRNO" and not e.get("args") for n in e["names"]}
assert refused(base) == refused(merged)
EOF
	tap_result $? "oci-profile --base keeps podman's default action and refusals, notifies socket, ioctl, recvmsg"
else
	tap_skip "oci-profile --base" "no $base (golang-github-containers-common)"
fi

# the user's own cgroup-less, registry-less podman
HOMEDIR=$TMP_DIR/home
mkdir -p "$HOMEDIR" "$TMP_DIR/run" "$TMP_DIR/utmp"
chown "$RUN_USER" "$HOMEDIR" "$TMP_DIR/run" "$TMP_DIR/utmp"
chmod 700 "$TMP_DIR/run"
# useradd gives the user a range after the others' (SUB_UID_MIN); one more
# could overlap it (newuidmap then fails EINVAL): only where it gave none
grep -q "^$RUN_USER:" /etc/subuid 2>/dev/null && grep -q "^$RUN_USER:" /etc/subgid 2>/dev/null ||
	usermod --add-subuids 200000-265535 --add-subgids 200000-265535 "$RUN_USER"
if grep -q ' /sys/fs/cgroup/unified cgroup2' /proc/mounts && lib_in_private_mntns; then
	# crun 1.8 refuses a hybrid layout: hide it, in this namespace only
	mount -t tmpfs lxnet-no-cgroups /sys/fs/cgroup
fi
# as on a systemd host, mounts propagate into rootless podman's namespace
lib_in_private_mntns && mount --make-rshared /
echo oci-ok >"$TMP_DIR/probe"
python3 -m http.server -b 127.0.0.1 18093 --directory "$TMP_DIR" >/dev/null 2>&1 &
lib_on_exit "kill $!"
wait_until 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/18093' 2>/dev/null

EX=$(cd "$top_srcdir/examples" && pwd)
bin=$TMP_DIR/bin
mkdir -p "$bin"
ln -sf "$LXNET" "$bin/lxnet"
ln -sf "$LXNET_PROXY" "$bin/lxnet-proxy"
ln -sf "$LXNETFS" "$bin/lxnetfs"
chmod -R a+rX "$bin"
run_grant_fuse || run_private_fuse
out=$(run_as_user "cd '$HOMEDIR' && HOME='$HOMEDIR' XDG_RUNTIME_DIR='$TMP_DIR/run' \
	PATH='$bin':\$PATH LXNET_VIEW_OPTS='$VIEW' TMPDIR='$TMP_DIR/utmp' \
	PODMAN_URL=http://127.0.0.1:18093/probe PODMAN_NAME=name.test \
	PODMAN_OPTS='--cgroups=disabled' LXNET_HOOK_ENV='$(oci_hook_env)' \
	timeout -k 5 180 sh '$EX/podman.sh'" 2>"$TMP_DIR/ex.err")
st=$?
if [ $st -ne 0 ] && oci_runtime_blocked "$TMP_DIR/ex.err" >/dev/null; then
	oci_skip_rest 5 "rootless podman cannot start a container here: $(oci_runtime_blocked "$TMP_DIR/ex.err")"
fi
[ $st -eq 0 ] || tap_diag "$(tail -5 "$TMP_DIR/ex.err")"
oci_check_demo "$out" podman
tap_done
