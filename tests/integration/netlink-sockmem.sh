#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netlink-sockmem.sh - the kernel memory a sandbox's netlink endpoints make
# the proxy's sockets hold is bounded per sandbox (issue 11 item 5): under
# `lxnet run`, 4,094 endpoints bound to every RTMGRP group and never read,
# and one that reads, while the "host" adds and deletes addresses and
# routes. The proxy's socket buffers (the sum of `ss -xpm` skmem t, the
# bytes its ends of the endpoint pairs hold in the sandbox's queues) stay
# under NLEP_SANDBOX_SOCKMEM + NLEP_MAX_PER_SANDBOX * NLEP_SOCKMEM_RESERVE
# (proxy/nlep.h: 32 MiB + 4096 * 8 KiB) with a margin (before: 1.7 GiB),
# the reader gets every event and no ENOBUFS, a dump in the sandbox past
# its budget still lists everything, each endpoint that never read fails
# its first receive ENOBUFS, and once they are closed the proxy's sockets
# hold nothing.
. "$(dirname "$0")/lib.sh"
LXNET_TEST_TIMEOUT=${LXNET_TEST_TIMEOUT:-300}
lib_enter_ns "$@"
LXNET=$top_builddir/src/lxnet/lxnet
CHECK=$top_builddir/tests/helpers/nlep-check
[ -x "$LXNET" ] || tap_skip_all "lxnet not built"
[ -x "$top_builddir/fs/lxnetfs" ] || tap_skip_all "lxnetfs not built"
[ -x "$CHECK" ] || tap_skip_all "tests/helpers/nlep-check not built"
[ -c /dev/fuse ] || tap_skip_all "no /dev/fuse"
command -v ip >/dev/null || tap_skip_all "ip (iproute2) missing"
command -v ss >/dev/null || tap_skip_all "ss (iproute2) missing"
lib_tmpdir
tap_plan 9

HOLD=4094 # with the reader and ip's dump, NLEP_MAX_PER_SANDBOX
ROUNDS=${NLEP_SOCKMEM_ROUNDS:-150}
BOUND=$(((32 << 20) + 4096 * (8 << 10)))
MARGIN=$((BOUND / 10))

ip link add vK type veth peer name pK && ip link set vK up && ip link set pK up &&
	ip addr add 10.76.0.1/24 dev vK || tap_skip_all "cannot make a veth pair here"
printf 'nameserver 10.76.0.53\n' >"$TMP_DIR/resolv.conf"
printf '127.0.0.1 localhost\n' >"$TMP_DIR/hosts"

# Steps of the sandbox, each started when the test closes a fifo: an
# address dump once the reader is done (the others still held), then the
# held endpoints' receives; it stays until "end", so the proxy can be
# looked at once the endpoints are closed.
mkfifo "$TMP_DIR/dump" "$TMP_DIR/go" "$TMP_DIR/end"
timeout -k 5 240 "$LXNET" run --netlink=emulated --resolv-conf "$TMP_DIR/resolv.conf" \
	--hosts-file "$TMP_DIR/hosts" -- sh -c "
	'$CHECK' listen-count >'$TMP_DIR/reader.out' 2>&1 &
	'$CHECK' hold $HOLD <'$TMP_DIR/go' >'$TMP_DIR/hold.out' 2>&1 &
	read x <'$TMP_DIR/dump'
	ip -o addr show >'$TMP_DIR/addr.inside' 2>&1
	echo \$? >'$TMP_DIR/dumped'
	wait
	echo CLOSED >>'$TMP_DIR/hold.out'
	cat '$TMP_DIR/end' >/dev/null" &
RUN=$!
lib_on_exit "kill $RUN 2>/dev/null"
exec 7>"$TMP_DIR/go"
wait_until 60 grep -q READY "$TMP_DIR/hold.out" &&
	wait_until 10 grep -q READY "$TMP_DIR/reader.out"
tap_result $? "$HOLD endpoints bound to every group and a reader, in one sandbox"
PROXY=$(pgrep -x lxnet-proxy | head -n1)

# proxy_sockmem - bytes the proxy's sockets hold in their peers' queues
# (skmem t: sk_wmem_alloc, what SIOCOUTQ reports for AF_UNIX)
proxy_sockmem() {
	ss -xpmH 2>/dev/null | awk '/"lxnet-proxy"/ {
		if (match($0, /skmem:\([^)]*\)/)) {
			n = split(substr($0, RSTART + 7, RLENGTH - 8), f, ",")
			for (i = 1; i <= n; i++)
				if (f[i] ~ /^t[0-9]/) s += substr(f[i], 2)
		}
	} END { print s + 0 }'
}

