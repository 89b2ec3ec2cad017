#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/soak.sh - several sandboxes side by side for minutes while the host's
# network churns under them: what each lxnetfs and lxnet-proxy costs in
# memory and CPU over time, and whether every sandbox kept being served
# (issue "One sandbox cannot hurt another").
#
# Usage: tools/soak.sh [--duration S] [--sandboxes N] [--out FILE]
#                      [--pause S] [--logs DIR] [--builddir DIR]
#
# As root. The script re-executes itself as init of new network, mount, pid
# and uts namespaces (as tests/integration/lib.sh's lib_enter_ns): the
# "host" is veth pairs there, its resolv.conf and hosts are files of the
# run's own bound over /etc in that mount namespace, dnsmasq and an HTTP
# server listen on it; the machine's network, /etc and /dev/fuse are never
# touched, and every process the run started ends with it. In that host it
# starts N `lxnet run --pid` sandboxes (each with its own lxnetfs and
# lxnet-proxy; N default 4), each looping over a workload (ip -o addr, ip
# route, /etc/resolv.conf, /etc/hosts, /proc/net/dev, an HTTP GET from the
# host's loopback, getent hosts of a name in the hosts file and of one only
# dnsmasq knows) with one `ip monitor` running throughout, for DURATION
# seconds (default 300, at least 20), PAUSE seconds between iterations
# (default 0: as fast as it goes). Meanwhile the host changes something
# every 100 ms (fewer when the machine is busy; the rate reached is
# printed): an address, a route, a link's state, resolv.conf and hosts
# rewritten in place. Every 10 s it samples VmRSS and utime+stime of each
# companion (and of the lxnet front end); at the end it prints, per
# companion, RSS after 10 s, its maximum, at the end and its change over
# the second half, CPU seconds and % of one core; per sandbox its
# iterations and failures, each failed step with what it printed; and each
# sandbox's `ip monitor` against one run on the host itself (the kernel's
# own notifications) and against the first sandbox's: lines missing, extra,
# or in another order. --out FILE keeps the samples as CSV
# (t_s,sandbox,kind,pid,rss_kb,cpu_ticks,age_s; CLK_TCK ticks), --logs DIR
# the monitors' logs, the failures and lxnet's messages.
#
# Exit status: 0 when the run happened (failures found are reported, not an
# error), 1 when it could not be set up, 2 on a usage error.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
duration=300 sandboxes=4 out="" pause=0 logs="" builddir=$src/build

# usage [STATUS] - the comment above as help (STATUS 0: on standard output)
usage() {
	if [ "${1:-2}" -eq 0 ]; then
		sed -n '3,/^set -eu$/{ /^set -eu$/d; s/^# \{0,1\}//p; }' "$0"
	else
		sed -n 's/^# Usage: /usage: /p; s/^#  *\(\[--.*\)$/                     \1/p' "$0" >&2
	fi
	exit "${1:-2}"
}
die() {
	echo "tools/soak.sh: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--duration | --sandboxes | --out | --pause | --logs | --builddir)
		[ $# -ge 2 ] || usage
		v=$2
		case $1 in
		--duration) duration=$v ;;
		--sandboxes) sandboxes=$v ;;
		--out) out=$v ;;
		--pause) pause=$v ;;
		--logs) logs=$v ;;
		--builddir) builddir=$v ;;
		esac
		shift 2
		;;
	-h | --help) usage 0 ;;
	*) usage ;;
	esac
