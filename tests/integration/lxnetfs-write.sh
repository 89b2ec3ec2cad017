#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-write.sh - etc/hosts and etc/resolv.conf take writes: appended
# lines stay after the host's across host changes, a truncation takes the
# file over, writes into the host's part or past the bound fail, stat stays
# exact, each reader keeps its version; the other files stay read-only.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/lxnetfs-common.sh"

lxfs_require
lxfs_need_python
lib_tmpdir
T=$TMP_DIR
tap_plan 24

printf 'nameserver 10.80.0.53\n' >"$T/resolv.conf"
printf '127.0.0.1 localhost\n10.80.0.7 seven\n' >"$T/hosts"
M=$T/m
H=$M/etc/hosts
R=$M/etc/resolv.conf
lxfs_mount "$M" --resolv-conf "$T/resolv.conf" --hosts-file "$T/hosts" \
	--hostname write-host -o allow_other
tap_result $? "mounted"

modes_ok() {
	[ "$(stat -c %a "$H")" = 644 ] && [ "$(stat -c %a "$R")" = 644 ] &&
		[ "$(stat -c %a "$M/etc/hostname")" = 444 ] &&
		[ "$(stat -c %a "$M/proc/net/route")" = 444 ]
}
tap_check "etc/hosts and etc/resolv.conf 0644, the others 0444" modes_ok
size_exact() { [ "$(stat -c %s "$1")" = "$(wc -c <"$1")" ]; }
later() { python3 -c "import sys; a=sys.argv[1].split(); b=sys.argv[2].split(); sys.exit(not (float(b[0]) > float(a[0]) and float(b[1]) > float(a[1])))" "$1" "$2"; }

t0=$(lxfs_times "$H")
before=$(cat "$H")
echo "10.0.0.5 db" >>"$H"
tap_result $? "echo >> etc/hosts succeeds"
[ "$(cat "$H")" = "$before
10.0.0.5 db" ]
tap_result $? "the appended line is the file's last, the rest unchanged"
tap_check "stat size exact after the append" size_exact "$H"
tap_check "mtime and ctime move on the append" later "$t0" "$(lxfs_times "$H")"

# The host's file changes: its lines change, the local line stays last.
printf '127.0.0.1 localhost\n10.80.0.7 seven\n10.80.0.8 eight\n' >"$T/hosts"
wait_until 2 grep -q eight "$H"
tap_result $? "a host change still shows"
[ "$(tail -1 "$H")" = "10.0.0.5 db" ] && [ "$(grep -n '^10.80.0.8 eight$' "$H" | cut -d: -f1)" -lt "$(grep -n '^10.0.0.5 db$' "$H" | cut -d: -f1)" ]
tap_result $? "the local line stays, after the host's lines"
tap_check "stat size exact after the host change" size_exact "$H"

got=$(lxfs_errno "fd = os.open('$H', os.O_WRONLY); os.pwrite(fd, b'x', 0)")
[ "$got" = EPERM ]
tap_result $? "a write into the host's part fails with EPERM (got $got)"
got=$(lxfs_errno "fd = os.open('$H', os.O_WRONLY | os.O_APPEND); os.write(fd, b'#' * 70000)")
[ "$got" = ENOSPC ] && ! grep -q '###' "$H"
tap_result $? "past the 64 KiB bound: ENOSPC, nothing written (got $got)"

python3 - "$H" <<'PY'
import os, sys
h = sys.argv[1]
r = os.open(h, os.O_RDONLY)
old = os.pread(r, 1 << 20, 0)
# sequential writes at the end without O_APPEND, through another handle
w = os.open(h, os.O_RDWR)
os.lseek(w, 0, os.SEEK_END)
os.write(w, b"10.0.0.6 one\n")
os.write(w, b"10.0.0.7 two\n")
mine = os.pread(w, 1 << 20, 0)
assert mine.endswith(b"10.0.0.5 db\n10.0.0.6 one\n10.0.0.7 two\n"), mine
# the reader keeps the version it opened; a new open sees the writes
assert os.pread(r, 1 << 20, 0) == old
assert open(h, "rb").read() == mine
PY
tap_result $? "sequential writes append; the writer reads them; an older reader keeps its version"

# Readers opened between writes pin versions: bounded (64 older ones).
got=$(python3 - "$H" <<'PY'
import errno, os, sys
keep = []
for i in range(100):
    keep.append(os.open(sys.argv[1], os.O_RDONLY))
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, b"# pin %d\n" % i)
    except OSError as e:
        print(i, errno.errorcode[e.errno])
        break
    finally:
        os.close(fd)
for fd in keep:
    os.close(fd)
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
os.write(fd, b"# after\n")
PY
)
[ "$got" = "64 ENOSPC" ] && [ "$(tail -1 "$H")" = "# after" ]
tap_result $? "64 older versions held open: the next write gets ENOSPC, then writes work again (got $got)"

