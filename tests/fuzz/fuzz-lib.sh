# SPDX-License-Identifier: LGPL-2.1-or-later
# fuzz-lib.sh - what every fuzz-*.sh does first, sourced after `set -u`:
# srcdir, builddir (from make check's top_srcdir/top_builddir, or guessed),
# skip MSG, and fuzz_setup NAME, which skips without clang, a configured
# build or a linkable libFuzzer runtime, and makes the work directory T
# (removed at exit unless KEEP_FUZZ_DIR=1).

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
builddir=${top_builddir:-$PWD}

skip() { echo "1..0 # SKIP $*"; exit 0; }

fuzz_setup() {
	command -v clang >/dev/null 2>&1 || skip "clang not installed"
	[ -f "$builddir/config.h" ] || skip "no config.h in $builddir (run from the build directory)"
	T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || skip "cannot make a work directory"
	trap '[ "${KEEP_FUZZ_DIR:-0}" = 1 ] && echo "# kept $T" >&2 || rm -rf "$T"' EXIT
	# the fuzzer runtime is a separate package (libclang-rt-dev) from clang
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n > 1000000; }\n' >"$T/probe.c"
	timeout 120 clang -fsanitize=fuzzer,address,undefined -o "$T/probe" "$T/probe.c" >"$T/probe.log" 2>&1 ||
		skip "clang cannot link -fsanitize=fuzzer (libclang-rt-dev missing?)"
}