done
case $duration in '' | *[!0-9]*) usage ;; esac
case $sandboxes in '' | *[!0-9]*) usage ;; esac
[ "$duration" -ge 20 ] && [ "$sandboxes" -ge 1 ] && [ "$sandboxes" -le 32 ] || usage
case $pause in '' | *[!0-9.]*) usage ;; esac
builddir=$(cd "$builddir" 2>/dev/null && pwd) || die "no build directory $builddir"
case $out in '' | /*) ;; *) out=$PWD/$out ;; esac
case $logs in '' | /*) ;; *) logs=$PWD/$logs ;; esac

top_builddir=$builddir top_srcdir=$src
. "$src/tests/integration/lib.sh"
LXNET=$builddir/src/lxnet/lxnet
PY=/usr/bin/python3

if [ -z "${LXNET_IN_TEST_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || die "run it as root"
	for b in "$LXNET" "$builddir/fs/lxnetfs" "$builddir/proxy/lxnet-proxy"; do
		[ -x "$b" ] || die "$b not built"
	done
	for t in unshare timeout ip curl getent dnsmasq; do
		command -v $t >/dev/null || die "$t missing"
	done
	[ -x "$PY" ] || die "$PY missing"
	[ -c /dev/fuse ] || die "no /dev/fuse"
	unshare --net --mount --uts --pid --fork true 2>/dev/null ||
		die "cannot create network, mount, uts and pid namespaces here"
	[ -z "$out" ] || : >"$out" || die "cannot write $out"
	[ -z "$logs" ] || mkdir -p "$logs" || die "cannot make $logs"
	# As lib_enter_ns, but not exec'd: this shell stays outside to remove
	# the run's directory however the run ends (a signal to this shell
	# ends the namespace's init, and with it every process of the run).
	d=$(mktemp -d "${TMPDIR:-/tmp}/lxnet-soak.XXXXXX") || die "mktemp failed"
	lib_run_ns "$d" $((duration + 240)) --duration "$duration" \
		--sandboxes "$sandboxes" --pause "$pause" --builddir "$builddir" \
		${out:+--out "$out"} ${logs:+--logs "$logs"}
fi
# from here on: init of the run's own namespaces
# lib.sh's clean-up commands may fail (a server already gone): not under -e
trap 'set +e; lib_run_cleanup' EXIT
ip link set lo up
lib_hide_config
TMP_DIR=$LIB_RUN_DIR
export TMPDIR=$TMP_DIR # lxnet's staging directories
HZ=$(getconf CLK_TCK)

# soak_make_host - veth lxv0/lxv1 with addresses and a route (as the tests'
# run_make_host), veth lxc0/lxc1 whose link is flapped, resolv.conf and
# hosts of the run's own bound over /etc's in this mount namespace
soak_make_host() {
	ip link add lxv0 type veth peer name lxv1 &&
		ip addr add 10.77.0.1/24 dev lxv0 &&
		ip addr add 10.77.1.2/24 dev lxv1 &&
		ip link set lxv0 up && ip link set lxv1 up &&
		ip route add 10.88.0.0/16 via 10.77.0.254 dev lxv0 &&
		ip link add lxc0 type veth peer name lxc1 &&
		ip link set lxc0 up && ip link set lxc1 up || return 1
	printf 'nameserver 10.77.0.1\nsearch example.test\n' >"$TMP_DIR/resolv.conf"
	printf '127.0.0.1\tlocalhost\n10.77.0.9\thostfile.test\n' >"$TMP_DIR/hosts"
	lib_in_private_mntns || return 1
	mount --bind "$TMP_DIR/resolv.conf" /etc/resolv.conf &&
		mount --bind "$TMP_DIR/hosts" /etc/hosts
}

# soak_dns - dnsmasq answering dns.test (10.77.0.42) on every address the
# churned resolv.conf names (NS), nothing else (no upstream)
NS=(10.77.0.1 127.0.0.1 10.77.1.2)
soak_dns() {
	dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
		--listen-address="${NS[0]}" --listen-address="${NS[1]}" --listen-address="${NS[2]}" \
		--port=53 --user=root --pid-file="$TMP_DIR/dnsmasq.pid" \
		--address=/dns.test/10.77.0.42 --log-facility="$TMP_DIR/dnsmasq.log" &
	lib_on_exit "kill $!"
	wait_until 10 test -s "$TMP_DIR/dnsmasq.pid"
}

# soak_http PORT - python's http.server on the host's 127.0.0.1:PORT; SRV
soak_http() {
	mkdir -p "$TMP_DIR/www"
	echo soak >"$TMP_DIR/www/index.html"
	(cd "$TMP_DIR/www" && exec "$PY" -m http.server -b 127.0.0.1 "$1") \
		>"$TMP_DIR/http.log" 2>&1 &
	SRV=$!
	wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$1/"
}

# The workload, run in each sandbox: NAME DEADLINE PORT DIR PAUSE. A step
# fails when it exits non-zero (bounded at 10 s) or its output lacks what
# it must show; each failure is one line in DIR/fail.log.
cat >"$TMP_DIR/workload.sh" <<'EOF'
set -u
deadline=$2 port=$3 dir=$4 pause=$5
ip -o monitor link address route >"$dir/monitor.log" 2>&1 &
mon=$!
iter=0 failed=0
step() { # NAME MUST-MATCH CMD...
	local n=$1 re=$2 o st
	shift 2
	o=$(timeout 10 "$@" 2>&1)
	st=$?
	[ $st -eq 0 ] && printf '%s\n' "$o" | grep -q -e "$re" && return 0
	printf '%s iter %d step %s status %d: %s\n' "$(date +%T.%N)" "$iter" "$n" "$st" \
		"$(printf '%s' "$o" | head -c 400 | tr '\n' '|')" >>"$dir/fail.log"
	return 1
}
while [ "$(date +%s)" -lt "$deadline" ] && [ ! -e "$dir/../stop" ] && [ $iter -lt 1000000 ]; do
	iter=$((iter + 1))
	ok=0
	step ip-addr ' lxv0 .*inet 10\.77\.0\.1/24' ip -o addr || ok=1
	step ip-route '^10\.88\.0\.0/16 via 10\.77\.0\.254' ip route || ok=1
	step resolv.conf '^nameserver [0-9]' cat /etc/resolv.conf || ok=1
	step hosts 'hostfile\.test' cat /etc/hosts || ok=1
	step proc-net-dev '^ *lxv0:' cat /proc/net/dev || ok=1
	step http-get '^200$' curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/" || ok=1
	step getent-files '^10\.77\.0\.9 .*hostfile\.test' getent hosts hostfile.test || ok=1
	step getent-dns '^10\.77\.0\.42 .*dns\.test' getent hosts dns.test || ok=1
	step ip-monitor '' kill -0 "$mon" || ok=1
	[ $ok -eq 0 ] || failed=$((failed + 1))
	echo "$iter $failed" >"$dir/count"
	[ "$pause" = 0 ] || sleep "$pause"
done
if kill -0 "$mon" 2>/dev/null; then echo alive; else echo dead; fi >"$dir/monitor.status"
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
exit 0
EOF

# churn END - change the host every 100 ms until END (epoch seconds) or
# the file churn.stop: an address, a route, lxc1's link, resolv.conf and hosts
# (in place: they are bind mounts); counts in churn.count
churn() {
	local i=0 err=0
	while [ "$EPOCHSECONDS" -lt "$1" ] && [ ! -e "$TMP_DIR/churn.stop" ] && [ $i -lt 1000000 ]; do
		case $((i % 8)) in
		0) ip addr add 10.99.0.1/24 dev lxv0 ;;
		1) ip route add 10.123.0.0/24 via 10.77.0.254 dev lxv0 ;;
		2) ip link set lxc1 down ;;
		3) printf 'nameserver %s\nsearch example.test\n' "${NS[i / 8 % 3]}" >"$TMP_DIR/resolv.conf" ;;
		4) ip addr del 10.99.0.1/24 dev lxv0 ;;
		5) ip route del 10.123.0.0/24 via 10.77.0.254 dev lxv0 ;;
		6) ip link set lxc1 up ;;
		7) printf '127.0.0.1\tlocalhost\n10.77.0.9\thostfile.test\n10.77.0.%d\tchurn.test\n' \
			$((i % 250 + 1)) >"$TMP_DIR/hosts" ;;
		esac 2>>"$TMP_DIR/churn.err" || err=$((err + 1))
		i=$((i + 1))
		echo "$i $err" >"$TMP_DIR/churn.count"
		sleep 0.1
	done
}

# proc_sample PID - "rss_kb,cpu_ticks,age_s" of PID, or ",,"
proc_sample() {
	local rss ticks start up
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || rss=""
	ticks=$(lib_cpu_ticks "$1") || ticks=""
	start=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }') || start=""
	up=$(cut -d' ' -f1 /proc/uptime)
	if [ -n "$rss" ] && [ -n "$ticks" ] && [ -n "$start" ]; then
		echo "$rss,$ticks,$(awk -v u="$up" -v s="$start" -v hz="$HZ" 'BEGIN { printf "%.1f", u - s / hz }')"
	else
		echo ",,"
	fi
}

# sample T - one CSV line per sandbox and kind
sample() {
	local i k
	for i in $(seq 1 "$sandboxes"); do
		for k in lxnetfs lxnet-proxy lxnet; do
			local v=PID_${k//-/_}_$i
			echo "$1,$i,$k,${!v},$(proc_sample "${!v}")" >>"$CSV"
		done
	done
}

# monitors_parked N - N `ip -o monitor` of the workloads wait in a trapped
# receive (as lib.sh's in_trap, for each)
monitors_parked() {
	local p n=0 nr
	for p in $(pgrep -f '^ip -o monitor link address route$'); do
		[ "$p" != "$HOSTMON" ] || continue
		grep -q '^seccomp_do_user_notification' "/proc/$p/wchan" 2>/dev/null || continue
		nr=$(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null) || continue
		[ "$nr" = 47 ] || [ "$nr" = 45 ] || continue
		n=$((n + 1))
	done
	[ $n -ge "$1" ]
}

# find_companions I - the lxnet of sandbox I (child of its timeout) and
# that lxnet's lxnetfs and lxnet-proxy children, into PID_*_I
find_companions() {
	local t=${SB_PID[$1]} l fs px
	l=$(pgrep -P "$t" -x lxnet) || return 1
	fs=$(pgrep -P "$l" -x lxnetfs) || return 1
	px=$(pgrep -P "$l" -x lxnet-proxy) || return 1
	printf -v "PID_lxnet_$1" %s "$l"
	printf -v "PID_lxnetfs_$1" %s "$fs"
	printf -v "PID_lxnet_proxy_$1" %s "$px"
}

soak_make_host || die "cannot make the test host (veth pairs, bind mounts over /etc)"
soak_dns || die "dnsmasq did not start ($(tail -n1 "$TMP_DIR/dnsmasq.log" 2>/dev/null))"
PORT=8765
soak_http $PORT || die "the HTTP server on 127.0.0.1:$PORT did not start ($(tail -n1 "$TMP_DIR/http.log"))"
lib_on_exit "kill $SRV"
CSV=$TMP_DIR/samples.csv
echo "t_s,sandbox,kind,pid,rss_kb,cpu_ticks,age_s" >"$CSV"

echo "# tools/soak.sh: $sandboxes sandboxes, ${duration} s, pause ${pause} s, $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
# cpu_busy_idle - the machine's busy and idle ticks (all CPUs, /proc/stat)
cpu_busy_idle() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
read -r busy0 idle0 < <(cpu_busy_idle)
t0=$EPOCHSECONDS
deadline=$((t0 + duration))
# the kernel's own account of the churn, to hold the sandboxes' against
ip -o monitor link address route >"$TMP_DIR/host-monitor.log" 2>&1 &
HOSTMON=$!
lib_on_exit "kill $HOSTMON"
declare -a SB_PID
for i in $(seq 1 "$sandboxes"); do
	mkdir "$TMP_DIR/sb$i"
	timeout -k 5 $((duration + 60)) "$LXNET" run --pid -- \
		bash "$TMP_DIR/workload.sh" "sb$i" "$((deadline + 30))" "$PORT" "$TMP_DIR/sb$i" "$pause" \
		>"$TMP_DIR/sb$i/out" 2>"$TMP_DIR/sb$i/err" &
	SB_PID[$i]=$!
done
lib_on_exit "touch '$TMP_DIR/stop'"
for i in $(seq 1 "$sandboxes"); do
	wait_until 20 find_companions "$i" ||
		die "sandbox $i: lxnet or its companions did not start ($(head -c 300 "$TMP_DIR/sb$i/err"))"
done
# every sandbox's ip monitor waits in its receive before the churn starts
wait_until 20 monitors_parked "$sandboxes" ||
	die "the sandboxes' ip monitors did not start ($(cat "$TMP_DIR"/sb*/monitor.log 2>/dev/null | head -c 300))"
