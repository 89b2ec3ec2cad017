#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh - `make bench`: lxnet against native, pasta and slirp4netns, in one run
#
# usage: run.sh [--quick] [--no-install] [--reps N] [--out DIR] [--update-docs] BUILDDIR
#
#   --quick        one repetition, tiny sizes (tests/bench/smoke.sh uses it)
#   --no-install   do not apt-get install missing tools; their columns are n/a
#   --reps N       repetitions of each measurement (default 5, quick 1)
#   --out DIR      where bench.tsv, bench.txt, bench.svg go (default BUILDDIR/bench)
#   --update-docs  also write the results into docs/PERFORMANCE.md and
#                  docs/bench-ratios.svg of the source tree
#
# Everything runs inside a network + mount namespace this script makes
# (unshare -n -m, as root); its loopback plays "the host loopback", a veth
# pair inside it (lxbench0 10.99.0.1/24, default route via 10.99.0.254)
# gives pasta an uplink to copy. No traffic leaves that namespace. Setups:
#   native       the client runs directly in that namespace -> 127.0.0.1
#   lxnet        the client runs in `lxnet run -- ...`        -> 127.0.0.1
#   pasta        `pasta --config-net -- ...` (passt 2023-03-09): the gateway
#                10.99.0.254 is mapped to the host loopback (map-gw, default)
#   slirp4netns  `unshare -rn` + slirp4netns --configure (slirp-run.sh):
#                10.0.2.2 is the host loopback (host loopback not disabled)
# Each measurement is repeated (setups interleaved within a repetition) and
# reported as median [min-max]. Output: one table on stdout, BUILDDIR/bench/
# bench.tsv (machine-readable), bench.txt (the table), bench.svg (chart).
set -u

die() { echo "run.sh: $*" >&2; exit 1; }

QUICK=0 INSTALL=1 REPS="" OUT="" UPDATE_DOCS=0 B=""
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--no-install) INSTALL=0 ;;
	--reps) REPS=$2; shift ;;
	--out) OUT=$2; shift ;;
	--update-docs) UPDATE_DOCS=1 ;;
	-h|--help) sed -n '3,12p' "$0"; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) B=$1 ;;
	esac
	shift
done
[ -n "$B" ] || die "usage: run.sh [--quick] [--no-install] [--reps N] [--out DIR] [--update-docs] BUILDDIR"
B=$(cd "$B" && pwd) || die "no build directory $B"
S=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$B/src/lxnet/lxnet" ] || die "$B/src/lxnet/lxnet not built (run make first)"
[ -n "$REPS" ] || { [ $QUICK -eq 1 ] && REPS=1 || REPS=5; }
case $REPS in ''|*[!0-9]*|0) die "--reps wants a positive number" ;; esac
[ "$REPS" -le 50 ] || die "--reps at most 50"
[ -n "$OUT" ] || OUT=$B/bench
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd) || die "cannot create $OUT"