# Truncation takes the file over: exactly what was written, host changes no more.
printf '10.9.9.9 mine\n' >"$H"
[ "$(cat "$H")" = "10.9.9.9 mine" ]
tap_result $? "> etc/hosts: the file is exactly what was written"
printf '10.80.0.9 nine\n' >>"$T/hosts"
sleep 0.3
[ "$(cat "$H")" = "10.9.9.9 mine" ]
tap_result $? "a taken-over file no longer follows the host"
tap_check "stat size exact after the truncation" size_exact "$H"
printf '127.0.0.1 localhost\n10.1.2.3 copied\n' >"$T/copy"
cp "$T/copy" "$H" && cmp -s "$T/copy" "$H"
tap_result $? "cp over etc/hosts works"

# resolv.conf: the same rules.
echo "options ndots:3" >>"$R"
grep -qx 'nameserver 10.80.0.53' "$R" && [ "$(tail -1 "$R")" = "options ndots:3" ]
tap_result $? "echo >> etc/resolv.conf appends after the host's lines"
printf 'nameserver 10.80.0.54\n' >"$T/resolv.conf.new" && mv "$T/resolv.conf.new" "$T/resolv.conf"
wait_until 2 grep -qx 'nameserver 10.80.0.54' "$R" && [ "$(tail -1 "$R")" = "options ndots:3" ]
tap_result $? "resolv.conf follows the host and keeps the local line"

got=$(lxfs_errno "os.open('$M/etc/hostname', os.O_WRONLY)")/$(lxfs_errno "os.open('$M/proc/net/route', os.O_WRONLY | os.O_APPEND)")
[ "$got" = EROFS/EROFS ]
tap_result $? "etc/hostname and proc/net files refuse writes with EROFS (got $got)"
got=$(python3 -c "import os, sys; print(os.access(sys.argv[1], os.W_OK), os.access(sys.argv[2], os.W_OK))" "$H" "$M/etc/hostname")
[ "$got" = "True False" ]
tap_result $? "access(W_OK): etc/hosts yes, etc/hostname no (got $got)"
got=$(lxfs_errno "os.chmod('$H', 0o666)")/$(lxfs_errno "os.truncate('$H', 1 << 20)")
[ "$got" = EPERM/EPERM ]
tap_result $? "chmod and growing truncate fail with EPERM (got $got)"

# Without default_permissions lxnetfs checks the writer itself.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ "$(awk '{ print $3 }' /proc/self/uid_map)" -gt 65534 ]; then
	got=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		sh -c "printf x >>'$H'" 2>&1)
	case $got in *"Permission denied"*) got=EACCES ;; esac
	[ "$got" = EACCES ]
	tap_result $? "another uid cannot write (got $got)"
else
	tap_skip "another uid cannot write" "needs root with uid 65534 mapped and setpriv"
fi
lxfs_stop "$M" "$LXFS_PID"
tap_result $? "clean exit"
tap_done
