#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# fuzz-nlmsg.sh - build the libFuzzer target for the NETLINK_ROUTE message
# layer with clang, generate a seed corpus of valid requests and run it for
# a bounded time. TAP. Usage: fuzz-nlmsg.sh [SECONDS]  (default 20)
# Environment: top_srcdir, top_builddir (set by make check), KEEP_FUZZ_DIR=1
# to keep the work directory (corpus, crash files) for a look.
set -u

secs=${1:-20}
. "$(dirname "$0")/fuzz-lib.sh"
command -v pkg-config >/dev/null 2>&1 || skip "pkg-config not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed (seed generator)"
fuzz_setup fuzz-nlmsg

echo "1..4"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; sed 's/^/# /' "$2" | tail -40; }

# 1: build. The message layer, the snapshot tables it needs, the target.
# shellcheck disable=SC2046
if timeout 300 clang -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	-I"$builddir" -I"$srcdir/src" -I"$srcdir/proxy" \
	$(pkg-config --cflags glib-2.0) \
	-o "$T/fuzz-nlmsg" "$srcdir/tests/fuzz/fuzz-nlmsg.c" \
	"$srcdir"/proxy/nlmsg*.c "$srcdir/src/snapshot.c" \
	$(pkg-config --libs glib-2.0) >"$T/build.log" 2>&1; then
	ok "fuzz-nlmsg builds with clang -fsanitize=fuzzer,address,undefined"
else
	nok "fuzz-nlmsg builds with clang" "$T/build.log"
	for i in 2 3 4; do echo "not ok $i - not built"; done
	exit 1
fi

# 2: seeds: valid requests of each kind, in the input layout of
# fuzz-nlmsg.c (options byte, room, errno, request length, request, host part).
mkdir -p "$T/corpus" "$T/crashes"
if python3 - "$T/corpus" >"$T/seeds.log" 2>&1 <<'EOF'
import struct, sys, os
out = sys.argv[1]
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_DUMP = 1, 2, 4, 0x300
def align(b): return b + b'\0' * (-len(b) % 4)
def attr(t, data): return align(struct.pack('<HH', 4 + len(data), t) + data)
def u32(t, v): return attr(t, struct.pack('<I', v))
def msg(t, flags, fam, attrs=b'', seq=1):
    body = align(fam) + attrs
    return struct.pack('<IHHII', 16 + len(body), t, flags, seq, 0) + body
ifinfo = lambda fam=0, idx=0: struct.pack('<BBHiII', fam, 0, 0, idx, 0, 0)
ifaddr = lambda fam=0, idx=0: struct.pack('<BBBBI', fam, 0, 0, 0, idx)
rtm = lambda fam=0, dl=0, table=0: struct.pack('<BBBBBBBBI', fam, dl, 0, 0, table, 0, 0, 0, 0)
ndm = lambda fam=0, idx=0: struct.pack('<BBHiHBB', fam, 0, 0, idx, 0, 0, 0)
frh = lambda fam=0: struct.pack('<BBBBBBBBI', fam, 0, 0, 0, 0, 0, 0, 0, 0)
ncm = lambda fam=2: struct.pack('<B', fam)
D = NLM_F_REQUEST | NLM_F_DUMP
R = NLM_F_REQUEST
seeds = {
 'link-dump': (0, msg(18, D, ifinfo())),
 'link-dump-strict-master': (3, msg(18, D, ifinfo(), u32(10, 5))),
 'link-dump-kind': (3, msg(18, D, ifinfo(), attr(18, attr(1, b'bridge\0')))),
 'link-get-index': (0, msg(18, R | NLM_F_ACK, ifinfo(0, 2))),
 'link-get-name': (3, msg(18, R, ifinfo(), attr(3, b'eth0\0'))),
 'link-get-unknown': (7, msg(18, R, ifinfo(0, 99))),
 'addr-dump-v4': (0, msg(22, D, ifaddr(2))),
 'addr-dump-v6-strict': (3, msg(22, D, ifaddr(10, 2))),
 'route-dump': (0, msg(26, D, rtm())),
 'route-dump-table': (3, msg(26, D, rtm(2), u32(15, 255))),
 'route-dump-oif': (3, msg(26, D, rtm(10), u32(4, 2))),
 'neigh-dump': (0, msg(30, D, ndm())),
 'neigh-dump-master': (3, msg(30, D, ndm(), u32(9, 5))),
 'rule-dump': (3, msg(34, D, frh(2))),
 'qdisc-dump': (0, msg(38, D, ifinfo())),
 'newaddr': (0, msg(20, R | NLM_F_ACK, ifaddr(2, 2), attr(2, bytes([10, 0, 0, 9])))),
 'noop-ack': (4, msg(1, R | NLM_F_ACK, b'')),
 'two-msgs': (0, msg(18, R, ifinfo(0, 1)) + msg(18, R, ifinfo(0, 2))),
}
# Requests the host answers: route get, netconf, rule dump (with replies).
nc_reply = (msg(80, NLM_F_MULTI, ncm(), u32(1, 2) + u32(2, 1)) +
            msg(80, NLM_F_MULTI, ncm(), u32(1, 99) + u32(2, 0)) +
            msg(3, NLM_F_MULTI, struct.pack('<i', 0)))