# ---- outside the namespace: tools, then re-exec in a fresh namespace ----
if [ -z "${LXNET_BENCH_IN_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || die "needs root (it makes network namespaces and runs pasta/slirp4netns with /dev/net/tun, mode 0600 here)"
	if [ $INSTALL -eq 1 ]; then
		need=""
		for t in iperf3:iperf3 pasta:passt slirp4netns:slirp4netns gnuplot:gnuplot-nox; do
			command -v "${t%%:*}" >/dev/null || need="$need ${t#*:}"
		done
		if [ -n "$need" ]; then
			echo "run.sh: installing from Debian:$need"
			# shellcheck disable=SC2086
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >/dev/null 2>&1 ||
				{ apt-get update >/dev/null 2>&1 &&
				  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >/dev/null 2>&1; } ||
				echo "run.sh: apt-get install failed; the missing tools' columns will be n/a" >&2
		fi
	fi
	t=900
	[ $QUICK -eq 1 ] && t=300
	args=()
	[ $QUICK -eq 1 ] && args+=(--quick)
	[ $UPDATE_DOCS -eq 1 ] && args+=(--update-docs)
	LXNET_BENCH_IN_NS=1 exec timeout --kill-after=10 $t \
		unshare --net --mount --propagation private \
		bash "$0" "${args[@]}" --no-install --reps "$REPS" --out "$OUT" "$B"
fi

# ---- inside the bench namespace ----
T=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-bench.XXXXXX") || die "mktemp"
PIDS=""
cleanup() {
	local p
	for p in $PIDS; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
LOG=$OUT/bench.log
: >"$LOG"
log() { echo "$*" >>"$LOG"; }
note() { echo "run.sh: $*" >&2; log "note: $*"; }

ip link set lo up || die "cannot bring lo up"
ip link add lxbench0 type veth peer name lxbench1 || die "cannot make a veth pair"
ip link set lxbench0 up && ip link set lxbench1 up &&
	ip addr add 10.99.0.1/24 dev lxbench0 &&
	ip route add default via 10.99.0.254 dev lxbench0 || die "cannot configure lxbench0"
# Only this namespace's sysctls: thousands of short loopback connections per
# second must not run out of ports in TIME_WAIT.
sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="1024 65000" ||
	note "could not tune this namespace's port range / tw_reuse"
# The bench's resolver files: the view follows them, and they are mounted
# over this namespace's /etc/resolv.conf and /etc/hosts (a private mount
# namespace) so native, pasta and slirp4netns resolve from the same files.
# The nameserver is benchtool's DNS server on this namespace's loopback.
printf 'nameserver 127.0.0.1\nsearch bench.example\noptions edns0 timeout:1 attempts:1\n' >"$T/resolv.conf"
printf '127.0.0.1 localhost\n10.99.0.1 benchhost\n' >"$T/hosts"
mount --bind "$T/resolv.conf" /etc/resolv.conf && mount --bind "$T/hosts" /etc/hosts ||
	die "cannot mount the bench's resolv.conf and hosts over /etc"

# Build the helper with the build's compiler and warnings.
mk() { sed -n "s/^$1 = //p" "$B/Makefile" | head -1; }
CC=$(mk CC)
# shellcheck disable=SC2046
${CC:-cc} $(mk CFLAGS) $(mk HARDEN_CPPFLAGS) $(mk WARN_CFLAGS) -o "$T/benchtool" \
	"$S/tests/bench/benchtool.c" 2>>"$LOG" || die "cannot compile benchtool.c (see $LOG)"
BT=$T/benchtool

if [ $QUICK -eq 1 ]; then
	IPERF=(-n 32M) DUR=0.2 NSPAWN=3 NPROP=20 NSCALE=20 NIPADDR=3
else
	IPERF=(-t 2) DUR=1 NSPAWN=20 NPROP=250 NSCALE=1000 NIPADDR=10
fi
PORT=5301 IPORT=5201

# ---- setups ----
SETUPS="native lxnet pasta slirp4netns"
declare -A HOST AVAIL WHY
HOST[native]=127.0.0.1 HOST[lxnet]=127.0.0.1 HOST[pasta]=10.99.0.254 HOST[slirp4netns]=10.0.2.2
LXRUN=("$B/src/lxnet/lxnet" run --resolv-conf="$T/resolv.conf" --hosts-file="$T/hosts" --)
# The emulated NETLINK_ROUTE endpoint (what --hide-if gets; the default
# gives a sandbox the host's own netlink socket when nothing is hidden).
LXRUN_EMU=("$B/src/lxnet/lxnet" run --netlink=emulated --resolv-conf="$T/resolv.conf" \
	--hosts-file="$T/hosts" --)
# A 100-rule connection policy whose last rule allows the bench's server:
# every connect is decided after 99 misses.
for i in $(seq 1 99); do echo "deny tcp:10.$i.0.0/16:1-1023"; done >"$T/policy"
echo "allow tcp:127.0.0.1" >>"$T/policy"
LXRUN_POLICY=("$B/src/lxnet/lxnet" run --resolv-conf="$T/resolv.conf" --hosts-file="$T/hosts" \
	--policy="$T/policy" --)
# A policy that refuses the host's loopback: a client inside reaches a
# server inside there through the proxy's own-server path.
LXRUN_OWN=("$B/src/lxnet/lxnet" run --resolv-conf="$T/resolv.conf" --hosts-file="$T/hosts" \
	--allow=tcp:192.0.2.1:443 --)
# setw SETUP - W becomes the command prefix that runs a command in SETUP.
# pasta runs as root here (we are root): --runas 0 keeps it from switching to
# nobody, which cannot open /dev/net/tun (0600 on this machine).
setw() {
	case $1 in
	native) W=() ;;
	lxnet) W=("${LXRUN[@]}") ;;
	pasta) W=(pasta --runas 0 --config-net -q --) ;;
	slirp4netns) W=(bash "$S/tests/bench/slirp-run.sh") ;;
	esac
}
W=()
command -v pasta >/dev/null || WHY[pasta]="pasta not installed"
command -v slirp4netns >/dev/null || WHY[slirp4netns]="slirp4netns not installed"
for s in $SETUPS; do
	setw "$s"
	if [ -z "${WHY[$s]:-}" ] && ! timeout 20 "${W[@]}" true >>"$LOG" 2>&1; then
		WHY[$s]="$s sandbox does not start (see bench.log)"
	fi
	if [ -n "${WHY[$s]:-}" ]; then
		AVAIL[$s]=0
		note "${WHY[$s]}: its column is n/a"
	else
		AVAIL[$s]=1
	fi
