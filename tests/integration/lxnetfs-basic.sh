#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-basic.sh - lxnetfs mounts, lists, reads, refuses writes with EROFS
# (but to etc/hosts and etc/resolv.conf),
# reports exact sizes, fixed inodes and moving times, passes -o, adopts an
# already-mounted /dev/fd/N, leaves on SIGTERM and on unmount, and has a
# truthful command line.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/lxnetfs-common.sh"
. "$(dirname "$0")/lib-procnet.sh"

lxfs_require
lxfs_need_python
lib_tmpdir
T=$TMP_DIR
tap_plan 61

ip link add vb0 type veth peer name vb1
ip addr add 10.77.0.1/24 dev vb0
ip link set vb0 up
ip link set vb1 up
ip -6 addr add fd00:77::1/64 dev vb0 nodad
ip neigh add 10.77.0.2 lladdr 02:00:00:00:77:02 dev vb0 nud permanent
printf 'nameserver 10.77.0.53\nsearch basic.test\n' >"$T/resolv.conf"
printf '127.0.0.1 localhost\n10.77.0.7 seven\n' >"$T/hosts"
M=$T/m
VIEW="--resolv-conf $T/resolv.conf --hosts-file $T/hosts --hostname basic-host"

# shellcheck disable=SC2086
lxfs_mount "$M" $VIEW -o uid=1234,gid=4321 -o fsname=lxtest
tap_result $? "mounts and serves"
PID=$LXFS_PID

# --- readdir
ls_eq() { [ "$(ls -a "$1" | tr '\n' ' ')" = "$2" ]; }
tap_check "readdir /" ls_eq "$M" ". .. etc proc sys "
tap_check "readdir etc" ls_eq "$M/etc" ". .. hostname hosts resolv.conf "
tap_check "readdir proc" ls_eq "$M/proc" ". .. net "
tap_check "readdir proc/net" ls_eq "$M/proc/net" ". .. arp dev dev_mcast if_inet6 igmp igmp6 ipv6_route raw raw6 route snmp sockstat sockstat6 tcp tcp6 udp udp6 "

# --- contents well-formed
tap_check "resolv.conf has the host's server and search" \
	sh -c "grep -qx 'nameserver 10.77.0.53' '$M/etc/resolv.conf' && grep -qx 'search basic.test' '$M/etc/resolv.conf'"
tap_check "hosts has the host's entry" \
	sh -c "grep -Eq '^10\.77\.0\.7[[:space:]]+seven$' '$M/etc/hosts'"
tap_check "hostname is --hostname, one line" \
	sh -c "[ \"\$(cat '$M/etc/hostname')\" = basic-host ] && [ \$(wc -l < '$M/etc/hostname') = 1 ]"
tap_check "proc/net/dev: header and one row per interface" \
	sh -c "head -1 '$M/proc/net/dev' | grep -q '^Inter-|' && grep -Eq '^ *vb0:( +[0-9]+){16}$' '$M/proc/net/dev' && grep -Eq '^ *lo:' '$M/proc/net/dev'"
wait_until 2 diff -q /proc/net/route "$M/proc/net/route" >/dev/null
tap_result $? "proc/net/route equals the kernel's"
tap_check "proc/net/if_inet6 rows have 6 fields" \
	awk 'NF != 6 { bad = 1 } END { exit bad || NR == 0 }' "$M/proc/net/if_inet6"
tap_check "proc/net/ipv6_route rows have 10 fields" \
	awk 'NF != 10 { bad = 1 } END { exit bad || NR == 0 }' "$M/proc/net/ipv6_route"
tap_check "proc/net/arp has the kernel's header" \
	sh -c "head -1 '$M/proc/net/arp' | grep -q '^IP address *HW type *Flags *HW address *Mask *Device'"

for f in dev route if_inet6 ipv6_route arp; do
	procnet_live_same "$f" cat "$M/proc/net/$f"
	st=$?
	tap_result $st "proc/net/$f matches the kernel's (lib-procnet.sh rules)"
done

