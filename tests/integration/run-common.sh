# SPDX-License-Identifier: LGPL-2.1-or-later
# run-common.sh - helpers for the `lxnet run` integration tests (sourced):
# the "host" they make (veth pair, addresses, a route, resolv.conf and hosts
# files of their own) and a bounded way to run lxnet.

. "$(dirname "$0")/lib.sh"

LXNET=${LXNET:-$top_builddir/src/lxnet/lxnet}

# The debootstrap'd Debian minbase the rootfs tests share, made once per
# machine (CI machines start bare, so once per run).
RUN_DEBROOT=/var/cache/lxnet-test/bookworm-minbase

# run_debian_rootfs - before lib_enter_ns (the test namespace has no route
# to the archive): make $RUN_DEBROOT unless it exists, from the archive
# apt already uses. Tests running at once wait for one build (flock);
# a failed build leaves nothing and its log in /var/cache/lxnet-test.
# Only the download uses the machine's network; nothing in it is changed.
run_debian_rootfs() {
	local mirror
	[ -x "$RUN_DEBROOT/bin/sh" ] && return 0
	[ "$(id -u)" -eq 0 ] && command -v debootstrap >/dev/null && command -v flock >/dev/null || return 1
	mkdir -p /var/cache/lxnet-test || return 1
	(
		flock -w 960 9 || exit 1
		[ -x "$RUN_DEBROOT/bin/sh" ] && exit 0
		mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb  *\(http[^ ]*debian\/*\)  *bookworm .*/\1/p' \
			/etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | head -1)
		rm -rf "$RUN_DEBROOT.tmp"
		if timeout 900 debootstrap --variant=minbase bookworm "$RUN_DEBROOT.tmp" \
			"${mirror:-http://deb.debian.org/debian}" >/var/cache/lxnet-test/debootstrap.log 2>&1; then
			mv "$RUN_DEBROOT.tmp" "$RUN_DEBROOT"
		else
			rm -rf "$RUN_DEBROOT.tmp"
			exit 1
		fi
	) 9>/var/cache/lxnet-test/.lock
}

# run_require - skip the whole script when lxnet cannot run here
run_require() {
	[ -x "$LXNET" ] || tap_skip_all "lxnet not built ($LXNET)"
	[ -c /dev/fuse ] || tap_skip_all "no /dev/fuse"
	[ -x "$top_builddir/fs/lxnetfs" ] || tap_skip_all "lxnetfs not built"
	[ -x "$top_builddir/proxy/lxnet-proxy" ] || tap_skip_all "lxnet-proxy not built"
}

# run_make_host - inside the test namespace: veth lxv0/lxv1 (both ends
# here) with 10.77.0.1/24 and 10.77.1.2/24 (distinct prefixes), a route to 10.88.0.0/16, and
# $TMP_DIR/resolv.conf + $TMP_DIR/hosts; sets VIEW to the options that
# make lxnet follow them.
run_make_host() {
	ip link add lxv0 type veth peer name lxv1 || return 1
	ip addr add 10.77.0.1/24 dev lxv0
	ip addr add 10.77.1.2/24 dev lxv1
	ip link set lxv0 up
	ip link set lxv1 up
	ip route add 10.88.0.0/16 via 10.77.0.254 dev lxv0
	printf 'nameserver 10.77.0.1\nsearch example.test\n' >"$TMP_DIR/resolv.conf"
	printf '127.0.0.1\tlocalhost\n10.77.0.9\thostfile.test\n' >"$TMP_DIR/hosts"
	VIEW="--resolv-conf $TMP_DIR/resolv.conf --hosts-file $TMP_DIR/hosts"
}

# lxrun ARGS... - `lxnet run $VIEW ARGS...` bounded by 60 s
lxrun() {
	# shellcheck disable=SC2086
	timeout -k 5 60 "$LXNET" run $VIEW "$@"
}

# run_alive PID - true when PID exists and is not a zombie
run_alive() {
	local s
	s=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}

# run_companion_pids FILE - pids lxnet -v reported starting, one a line
run_companion_pids() {
	sed -n 's/.*debug: started .* (pid \([0-9]*\)).*/\1/p' "$1"
}

# run_none_alive PIDS... - true when none of PIDS is alive
run_none_alive() {
	local p
	for p in "$@"; do
		run_alive "$p" && return 1
	done
	return 0
}

# run_busybox_rootfs DIR - a static busybox userland in DIR
run_busybox_rootfs() {
	local bb a
	bb=$(command -v busybox) || return 1
	ldd "$bb" >/dev/null 2>&1 && return 1 # not static
	mkdir -p "$1/bin" "$1/etc" "$1/tmp" || return 1
	cp "$bb" "$1/bin/busybox" || return 1
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$1/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$1/etc/passwd"
	printf 'root:x:0:\n' >"$1/etc/group"
}

# run_make_user - a throw-away user (removed at exit) into RUN_USER; the
# build tree must be reachable by it. Returns 1 when that cannot be done.
run_make_user() {
	[ "$(id -u)" -eq 0 ] || return 1
	command -v useradd >/dev/null || return 1
	# not $$: each test is its pid namespace's init, so $$ is always 1
	RUN_USER=lxt$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	lib_make_user "$RUN_USER" || return 1
	su "$RUN_USER" -s /bin/sh -c "test -x '$LXNET'" || return 1
	chmod 755 "$TMP_DIR"
}

# run_as_user CMD - run the shell command CMD as RUN_USER
run_as_user() {
	su "$RUN_USER" -s /bin/sh -c "$1"
}

# run_grant_fuse - give RUN_USER rw on /dev/fuse: a node of the test's own,
# owned by RUN_USER, covers /dev/fuse in the test's mount namespace (the
# machine's node is never touched)
run_grant_fuse() {
	lib_fuse_node 0600 "$RUN_USER"
}

# run_private_fuse - a /dev/fuse every user may open, in this test's own
# mount namespace only (the machine's device keeps its mode)
run_private_fuse() {
	lib_in_private_mntns || return 1
	mknod -m 0666 "$TMP_DIR/fuse" c 10 229 2>/dev/null || return 1
	mount --bind "$TMP_DIR/fuse" /dev/fuse
}

# run_only_subids [USER FIRST COUNT] - make USER's range the only one in
# /etc/subuid and /etc/subgid (no argument: no range at all; useradd may
# have given one). Only with lib_private_etc.
run_only_subids() {
	lib_in_private_mntns && grep -q '^lxnet-test-etc /etc overlay' /proc/self/mounts || return 1
	if [ $# -eq 3 ]; then
		echo "$1:$2:$3" >/etc/subuid && echo "$1:$2:$3" >/etc/subgid
	else
		: >/etc/subuid && : >/etc/subgid
	fi
}
