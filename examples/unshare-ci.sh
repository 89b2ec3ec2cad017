#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# unshare-ci.sh - lxnet in CI: run an integration test in a throw-away
# sandbox (user, mount, net, uts namespaces; no root needed) that still has
# the host's network, its DNS and its /proc/net view.
#
# Usage: unshare-ci.sh [TEST-SCRIPT [ARG...]]
#   Without TEST-SCRIPT a small ./integration-test.sh is written to a
#   temporary directory and run from there, the way a CI job would run
#   `lxnet run -- ./integration-test.sh`.
# Environment: LXNET (default: lxnet), LXNET_RUN_OPTS (extra `lxnet run`
#   options, e.g. --hostname ci --add-host db.test:10.0.0.5),
#   CI_URL (a URL the test fetches with curl or wget, when set).
set -eu

LXNET=${LXNET:-lxnet}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/unshare-ci.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ $# -ge 1 ]; then
	test_cmd=$1
	shift
else
	cat >"$tmp/integration-test.sh" <<'TEST'
#!/bin/sh
# The job's own test: it runs as root of its sandbox and sees the host's
# network as files and sockets.
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fail=1; fi; }
check "root inside the sandbox" '[ "$(id -u)" = 0 ]'
check "resolv.conf names a server" 'grep -q "^nameserver " /etc/resolv.conf'
check "hosts has localhost" 'grep -q "localhost" /etc/hosts'
check "/proc/net/route has the kernel header" 'head -1 /proc/net/route | grep -q "^Iface"'
check "/proc/net/dev lists lo" 'grep -q "lo:" /proc/net/dev'
check "the hostname matches /etc/hostname" '[ "$(hostname)" = "$(cat /etc/hostname)" ]'
if [ -n "${CI_URL:-}" ]; then
	if command -v curl >/dev/null; then
		check "fetch $CI_URL" 'curl -fsS -m 10 -o /dev/null "$CI_URL"'
	else
		check "fetch $CI_URL" 'wget -q -T 10 -O /dev/null "$CI_URL"'
	fi
fi
exit $fail
TEST
	chmod +x "$tmp/integration-test.sh"
	cd "$tmp"
	test_cmd=./integration-test.sh
fi

status=0
# shellcheck disable=SC2086
"$LXNET" run ${LXNET_RUN_OPTS:-} -- "$test_cmd" "$@" || status=$?
exit $status