done
[ "${AVAIL[lxnet]}" -eq 1 ] || note "lxnet run does not work here: every lxnet cell is n/a"

# Netlink/SIOCGIF emulation: live when getifaddrs() in `lxnet run` lists the
# host's lxbench0 (the sandbox's own namespace has only lo).
NLEMU=0
if [ "${AVAIL[lxnet]}" -eq 1 ] && timeout 20 "${LXRUN[@]}" "$BT" ifcheck lxbench0 >>"$LOG" 2>&1; then
	NLEMU=1
fi
NLNOTE="netlink emulation not built"

# ---- samples ----
mkdir -p "$T/s"
# add METRIC SETUP VALUE... - record samples (numbers only)
add() {
	local m=$1 s=$2 v
	shift 2
	for v in "$@"; do
		case $v in
		''|*[!0-9.]*|*.*.*) log "bad sample '$v' for $m/$s" ;;
		*) echo "$v" >>"$T/s/$m.$s" ;;
		esac
	done
}
# run_to SECS CMD... - CMD with a bound, stdout kept, stderr to the log
run_to() {
	local t=$1
	shift
	timeout --kill-after=5 "$t" "$@" 2>>"$LOG"
}
# wait_listen PORT - bounded wait until 127.0.0.1:PORT listens (TCP)
wait_listen() {
	local hex i=0
	hex=$(printf ':%04X' "$1")
	while [ $i -lt 500 ]; do
		grep -q "0100007F$hex 00000000:0000 0A" /proc/net/tcp && return 0
		sleep 0.01
		i=$((i + 1))
	done
	return 1
}
# iperf SETUP METRIC [-R] - one iperf3 run, Gbit/s at the receiver
iperf() {
	local s=$1 m=$2 out v
	shift 2
	setsid iperf3 -s -1 -B 127.0.0.1 -p $IPORT >/dev/null 2>&1 &
	local sp=$!
	wait_listen $IPORT || { kill -- -$sp 2>/dev/null; log "iperf3 server did not start"; return; }
	out=$(run_to 60 "${W[@]}" iperf3 -c "${HOST[$s]}" -p $IPORT "${IPERF[@]}" -f m "$@")
	v=$(echo "$out" | awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i / 1000 }' | tail -1)
	[ -n "$v" ] || log "iperf3 $s $*: $out"
	add "$m" "$s" "$v"
	kill -- -$sp 2>/dev/null
	wait $sp 2>/dev/null
}

