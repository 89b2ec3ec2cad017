#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-ids.sh - the uid and gid maps of `lxnet run`'s sandbox: all of root's
# ids; an ordinary user's own ids plus its /etc/subuid and /etc/subgid
# ranges through newuidmap/newgidmap; the single mapping and one hint line
# without them; --uidmap/--gidmap; every id inside reads the view; and the
# bad input around them (one line, exit 125, nothing left behind). /etc and
# /dev/fuse are this test's own (an overlay, a private device node): the
# machine's files and device modes are never changed.
. "$(dirname "$0")/run-common.sh"
lib_enter_ns "$@"
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root to make a throw-away user"
run_require
command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
	tap_skip_all "newuidmap/newgidmap missing (apt-get install uidmap)"
command -v setpriv >/dev/null || tap_skip_all "setpriv missing (util-linux)"
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
lib_private_etc || tap_skip_all "cannot put an overlay on /etc in the test's mount namespace"
run_make_user || tap_skip_all "cannot make a throw-away user that reaches $LXNET"
run_private_fuse || run_grant_fuse || tap_skip_all "cannot give the user /dev/fuse"
run_only_subids || tap_skip_all "cannot empty the test's own /etc/subuid"
chmod 644 "$TMP_DIR/resolv.conf" "$TMP_DIR/hosts"
mkdir -m 1777 "$TMP_DIR/t"
tap_plan 26

U=$(id -u "$RUN_USER")
G=$(id -g "$RUN_USER")
S=300000 # the user's subordinate range: S..S+65535
VIEWFILES="/etc/resolv.conf /etc/hosts /etc/hostname /proc/net/route /proc/net/dev"

# ulx ARGS... - `lxnet run $VIEW ARGS` as the user, stdout to stdout,
# stderr to $TMP_DIR/err; the arguments are joined into one shell command
ulx() {
	run_as_user "TMPDIR='$TMP_DIR/t' timeout -k 5 60 '$LXNET' run $VIEW $*" 2>"$TMP_DIR/err"
}

# Scripts run in the sandbox. maps.sh: its maps, "uid|gid INSIDE OUTSIDE
# COUNT" a line, then setgroups; readview.sh ID...: each id reads the view
cat >"$TMP_DIR/maps.sh" <<'EOF'
sed 's/^/uid /' /proc/self/uid_map | tr -s ' '
sed 's/^/gid /' /proc/self/gid_map | tr -s ' '
cat /proc/self/setgroups
EOF
cat >"$TMP_DIR/readview.sh" <<EOF
for i in "\$@"; do
	setpriv --reuid \$i --regid \$i --clear-groups cat $VIEWFILES >/dev/null || exit 1
done
EOF
MAPS="sh $TMP_DIR/maps.sh"

# result DESCRIPTION - tap_result of the last status; on failure the last
# output ($out) and stderr are shown as diagnostics
result() {
	local st=$?
	if [ $st -ne 0 ]; then
		[ -n "${out:-}" ] && printf '%s\n' "$out" | sed 's/^/# out: /'
		sed 's/^/# err: /' "$TMP_DIR/err" 2>/dev/null
	fi
	tap_result $st "$1"
	out=""
}

# one_line STATUS WANT_STATUS PATTERN - the run failed with WANT_STATUS and
# said so in exactly one line of stderr matching PATTERN
one_line() {
	[ "$1" -eq "$2" ] && [ "$(wc -l <"$TMP_DIR/err")" -eq 1 ] &&
		grep -q -- "$3" "$TMP_DIR/err"
}

# nothing_left - no mount, staging directory or process of the user left
nothing_left() {
	wait_until 5 sh -c "! pgrep -u '$RUN_USER' >/dev/null" &&
		! grep -q lxnetfs /proc/self/mountinfo &&
		! ls -d "$TMP_DIR"/t/lxnet-* >/dev/null 2>&1
}

# --- root ---
out=$(lxrun -- $MAPS)
[ "$out" = "$(printf 'uid 0 0 4294967295\ngid 0 0 4294967295\nallow')" ]
result "root: every id maps to itself, setgroups allowed"

lxrun -- sh "$TMP_DIR/readview.sh" 4242 65534
result "root: a non-root id inside reads every file of the view"

out=$(lxrun --uidmap 0:0:1 --gidmap 0:0:1 -- $MAPS)
[ "$out" = "$(printf 'uid 0 0 1\ngid 0 0 1\nallow')" ]
result "root: --uidmap/--gidmap replace the full map"

# --- an ordinary user without subordinate ids ---
out=$(ulx -- "$MAPS")
[ "$out" = "$(printf 'uid 0 %s 1\ngid 0 %s 1\ndeny' "$U" "$G")" ] &&
	one_line 0 0 "usermod --add-subuids"
result "user without ranges: its own ids only, one line saying how to get more"

