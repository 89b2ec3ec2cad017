#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxnetfs-bindmount.sh - the host's resolv.conf and hosts are files bind
# mounted over their paths, as container engines (podman, Docker) do, and
# edited in place through the bind source: the view follows within 2 s
# (the watched path's directory sees no event then; only the file does).
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
. "$(dirname "$0")/lxnetfs-common.sh"

lxfs_require
lxfs_need_python
lib_tmpdir
T=$TMP_DIR
tap_plan 10

# The engine's files (bind sources) and the container's paths (targets).
mkdir "$T/engine" "$T/etc"
printf 'nameserver 10.79.0.1\n' >"$T/engine/resolv.conf"
printf '127.0.0.1 localhost\n10.79.0.7 seven\n' >"$T/engine/hosts"
: >"$T/etc/resolv.conf"
: >"$T/etc/hosts"
mount --bind "$T/engine/resolv.conf" "$T/etc/resolv.conf" &&
	mount --bind "$T/engine/hosts" "$T/etc/hosts" ||
	tap_skip_all "cannot bind-mount files here"
lib_on_exit "umount '$T/etc/resolv.conf' '$T/etc/hosts'"

M=$T/m
lxfs_mount "$M" --resolv-conf "$T/etc/resolv.conf" --hosts-file "$T/etc/hosts"
tap_result $? "mounted"
has() { grep -q -- "$2" "$M/$1" 2>/dev/null; }

# A rename over a mount point fails, natively too: engines write in place.
printf 'nameserver 10.79.0.9\n' >"$T/new"
! mv "$T/new" "$T/etc/resolv.conf" 2>/dev/null
tap_result $? "rename over the bind-mounted file fails (EBUSY), as in a container"

timed "resolv.conf truncated, then written (truncate + append)" \
	"truncate -s 0 '$T/engine/resolv.conf' && printf 'nameserver 10.79.0.2\n' >>'$T/engine/resolv.conf'" \
	has etc/resolv.conf "^nameserver 10.79.0.2$"
timed "resolv.conf rewritten (cat new > file)" \
	"printf 'nameserver 10.79.0.3\n' >'$T/new' && cat '$T/new' >'$T/engine/resolv.conf'" \
	has etc/resolv.conf "^nameserver 10.79.0.3$"
# A writer that keeps the file open: no close, only IN_MODIFY.
python3 - "$T/engine/resolv.conf" "$T/held" <<'PY' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.write(fd, b"nameserver 10.79.0.4\n")
open(sys.argv[2], "w").close()
time.sleep(5)
os.close(fd)
PY
held=$!
wait_until 2 test -e "$T/held"
timed "resolv.conf written by a writer that keeps it open" ":" \
	has etc/resolv.conf "^nameserver 10.79.0.4$"
kill "$held" 2>/dev/null
wait "$held" 2>/dev/null
timed "hosts rewritten in place" \
	"printf '127.0.0.1 localhost\n10.79.0.8 eight\n' >'$T/engine/hosts'" \
	has etc/hosts "^10.79.0.8 eight$"
timed "hosts appended to in place" \
	"printf '10.79.0.9 nine\n' >>'$T/engine/hosts'" \
	has etc/hosts "^10.79.0.9 nine$"
# Through the target path too (a process inside the container).
timed "resolv.conf written through the bind-mount target" \
	"printf 'nameserver 10.79.0.5\n' >'$T/etc/resolv.conf'" \
	has etc/resolv.conf "^nameserver 10.79.0.5$"

sizes_ok() {
	local f n
	for f in etc/resolv.conf etc/hosts; do
		n=$(wc -c <"$M/$f"); [ "$(stat -c %s "$M/$f")" = "$n" ] || return 1
	done
}
tap_check "sizes exact after the edits" sizes_ok
lxfs_stop "$M" "$LXFS_PID"
tap_result $? "clean exit"
tap_done
