#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ifioctl.sh - SIOCGIF* inside the sandbox are answered from the view: the
# same answers as on the host, field by field, hidden interfaces ENODEV,
# SIOCGIFCONF's sizing, bad pointers EFAULT, SIOCSIF* EPERM, i386 callers,
# live changes; ifconfig (net-tools and busybox) under `lxnet run`.
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-240}
lib_enter_ns "$@"
. "$(dirname "$0")/proxy-lib.sh"
. "$(dirname "$0")/lib-ifview.sh"
proxy_require
lib_tmpdir
IFINFO=$top_builddir/tests/helpers/ifinfo
CMP="$PY $top_srcdir/tests/integration/ifview-cmp.py"
[ -x "$IFINFO" ] || tap_skip_all "tests/helpers/ifinfo not built"
HID=$(echo $IFVIEW_HIDDEN | tr ' ' ,)
# shellcheck disable=SC2086
set -- $IFVIEW_NAMES
NAMES=("$@")

tap_plan 16
ifview_make_host
tap_result $? "host network: veths, bridge, secondary/labelled/p2p addresses, a link down"

proxy_start "$TMP_DIR/plain.sock" || tap_diag "plain proxy did not start"
PLAIN_PID=$PROXY_PID
proxy_start "$TMP_DIR/hide.sock" --hide-if "$IFVIEW_HIDE" || tap_diag "hiding proxy did not start"

# cmp_run KIND HIDDEN NAME CMD... - run CMD on the host, in the sandbox
# (NAME: plain or hide), and on the host again; compare with ifview-cmp.py
cmp_run() {
	local kind=$1 hid=$2 which=$3 tag
	shift 3
	tag=$(echo "$*" | tr -c 'a-zA-Z0-9\n' _ | cut -c1-40)
	timeout 10 "$@" >"$TMP_DIR/$tag.h1" 2>&1
	timeout 10 unshare -rn "$LXNET_BIN" shim --proxy "$TMP_DIR/$which.sock" -- \
		"$@" >"$TMP_DIR/$tag.$which" 2>&1
	timeout 10 "$@" >"$TMP_DIR/$tag.h2" 2>&1
	grep -q v0 "$TMP_DIR/$tag.$which" || { tap_diag "no v0 in the sandbox's output"; return 1; }
	$CMP "$kind" "$hid" "$TMP_DIR/$tag.h1" "$TMP_DIR/$tag.h2" "$TMP_DIR/$tag.$which"
}

cmp_run ifinfo "" plain "$IFINFO" ioctl "${NAMES[@]}"
tap_result $? "SIOCGIF{FLAGS,INDEX,MTU,TXQLEN,METRIC,HWADDR,ADDR,NETMASK,BRDADDR,DSTADDR} equal the host's for ${NAMES[*]}"
cmp_run ifinfo "$HID" hide "$IFINFO" ioctl "${NAMES[@]}"
tap_result $? "with --hide-if '$IFVIEW_HIDE': the same for the others, ENODEV for $IFVIEW_HIDDEN"
cmp_run ifconf "" plain "$IFINFO" conf
tap_result $? "SIOCGIFCONF: labels, order, NULL-buffer sizing and whole entries only, as the host"
cmp_run ifconf "$HID" hide "$IFINFO" conf
tap_result $? "SIOCGIFCONF with --hide-if leaves out the hidden interfaces' addresses"
cmp_run ifinfo "$HID" hide "$IFINFO" index "${NAMES[@]}"
tap_result $? "if_nametoindex()/if_indextoname() (SIOCGIFINDEX/SIOCGIFNAME) agree, hidden ones ENODEV"

out=$(in_shim "$TMP_DIR/hide.sock" "$IFINFO" efault 2>&1)
st=$?
printf '%s\n' "$out" | sed 's/^/# /'
[ $st -eq 0 ]
tap_result $? "EFAULT for bad and short pointers, ENODEV for unknown names/indexes, EPERM for SIOCSIF*, ENOTTY/EBADF for non-sockets"

# --hide-if beyond the ifreq answers: SIOCGIFMAP, SO_BINDTODEVICE and
# SO_BINDTOIFINDEX (also against a thread rewriting the name), and the
# sandbox's own packet sockets keep their namespace's indexes
v0_index=$(ip -o link show dev v0 | cut -d: -f1)
hid_index=$(ip -o link show dev hid0 | cut -d: -f1)
v0_map=$($PY -c 'import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print(fcntl.ioctl(s, 0x8970, struct.pack("16s24s", b"v0", b""))[16:40].hex())')
out=$(in_shim "$TMP_DIR/hide.sock" $PY "$top_srcdir/tests/integration/ifhide-check.py" \
	v0 "$v0_index" "$v0_map" hid0 "$hid_index" 2>&1)
