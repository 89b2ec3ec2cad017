#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-badinput.sh - hostile and large inputs: resolv.conf huge, binary,
# half-written, missing, a directory; hosts of 100,000 lines; 1,000
# interfaces; 10,000 routes; interfaces renamed and deleted under an open
# handle. lxnetfs keeps serving, every file stays well-formed, open handles
# keep their snapshot, and its memory stays bounded.
: "${LXNET_TEST_TIMEOUT:=300}"
export LXNET_TEST_TIMEOUT
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/lxnetfs-common.sh"

lxfs_require
lxfs_need_python
lib_tmpdir
T=$TMP_DIR
tap_plan 20

ip link add vr0 type veth peer name vr1
ip addr add 10.81.0.1/24 dev vr0
ip link set vr0 up
ip link set vr1 up
R=$T/resolv.conf
H=$T/hosts
printf 'nameserver 10.81.0.53\n' >"$R"
printf '127.0.0.1 localhost\n' >"$H"
M=$T/m
lxfs_mount "$M" --resolv-conf "$R" --hosts-file "$H"
tap_result $? "mounted"
PID=$LXFS_PID

# well_formed - every file: stat size == bytes read, and its lines have the
# shape of the format
well_formed() {
	local f n try
	# proc/net/dev's counters move between renderings: its stat size is
	# the last rendering's (documented), so it is left out here.
	# (the namespace's own IPv6 routes may change between a read and the
	# stat that follows it: a size that differs is read again, twice)
	for f in $LXFS_FILES; do
		[ "$f" = proc/net/dev ] && continue
		for try in 1 2 3; do
			n=$(wc -c <"$M/$f")
			[ "$(stat -c %s "$M/$f")" = "$n" ] && break
			[ $try = 3 ] && { echo "# $f: size differs" >&2; return 1; }
		done
	done
	grep -Ev '^(#.*|nameserver [0-9a-fA-F.:%a-z]+|search .+|options .+|sortlist .+|)$' "$M/etc/resolv.conf" |
		grep -q . && { echo "# resolv.conf: odd line" >&2; return 1; }
	grep -Ev '^(#.*|[0-9a-fA-F.:]+[[:space:]]+[^[:space:]].*|)$' "$M/etc/hosts" |
		grep -q . && { echo "# hosts: odd line" >&2; return 1; }
	[ "$(wc -l <"$M/etc/hostname")" = 1 ] || return 1
	LC_ALL=C grep -q '[^[:print:][:space:]]' "$M/etc/resolv.conf" "$M/etc/hosts" &&
		{ echo "# binary bytes in a view file" >&2; return 1; }
	awk 'NR > 2 { sub(/:/, " "); if (NF != 17) bad = 1
		for (i = 2; i <= NF; i++) if ($i !~ /^[0-9]+$/) bad = 1 }
		END { exit bad }' "$M/proc/net/dev" || { echo "# proc/net/dev: odd row" >&2; return 1; }
	awk 'NF != 6 { bad = 1 } END { exit bad }' "$M/proc/net/if_inet6" || return 1
	awk 'NF != 10 { bad = 1 } END { exit bad }' "$M/proc/net/ipv6_route" || return 1
	awk 'NR > 1 && NF != 11 { bad = 1 } END { exit bad }' "$M/proc/net/route" || return 1
	return 0
}
serving() { kill -0 "$PID" 2>/dev/null && well_formed; }

# --- resolv.conf
truncate -s 100M "$R.big"
printf 'nameserver 10.81.0.54\n' | dd of="$R.big" conv=notrunc status=none
mv "$R.big" "$R"
wait_until 5 grep -q 10.81.0.54 "$M/etc/resolv.conf"
tap_result $? "huge sparse resolv.conf: its first line shows"
tap_check "huge sparse resolv.conf: serving, well-formed" serving

head -c 65536 /dev/urandom >"$R.bin"
mv "$R.bin" "$R"
wait_until 5 sh -c "! grep -q 10.81.0.54 '$M/etc/resolv.conf'"
tap_result $? "binary resolv.conf: old servers gone"
tap_check "binary resolv.conf: serving, well-formed" serving

python3 - "$R" "$T/writer.ready" <<'EOF' &
import sys, time
f = open(sys.argv[1], "w")
f.write("nameserver 10.81.0.55\nnameserver 10.81.0.5")
f.flush()
open(sys.argv[2], "w").close()
time.sleep(1.5)
f.write("6\n")
f.close()
EOF
WPID=$!
wait_until 5 test -e "$T/writer.ready"
sleep 0.3
tap_check "half-written resolv.conf: serving, well-formed" serving
wait "$WPID"
wait_until 5 grep -qx 'nameserver 10.81.0.56' "$M/etc/resolv.conf"
tap_result $? "half-written resolv.conf: completed file shows"

