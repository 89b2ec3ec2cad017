#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-distro.sh - a distribution's userland works in `lxnet run --root`:
# in a debootstrap'd Debian bookworm minbase, apt-get update from a local
# file: repository only (no network), apt-get install of a package whose
# postinst runs useradd --system, chown to the new user and su to it, and
# apt-get update over http as apt's _apt through lxnet-proxy, reading the
# view's /etc/hosts. As root (on an overlay of the cached tree), and as an
# ordinary user with a subordinate id range on a copy of the tree that the
# user unpacked with tar inside its own `lxnet run`, as lxnet(1) tells users
# to. /etc and /dev/fuse are the test's own (overlay, private node).
. "$(dirname "$0")/run-common.sh"

# The tree is debootstrap'd once (run_debian_rootfs, run-common.sh), before
# the test's namespace, which has no route to the archive.
if [ -z "${LXNET_IN_TEST_NS:-}" ]; then
	: "${LXNET_TEST_TIMEOUT:=420}"
	export LXNET_TEST_TIMEOUT
	run_debian_rootfs
fi
lib_enter_ns "$@"
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (a throw-away user, overlays)"
run_require
[ -x "$RUN_DEBROOT/bin/sh" ] ||
	tap_skip_all "no Debian tree in $RUN_DEBROOT (debootstrap missing, not root, or the archive unreachable: see /var/cache/lxnet-test/debootstrap.log)"
command -v dpkg-deb >/dev/null || tap_skip_all "dpkg-deb missing"
command -v newuidmap >/dev/null || tap_skip_all "newuidmap missing (apt-get install uidmap)"
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
lib_private_etc || tap_skip_all "cannot put an overlay on /etc in the test's mount namespace"
chmod 755 "$TMP_DIR"
mkdir -m 1777 "$TMP_DIR/t"
chmod 644 "$TMP_DIR/resolv.conf" "$TMP_DIR/hosts"
tap_plan 10
PORT=18095
PATHIN=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- the package and its repository ---
# make_repo DIR - a flat apt repository with lxnet-probe_1.0_all.deb, whose
# postinst adds the system user lxprobe, gives it a file and writes its
# name there as that user
make_repo() {
	local p=$TMP_DIR/pkg deb
	mkdir -p "$p/DEBIAN" "$1" || return 1
	cat >"$p/DEBIAN/control" <<-EOF
	Package: lxnet-probe
	Version: 1.0
	Architecture: all
	Maintainer: lxnet tests <lxnet@localhost>
	Description: lxnet test package
	 Its maintainer script adds a system user, chowns a file to it and su's to it.
	EOF
	cat >"$p/DEBIAN/postinst" <<-'EOF'
	#!/bin/sh
	set -e
	if [ "$1" = configure ]; then
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin lxprobe
		mkdir -p /var/lib/lxnet-probe
		: >/var/lib/lxnet-probe/owned
		chown lxprobe:nogroup /var/lib/lxnet-probe/owned
		su lxprobe -s /bin/sh -c 'id -un >/var/lib/lxnet-probe/owned'
	fi
	EOF
	chmod 755 "$p/DEBIAN/postinst"
	deb=$1/lxnet-probe_1.0_all.deb
	dpkg-deb --root-owner-group --build "$p" "$deb" >/dev/null || return 1
	{
		dpkg-deb -f "$deb"
		echo "Filename: ./lxnet-probe_1.0_all.deb"
		echo "Size: $(stat -c %s "$deb")"
		echo "SHA256: $(sha256sum "$deb" | cut -d' ' -f1)"
		echo
	} >"$1/Packages"
	{
		echo "Date: $(LC_ALL=C date -Ru)"
		echo "SHA256:"
		echo " $(sha256sum "$1/Packages" | cut -d' ' -f1) $(stat -c %s "$1/Packages") Packages"
	} >"$1/Release"
	chmod -R a+rX "$1"
}
make_repo "$TMP_DIR/repo"
tap_result $? "a flat apt repository with a package built by dpkg-deb"

# the same repository over http, for apt's _apt through the proxy
python3 -m http.server -b 127.0.0.1 $PORT --directory "$TMP_DIR/repo" >/dev/null 2>&1 &
lib_on_exit "kill $!"
wait_until 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null