setsid "$BT" serve $PORT "$T/serve.ready" >>"$LOG" 2>&1 &
PIDS="$PIDS $!"
wait_listen $PORT || die "benchtool serve did not start"
setsid "$BT" dns 53 "$T/dns.ready" >>"$LOG" 2>&1 &
PIDS="$PIDS $!"
i=0
while [ ! -e "$T/dns.ready" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
[ -e "$T/dns.ready" ] || die "benchtool dns did not start"
# getaddrinfo: a name of the bench's hosts file, and one only the DNS server
# on loopback answers (two dots: asked as is, no search list first).
GAI_HOSTS=benchhost GAI_DNS=svc.bench.example

# ---- per-repetition measurements, setups interleaved ----
measure_rep() {
	local s=$1 h=${HOST[$1]} d=$DUR
	setw "$s"
	iperf "$s" tcp_up_gbps
	iperf "$s" tcp_down_gbps -R
	v=$(run_to 60 "${W[@]}" "$BT" conn "$h" $PORT $d)
	add tcp_conn_per_s "$s" "$v"
	# the same connections under a 100-rule policy; native is the ratio's base
	if [ "$s" = native ]; then
		add tcp_conn_policy_per_s native "$v"
	elif [ "$s" = lxnet ]; then
		add tcp_conn_policy_per_s lxnet \
			"$(run_to 60 "${LXRUN_POLICY[@]}" "$BT" conn "$h" $PORT $d)"
	fi
	# a client and a server of the sandbox's own on the loopback, under a
	# policy refusing the host's loopback (lxnet), and natively
	if [ "$s" = native ]; then
		add tcp_conn_own_per_s native "$(run_to 60 "$BT" connown $d)"
	elif [ "$s" = lxnet ]; then
		add tcp_conn_own_per_s lxnet "$(run_to 60 "${LXRUN_OWN[@]}" "$BT" connown $d)"
	fi
	add udp_rr_per_s "$s" "$(run_to 60 "${W[@]}" "$BT" udprr "$h" $PORT $d)"
	# one trapped call: getsockname() on an emulated netlink socket inside;
	# native: the same call trapped by a supervisor that only answers
	if [ "$s" = native ]; then
		add trapped_call_us native "$(run_to 60 "$BT" unotif $d)"
	elif [ "$s" = lxnet ] && [ $NLEMU -eq 1 ]; then
		add trapped_call_us lxnet "$(run_to 60 "${LXRUN_EMU[@]}" "$BT" trapcall $d)"
	fi
	if [ "$s" != lxnet ] || [ $NLEMU -eq 1 ]; then
		add getifaddrs_per_s "$s" "$(run_to 60 "${W[@]}" "$BT" ifaddrs $d)"
		# the emulated endpoint's (--hide-if); native is the base
		if [ "$s" = native ]; then
			add getifaddrs_emulated_per_s native "$(tail -n1 "$T/s/getifaddrs_per_s.native")"
		elif [ "$s" = lxnet ]; then
			add getifaddrs_emulated_per_s lxnet \
				"$(run_to 60 "${LXRUN_EMU[@]}" "$BT" ifaddrs $d)"
		fi
		# shellcheck disable=SC2046
		add ip_addr_ms "$s" $(run_to 60 "${W[@]}" "$BT" spawn $NIPADDR ip addr)
	fi
	if [ "$s" = native ]; then
		add read_resolv_per_s "$s" "$(run_to 60 "$BT" readrate "$T/resolv.conf" $d)"
	else
		add read_resolv_per_s "$s" "$(run_to 60 "${W[@]}" "$BT" readrate /etc/resolv.conf $d)"
	fi
	if [ "$s" = native ]; then
		add read_hosts_per_s "$s" "$(run_to 60 "$BT" readrate "$T/hosts" $d)"
	else
		add read_hosts_per_s "$s" "$(run_to 60 "${W[@]}" "$BT" readrate /etc/hosts $d)"
	fi
	add read_procnetdev_per_s "$s" "$(run_to 60 "${W[@]}" "$BT" readrate /proc/net/dev $d)"
	if [ "$s" != lxnet ] || [ $NLEMU -eq 1 ]; then
		add getaddrinfo_per_s "$s" "$(run_to 60 "${W[@]}" "$BT" gai $GAI_HOSTS $d)"
		# pasta and slirp4netns have no DNS server on their own loopback.
		case $s in native|lxnet)
			add getaddrinfo_dns_per_s "$s" "$(run_to 60 "${W[@]}" "$BT" gai $GAI_DNS $d)" ;;
		esac
	fi
}
for r in $(seq 1 "$REPS"); do
	for s in $SETUPS; do
		[ "${AVAIL[$s]}" -eq 1 ] || continue
		echo "run.sh: repetition $r/$REPS: $s" >&2
		measure_rep "$s"
	done