churn "$((deadline + 30))" &
CHURN=$!
echo "# started; samples every 10 s until $(date -d "@$deadline" +%T)"

# From here on the run happens: what goes wrong is a finding, not a setup
# failure. After the last sample churn.stop ends the churn, then stop the
# workloads (their own deadlines, 30 s later, are a backstop).
n=1
while [ $n -le $((duration / 10)) ]; do
	while [ "$EPOCHSECONDS" -lt $((t0 + n * 10)) ]; do sleep 0.2; done
	sample $((n * 10))
	n=$((n + 1))
done
touch "$TMP_DIR/churn.stop"
wait "$CHURN" || true
sleep 1 # the last change's notifications reach every monitor
touch "$TMP_DIR/stop"
declare -a SB_ST
for i in $(seq 1 "$sandboxes"); do
	st=0
	wait "${SB_PID[$i]}" || st=$?
	SB_ST[$i]=$st
done
read -r busy1 idle1 < <(cpu_busy_idle)
echo "# ended $(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg), the machine's CPUs $(( 100 * (busy1 - busy0) / (busy1 - busy0 + idle1 - idle0 + 1) ))% busy over the run (every process, not only this run's)"
[ -z "$out" ] || cp "$CSV" "$out"
if [ -n "$logs" ]; then
	cp "$TMP_DIR/host-monitor.log" "$TMP_DIR/churn.count" "$logs/"
	[ ! -s "$TMP_DIR/churn.err" ] || cp "$TMP_DIR/churn.err" "$logs/"
	for i in $(seq 1 "$sandboxes"); do
		for f in monitor.log fail.log err count; do
			[ ! -e "$TMP_DIR/sb$i/$f" ] || cp "$TMP_DIR/sb$i/$f" "$logs/sb$i-$f"
		done
	done