rm -f "$R"
wait_until 5 sh -c "! grep -q 10.81.0.56 '$M/etc/resolv.conf'"
tap_result $? "missing resolv.conf: servers gone"
tap_check "missing resolv.conf: serving, well-formed" serving

mkdir "$R"
sleep 0.3
tap_check "resolv.conf is a directory: serving, well-formed" serving
rmdir "$R"
printf 'nameserver 10.81.0.57\n' >"$R"
wait_until 5 grep -q 10.81.0.57 "$M/etc/resolv.conf"
tap_result $? "resolv.conf back: shows again"

# --- hosts of 100,000 lines
awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "10.%d.%d.%d host%d.example h%d\n", 100 + int(i / 65536), int(i / 256) % 256, i % 256, i, i }' >"$H.new"
mv "$H.new" "$H"
wait_until 20 grep -q 'host99999.example' "$M/etc/hosts"
tap_result $? "hosts of 100,000 lines: the last line shows"
tap_diag "view's hosts: $(wc -l <"$M/etc/hosts") lines, $(stat -c %s "$M/etc/hosts") bytes"
tap_check "hosts of 100,000 lines: serving, well-formed" serving

# --- 1,000 interfaces, 10,000 routes
t0=$EPOCHREALTIME
awk 'BEGIN { for (i = 0; i < 500; i++) printf "link add xa%d type veth peer name xb%d\n", i, i }' >"$T/links.batch"
ip -batch "$T/links.batch"
dev_names() { awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' "$1" | sort; }
same_links() { [ "$(dev_names /proc/net/dev)" = "$(dev_names "$M/proc/net/dev")" ]; }
wait_until 30 same_links
tap_result $? "1,000 interfaces: proc/net/dev lists the kernel's interfaces"
tap_diag "1,000 interfaces visible after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f ms", (b - a) * 1000 }')"

t0=$EPOCHREALTIME
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "route add 10.%d.%d.0/24 dev vr0\n", 120 + int(i / 256), i % 256 }' >"$T/routes.batch"
ip -batch "$T/routes.batch"
same_routes() { diff -q /proc/net/route "$M/proc/net/route" >/dev/null; }
wait_until 30 same_routes
tap_result $? "10,000 routes: proc/net/route equals the kernel's"
tap_diag "10,000 routes visible after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f ms", (b - a) * 1000 }'), $(stat -c %s "$M/proc/net/route") bytes"
tap_check "1,000 interfaces and 10,000 routes: serving, well-formed" serving

# --- an interface renamed, then deleted, while a handle is open
ip link add xo0 type veth peer name xo1
ip addr add 10.82.0.1/24 dev xo0
ip link set xo0 up
ip link set xo1 up
wait_until 5 grep -q '^xo0	' "$M/proc/net/route"
python3 - "$M/proc/net/route" <<'EOF'
import subprocess, sys, time
p = sys.argv[1]
def whole():
    with open(p, "rb") as f:
        return f.read()
def changed_after(before, cmd):
    subprocess.run(cmd, check=True)
    for _ in range(500):
        if whole() != before:
            return True
        time.sleep(0.01)
    return False
ok = True
for cmd in (["sh", "-c", "ip link set xo0 down && ip link set xo0 name xq0 && ip link set xq0 up"],
            ["ip", "link", "del", "xq0"]):
    before = whole()
    f = open(p, "rb", buffering=0)
    head = f.read(300)
    if not changed_after(before, cmd):
        print("# view did not change after", cmd); ok = False
    rest = f.read()
    f.close()
    if head + rest != before:
        print("# open handle mixed snapshots after", cmd); ok = False
    new = whole()
    if cmd[0] == "ip" and b"xq0" in new:
        print("# deleted interface still in a new open"); ok = False
    if cmd[0] == "sh" and b"xq0" not in new:
        print("# renamed interface not in a new open"); ok = False
sys.exit(0 if ok else 1)
EOF
tap_result $? "renamed/deleted interface: open handle keeps its snapshot, new open sees the change"
tap_check "after rename/delete: serving, well-formed" serving

# --- memory bound
rss=$(awk '/^VmRSS:/ { print $2 }' /proc/"$PID"/status)
limit=$((200 * 1024))
ldd "$LXNETFS" 2>/dev/null | grep -q libasan && limit=$((1024 * 1024))
[ -n "$rss" ] && [ "$rss" -lt "$limit" ]
tap_result $? "VmRSS ${rss:-?} kB < $limit kB"

lxfs_stop "$M" "$PID"
tap_result $? "clean exit"
tap_done