out=$(ulx --uidmap "0:$U:1" --gidmap "0:$G:1" -- "$MAPS")
[ "$out" = "$(printf 'uid 0 %s 1\ngid 0 %s 1\ndeny' "$U" "$G")" ] && [ ! -s "$TMP_DIR/err" ]
result "user without ranges: asking for the single map explicitly silences the hint"

# --- with subordinate ids ---
run_only_subids "$RUN_USER" "$S" 65536
cp /etc/subuid "$TMP_DIR/subuid.good"
cp /etc/subgid "$TMP_DIR/subgid.good"
restore_subids() { cp "$TMP_DIR/subuid.good" /etc/subuid; cp "$TMP_DIR/subgid.good" /etc/subgid; }

out=$(ulx -- "$MAPS")
[ "$out" = "$(printf 'uid 0 %s 1\nuid 1 %s 65536\ngid 0 %s 1\ngid 1 %s 65536\nallow' "$U" "$S" "$G" "$S")" ] &&
	[ ! -s "$TMP_DIR/err" ]
result "user with ranges: 0 is the user, 1..65536 its range, setgroups allowed, nothing on stderr"

ulx -- sh "$TMP_DIR/readview.sh" 1 42 65534 65536
result "user with ranges: uids 1, 42, 65534 and 65536 inside read every file of the view"

mkdir "$TMP_DIR/own" "$TMP_DIR/own2" && chown "$RUN_USER" "$TMP_DIR/own" && chown "$S" "$TMP_DIR/own2"
ulx -- sh -c "'touch $TMP_DIR/own/f && chown 42:7 $TMP_DIR/own/f && setpriv --reuid 42 --regid 7 --clear-groups sh -c \"echo x >$TMP_DIR/own/f\"'"
[ "$(stat -c '%u %g' "$TMP_DIR/own/f")" = "$((S + 41)) $((S + 6))" ]
result "user with ranges: chown inside gives the file the subordinate id outside"

out=$(ulx --uidmap "0:$U:1" --uidmap "1:$((S + 100)):10" --gidmap "0:$G:1" -- "$MAPS")
[ "$out" = "$(printf 'uid 0 %s 1\nuid 1 %s 10\ngid 0 %s 1\ndeny' "$U" "$((S + 100))" "$G")" ]
result "--uidmap with a part of the range: written by newuidmap; a single --gidmap denies setgroups"

out=$(ulx --uidmap "0:$S:65536" --gidmap "0:$S:65536" -- sh -c "'id -u; id -g; touch $TMP_DIR/own2/g'")
[ "$out" = "$(printf '0\n0')" ] && [ "$(stat -c '%u %g' "$TMP_DIR/own2/g")" = "$S $S" ]
result "--uidmap without the user's own id: root inside is the first subordinate id"

# --- bad input: one line, 125, nothing left behind ---
ulx --uidmap "0:$U:1" --uidmap "1:$((S + 65536)):1" -- true
one_line $? 125 "neither yours nor given to $RUN_USER in /etc/subuid" && nothing_left
result "--uidmap past the user's range: 125, one line, nothing left"

ulx --gidmap "0:0:1" -- true
one_line $? 125 "gids 0-0 are neither yours" && nothing_left
result "--gidmap of root's gid: 125, one line"

ulx --uidmap "1:$U:1" -- true
one_line $? 125 "maps no uid to 0 inside"
result "--uidmap without a root inside: 125, one line"

ulx --uidmap "0:$U" -- true
one_line $? 2 "invalid --uidmap"
result "a malformed --uidmap is a usage error (2)"

echo "$RUN_USER:x:65536" >>/etc/subuid
ulx -- true
one_line $? 125 "/etc/subuid line [0-9]*: '$RUN_USER:x:65536' is not OWNER:FIRST:COUNT" && nothing_left
result "a garbage range of the user's in /etc/subuid: 125, one line naming it"
restore_subids

echo "$U:$((S + 65000)):1000" >>/etc/subgid
ulx -- true
one_line $? 125 "/etc/subgid: the ranges of lines [0-9]* and [0-9]* overlap" && nothing_left
result "overlapping ranges (by name and by uid) in /etc/subgid: 125, one line"
restore_subids

echo "lxother:$((S + 10)):5" >>/etc/subuid
ulx -- true
one_line $? 125 "overlap"
result "a range shared with another user: 125, one line"
restore_subids

echo "$RUN_USER:$((U - 5)):10" >>/etc/subuid
ulx -- true
one_line $? 125 "holds $RUN_USER's own uid $U"
result "a range holding the user's own uid: 125, one line"
restore_subids

mkdir -p "$TMP_DIR/bin"
cp "$(command -v newuidmap)" "$TMP_DIR/bin/newuidmap" && chmod 755 "$TMP_DIR/bin/newuidmap"
run_as_user "PATH='$TMP_DIR/bin':\$PATH TMPDIR='$TMP_DIR/t' '$LXNET' run $VIEW -- true" 2>"$TMP_DIR/err"
one_line $? 125 "newuidmap is neither setuid root nor has file capabilities" && nothing_left
result "a newuidmap that is not setuid: 125, one line"