done

# ---- change propagation (host address added -> seen in the sandbox) ----
echo "run.sh: change propagation ($NPROP changes each)" >&2
prop() {
	local m=$1 s=$2
	shift 2
	# shellcheck disable=SC2046
	add "$m" "$s" $(run_to 120 "$BT" prop-drive lxbench0 $NPROP "$@")
}
prop prop_view "native" "$BT" prop-watch file /proc/net/if_inet6 $NPROP
prop prop_netlink "native" "$BT" prop-watch netlink - $NPROP
if [ "${AVAIL[lxnet]}" -eq 1 ]; then
	prop prop_view lxnet "${LXRUN[@]}" "$BT" prop-watch file /proc/net/if_inet6 $NPROP
	[ $NLEMU -eq 1 ] && prop prop_netlink lxnet "${LXRUN[@]}" "$BT" prop-watch netlink - $NPROP
fi

# ---- start-up ----
echo "run.sh: start-up ($NSPAWN runs each)" >&2
# shellcheck disable=SC2046
add startup_ms native $(run_to 120 "$BT" spawn $NSPAWN unshare -rn true)
[ "${AVAIL[lxnet]}" -eq 1 ] && add startup_ms lxnet $(run_to 120 "$BT" spawn $NSPAWN "${LXRUN[@]}" true)
[ "${AVAIL[pasta]}" -eq 1 ] && add startup_ms pasta $(run_to 120 "$BT" spawn $NSPAWN pasta --runas 0 --config-net -q -- true)
[ "${AVAIL[slirp4netns]}" -eq 1 ] &&
	add startup_ms slirp4netns $(run_to 120 "$BT" spawn $NSPAWN bash "$S/tests/bench/slirp-run.sh" true)

