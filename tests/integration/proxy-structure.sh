#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy-structure.sh - the proxy's structure holds as built: no two of its
# files call each other both ways (tools/proxy-calls.py on the objects),
# the SECCOMP_IOCTL_NOTIF_* ioctls are issued in src/seccomp_notif.c only,
# and the trapped calls are listed once (src/trapped.h).
. "$(dirname "$0")/lib.sh"
S=$top_srcdir
OBJ=$top_builddir/proxy
command -v nm >/dev/null || tap_skip_all "nm (binutils) missing"
ls "$OBJ"/lxnet_proxy-*.o >/dev/null 2>&1 || tap_skip_all "lxnet-proxy's objects are not in $OBJ"
tap_plan 3

out=$(python3 "$S/tools/proxy-calls.py" --check --src "$S/proxy" "$OBJ" 2>/dev/null)
st=$?
printf '%s\n' "$out" | sed 's/^/# /'
tap_result $st "no two files of proxy/ call each other both ways ($(printf '%s\n' "$out" | tail -1))"

# an ioctl call, not a mention in a comment
hits=$(grep -ln 'ioctl([^)]*SECCOMP_IOCTL_NOTIF_' "$S"/src/*.c "$S"/src/lxnet/*.c "$S"/proxy/*.c "$S"/fs/*.c 2>/dev/null |
	sed "s|^$S/||" | tr '\n' ' ')
[ "$hits" = "src/seccomp_notif.c " ]
tap_result $? "SECCOMP_IOCTL_NOTIF_* is issued in src/seccomp_notif.c only (found in: $hits)"

# syscall names given to libseccomp: only trapped.h's rows
names=$(grep -hoE 'resolve_name[a-z_]*\([^")]*"[a-z0-9_]+"|SCMP_SYS\([a-z0-9_]+\)' \
	"$S"/src/*.c "$S"/src/lxnet/*.c "$S"/proxy/*.c 2>/dev/null | sort -u | tr '\n' ' ')
[ -z "$names" ]
tap_result $? "no syscall is named for the filter or the dispatcher outside src/trapped.h (named elsewhere: $names)"
tap_done
