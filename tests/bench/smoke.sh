#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# smoke.sh - the benchmarks still work: run.sh --quick yields a well-formed TSV
#
# Runs tests/bench/run.sh in quick mode (one repetition, tiny sizes, no
# package installation) and checks its output: every metric row once, every
# column, each cell a number or n/a, min <= median <= max, the lxnet column
# measured wherever lxnet is expected to work today, n/a only with its
# reason, and pasta/slirp4netns measured when they are installed.
. "$(dirname "$0")/../integration/lib.sh"
[ "$(id -u)" -eq 0 ] || tap_skip_all "run.sh needs root (network namespaces, /dev/net/tun)"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-400}
lib_enter_ns "$@"
lib_tmpdir
[ -x "$top_builddir/src/lxnet/lxnet" ] || tap_skip_all "lxnet not built"

METRICS="tcp_up_gbps tcp_down_gbps tcp_conn_per_s tcp_conn_policy_per_s tcp_conn_own_per_s udp_rr_per_s trapped_call_us getifaddrs_per_s getifaddrs_emulated_per_s ip_addr_ms
read_resolv_per_s read_hosts_per_s read_procnetdev_per_s getaddrinfo_per_s getaddrinfo_dns_per_s
prop_netlink_p50_ms prop_netlink_p99_ms
prop_view_p50_ms prop_view_p99_ms startup_ms scale_sockets_per_s scale_kib_per_sandbox
scale_kib_per_nl_endpoint"
# rows without a native value by definition (memory of a per-sandbox daemon)
NO_NATIVE=" scale_kib_per_sandbox scale_kib_per_nl_endpoint "
HEADER="metric	unit	native	native_min	native_max	lxnet	lxnet_min	lxnet_max	pasta	pasta_min	pasta_max	slirp4netns	slirp4netns_min	slirp4netns_max	ratio	goal	result	note"

tap_plan 11
OUT=$TMP_DIR/out
TSV=$OUT/bench.tsv
timeout 360 bash "$top_srcdir/tests/bench/run.sh" --quick --no-install --out "$OUT" "$top_builddir" \
	>"$TMP_DIR/stdout" 2>"$TMP_DIR/stderr"
rc=$?
[ $rc -eq 0 ] || { sed 's/^/# /' "$TMP_DIR/stderr" | tail -20; }
tap_result $rc "run.sh --quick exits 0"

tap_check "bench.tsv has the header" test "$(head -1 "$TSV" 2>/dev/null)" = "$HEADER"

check_rows() {
	local m n bad=0
	for m in $METRICS; do
		n=$(awk -F'\t' -v m="$m" '$1 == m' "$TSV" | wc -l)
		[ "$n" -eq 1 ] || { tap_diag "metric $m: $n rows"; bad=1; }
	done
	n=$(($(wc -l <"$TSV") - 1))
	[ "$n" -eq "$(echo $METRICS | wc -w)" ] || { tap_diag "$n rows, want $(echo $METRICS | wc -w)"; bad=1; }
	return $bad
}
tap_check "every metric has exactly one row" check_rows

tap_check "every row has 18 columns" awk -F'\t' 'NF != 18 { print "# " $1 ": " NF " columns"; bad = 1 } END { exit bad }' "$TSV"

# cells 3-15 are numbers or n/a; result is pass, fail, n/a or info
check_cells() {
	awk -F'\t' 'NR > 1 {
		for (i = 3; i <= 15; i++)
			if ($i != "n/a" && $i !~ /^[0-9]+(\.[0-9]+)?$/) { print "# " $1 " col " i ": " $i; bad = 1 }
		if ($17 !~ /^(pass|fail|n\/a|info)$/) { print "# " $1 " result " $17; bad = 1 }
	} END { exit bad }' "$TSV"
}
tap_check "cells are numbers or n/a, results pass/fail/n/a/info" check_cells

# min <= median <= max for every measured setup
tap_check "min <= median <= max" awk -F'\t' 'NR > 1 {
	for (i = 3; i <= 12; i += 3)
		if ($i != "n/a" && !($(i + 1) <= $i + 0 && $i + 0 <= $(i + 2))) { print "# " $1 " col " i; bad = 1 }
} END { exit bad }' "$TSV"

check_native() {
	awk -F'\t' -v skip="$NO_NATIVE" 'NR > 1 && index(skip, " " $1 " ") == 0 && $3 == "n/a" {
		print "# native " $1 " is n/a"; bad = 1 } END { exit bad }' "$TSV"
}
tap_check "native is measured in every row that has a native value" check_native

# lxnet: measured in every row, the netlink ones included, with a ratio
# wherever native has a value
check_lxnet() {
	awk -F'\t' -v nonat="$NO_NATIVE" 'NR > 1 {
		if ($6 == "n/a") { print "# lxnet " $1 " is n/a: " $18; bad = 1 }
		if ($6 != "n/a" && index(nonat, " " $1 " ") == 0 && $15 == "n/a") { print "# " $1 " has no ratio"; bad = 1 }
	} END { exit bad }' "$TSV"
}
tap_check "lxnet is measured in every row and has ratios" check_lxnet

# pasta and slirp4netns: measured when installed, n/a when not
check_tool() {
	local col=$1 tool=$2 v
	v=$(awk -F'\t' -v c="$col" '$1 == "tcp_up_gbps" { print $c }' "$TSV")
	if command -v "$tool" >/dev/null; then
		[ "$v" != n/a ] && [ -n "$v" ]
	else
		[ "$v" = n/a ]
	fi
}
tap_check "pasta column matches whether pasta is installed" check_tool 9 pasta
tap_check "slirp4netns column matches whether it is installed" check_tool 12 slirp4netns

check_outputs() {
	local m
	for m in $METRICS; do
		grep -q "^$m " "$OUT/bench.txt" || { tap_diag "bench.txt lacks $m"; return 1; }
	done
	if command -v gnuplot >/dev/null; then
		grep -q '<svg' "$OUT/bench.svg" || { tap_diag "no SVG chart"; return 1; }
	fi
	return 0
}
tap_check "table printed for every metric; SVG chart when gnuplot exists" check_outputs

tap_done