st=$?
printf '%s\n' "$out" | sed 's/^/# /'
[ $st -eq 0 ] && [ "$(printf '%s\n' "$out" | grep -c '^pass')" -ge 8 ]
tap_result $? "--hide-if: SIOCGIFMAP and SO_BINDTODEVICE/SO_BINDTOIFINDEX ENODEV for hid0, race-free; packet sockets keep their own indexes ($(printf '%s\n' "$out" | grep -c '^pass') checks)"

# i386: its own ioctl number and the 32-byte compat struct ifreq, where
# i386 binaries run
if lib_build32 "$TMP_DIR/ifinfo32" "$top_srcdir/tests/helpers/ifinfo.c"; then
	cmp_run ifinfo "$HID" hide "$TMP_DIR/ifinfo32" ioctl "${NAMES[@]}"
	tap_result $? "i386 static program: SIOCGIF* answers equal the host's (compat ifreq)"
	cmp_run ifconf "$HID" hide "$TMP_DIR/ifinfo32" conf
	tap_result $? "i386 static program: SIOCGIFCONF with 32-byte entries"
	in_shim "$TMP_DIR/hide.sock" "$TMP_DIR/ifinfo32" efault >"$TMP_DIR/efault32" 2>&1
	tap_result $? "i386 static program: EFAULT/ENODEV/EPERM as the kernel ($(grep -c ^pass "$TMP_DIR/efault32") checks)"
else
	for t in ioctl conf efault; do
		tap_skip "i386 SIOCGIF* $t" "$LIB_WHY32"
	done
fi

# live: an address added on the host is answered without restarting anything
live_addr() {
	in_shim "$TMP_DIR/hide.sock" "$IFINFO" ioctl v2:live 2>&1 | grep -qx "v2:live $1"
}
ip addr add 10.77.7.7/24 dev v2 label v2:live
wait_until 5 live_addr "addr 10.77.7.7"
r=$?
ip addr del 10.77.7.7/24 dev v2 label v2:live
wait_until 5 live_addr "addr error EADDRNOTAVAIL"
tap_result $((r + $?)) "an address added on the host is seen at once, and EADDRNOTAVAIL after it is deleted"

# ifconfig under lxnet run (its /proc/net/dev is the view's)
if [ -c /dev/fuse ] && [ -x "$top_builddir/fs/lxnetfs" ]; then
	printf 'nameserver 10.77.0.1\n' >"$TMP_DIR/resolv.conf"
	printf '127.0.0.1 localhost\n' >"$TMP_DIR/hosts"
	lxrun_cmp() {
		local kind=$1 tag=$2
		shift 2
		timeout 10 "$@" >"$TMP_DIR/$tag.h1" 2>&1
		timeout -k 5 30 "$LXNET_BIN" run --resolv-conf "$TMP_DIR/resolv.conf" \
			--hosts-file "$TMP_DIR/hosts" --hide-if "$IFVIEW_HIDE" -- \
			"$@" >"$TMP_DIR/$tag.sb" 2>&1
		timeout 10 "$@" >"$TMP_DIR/$tag.h2" 2>&1
		grep -q '^v0' "$TMP_DIR/$tag.sb" || { tap_diag "no v0 in: $(head -c 300 "$TMP_DIR/$tag.sb")"; return 1; }
		$CMP "$kind" "$HID" "$TMP_DIR/$tag.h1" "$TMP_DIR/$tag.h2" "$TMP_DIR/$tag.sb"
	}
	lxrun_cmp blocks ifconfig ifconfig -a
	tap_result $? "lxnet run --hide-if: net-tools 'ifconfig -a' equals the host's without the hidden interfaces"
	if command -v busybox >/dev/null; then
		lxrun_cmp blocks bbifconfig busybox ifconfig -a
		tap_result $? "lxnet run --hide-if: busybox 'ifconfig -a' equals the host's without the hidden interfaces"
	else
		tap_skip "busybox ifconfig -a" "busybox missing"
	fi
	out=$(timeout -k 5 30 "$LXNET_BIN" run --resolv-conf "$TMP_DIR/resolv.conf" \
		--hosts-file "$TMP_DIR/hosts" -- ifconfig v0 down 2>&1)
	st=$?
	[ $st -ne 0 ] && printf '%s' "$out" | grep -q 'SIOCSIFFLAGS: Operation not permitted' &&
		ip link show v0 | grep -q '[<,]UP[,>]'
	tap_result $? "'ifconfig v0 down' inside fails with EPERM and v0 stays up ($out)"
else
	for t in ifconfig bbifconfig down; do
		tap_skip "lxnet run $t" "no /dev/fuse or lxnetfs"
	done
fi
proxy_alive && kill -0 "$PLAIN_PID" 2>/dev/null
tap_result $? "both proxies are still running"
tap_done