# prepare ROOTFS - the repository in ROOTFS/srv/lxnet-repo, sources.list
# naming it only
prepare() {
	rm -rf "$1/srv/lxnet-repo" && cp -r "$TMP_DIR/repo" "$1/srv/lxnet-repo" &&
		chmod -R a+rX "$1/srv/lxnet-repo" &&
		rm -f "$1"/etc/apt/sources.list.d/* &&
		echo 'deb [trusted=yes] file:/srv/lxnet-repo ./' >"$1/etc/apt/sources.list"
}

# The scripts run inside the sandbox (as root there):
# update.sh: apt-get update from the file: repository only; apt must not
# fall back to downloading as root (_apt reads the repository itself)
cat >"$TMP_DIR/update.sh" <<EOF
export PATH=$PATHIN DEBIAN_FRONTEND=noninteractive
apt-get update >/tmp/update.out 2>&1; st=\$?
cat /tmp/update.out
[ \$st -eq 0 ] && ! grep -q -e '^[WE]:' -e unsandboxed /tmp/update.out
EOF
# install.sh: install the package; its postinst did its three things
cat >"$TMP_DIR/install.sh" <<EOF
export PATH=$PATHIN DEBIAN_FRONTEND=noninteractive
apt-get install -y lxnet-probe || exit 1
getent passwd lxprobe | grep -q '^lxprobe:x:[0-9]*:[0-9]*:' || exit 2
[ "\$(stat -c %U:%G /var/lib/lxnet-probe/owned)" = lxprobe:nogroup ] || exit 3
[ "\$(cat /var/lib/lxnet-probe/owned)" = lxprobe ] || exit 4
dpkg -s lxnet-probe | grep -q '^Status: install ok installed' || exit 5
echo "lxprobe=\$(id -u lxprobe)"
EOF
# http.sh: apt-get update over http, the repository's name from --add-host
# (glibc, as _apt, reads the view's /etc/hosts), the socket the proxy's
cat >"$TMP_DIR/http.sh" <<EOF
export PATH=$PATHIN DEBIAN_FRONTEND=noninteractive
echo 'deb [trusted=yes] http://repo.lxnet.test:$PORT/ ./' >/etc/apt/sources.list
apt-get update >/tmp/update.out 2>&1; st=\$?
cat /tmp/update.out
[ \$st -eq 0 ] && grep -q '^Get:.*http://repo.lxnet.test:$PORT' /tmp/update.out &&
	! grep -q -e '^[WE]:' -e unsandboxed /tmp/update.out &&
	apt-cache policy lxnet-probe | grep -q 'http://repo.lxnet.test:$PORT'
EOF

# timed NAME CMD... - run CMD, log its time as a diagnostic
timed() {
	local name=$1 a b st
	shift
	a=$(date +%s%N)
	"$@" >"$TMP_DIR/$name.out" 2>&1
	st=$?
	b=$(date +%s%N)
	tap_diag "$name: $(((b - a) / 1000000)) ms, status $st"
	[ $st -eq 0 ] || sed 's/^/#   /' "$TMP_DIR/$name.out" | tail -15
	return $st
}

# --- as root, on an overlay of the cached tree ---
R=$TMP_DIR/root
mkdir -p "$R" "$TMP_DIR/root.up" "$TMP_DIR/root.work"
mount -t overlay lxnet-test-root -o "lowerdir=$RUN_DEBROOT,upperdir=$TMP_DIR/root.up,workdir=$TMP_DIR/root.work" "$R" &&
	lib_on_exit "umount -l '$R'" && prepare "$R" && cp "$TMP_DIR"/{update,install,http}.sh "$R/tmp/"
tap_result $? "root: an overlay of the Debian tree with the repository"

timed root-update lxrun --root "$R" -- sh /tmp/update.sh
tap_result $? "root: apt-get update from the file: repository (_apt reads it)"

timed root-install lxrun --root "$R" -- sh /tmp/install.sh
tap_result $? "root: apt-get install runs a postinst that does useradd, chown and su"

timed root-http lxrun --root "$R" --add-host repo.lxnet.test:127.0.0.1 -- sh /tmp/http.sh
tap_result $? "root: apt-get update over http as _apt through the proxy"

# --- as an ordinary user with a subordinate range ---
S=400000
if run_make_user && { run_private_fuse || run_grant_fuse; } &&
   run_only_subids "$RUN_USER" "$S" 65536; then
	U=$(id -u "$RUN_USER")
	UR=$TMP_DIR/uroot
	mkdir "$UR" && chown "$RUN_USER" "$UR"
	# The user unpacks the tree inside its own sandbox, where tar (root
	# there) gives every file its owner inside: the device nodes cannot be
	# made there and are not needed (lxnet run mounts its own /dev).
	timed user-unpack sh -c "tar -C '$RUN_DEBROOT' --exclude=./dev/* \
		--exclude='./var/cache/apt/archives/*.deb' -cf - . |
		su '$RUN_USER' -s /bin/sh -c \"TMPDIR=$TMP_DIR/t timeout 120 '$LXNET' run $VIEW -- tar -C '$UR' --numeric-owner -xpf -\""
	[ $? -eq 0 ] && [ "$(stat -c %u "$UR")" = "$U" ] && [ "$(stat -c %u "$UR/etc/shadow")" = "$U" ] &&
		[ "$(stat -c %g "$UR/etc/shadow")" = "$((S + $(stat -c %g "$RUN_DEBROOT/etc/shadow") - 1))" ] &&
		[ -u "$UR/usr/bin/su" ] && prepare "$UR" && chown -R "$RUN_USER" "$UR/srv/lxnet-repo"
	tap_result $? "user: tar inside its lxnet run unpacks the tree with the sandbox's owners"

	urun() { su "$RUN_USER" -s /bin/sh -c "TMPDIR=$TMP_DIR/t timeout 120 '$LXNET' run $VIEW $*"; }
	cp "$TMP_DIR"/{update,install,http}.sh "$UR/tmp/"
	timed user-update urun --root "'$UR'" -- sh /tmp/update.sh
	tap_result $? "user: apt-get update from the file: repository (_apt reads it)"

	timed user-install urun --root "'$UR'" -- sh /tmp/install.sh
	st=$?
	in=$(sed -n 's/^lxprobe=//p' "$TMP_DIR/user-install.out")
	[ $st -eq 0 ] && [ -n "$in" ] &&
		[ "$(stat -c %u "$UR/var/lib/lxnet-probe/owned")" = "$((S + in - 1))" ]
	tap_result $? "user: apt-get install: useradd, chown and su in the postinst; the file is a subordinate id's outside"

	timed user-http urun --root "'$UR'" --add-host repo.lxnet.test:127.0.0.1 -- sh /tmp/http.sh
	tap_result $? "user: apt-get update over http as _apt through the proxy"
else
	for t in unpack update install http; do
		tap_skip "user: $t" "cannot make a throw-away user with /dev/fuse and a subordinate range"
	done
fi

! grep -q lxnetfs /proc/self/mountinfo
tap_result $? "no lxnetfs mount left"

tap_done
