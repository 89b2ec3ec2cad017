#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-unpriv.sh - the unprivileged paths: a throw-away user mounts
# lxnetfs through the setuid fusermount3 and reads it; then, inside
# `unshare -rnm` as that user, mounts /dev/fuse itself and hands the fd to
# lxnetfs as /dev/fd/N, with the owner reported as 0:0 in its namespace.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/lxnetfs-common.sh"

lxfs_require
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root to create a throw-away user"
command -v useradd >/dev/null || tap_skip_all "useradd missing"
command -v runuser >/dev/null && command -v setpriv >/dev/null || tap_skip_all "runuser/setpriv missing"
lxfs_need_python
lib_tmpdir
T=$TMP_DIR
chmod 755 "$T"
tap_plan 9

U=lxfs$$
lib_make_user "$U" || tap_skip_all "useradd failed"
UID_U=$(id -u "$U")
# The user must reach the binary through every directory on its path.
runuser -u "$U" -- test -x "$LXNETFS" || tap_skip_all "$LXNETFS not reachable by an unprivileged user"

printf 'nameserver 10.85.0.53\n' >"$T/resolv.conf"
printf '127.0.0.1 localhost\n' >"$T/hosts"
chmod 644 "$T/resolv.conf" "$T/hosts"
VIEW="--resolv-conf $T/resolv.conf --hosts-file $T/hosts --hostname unpriv-host"

# --- fusermount3 opens /dev/fuse with the user's permissions, so both
# paths need the user to have access: a node of the test's own, owned by
# the user, covers /dev/fuse in this test's mount namespace (the machine's
# node, 0600, 0666 or with ACLs, is never touched).
if ! lib_fuse_node 0600 "$U"; then
	for i in 1 2 3 4 5 6 7 8 9; do tap_skip "unprivileged paths" "cannot cover /dev/fuse in a private mount namespace"; done
	tap_done
	exit
fi
tap_check "user given access to /dev/fuse" runuser -u "$U" -- test -r /dev/fuse -a -w /dev/fuse

# --- through fusermount3 (libfuse falls back to it on EPERM)
if [ ! -u "$(command -v fusermount3)" ]; then
	for i in 1 2 3 4; do tap_skip "fusermount3 path" "fusermount3 is not setuid"; done
else
	M=$T/user-mnt
	mkdir "$M"
	chown "$U" "$M"
	# shellcheck disable=SC2086
	# setpriv execs in place, so $! is lxnetfs itself
	setpriv --reuid="$U" --regid="$U" --clear-groups -- "$LXNETFS" -f $VIEW "$M" 2>"$T/user.log" &
	UPID=$!
	lib_on_exit "kill $UPID; umount -l '$M'"
	wait_until 5 runuser -u "$U" -- test -e "$M/etc/hostname"
	st=$?
	[ $st -eq 0 ] || sed "s/^/# /" "$T/user.log"
	tap_result $st "user mounts through fusermount3"
	runuser -u "$U" -- sh -c "grep -qx unpriv-host '$M/etc/hostname' && grep -q 10.85.0.53 '$M/etc/resolv.conf' && cat '$M/proc/net/dev' '$M/proc/net/route' >/dev/null"
	tap_result $? "the user reads the files"
	tap_check "files owned by the user" test "$(runuser -u "$U" -- stat -c %u "$M/etc/hosts")" = "$UID_U"
	kill -TERM "$UPID"
	wait "$UPID"
	st=$?
	! lxfs_is_mounted "$M" && [ $st -eq 0 ]
	tap_result $? "SIGTERM: exit 0 and unmounted by fusermount3 (status $st)"
fi

cat >"$T/inner.py" <<'EOF'
import ctypes, os, subprocess, sys, time
lxnetfs, mnt, view = sys.argv[1], sys.argv[2], sys.argv[3:]
fd = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
opts = f"fd={fd},rootmode=40000,user_id=0,group_id=0".encode()
if libc.mount(b"lxnetfs", mnt.encode(), b"fuse.lxnetfs", 0, opts) != 0:
    print("# mount:", os.strerror(ctypes.get_errno()))
    sys.exit(1)
p = subprocess.Popen([lxnetfs, "-f", "-o", "uid=0,gid=0"] + view + [f"/dev/fd/{fd}"],
                     pass_fds=[fd])
os.close(fd)
ok = False
for _ in range(500):
    if os.path.exists(os.path.join(mnt, "etc/hostname")):
        ok = True
        break
    time.sleep(0.01)
res = {}
try:
    st = os.stat(os.path.join(mnt, "etc/hosts"))
    res["owner"] = f"{st.st_uid}:{st.st_gid}"
    res["hostname"] = open(os.path.join(mnt, "etc/hostname")).read().strip()
    res["dev_lo"] = any(l.strip().startswith("lo:") for l in open(os.path.join(mnt, "proc/net/dev")))
    res["dev_rows"] = len(open(os.path.join(mnt, "proc/net/dev")).readlines()) - 2
except OSError as e:
    res["error"] = str(e)
p.terminate()
res["exit"] = p.wait(timeout=10)
print(" ".join(f"{k}={v}" for k, v in res.items()))
sys.exit(0 if ok else 1)
EOF
# --- inside unshare -rnm, /dev/fuse mounted by the user, fd handed over
mkdir "$T/ns-mnt"
chown "$U" "$T/ns-mnt"
# shellcheck disable=SC2086
out=$(runuser -u "$U" -- timeout 30 unshare -rnm python3 "$T/inner.py" "$LXNETFS" "$T/ns-mnt" $VIEW 2>"$T/ns.log")
tap_result $? "lxnetfs serves a /dev/fuse fd the user mounted inside unshare -rnm"
tap_diag "inner: $out"
case " $out " in *" owner=0:0 "*) r=0 ;; *) r=1 ;; esac
tap_result $r "owner reported as 0:0 inside the user namespace"
case " $out " in *" hostname=unpriv-host dev_lo=True dev_rows=1 "*) r=0 ;; *) r=1 ;; esac
tap_result $r "files show the new namespace's network (lo only) and the view"
case " $out " in *" exit=0 "*) r=0 ;; *) r=1 ;; esac
tap_result $r "exit 0 on SIGTERM"
[ -s "$T/ns.log" ] && sed 's/^/# /' "$T/ns.log"
tap_done