# --- sizes, modes, owner
sizes_ok() {
	local f n
	for f in $LXFS_FILES; do
		n=$(wc -c <"$M/$f"); [ "$(stat -c %s "$M/$f")" = "$n" ] || { echo "# size mismatch $f" >&2; return 1; }
	done
}
# The host's IPv6 state may still settle (DAD, link-local routes): a file
# that changed between the read and the stat is read again, for a bound.
sizes_quiet() { sizes_ok 2>/dev/null; }
wait_until 3 sizes_quiet || sizes_ok
tap_result $? "stat size == bytes read, every file (read first: proc/net/dev is rendered per open)"
modes_ok() {
	local f m
	for f in $LXFS_FILES; do
		case $f in etc/hosts|etc/resolv.conf) m=644 ;; *) m=444 ;; esac
		[ "$(stat -c %a "$M/$f")" = $m ] || return 1
	done
	for f in "" etc proc proc/net; do [ "$(stat -c %a "$M/$f")" = 555 ] || return 1; done
}
tap_check "files 0444 (etc/hosts, etc/resolv.conf 0644), directories 0555" modes_ok
tap_check "-o uid=,gid= sets the owner" \
	sh -c "[ \"\$(stat -c '%u:%g' '$M/etc/hosts')\" = 1234:4321 ] && [ \"\$(stat -c '%u:%g' '$M/proc/net')\" = 1234:4321 ]"
tap_check "-o fsname= reaches libfuse" \
	awk -v d="$M" '$2 == d && $1 == "lxtest" { f = 1 } END { exit !f }' /proc/self/mounts

# --- EROFS for every write-type operation on a read-only file and on names
# (etc/hosts and etc/resolv.conf take writes: lxnetfs-write.sh)
f=$M/etc/hostname
for op in \
	"open-wronly:os.open('$f', os.O_WRONLY)" \
	"open-rdwr:os.open('$f', os.O_RDWR)" \
	"open-trunc:os.open('$f', os.O_RDONLY | os.O_TRUNC)" \
	"create:os.open('$M/etc/new', os.O_CREAT | os.O_WRONLY, 0o644)" \
	"mknod:os.mknod('$M/etc/fifo', 0o600 | 0o10000)" \
	"mkdir:os.mkdir('$M/etc/d')" \
	"unlink:os.unlink('$f')" \
	"rmdir:os.rmdir('$M/proc/net')" \
	"rename:os.rename('$f', '$M/etc/h2')" \
	"link:os.link('$f', '$M/etc/h2')" \
	"symlink:os.symlink('x', '$M/etc/s')" \
	"truncate:os.truncate('$f', 0)" \
	"chmod:os.chmod('$f', 0o644)" \
	"chown:os.chown('$f', 1, 1)" \
	"utime:os.utime('$f', (1, 1))" \
	"setxattr:os.setxattr('$f', 'user.x', b'1')" \
	"removexattr:os.removexattr('$f', 'user.x')"; do
	name=${op%%:*}
	got=$(lxfs_errno "${op#*:}")
	[ "$got" = EROFS ]
	tap_result $? "$name gets EROFS (got $got)"
done

# --- stat/fstat, inode, times
ino0=$(stat -c %i "$M/etc/resolv.conf")
t0=$(lxfs_times "$M/etc/resolv.conf")
h0=$(lxfs_times "$M/etc/hostname")
printf 'nameserver 10.77.0.54\nsearch basic.test\n' >"$T/resolv.conf.new"
mv "$T/resolv.conf.new" "$T/resolv.conf"
wait_until 2 grep -q 10.77.0.54 "$M/etc/resolv.conf"
tap_result $? "a resolv.conf change shows"
tap_check "inode unchanged across a change" \
	test "$(stat -c %i "$M/etc/resolv.conf")" = "$ino0"
t1=$(lxfs_times "$M/etc/resolv.conf")
later() { python3 -c "import sys; a=sys.argv[1].split(); b=sys.argv[2].split(); sys.exit(not (float(b[0]) > float(a[0]) and float(b[1]) > float(a[1])))" "$1" "$2"; }
tap_check "mtime and ctime increase after a change ($t0 -> $t1)" later "$t0" "$t1"
tap_check "a file whose bytes did not change keeps its times" \
	test "$(lxfs_times "$M/etc/hostname")" = "$h0"
python3 - "$M" <<'EOF'
import os, sys
m = sys.argv[1]
for f in ("etc/resolv.conf", "etc/hosts", "proc/net/route", "proc/net/dev"):
    p = os.path.join(m, f)
    fd = os.open(p, os.O_RDONLY)
    a, b = os.fstat(fd), os.stat(p)
    os.close(fd)
    if (a.st_ino, a.st_size, a.st_mtime_ns, a.st_ctime_ns) != \
       (b.st_ino, b.st_size, b.st_mtime_ns, b.st_ctime_ns):
        print("# fstat/stat differ on", f, a, b)
        sys.exit(1)
EOF
tap_result $? "stat == fstat"

# --- SIGTERM unmounts
lxfs_stop "$M" "$PID"
st=$?
tap_result $st "exit status 0 on SIGTERM"
! lxfs_is_mounted "$M"
tap_result $? "no mount left after SIGTERM"