fi

echo
echo "Companions (RSS in KiB, 2nd half: its change from mid-run to the end; CPU over the process's whole life and % of one core over that life; row all: mean over the sandboxes, rss max the largest)"
awk -F, -v hz="$HZ" -v nsb="$sandboxes" -v mid=$((duration / 20 * 10)) '
	NR == 1 { next }
	{
		key = $3 " " $2
		if (!(key in first) && $5 != "") first[key] = $5
		if ($1 <= mid && $5 != "") half[key] = $5
		if ($5 != "") { last[key] = $5; ticks[key] = $6; age[key] = $7 }
		else gone[key] = gone[key] " " $1
		if ($5 + 0 > max[key]) max[key] = $5 + 0
		pid[key] = $4
	}
	END {
		printf "%-12s %3s %8s %9s %9s %9s %10s %8s %7s\n", "kind", "sb", "pid", "rss@10s", "rss max", "rss end", "2nd half", "cpu s", "%core"
		n = split("lxnetfs lxnet-proxy lxnet", ks, " ")
		for (j = 1; j <= n; j++) {
			c = 0; s1 = 0; smax = 0; send = 0; sgrow = 0; scpu = 0; spct = 0
			for (i = 1; i <= nsb; i++) {
				key = ks[j] " " i
				if (!(key in pid)) continue
				cpu = ticks[key] / hz; pct = age[key] > 0 ? 100 * cpu / age[key] : 0
				grow = last[key] - half[key]
				printf "%-12s %3s %8s %9s %9s %9s %+10d %8.2f %7.2f%s\n", ks[j], i, pid[key], first[key], max[key], last[key], grow, cpu, pct, \
					(key in gone) ? "  GONE at t=" gone[key] : ""
				c++; s1 += first[key]; smax = max[key] > smax ? max[key] : smax; send += last[key]; sgrow += grow; scpu += cpu; spct += pct
			}
			if (c) printf "%-12s %3s %8s %9d %9d %9d %+10d %8.2f %7.2f\n", ks[j], "all", "avg/max", s1 / c, smax, send / c, sgrow / c, scpu / c, spct / c
		}
	}' "$CSV"