# ---- scale: NSCALE sandboxes x 10 sockets through one proxy ----
echo "run.sh: scale ($NSCALE sandboxes x 10 sockets)" >&2
kv() { echo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
out=$(run_to 300 "$BT" scale $NSCALE 0 "$BT" hold 10)
log "scale native: $out"
add scale_sockets_per_s native "$(kv "$out" sockets_per_s)"
if [ "${AVAIL[lxnet]}" -eq 1 ]; then
	# emulated endpoints for the netlink row (the host's sockets cost it nothing)
	setsid "$B/proxy/lxnet-proxy" --socket "$T/proxy.sock" --netlink=emulated \
		--max-listeners $((NSCALE + 16)) >>"$LOG" 2>&1 &
	PP=$!
	PIDS="$PIDS $PP"
	i=0
	while [ ! -S "$T/proxy.sock" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
	SHIM=(unshare -rn "$B/src/lxnet/lxnet" shim --proxy "$T/proxy.sock" --)
	out=$(run_to 300 "$BT" scale $NSCALE $PP "${SHIM[@]}" "$BT" hold 10)
	log "scale lxnet: $out"
	add scale_sockets_per_s lxnet "$(kv "$out" sockets_per_s)"
	base=$(kv "$out" rss_base_kib) done=$(kv "$out" rss_done_kib)
	[ -n "$base" ] && [ -n "$done" ] &&
		add scale_kib_per_sandbox lxnet "$(awk -v a="$base" -v b="$done" -v n=$NSCALE 'BEGIN { printf "%.2f", (b - a) / n }')"
	if [ $NLEMU -eq 1 ]; then
		out2=$(run_to 300 "$BT" scale $NSCALE $PP "${SHIM[@]}" "$BT" hold 10 netlink)
		log "scale lxnet+netlink: $out2"
		b2=$(kv "$out2" rss_base_kib) d2=$(kv "$out2" rss_done_kib)
		[ -n "$b2" ] && [ -n "$d2" ] && [ -n "$base" ] && [ -n "$done" ] &&
			add scale_kib_per_nl_endpoint lxnet "$(awk -v a="$base" -v b="$done" -v c="$b2" -v d="$d2" -v n=$NSCALE \
				'BEGIN { x = ((d - c) - (b - a)) / n; printf "%.2f", x < 0 ? 0 : x }')"
	fi
	kill -- -"$PP" 2>/dev/null
fi
# pasta and slirp4netns: one process per sandbox; its idle RSS is the cost.
rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
if [ "${AVAIL[pasta]}" -eq 1 ]; then
	pasta --runas 0 --config-net -q -- sleep 3 >>"$LOG" 2>&1 &
	pp=$!
	sleep 1
	add scale_kib_per_sandbox pasta "$(rss_of $pp)"
	wait $pp
fi
if [ "${AVAIL[slirp4netns]}" -eq 1 ]; then
	unshare -rn sleep 3 &
	up=$!
	sleep 0.2
	slirp4netns --configure --mtu=65520 $up tap0 >>"$LOG" 2>&1 &
	sp=$!
	sleep 1
	add scale_kib_per_sandbox slirp4netns "$(rss_of $sp)"
	wait $up
	kill $sp 2>/dev/null
	wait $sp 2>/dev/null
fi

# ---- the table ----
# metric|unit|goal kind|goal value|goal text|needs netlink emulation
METRICS="tcp_up_gbps|Gbit/s|rge|0.97|>= 0.97x|0
tcp_down_gbps|Gbit/s|rge|0.97|>= 0.97x|0
tcp_conn_per_s|conn/s|rge|0.85|>= 0.85x|0
tcp_conn_policy_per_s|conn/s|info||100 rules|0
tcp_conn_own_per_s|conn/s|info||own server, policy|0
udp_rr_per_s|req/s|rge|0.95|>= 0.95x|0
trapped_call_us|us|info||-|1
getifaddrs_per_s|calls/s|rge|0.5|>= 0.5x (time <= 2x)|1
getifaddrs_emulated_per_s|calls/s|info||-|1
ip_addr_ms|ms|rle|2|<= 2x|1
read_resolv_per_s|reads/s|rge|0.5|>= 0.5x|0
read_hosts_per_s|reads/s|rge|0.5|>= 0.5x|0
read_procnetdev_per_s|reads/s|rge|0.2|>= 0.2x|0
getaddrinfo_per_s|calls/s|rge|0.5|>= 0.5x|1
getaddrinfo_dns_per_s|calls/s|rge|0.5|>= 0.5x|1
prop_netlink_p50_ms|ms|info||-|1
prop_netlink_p99_ms|ms|ale|5|<= 5 ms|1
prop_view_p50_ms|ms|info||-|0
prop_view_p99_ms|ms|ale|5|<= 5 ms|0
startup_ms|ms|ale|30|<= 30 ms|0
scale_sockets_per_s|sockets/s|info||-|0
scale_kib_per_sandbox|KiB|info||-|0
scale_kib_per_nl_endpoint|KiB|info||-|1"

# stats FILE [P] - "median min max" of the samples (P: percentile instead)
stats() {
	[ -s "$1" ] || { echo "n/a n/a n/a"; return; }
	sort -g "$1" | awk -v p="${2:-50}" '{ v[NR] = $1 } END {
		k = int((NR - 1) * p / 100 + 0.5) + 1
		if (p == 50 && NR % 2 == 0) m = (v[NR / 2] + v[NR / 2 + 1]) / 2; else m = v[k]
		printf "%s %s %s\n", f(m), f(v[1]), f(v[NR]) }
	function f(x) { return sprintf(x >= 1000 ? "%.0f" : x >= 100 ? "%.1f" : x >= 1 ? "%.2f" : "%.3f", x) }'
}
TSV=$OUT/bench.tsv
{
	printf 'metric\tunit'
	for s in $SETUPS; do printf '\t%s\t%s_min\t%s_max' "$s" "$s" "$s"; done
	printf '\tratio\tgoal\tresult\tnote\n'
	echo "$METRICS" | while IFS='|' read -r m unit kind gv gtext nl; do
		declare -A med
		printf '%s\t%s' "$m" "$unit"
		for s in $SETUPS; do
			case $m in
			prop_*_p50_ms) read -r a b c < <(stats "$T/s/${m%_p50_ms}.$s" 50) ;;
			prop_*_p99_ms) read -r a b c < <(stats "$T/s/${m%_p99_ms}.$s" 99) ;;
			*) read -r a b c < <(stats "$T/s/$m.$s") ;;
			esac
			med[$s]=$a
			printf '\t%s\t%s\t%s' "$a" "$b" "$c"
		done
		ratio=n/a result=n/a noteq=""
		if [ "${med[native]}" != n/a ] && [ "${med[lxnet]}" != n/a ]; then
			ratio=$(awk -v a="${med[lxnet]}" -v b="${med[native]}" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
		fi
		case $kind in
		rge|rle) [ "$ratio" != n/a ] &&
			result=$(awk -v r="$ratio" -v g="$gv" -v k=$kind 'BEGIN { ok = k == "rge" ? r >= g : r <= g; print ok ? "pass" : "fail" }') ;;
		ale) [ "${med[lxnet]}" != n/a ] &&
			result=$(awk -v v="${med[lxnet]}" -v g="$gv" 'BEGIN { print v <= g ? "pass" : "fail" }') ;;
		info) result=info ;;
		esac
		if [ "$nl" = 1 ] && [ $NLEMU -eq 0 ]; then
			noteq="lxnet: n/a ($NLNOTE)"
			[ "$kind" = info ] || result=n/a
		elif [ "${med[lxnet]}" = n/a ] && [ "$m" != scale_kib_per_nl_endpoint ]; then
			noteq="lxnet: no result (see bench.log)"
		fi
		case $m in
		prop_*) noteq="${noteq:+$noteq; }$NPROP changes; min-max of samples; pasta/slirp4netns do not follow host changes" ;;
		scale_kib_per_sandbox) noteq="lxnet: proxy RSS growth / $NSCALE sandboxes; pasta/slirp4netns: RSS of the one process each sandbox needs" ;;
		scale_sockets_per_s) noteq="$NSCALE processes x 10 sockets released at once; lxnet via one lxnet-proxy + shim" ;;
		startup_ms) noteq="native: unshare -rn true; slirp4netns: slirp-run.sh true" ;;
		read_resolv_per_s|read_hosts_per_s) noteq="native: the host's file the view follows" ;;
		trapped_call_us) noteq="lxnet: getsockname() on an emulated netlink socket; native: getsockname() trapped by a supervisor that only answers (the mechanism's floor)" ;;
		getifaddrs_emulated_per_s) noteq="lxnet: --netlink=emulated (what --hide-if gets); native: getifaddrs_per_s's samples" ;;
		getaddrinfo_per_s) noteq="AI_ADDRCONFIG, AF_UNSPEC; a name of the hosts file" ;;
		getaddrinfo_dns_per_s) noteq="AI_ADDRCONFIG, AF_UNSPEC; a name the DNS server on 127.0.0.1 answers (A; AAAA empty); pasta/slirp4netns: no server on their loopback" ;;
		esac
		printf '\t%s\t%s\t%s\t%s\n' "$ratio" "$gtext" "$result" "${noteq:--}"
		unset med
	done
} >"$TSV"