start=$(date +%s%N)
for i in $(seq 1 "$ROUNDS"); do
	ip addr add "10.77.$((i / 250)).$((i % 250 + 1))/32" dev vK
	ip route add "10.78.$i.0/24" dev vK
done
for i in $(seq 1 "$ROUNDS"); do
	ip addr del "10.77.$((i / 250)).$((i % 250 + 1))/32" dev vK
	ip route del "10.78.$i.0/24" dev vK
done
ip addr add 10.77.255.254/32 dev vK
wait_until 60 grep -q '^INFO' "$TMP_DIR/reader.out"
[ -n "$PROXY" ] && wait_idle 60 "$PROXY" || tap_diag "the proxy stayed busy"
tap_diag "churn and fan-out took $((($(date +%s%N) - start) / 1000000)) ms"
mem=$(proxy_sockmem)
rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$PROXY"/status 2>/dev/null)
tap_diag "proxy sockets hold $mem bytes (skmem t), proxy VmRSS ${rss} kB"
[ "$mem" -le $((BOUND + MARGIN)) ]
tap_result $? "the proxy's sockets hold $((mem >> 20)) MiB (bound $((BOUND >> 20)) MiB + 10%)"

read -r _ _ an _ ad _ rn _ rd _ enobufs _ msgs <<<"$(grep '^INFO' "$TMP_DIR/reader.out")"
tap_diag "reader: $an/$ad address and $rn/$rd route events, $enobufs ENOBUFS, $msgs messages"
[ "$an" = "$ROUNDS" ] && [ "$ad" = "$ROUNDS" ] && [ "$rn" = "$ROUNDS" ] && [ "$rd" = "$ROUNDS" ]
tap_result $? "the reader got every address and route event ($ROUNDS of each kind)"
grep -q '^PASS listen-no-enobufs' "$TMP_DIR/reader.out"
tap_result $? "the reader got no ENOBUFS"

# 300 more addresses, then a dump of several parts past the budget: they
# come as NLMSG_GOODSIZE parts through the dumping endpoint's reserve
for i in $(seq 1 300); do
	ip addr add "10.79.$((i / 250)).$((i % 250 + 1))/32" dev pK
done
exec 8>"$TMP_DIR/dump"
exec 8>&-
wait_until 30 test -s "$TMP_DIR/dumped"
ip -o addr show | awk '{ print $2, $3, $4 }' | sort >"$TMP_DIR/addr.native"
awk '{ print $2, $3, $4 }' "$TMP_DIR/addr.inside" | sort >"$TMP_DIR/addr.in"
diff "$TMP_DIR/addr.native" "$TMP_DIR/addr.in" >"$TMP_DIR/addr.diff"
tap_result $? "an address dump past the budget lists all $(wc -l <"$TMP_DIR/addr.native") addresses (status $(cat "$TMP_DIR/dumped"))"
head -n 5 "$TMP_DIR/addr.diff" | sed 's/^/# /'
mem=$(proxy_sockmem)
[ "$mem" -le $((BOUND + MARGIN)) ]
tap_result $? "after it the proxy's sockets still hold $((mem >> 20)) MiB"

echo go >&7
exec 7>&-
wait_until 60 grep -q '^CLOSED' "$TMP_DIR/hold.out"
n=$(sed -n 's/^INFO enobufs //p' "$TMP_DIR/hold.out")
[ "$n" = "$HOLD" ]
tap_result $? "each endpoint that never read fails its first receive ENOBUFS ($n of $HOLD)"
wait_until 10 test "$(proxy_sockmem)" -lt 65536
tap_result $? "closed, the endpoints give their memory back ($(proxy_sockmem) bytes left)"
exec 8>"$TMP_DIR/end"
exec 8>&-
wait "$RUN"
st=$?
[ $st -eq 0 ] && ! grep -q '^FAIL' "$TMP_DIR/hold.out" "$TMP_DIR/reader.out"
tap_result $? "no check of the helpers failed; lxnet run ended (status $st)"
grep -q '^FAIL' "$TMP_DIR/hold.out" "$TMP_DIR/reader.out" &&
	sed 's/^/# /' "$TMP_DIR/hold.out" "$TMP_DIR/reader.out"
tap_done