echo
read -r cn ce <"$TMP_DIR/churn.count" || { cn=0; ce=0; }
echo "Host churn: $cn changes, $((cn * 10 / duration)) per 10 s (100 asked for) ($ce refused by ip/the shell)"
[ ! -s "$TMP_DIR/churn.err" ] || sort "$TMP_DIR/churn.err" | uniq -c | head -n 5 | sed 's/^/  /'
echo
printf '%-4s %10s %8s %12s %10s %14s %s\n' sb iterations failed "lxnet status" "monitor" "monitor lines" "failed steps"
for i in $(seq 1 "$sandboxes"); do
	d=$TMP_DIR/sb$i
	read -r it fl <"$d/count" 2>/dev/null || { it=0; fl=0; }
	steps=$(sed -n 's/.* step \([^ ]*\) status.*/\1/p' "$d/fail.log" 2>/dev/null | sort | uniq -c |
		awk '{ printf "%s%s x%d", sep, $2, $1; sep = ", " }')
	printf '%-4s %10s %8s %12s %10s %14s %s\n' "$i" "$it" "$fl" "${SB_ST[$i]}" \
		"$(cat "$d/monitor.status" 2>/dev/null || echo '?')" "$(wc -l <"$d/monitor.log" 2>/dev/null || echo 0)" "${steps:--}"