# no newuidmap at all: what worked before still works, with one hint
mkdir -p "$TMP_DIR/nobin"
for p in sh cat sed tr timeout; do ln -s "$(command -v $p)" "$TMP_DIR/nobin/$p"; done
out=$(run_as_user "PATH='$TMP_DIR/nobin' TMPDIR='$TMP_DIR/t' '$LXNET' run $VIEW -- $MAPS" 2>"$TMP_DIR/err")
[ "$out" = "$(printf 'uid 0 %s 1\ngid 0 %s 1\ndeny' "$U" "$G")" ] && one_line 0 0 "install the uidmap package"
result "ranges but no newuidmap installed: the single map and one line"

# newuidmap itself refuses (the caller's real gid is not its passwd gid)
setpriv --reuid "$U" --regid 0 --clear-groups env TMPDIR="$TMP_DIR/t" \
	timeout 60 "$LXNET" run $VIEW -- true 2>"$TMP_DIR/err"
one_line $? 125 "newuidmap refused the map: newuidmap: " && nothing_left
result "newuidmap refusing after the sandbox was made: 125, its reason in one line, nothing left"

# --- a rootfs owned by someone else ---
if run_busybox_rootfs "$TMP_DIR/rootroot" 2>/dev/null; then
	mkdir -p "$TMP_DIR"/rootroot/{proc,dev,sys,run} && touch "$TMP_DIR"/rootroot/etc/{resolv.conf,hosts,hostname} &&
		chmod 755 "$TMP_DIR/rootroot"
	out=$(ulx --root "$TMP_DIR/rootroot" -- sh -c "'stat -c %u:%g /etc/passwd; touch /etc/x 2>/dev/null || echo ro'")
	[ "$out" = "$(printf '65534:65534\nro')" ] &&
		one_line 0 0 "belongs to uid 0, which the sandbox does not map"
	result "user with root's rootfs: runs, its files are nobody's, one line says why"
	chown -R "$U:$G" "$TMP_DIR/rootroot"
	ulx --root "$TMP_DIR/rootroot" -- sh -c "'touch /etc/x && chown 5:5 /etc/x'" && [ ! -s "$TMP_DIR/err" ] &&
		[ "$(stat -c %u "$TMP_DIR/rootroot/etc/x")" = $((S + 4)) ]
	result "user with its own rootfs: root inside owns it and gives files to other ids"

	# examples/chroot-overlay.sh as the user: its chroot's other users
	# exist (unshare --map-auto) and read the view when fusermount3 may
	# give lxnetfs allow_other (user_allow_other in /etc/fuse.conf)
	echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$TMP_DIR/rootroot/etc/passwd"
	echo 'nogroup:x:65534:' >>"$TMP_DIR/rootroot/etc/group"
	overlay() {
		run_as_user "TMPDIR='$TMP_DIR/t' LXNETFS='$top_builddir/fs/lxnetfs' \
			LXNETFS_OPTS='--resolv-conf $TMP_DIR/resolv.conf --hosts-file $TMP_DIR/hosts' \
			timeout 60 sh '$top_srcdir/examples/chroot-overlay.sh' '$TMP_DIR/rootroot' \
			/bin/su nobody -c 'id -u; cat /etc/resolv.conf /proc/net/route'" 2>"$TMP_DIR/err"
	}
	if command -v fusermount3 >/dev/null && unshare --help | grep -q -- --map-auto; then
		sed -i '/^ *user_allow_other/d' /etc/fuse.conf 2>/dev/null
		out=$(overlay)
		[ $? -ne 0 ] && grep -q "add user_allow_other to /etc/fuse.conf" "$TMP_DIR/err" &&
			grep -q "Permission denied" "$TMP_DIR/err"
		result "chroot-overlay.sh as a user without user_allow_other: says why nobody cannot read the view"
		echo user_allow_other >>/etc/fuse.conf
		out=$(overlay)
		[ $? -eq 0 ] && [ "$(echo "$out" | head -1)" = 65534 ] &&
			echo "$out" | grep -q '^nameserver 10.77.0.1$' && echo "$out" | grep -q '^lxv0'
		result "chroot-overlay.sh as a user with subordinate ids and user_allow_other: nobody reads the view"
	else
		tap_skip "chroot-overlay.sh as a user" "no fusermount3, or unshare without --map-auto"
		tap_skip "chroot-overlay.sh as a user, user_allow_other" "no fusermount3, or unshare without --map-auto"
	fi
else
	for t in "rootfs owned by root" "rootfs owned by the user" "chroot-overlay.sh as a user" \
		"chroot-overlay.sh with user_allow_other"; do
		tap_skip "$t" "no static busybox"
	done
fi

nothing_left
result "no mount, staging directory or process left"

tap_done
