#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# fuzz-jsonscan.sh - build the libFuzzer target for src/jsonscan.c (the
# JSON the proxy reads from OCI runtimes) with clang, seed it with OCI
# messages and run it for a bounded time. TAP. Usage: fuzz-jsonscan.sh
# [SECONDS] (default 10). Environment as fuzz-nlmsg.sh.
set -u

secs=${1:-10}
. "$(dirname "$0")/fuzz-lib.sh"
fuzz_setup fuzz-jsonscan

echo "1..2"
if timeout 300 clang -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -Wall -Wextra \
	-I"$builddir" -I"$srcdir/src" -o "$T/fuzz" "$srcdir/tests/fuzz/fuzz-jsonscan.c" \
	"$srcdir/src/jsonscan.c" >"$T/build.log" 2>&1; then
	echo "ok 1 - fuzz-jsonscan builds with clang -fsanitize=fuzzer,address,undefined"
else
	echo "not ok 1 - fuzz-jsonscan builds with clang"
	sed 's/^/# /' "$T/build.log" | tail -20
	echo "not ok 2 - not built"
	exit 1
fi
mkdir "$T/corpus"
printf '%s' '{"ociVersion":"1.0.0","fds":["seccompFd"],"pid":4242,"metadata":"","state":{"ociVersion":"1.0.2","id":"c1","status":"creating","pid":4243,"bundle":"/run/b","annotations":{"run.oci.seccomp.receiver":"/run/x.sock"}}}' >"$T/corpus/oci"
printf '%s' '{"a":[1,-2.5e+3,true,false,null,"\u00e9\n\"",{"pid":7}],"pid":-0}' >"$T/corpus/mixed"
printf '%s' '{"state":{"pid":12}}' >"$T/corpus/state"
if timeout $((secs + 60)) "$T/fuzz" -max_total_time="$secs" -max_len=1024 \
	-artifact_prefix="$T/" "$T/corpus" >"$T/run.log" 2>&1; then
	echo "ok 2 - $secs s of fuzzing: $(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$T/run.log") runs, no crash, no read past the input, prefixes all incomplete"
else
	echo "not ok 2 - fuzz-jsonscan found a crash"
	grep -v '^#' "$T/run.log" | tail -30 | sed 's/^/# /'
	exit 1
fi