# Human table: median [min-max]
fmt() { [ "$1" = n/a ] && { echo n/a; return; }; echo "$1 [$2-$3]"; }
TXT=$OUT/bench.txt
{
	printf '%-32s %-24s %-24s %-24s %-24s %-7s %-21s %s\n' metric native lxnet pasta slirp4netns lx/nat goal result
	tail -n +2 "$TSV" | while IFS=$'\t' read -r m unit n1 n2 n3 l1 l2 l3 p1 p2 p3 s1 s2 s3 ratio goal result rnote; do
		lx=$(fmt "$l1" "$l2" "$l3")
		[ "${rnote#lxnet: n/a}" != "$rnote" ] && lx="n/a (not built)"
		printf '%-32s %-24s %-24s %-24s %-24s %-7s %-21s %s\n' "$m ($unit)" "$(fmt "$n1" "$n2" "$n3")" \
			"$lx" "$(fmt "$p1" "$p2" "$p3")" "$(fmt "$s1" "$s2" "$s3")" "$ratio" "$goal" "$result"
	done
} >"$TXT"
cat "$TXT"
echo
echo "run.sh: $REPS repetition(s); TSV $TSV; log $LOG"

# ---- chart: lxnet/native ratios of the rows with a ratio goal ----
SVG=$OUT/bench.svg
awk -F'\t' 'NR > 1 && $15 != "n/a" && ($16 ~ /x/) {
	g = $16; sub(/^[<>]= /, "", g); sub(/x.*/, "", g)
	printf "%d \"%s\" %s %s\n", n++, $1, $15, g }' "$TSV" >"$T/chart.dat"