# --- background mode, exit on unmount
M2=$T/m2
mkdir -p "$M2"
# shellcheck disable=SC2086
"$LXNETFS" $VIEW "$M2" 2>"$T/bg.log"
tap_result $? "daemon mode returns 0 once serving"
lib_on_exit "umount -l '$M2'"
tap_check "daemon mode serves" grep -qx basic-host "$M2/etc/hostname"
bgpid=$(pgrep -f "lxnetfs .*$M2\$" | head -1)
umount "$M2"
gone() { ! kill -0 "$bgpid" 2>/dev/null; }
wait_until 5 gone
tap_result $? "daemon exits after an unmount (pid ${bgpid:-none})"

# --- /dev/fd/N: an already-mounted /dev/fuse fd
M3=$T/m3
mkdir -p "$M3"
python3 - "$LXNETFS" "$M3" "$T/resolv.conf" "$T/hosts" <<'EOF' &
import ctypes, os, sys
lxnetfs, mnt, rc, hosts = sys.argv[1:5]
fd = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
opts = f"fd={fd},rootmode=40000,user_id=0,group_id=0".encode()
if libc.mount(b"lxnetfs", mnt.encode(), b"fuse.lxnetfs", 0, opts) != 0:
    print("# mount:", os.strerror(ctypes.get_errno()))
    sys.exit(1)
os.set_inheritable(fd, True)
os.execv(lxnetfs, [lxnetfs, "-f", "-o", "uid=0,gid=0", "--resolv-conf", rc,
                   "--hosts-file", hosts, "--hostname", "fd-host",
                   f"/dev/fd/{fd}"])
EOF
FDPID=$!
lib_on_exit "kill $FDPID; umount -l '$M3'"
wait_until 5 grep -qsx fd-host "$M3/etc/hostname"
tap_result $? "serves an already-mounted /dev/fd/N"
tap_check "/dev/fd/N: owner from -o uid=0,gid=0" test "$(stat -c %u:%g "$M3/etc/hosts")" = 0:0
kill -TERM "$FDPID"
wait "$FDPID"
tap_result $? "/dev/fd/N: exit 0 on SIGTERM"
umount "$M3" 2>/dev/null

# --- --max-open
M4=$T/m4
# shellcheck disable=SC2086
lxfs_mount "$M4" $VIEW --max-open 3
python3 - "$M4/etc/hosts" <<'EOF'
import errno, os, sys
fds = [os.open(sys.argv[1], os.O_RDONLY) for _ in range(3)]
try:
    os.open(sys.argv[1], os.O_RDONLY)
    sys.exit(1)
except OSError as e:
    sys.exit(0 if e.errno == errno.EMFILE else 2)
EOF
tap_result $? "--max-open 3: the 4th open gets EMFILE"
tap_check "--max-open: handles are released on close" sh -c "head -c1 '$M4/etc/hosts' >/dev/null"
# Stopped with a file still open: the kernel never releases that handle,
# lxnetfs frees it itself (a sanitizer build reports any leak at exit).
exec 7<"$M4/etc/hosts"
lxfs_stop "$M4" "$LXFS_PID"
st=$?
exec 7<&-
[ "$st" -eq 0 ]
tap_result $? "stopped while a file is open: exit 0, nothing leaked (status $st)"

# --- command line
"$LXNETFS" --help >"$T/help" 2>&1
tap_result $? "--help exits 0"
help_lists() {
	local o
	for o in --foreground --debug --options --max-open --max-pinned --hide-if --resolv-conf --hosts-file --dns uid=N /dev/fd/N; do
		grep -q -- "$o" "$T/help" || { echo "# --help lacks $o" >&2; return 1; }
	done
}
tap_check "--help lists every option" help_lists
one_line_fail() {
	local want=$1
	shift
	"$LXNETFS" "$@" >"$T/out" 2>"$T/err"
	local st=$?
	[ "$st" -eq "$want" ] && [ "$(wc -l <"$T/err")" -eq 1 ] && [ ! -s "$T/out" ] ||
		{ echo "# status $st: $(cat "$T/err")" >&2; return 1; }
}
tap_check "no MOUNTPOINT: one line, exit 2" one_line_fail 2
tap_check "unknown option: one line, exit 2" one_line_fail 2 --no-such-option "$T"
tap_check "bad -o option: one line, exit 2" one_line_fail 2 -o no_such_fuse_option "$T"
tap_check "missing mountpoint directory: one line, exit 1" one_line_fail 1 -f "$T/does-not-exist"

tap_done
