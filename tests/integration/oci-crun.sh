#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# oci-crun.sh - examples/crun.sh in a test-made "host": a crun container in
# its own network namespace reaches the host's loopback, resolves through
# the host's dnsmasq and sees the host's interfaces, its seccomp listener
# handed to lxnet-proxy --oci-socket by crun (OCI listenerPath); and the
# proxy's receiver protocol on its own.
. "$(dirname "$0")/run-common.sh"
. "$(dirname "$0")/oci-common.sh"
lib_enter_ns "$@"
oci_require crun
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
oci_start_dns
tap_plan 16

# the receiver protocol, without a runtime: a stranger's bytes are refused
"$LXNET_PROXY" --socket "$TMP_DIR/p.sock" --oci-socket "$TMP_DIR/o.sock" \
	2>"$TMP_DIR/proxy.err" &
PP=$!
lib_on_exit "kill $PP"
wait_until 10 test -S "$TMP_DIR/o.sock"
python3 - "$TMP_DIR/o.sock" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"ociVersion": "0.2.0", "fds": ["seccompFd"], "pid": 1}')
s.close()
EOF
wait_until 5 grep -q "refused an OCI container" "$TMP_DIR/proxy.err"
tap_result $? "--oci-socket: a message without the listener fd is refused"
kill -0 $PP
tap_result $? "--oci-socket: the proxy goes on after a bad message"

# a policy the OCI profile could not enforce is refused, not ignored
"$LXNET_PROXY" --socket "$TMP_DIR/p2.sock" --oci-socket "$TMP_DIR/o2.sock" \
	--deny 10.0.0.0/8 2>"$TMP_DIR/p2.err"
[ $? -eq 2 ] && grep -q 'cannot enforce a connection policy' "$TMP_DIR/p2.err" &&
	[ ! -e "$TMP_DIR/o2.sock" ]
tap_result $? "--oci-socket with --deny is a usage error (exit 2)"

export CRUN_CGROUP_MANAGER
export CRUN_URL=http://127.0.0.1:18091/probe CRUN_NAME=name.test
echo oci-ok >"$TMP_DIR/probe"
python3 -m http.server -b 127.0.0.1 18091 --directory "$TMP_DIR" >/dev/null 2>&1 &
lib_on_exit "kill $!"
wait_until 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/18091' 2>/dev/null

out=$(oci_run_example crun.sh 2>"$TMP_DIR/ex.err")
st=$?
if [ $st -ne 0 ] && grep -qi cgroup "$TMP_DIR/ex.err"; then
	# the example's workaround: no cgroups, and in a hybrid layout
	# (which crun refuses) an empty /sys/fs/cgroup, in this test's own
	# mount namespace only
	tap_diag "crun with its default cgroups failed: $(grep -i -m1 cgroup "$TMP_DIR/ex.err")"
	CRUN_CGROUP_MANAGER=disabled
	if grep -q 'hybrid mode' "$TMP_DIR/ex.err" && lib_in_private_mntns; then
		mount -t tmpfs lxnet-no-cgroups /sys/fs/cgroup
	fi
	out=$(oci_run_example crun.sh 2>"$TMP_DIR/ex.err")
	st=$?
fi
if [ $st -ne 0 ] && oci_runtime_blocked "$TMP_DIR/ex.err"; then
	oci_skip_rest 5 "crun cannot start a container here: $(oci_runtime_blocked "$TMP_DIR/ex.err")"
fi
[ $st -eq 0 ] || tap_diag "$(cat "$TMP_DIR/ex.err")"
oci_check_demo "$out" crun

# the container's network namespace is the one served: a process of the
# container that made a namespace of its own gets the kernel's (empty) one
out=$(CRUN_CAPS=CAP_SYS_ADMIN oci_run_example crun.sh /bin/sh -c \
	"wget -q -O - $CRUN_URL; unshare -n wget -q -O - $CRUN_URL || echo inner-refused" \
	2>>"$TMP_DIR/ex.err")
[ "$out" = "$(printf 'oci-ok\ninner-refused')" ]
tap_result $? "crun: a process in a namespace of its own (unshare -n) is not served"

# podman's default profile merged in: what the proxy does not serve stays
# the kernel's (socket() and the endpoint calls are notified whole there)
if cc -static -O1 -o "$TMP_DIR/oci-probe" "$top_srcdir/tests/helpers/oci-probe.c" 2>/dev/null &&
	[ -r /usr/share/containers/seccomp.json ]; then
	for base in "" /usr/share/containers/seccomp.json; do
		out=$(CRUN_ADD=$TMP_DIR/oci-probe CRUN_SECCOMP_BASE=$base \
			oci_run_example crun.sh /bin/oci-probe 2>>"$TMP_DIR/ex.err")
		[ "$(echo "$out" | grep -c ' ok$')" -eq 4 ] &&
			echo "$out" | grep -q '^tcgets Inappropriate ioctl'
		tap_result $? "crun, profile ${base:-standalone}: AF_UNIX, bind, socketpair, AF_INET6, TCGETS work (the kernel answers TCGETS)"
	done
else
	tap_skip "crun with a merged profile" "no static C compiler or no /usr/share/containers/seccomp.json"
	tap_skip "crun with a merged profile" "no static C compiler or no /usr/share/containers/seccomp.json"
fi
# rootless: an ordinary user's crun (a user namespace mapping it to root)
# and its own lxnet-proxy, which may open the container's namespace only
# once the container has exec'd its command
if lib_private_etc && run_make_user; then
	mkdir -p "$TMP_DIR/run" "$TMP_DIR/utmp"
	chown "$RUN_USER" "$TMP_DIR/run" "$TMP_DIR/utmp"
	chmod 700 "$TMP_DIR/run"
	bin=$TMP_DIR/ubin
	mkdir -p "$bin"
	ln -sf "$LXNET" "$bin/lxnet"
	ln -sf "$LXNET_PROXY" "$bin/lxnet-proxy"
	ln -sf "$LXNETFS" "$bin/lxnetfs"
	chmod -R a+rX "$bin"
	run_grant_fuse || run_private_fuse
	EX=$(cd "$top_srcdir/examples" && pwd)
	out=$(run_as_user "XDG_RUNTIME_DIR='$TMP_DIR/run' PATH='$bin':\$PATH \
		LXNET_VIEW_OPTS='$VIEW' TMPDIR='$TMP_DIR/utmp' \
		CRUN_URL='$CRUN_URL' CRUN_NAME='$CRUN_NAME' \
		CRUN_CGROUP_MANAGER=disabled LXNET_HOOK_ENV='$(oci_hook_env)' \
		timeout -k 5 120 sh '$EX/crun.sh'" 2>"$TMP_DIR/ex.err")
	[ $? -eq 0 ] || tap_diag "$(tail -5 "$TMP_DIR/ex.err")"
	oci_check_demo "$out" "rootless crun"
else
	for i in 1 2 3 4 5; do
		tap_skip "rootless crun $i" "cannot make a throw-away user (not root?)"
	done
fi
tap_done