if command -v gnuplot >/dev/null && [ -s "$T/chart.dat" ]; then
	gnuplot >>"$LOG" 2>&1 <<EOF || note "gnuplot failed"
set terminal svg size 900,480 dynamic font "sans,11"
set output "$SVG"
set title "lxnet / native (same run, medians of $REPS); goals as marks"
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
set grid ytics
set xtics rotate by -30
set key top left
plot "$T/chart.dat" using 1:3:xtic(2) with boxes title "lxnet / native", \
     "" using 1:4 with points pt 7 ps 1.2 title "goal", \
     1 with lines dt 2 lc rgb "black" title "native"
EOF
else
	note "no chart (gnuplot missing or no ratios)"
fi

# ---- docs/PERFORMANCE.md ----
if [ $UPDATE_DOCS -eq 1 ]; then
	doc=$S/docs/PERFORMANCE.md
	[ -f "$doc" ] || die "$doc missing"
	{
		echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, kernel $(uname -r), $REPS repetitions;"
		echo "passt $(dpkg-query -W -f '${Version}' passt 2>/dev/null || echo '?'),"
		echo "slirp4netns $(slirp4netns --version 2>/dev/null | awk 'NR == 1 { print $3 }'),"
		echo "iperf3 $(dpkg-query -W -f '${Version}' iperf3 2>/dev/null || echo '?')."
		echo "Cells: median [min-max]."
		echo
		echo '| metric | native | lxnet | pasta | slirp4netns | lxnet/native | goal | result |'
		echo '|---|---|---|---|---|---|---|---|'
		tail -n +2 "$TSV" | while IFS=$'\t' read -r m unit n1 n2 n3 l1 l2 l3 p1 p2 p3 s1 s2 s3 ratio goal result rnote; do
			lx=$(fmt "$l1" "$l2" "$l3")
			[ "${rnote#lxnet: n/a}" != "$rnote" ] && lx="n/a ($NLNOTE)"
			echo "| $m ($unit) | $(fmt "$n1" "$n2" "$n3") | $lx | $(fmt "$p1" "$p2" "$p3") | $(fmt "$s1" "$s2" "$s3") | $ratio | ${goal//|/} | $result |"
		done
	} >"$T/table.md"
	awk -v tf="$T/table.md" '
		/<!-- bench:begin -->/ { print; while ((getline l < tf) > 0) print l; skip = 1; next }
		/<!-- bench:end -->/ { skip = 0 }
		!skip { print }' "$doc" >"$T/doc.md" && cat "$T/doc.md" >"$doc"
	[ -s "$SVG" ] && cp "$SVG" "$S/docs/bench-ratios.svg"
	cp "$TSV" "$S/docs/bench-results.tsv"
	echo "run.sh: updated $doc"
fi
exit 0
