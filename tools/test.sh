#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/test.sh - install what is missing, build with strict warnings as
# errors, run the whole test suite, then build and run it again under
# AddressSanitizer and UndefinedBehaviorSanitizer. Ends with one line:
# "N passed, N failed, N skipped", after the list of what was skipped and
# why (a machine may lack a feature: i386 execution, ping sockets, ...).
# Exit status non-zero when anything failed.
#
# Between the passes, once: the Debian package (tools/deb-check.sh: a .deb
# from a clean clone of the committed tree, lintian, apt's simulated
# install); its checks count as the suite's.
#
# LXNET_TEST_NO_SANITIZERS=1 skips the sanitizer pass (quicker local runs),
# LXNET_TEST_NO_PACKAGE=1 the package.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src" || exit 1

tools/deps.sh test || { echo "tools/test.sh: installing dependencies failed" >&2; exit 1; }
./autogen.sh >/dev/null 2>&1 || { echo "tools/test.sh: autogen.sh failed" >&2; exit 1; }

total_pass=0 total_fail=0 total_skip=0
skips=$(mktemp) || exit 1
trap 'rm -f "$skips"' EXIT

# count DIR - add the automake harness's summary of DIR to the totals
count() {
	log=$1/test-suite.log
	if [ ! -f "$log" ]; then
		total_fail=$((total_fail + 1))
		return
	fi
	p=$(sed -n 's/^# PASS: *\([0-9]*\).*/\1/p' "$log" | head -n1)
	f=$(sed -n 's/^# FAIL: *\([0-9]*\).*/\1/p' "$log" | head -n1)
	s=$(sed -n 's/^# SKIP: *\([0-9]*\).*/\1/p' "$log" | head -n1)
	e=$(sed -n 's/^# ERROR: *\([0-9]*\).*/\1/p' "$log" | head -n1)
	xp=$(sed -n 's/^# XPASS: *\([0-9]*\).*/\1/p' "$log" | head -n1)
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-0} + ${e:-0} + ${xp:-0}))
	total_skip=$((total_skip + ${s:-0}))
}

# pass NAME CONFIGURE-ARGS... - configure, build and check in build-NAME
pass() {
	name=$1
	shift
	dir=$src/build-$name
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "== $name: configure $*"
	if ! (cd "$dir" && "$src/configure" -q "$@" >configure.out 2>&1); then
		cat "$dir/configure.out"
		echo "== $name: configure failed"
		total_fail=$((total_fail + 1))
		return
	fi
	echo "== $name: build"
	if ! make -C "$dir" -j2 >"$dir/build.out" 2>&1; then
		tail -n 60 "$dir/build.out"
		echo "== $name: build failed"
		total_fail=$((total_fail + 1))
		return
	fi
	echo "== $name: test"
	make -C "$dir" -j2 check VERBOSE=1 >"$dir/check.out" 2>&1
	grep -E '^(PASS|FAIL|SKIP|ERROR|XPASS|XFAIL):' "$dir/check.out"
	grep -E '^SKIP:' "$dir/check.out" | sed "s/^/$name /" >>"$skips"
	if grep -qE '^(FAIL|ERROR|XPASS):' "$dir/check.out"; then
		# the failing tests' logs, for whoever reads CI's output
		for l in $(find "$dir/tests" -name '*.log' ! -name test-suite.log); do
			grep -qE '^(not ok|Bail out)' "$l" 2>/dev/null || grep -q '^ERROR' "${l%.log}.trs" 2>/dev/null || continue
			echo "---- $l"
			tail -n 80 "$l"
		done
	fi
	count "$dir"
}

# Static analysis: cppcheck over every component; a finding fails the run.
# Suppressions, if ever needed, are inline (cppcheck-suppress) with a reason.
echo "== cppcheck"
if cppcheck --quiet --enable=warning,portability,performance --std=c11 \
	--inline-suppr --error-exitcode=1 -I src src fs proxy; then
	echo "PASS: cppcheck"
	total_pass=$((total_pass + 1))
else
	echo "FAIL: cppcheck"
	total_fail=$((total_fail + 1))
fi

pass strict --enable-werror

if [ -z "${LXNET_TEST_NO_PACKAGE:-}" ]; then
	echo "== package: tools/deb-check.sh"
	out=$(mktemp) || exit 1
	tools/deb-check.sh >"$out" 2>&1
	grep -E '^(PASS|FAIL):' "$out"
	if grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$out"; then
		total_pass=$((total_pass + $(grep -c '^PASS:' "$out")))
		total_fail=$((total_fail + $(grep -c '^FAIL:' "$out")))
		grep -q '^FAIL:' "$out" && tail -n 60 "$out"
	else
		tail -n 60 "$out"
		echo "FAIL: tools/deb-check.sh did not finish"
		total_fail=$((total_fail + 1))
	fi
	rm -f "$out"
fi

if [ -z "${LXNET_TEST_NO_SANITIZERS:-}" ]; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export ASAN_OPTIONS UBSAN_OPTIONS
	pass sanitizers --enable-werror --enable-sanitizers
fi

if [ -s "$skips" ]; then
	echo "== skipped on this machine, with the reason:"
	awk '!seen[$0]++ { print "  " $0 }' "$skips"
fi
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
