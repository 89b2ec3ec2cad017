# SPDX-License-Identifier: LGPL-2.1-or-later
# oci-common.sh - helpers for the OCI runtime tests (sourced after
# run-common.sh): the programs the examples use, a DNS server on the test's
# "host", and the checks of what the example's container printed.

LXNET_PROXY=${LXNET_PROXY:-$top_builddir/proxy/lxnet-proxy}
LXNETFS=${LXNETFS:-$top_builddir/fs/lxnetfs}

# oci_require RUNTIME - skip the whole script without RUNTIME, a static
# busybox, python3 or dnsmasq
oci_require() {
	local t
	for t in "$1" busybox python3 dnsmasq; do
		command -v "$t" >/dev/null ||
			tap_skip_all "$t missing (apt-get install crun podman busybox-static python3 dnsmasq-base)"
	done
	ldd "$(command -v busybox)" >/dev/null 2>&1 &&
		tap_skip_all "busybox is not static (apt-get install busybox-static)"
	[ -x "$LXNET" ] && [ -x "$LXNET_PROXY" ] && [ -x "$LXNETFS" ] ||
		tap_skip_all "lxnet, lxnet-proxy or lxnetfs not built"
}

# oci_start_dns - dnsmasq on the host's 10.77.0.1 answering name.test
oci_start_dns() {
	dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
		--listen-address=10.77.0.1 --port=53 --user="$(id -un)" \
		--pid-file="$TMP_DIR/dnsmasq.pid" \
		--address=/name.test/10.77.0.5 --log-facility="$TMP_DIR/dnsmasq.log" &
	lib_on_exit "kill $!"
	wait_until 10 sh -c 'test -s "$1"' sh "$TMP_DIR/dnsmasq.pid"
}

# oci_hook_env - the hook's environment under sanitizers: LeakSanitizer
# cannot stop the world in the container's pid namespace (it reads the
# host's /proc with the container's pids), so leaks go unchecked there only
oci_hook_env() {
	[ -n "${ASAN_OPTIONS:-}" ] && echo "ASAN_OPTIONS=${ASAN_OPTIONS}:detect_leaks=0"
	[ -n "${UBSAN_OPTIONS:-}" ] && echo "UBSAN_OPTIONS=${UBSAN_OPTIONS}"
	return 0
}

# oci_run_example NAME [ARGS...] - examples/NAME ARGS with this build's
# programs and the test host's view, bounded by 120 s
oci_run_example() {
	local bin=$TMP_DIR/bin ex=$1
	shift
	mkdir -p "$bin"
	ln -sf "$LXNET" "$bin/lxnet"
	ln -sf "$LXNET_PROXY" "$bin/lxnet-proxy"
	ln -sf "$LXNETFS" "$bin/lxnetfs"
	PATH=$bin:$PATH LXNET_VIEW_OPTS="$VIEW" TMPDIR=$TMP_DIR \
		LXNET_HOOK_ENV="$(oci_hook_env)" \
		timeout -k 5 120 sh "$top_srcdir/examples/$ex" "$@"
}

# oci_runtime_blocked FILE - print why the runtime could not start a
# container at all (this machine's cgroups, user namespaces, ...), or fail
oci_runtime_blocked() {
	grep -i -m1 -E 'cgroup|newuidmap|subuid|user namespace|operation not permitted|read-only file system' "$1"
}

# oci_skip_rest N WHY - skip the remaining N results and end
oci_skip_rest() {
	local i
	for i in $(seq "$1"); do
		tap_skip "container check $i" "$2"
	done
	tap_done
	exit 0
}

# oci_check_demo OUTPUT WHO - the four results of an example's demo
oci_check_demo() {
	echo "$1" | grep -q '^oci-ok$'
	tap_result $? "$2: wget in the container reaches the host's loopback"
	echo "$1" | sed -n '/^== nslookup/,/^== ip/p' | grep -q '10\.77\.0\.5'
	tap_result $? "$2: nslookup name.test asks the host's dnsmasq (10.77.0.1)"
	echo "$1" | sed -n '/^== ip link/,/^== \//p' | grep -q 'lxv0'
	tap_result $? "$2: ip link (emulated NETLINK_ROUTE) lists the host's lxv0"
	if echo "$1" | grep -q '^== /proc/net/dev'; then
		echo "$1" | sed -n '/^== \/proc\/net\/dev/,/^== \/etc/p' | grep -q 'lxv1:'
		tap_result $? "$2: /proc/net/dev (lxnet oci-hook) lists the host's lxv1"
	fi
	echo "$1" | sed -n '/^== \/etc\/resolv.conf/,$p' | grep -q '^nameserver 10.77.0.1$'
	tap_result $? "$2: /etc/resolv.conf is the host's, through lxnetfs"
}