done
for i in $(seq 1 "$sandboxes"); do
	d=$TMP_DIR/sb$i
	if [ -s "$d/fail.log" ]; then
		echo "sandbox $i: first failures:"
		head -n 5 "$d/fail.log" | sed 's/^/  /'
	fi
	if [ -s "$d/err" ]; then
		echo "sandbox $i: lxnet's standard error:"
		head -n 10 "$d/err" | sed 's/^/  /'
	fi
done
kill "$HOSTMON" 2>/dev/null || true
echo
echo "ip monitor in each sandbox against the host's own (kernel) monitor, $(wc -l <"$TMP_DIR/host-monitor.log") lines:"
"$PY" - "$TMP_DIR/host-monitor.log" "$TMP_DIR"/sb*/monitor.log <<'EOF' || echo "  (comparison failed)"
import collections, os, subprocess, sys
host = sys.argv[1]
logs = {os.path.basename(os.path.dirname(p)): p for p in sys.argv[2:]}
def nlines(p):
    with open(p, errors="replace") as f:
        return len(f.read().splitlines())
def compare(ref, got):
    """lines of file ref that file got lacks, lines got has beyond ref,
    lines both have in another order (Counters), from diff(1)"""
    d = subprocess.run(["diff", ref, got], capture_output=True, text=True, errors="replace")
    if d.returncode > 1:
        raise SystemExit(d.stderr)
    missing, extra = collections.Counter(), collections.Counter()
    for line in d.stdout.splitlines():
        if line.startswith("< "):
            missing[line[2:]] += 1
        elif line.startswith("> "):
            extra[line[2:]] += 1
    moved = missing & extra
    return missing - moved, extra - moved, moved
def show(what, c):
    n = sum(c.values())
    if not n:
        return
    print("    %d line(s) %s; %d distinct, most often:" % (n, what, len(c)))
    for line, k in c.most_common(3):
        print("      %dx %s" % (k, " ".join(line.split())[:150]))
def report(title, ref, got):
    m, e, o = compare(ref, got)
    print("  %s:%s" % (title, "" if m or e or o else " the same"))
    show("missing", m)
    show("extra", e)
    show("in another order", o)
names = sorted(logs, key=lambda s: int(s[2:]))
for name in names:
    report("%s (%d lines) against the host's" % (name, nlines(logs[name])), host, logs[name])
for name in names[1:]:
    report("%s against %s" % (name, names[0]), logs[names[0]], logs[name])
EOF
left=$(pgrep -x lxnetfs; pgrep -x lxnet-proxy) || true
[ -z "$left" ] || echo "companions still running after their sandboxes ended: $(echo $left)"
! grep -q fuse /proc/self/mounts || echo "FUSE mounts left: $(grep fuse /proc/self/mounts)"
exit 0
