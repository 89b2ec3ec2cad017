#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/deps.sh - install, from Debian's archive, what lxnet needs to build
# and to run its test suite. Installs only what is missing; needs root (or
# sudo). Usage: tools/deps.sh [build|demo|test|package]   (default: test)
# package: what tools/deb-check.sh (make deb-check) needs to build the
# Debian package and check it with lintian.
set -eu

build_pkgs="autoconf automake libtool pkg-config make gcc libc6-dev
libfuse3-dev fuse3 libnl-3-dev libnl-route-3-dev libc-ares-dev
libglib2.0-dev libjson-glib-dev libseccomp-dev linux-libc-dev cppcheck"
test_pkgs="iproute2 net-tools busybox-static python3 curl acl dnsmasq-base
golang-go gcc-multilib procps psmisc util-linux debootstrap iputils-ping
passwd clang libclang-rt-dev iperf3 passt slirp4netns uidmap lsof"

# the busybox-only root lxnet-shim runs in (tests/integration/shim-static.sh)
test_pkgs="$test_pkgs bubblewrap"

# holds lxnetfs's answer while it is killed (tests/integration/run-restart.sh)
test_pkgs="$test_pkgs strace"

# a NAT rule on the test namespace's loopback (tests/integration/policy-ownserver.sh)
test_pkgs="$test_pkgs iptables"

# what tools/demo.sh runs inside its sandbox
demo_pkgs="curl iproute2 python3"

# apparmor_parser checks the installed AppArmor profile (tests/integration/install.sh)
test_pkgs="$test_pkgs apparmor"

# the OCI runtimes examples/crun.sh and examples/podman.sh run (tests/integration/oci-*.sh)
test_pkgs="$test_pkgs crun podman"

# dpkg-buildpackage -us -uc -b, lintian, a clean clone (debian/control's
# Build-Depends are build_pkgs plus dh-apparmor; Rules-Requires-Root: no,
# so no fakeroot)
package_pkgs="dpkg-dev debhelper dh-apparmor lintian git"

want=$build_pkgs
[ "${1:-test}" = test ] && want="$want $test_pkgs"
[ "${1:-test}" = demo ] && want="$want $demo_pkgs"
[ "${1:-test}" = package ] && want="$want $package_pkgs"

missing=""
for p in $want; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "tools/deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing >/dev/null
