#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-examples.sh - the `lxnet run` examples run as tests:
# examples/unshare-ci.sh and examples/rootfs-userland.sh.
. "$(dirname "$0")/run-common.sh"
[ -n "${LXNET_IN_TEST_NS:-}" ] || run_debian_rootfs
lib_enter_ns "$@"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
tap_plan 5
EX=$top_srcdir/examples
export LXNET TMPDIR=$TMP_DIR

python3 -m http.server -b 127.0.0.1 18083 --directory "$TMP_DIR" >/dev/null 2>&1 &
lib_on_exit "kill $!"
echo ex-ok >"$TMP_DIR/probe"
wait_until 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/18083' 2>/dev/null

out=$(LXNET_RUN_OPTS="$VIEW" CI_URL=http://127.0.0.1:18083/probe timeout 60 sh "$EX/unshare-ci.sh")
st=$?
[ $st -eq 0 ] && [ "$(echo "$out" | grep -c '^ok - ')" -eq 7 ] && ! echo "$out" | grep -q FAIL
tap_result $? "unshare-ci.sh: the generated integration test passes in the sandbox"

printf '#!/bin/sh\ngrep -q "^nameserver 10.77.0.1$" /etc/resolv.conf && exit 9\n' >"$TMP_DIR/job.sh"
chmod +x "$TMP_DIR/job.sh"
LXNET_RUN_OPTS="$VIEW" timeout 60 sh "$EX/unshare-ci.sh" "$TMP_DIR/job.sh" >/dev/null
[ $? -eq 9 ]
tap_result $? "unshare-ci.sh: a given test script runs and its status is returned"

if run_busybox_rootfs "$TMP_DIR/probe-root" 2>/dev/null; then
	out=$(LXNET_RUN_OPTS="$VIEW" timeout 60 sh "$EX/rootfs-userland.sh")
	echo "$out" | grep -q '^nameserver 10.77.0.1$' && echo "$out" | grep -q '^lxv0'
	tap_result $? "rootfs-userland.sh: busybox userland sees the view"
	LXNET_RUN_OPTS="$VIEW" timeout 60 sh "$EX/rootfs-userland.sh" "$TMP_DIR/probe-root" \
		wget -q -O - http://127.0.0.1:18083/probe | grep -q '^ex-ok$'
	tap_result $? "rootfs-userland.sh ROOTFS CMD: wget reaches the host"
else
	tap_skip "rootfs-userland.sh busybox" "no static busybox (apt-get install busybox-static)"
	tap_skip "rootfs-userland.sh ROOTFS CMD" "no static busybox"
fi

DEBROOT=$RUN_DEBROOT
if [ -x "$DEBROOT/bin/sh" ]; then
	out=$(LXNET_RUN_OPTS="$VIEW" timeout 60 sh "$EX/rootfs-userland.sh" "$DEBROOT")
	echo "$out" | grep -q 'Debian GNU/Linux' && echo "$out" | grep -q '^nameserver 10.77.0.1$'
	tap_result $? "rootfs-userland.sh with the debootstrap'd Debian"
else
	tap_skip "rootfs-userland.sh Debian" "no Debian tree in $DEBROOT (debootstrap missing, not root, or the archive unreachable: see /var/cache/lxnet-test/debootstrap.log)"
fi

tap_done
