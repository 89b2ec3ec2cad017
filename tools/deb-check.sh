#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/deb-check.sh - build the Debian package from a clean clone of the
# committed tree (dpkg-buildpackage -us -uc -b), run lintian on it (an
# error fails), check that apt would install it here and that its
# programs run --version. Slow (a full build): `make deb-check`, not part
# of `make check`. Ends with "N passed, N failed".
# Usage: tools/deb-check.sh [SRCDIR]   (default: this checkout)
set -u
src=$(cd "${1:-$(dirname "$0")/..}" && pwd) || exit 1
"$src/tools/deps.sh" package || { echo "deb-check: installing dependencies failed" >&2; exit 1; }

pass=0 fail=0
result() {
	if [ "$1" -eq 0 ]; then echo "PASS: $2"; pass=$((pass + 1)); else echo "FAIL: $2"; fail=$((fail + 1)); fi
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-deb.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

git clone -q "$src" "$tmp/lxnet" || exit 1
echo "== dpkg-buildpackage -us -uc -b ($(git -C "$tmp/lxnet" log -1 --format=%h))"
start=$(date +%s)
(cd "$tmp/lxnet" && dpkg-buildpackage -us -uc -b) >"$tmp/build.out" 2>&1
st=$?
echo "   $(($(date +%s) - start)) s"
[ $st -eq 0 ] || tail -n 40 "$tmp/build.out"
result $st "dpkg-buildpackage builds the package"
deb=$(ls "$tmp"/lxnet_*.deb 2>/dev/null | head -n1)
changes=$(ls "$tmp"/lxnet_*.changes 2>/dev/null | head -n1)
if [ -z "$deb" ] || [ -z "$changes" ]; then
	result 1 "a .deb and a .changes were made"
	echo "$pass passed, $fail failed"
	exit 1
fi

echo "== lintian $(basename "$changes")"
lintian --fail-on error --display-info "$changes" >"$tmp/lintian.out" 2>&1
st=$?
cat "$tmp/lintian.out"
result $st "lintian: no errors"

# installable: apt resolves its dependencies (simulated; the machine is
# not changed)
apt-get install -s "$deb" >"$tmp/apt.out" 2>&1
st=$?
[ $st -eq 0 ] || tail -n 20 "$tmp/apt.out"
result $st "apt-get would install $(basename "$deb")"

dpkg-deb -x "$deb" "$tmp/root" || exit 1
ok=0
for p in lxnet lxnetfs lxnet-proxy lxnet-shim; do
	v=$("$tmp/root/usr/bin/$p" --version 2>&1)
	echo "   $p --version: $v"
	[ "$v" = "$p $(dpkg-deb -f "$deb" Version)" ] || ok=1
done
result $ok "the packaged programs run --version and print the package's version"
ok=0
for f in usr/share/man/man1/lxnet.1.gz usr/share/man/man8/lxnetfs.8.gz \
	usr/share/man/man8/lxnet-proxy.8.gz usr/share/man/man1/lxnet-shim.1.gz \
	usr/share/man/man5/lxnet.conf.5.gz usr/share/doc/lxnet/examples/lxnet.conf \
	usr/share/bash-completion/completions/lxnet \
	usr/share/bash-completion/completions/lxnetfs \
	usr/share/bash-completion/completions/lxnet-proxy \
	usr/share/bash-completion/completions/lxnet-shim \
	usr/share/doc/lxnet/examples/unshare-ci.sh usr/share/doc/lxnet/copyright; do
	[ -e "$tmp/root/$f" ] || { echo "   missing: /$f"; ok=1; }
done
result $ok "man pages, completion, examples and docs are in the package"

# lxnet-shim is static (it runs in a rootfs without the host's libraries)
# and the package names what it was built from
bu=$(dpkg-deb -f "$deb" Built-Using)
echo "   Built-Using: $bu"
! readelf -lW "$tmp/root/usr/bin/lxnet-shim" | grep -q INTERP &&
	case $bu in *libseccomp*glibc* | *glibc*libseccomp*) true ;; *) false ;; esac
result $? "the packaged lxnet-shim is statically linked; Built-Using names glibc and libseccomp"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