rt_reply = msg(24, 0, rtm(2, 32, 254), u32(15, 254) + attr(1, bytes([10, 0, 0, 7])) + u32(4, 2))
rule_reply = (msg(32, NLM_F_MULTI, struct.pack('<BBBBBBBBI', 2, 0, 0, 0, 254, 0, 0, 1, 0),
                  u32(15, 254) + u32(6, 32766)) + msg(3, NLM_F_MULTI, struct.pack('<i', 0)))
hosted = {
 'netconf-dump': (0x20, msg(82, D, ncm()), nc_reply),
 'netconf-get': (0x23, msg(82, R, ncm(), u32(1, 2)), nc_reply),
 'route-get': (0x20, msg(26, R, rtm(2, 32), attr(1, bytes([10, 0, 0, 7]))), rt_reply),
 'route-get-split': (0x30, msg(26, R, rtm(2, 32), attr(1, bytes([10, 0, 0, 7]))), rt_reply),
 'route-get-error': (0x10, msg(26, R | NLM_F_ACK, rtm(2, 32), attr(1, bytes([10, 0, 0, 7]))), b''),
 'rule-dump-host': (0x23, msg(34, D, frh(2)), rule_reply),
}
def put(name, opts, req, host=b'', room=3776):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(struct.pack('<BHBH', opts, room, 13, len(req)) + req + host)
for k, (o, req) in seeds.items():
    put(k, o, req)
    put(k + '-small-room', o | 8, req, room=600)
for k, (o, req, host) in hosted.items():
    put(k, o, req, host)
print(len(seeds) * 2 + len(hosted))
EOF
then
	ok "seed corpus generated ($(cat "$T/seeds.log") inputs)"
else
	nok "seed corpus generated" "$T/seeds.log"
fi

# 3: every seed runs clean.
if (cd "$T" && timeout 120 ./fuzz-nlmsg -runs=0 corpus) >"$T/seedrun.log" 2>&1; then
	ok "every seed runs without a sanitizer report or an invariant abort"
else
	nok "every seed runs clean" "$T/seedrun.log"
fi

# 4: fuzz for a bounded time (and a bounded number of runs).
if (cd "$T" && timeout $((secs + 120)) ./fuzz-nlmsg -max_total_time="$secs" \
	-runs=5000000 -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$T/crashes/" corpus) >"$T/fuzz.log" 2>&1; then
	ok "fuzzed ${secs}s: $(grep -Eo '^Done [0-9]+ runs.*' "$T/fuzz.log" | head -1), $(grep -Eo 'cov: [0-9]+' "$T/fuzz.log" | tail -1)"
else
	nok "fuzzing for ${secs}s found a crash or an invariant violation" "$T/fuzz.log"
	for c in "$T"/crashes/*; do
		[ -f "$c" ] && echo "# crash input: $(od -An -tx1 "$c" | head -4 | tr -s ' \n' ' ')"
	done
fi
