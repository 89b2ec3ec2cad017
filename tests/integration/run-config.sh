#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-config.sh - the configuration file (lxnet.conf(5)): --config FILE,
# the user's ($XDG_CONFIG_HOME/lxnet/lxnet.conf) and the system's
# (SYSCONFDIR/lxnet/lxnet.conf) files, the command line winning over the
# user's file winning over the system's, rules adding up with the
# command line's first, lxnetfs and lxnet-proxy reading the same file, the
# companions of lxnet run reading none of their own, and bad files named
# by file and line.
. "$(dirname "$0")/run-common.sh"
lib_enter_ns "$@"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
PY=/usr/bin/python3
[ -x "$PY" ] || tap_skip_all "python3 missing"
tap_plan 19

# no file of the machine's or of whoever runs the suite: an empty user
# directory, and (below) the system's directory hidden by a tmpfs
export XDG_CONFIG_HOME=$TMP_DIR/xdg
mkdir -p "$XDG_CONFIG_HOME/lxnet"
UCONF=$XDG_CONFIG_HOME/lxnet/lxnet.conf
# the system's file, where this build looks for it (lib.sh)
SYSDIR=$LIB_SYSCONFDIR
sysconf_ok=
if [ -n "$SYSDIR" ] && [ -d "$SYSDIR" ] && lib_in_private_mntns &&
	mount -t tmpfs lxnet-test-sysconf "$SYSDIR"; then
	lib_on_exit "umount -l '$SYSDIR'"
	mkdir -p "$SYSDIR/lxnet" && sysconf_ok=1
fi
SCONF=$SYSDIR/lxnet/lxnet.conf

"$PY" -c '
import socket, sys
s = [socket.create_server(("127.0.0.1", p)) for p in (9301, 9302)]
s.append(socket.create_server(("127.0.0.53", 53)))
open(sys.argv[1], "w").close()
import time; time.sleep(3600)' "$TMP_DIR/ready" &
lib_on_exit "kill $! 2>/dev/null"
wait_until 5 test -e "$TMP_DIR/ready"

# $CONNECT PORT [ADDR] - inside: "ok" when a connect to ADDR (127.0.0.1)
# PORT works, else the errno name
CONNECT='import socket, sys, errno
try:
    a = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    socket.create_connection((a, int(sys.argv[1])), 2).close(); print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))'

# 1: --config FILE: the view options and the rules it sets apply
cat >"$TMP_DIR/a.conf" <<'EOF'
# a comment, then blank lines

hide-if lxv1
dns = 10.77.0.53
add-host   db.test:10.77.0.7
hostname	fromfile
deny tcp:127.0.0.1:9301
EOF
out=$(lxrun --config "$TMP_DIR/a.conf" -- sh -c \
	'cat /etc/resolv.conf /etc/hosts /etc/hostname; ip -o link; '"$PY"' -c "$1" 9301; '"$PY"' -c "$1" 9302' _ "$CONNECT" 2>&1)
ok=0
grep -qx 'nameserver 10.77.0.53' <<<"$out" || ok=1
grep -q '^10.77.0.7[[:space:]]*db.test' <<<"$out" || ok=1
grep -qx fromfile <<<"$out" || ok=1
grep -q ' lxv1@' <<<"$out" && ok=1
grep -q ' lxv0@' <<<"$out" || ok=1
[ "$(grep -cx 'EPERM\|ok' <<<"$out")" = 2 ] && grep -qx EPERM <<<"$out" || ok=1
[ $ok -eq 0 ] || tap_diag "$out"
tap_result $ok "--config FILE: dns, add-host, hostname, hide-if and a deny rule apply"

# 2: the command line wins: its --dns and --hide-if replace the file's, its
# --allow comes before the file's deny
out=$(lxrun --config "$TMP_DIR/a.conf" --dns 10.77.0.99 --hide-if lxv0 --allow tcp:127.0.0.1:9301 -- sh -c \
	'cat /etc/resolv.conf /etc/hostname; ip -o link; '"$PY"' -c "$1" 9301' _ "$CONNECT" 2>&1)
ok=0
grep -qx 'nameserver 10.77.0.99' <<<"$out" || ok=1
grep -q '10.77.0.53' <<<"$out" && ok=1
grep -qx fromfile <<<"$out" || ok=1
grep -q ' lxv0@' <<<"$out" && ok=1
grep -q ' lxv1@' <<<"$out" || ok=1
grep -qx ok <<<"$out" || ok=1
[ $ok -eq 0 ] || tap_diag "$out"
tap_result $ok "the command line wins: --dns and --hide-if replace the file's, --allow precedes its deny"

# 3-4: the user's file, then the system's under it
printf 'hostname userbox\ndeny tcp:127.0.0.1:9302\n' >"$UCONF"
if [ -n "$sysconf_ok" ]; then
	printf 'hostname sysbox\ndns 10.77.0.54\nallow tcp:127.0.0.1:9302\n' >"$SCONF"
	out=$(lxrun -- sh -c 'cat /etc/resolv.conf /etc/hostname; '"$PY"' -c "$1" 9302' _ "$CONNECT" 2>&1)
	ok=0
	grep -qx userbox <<<"$out" || ok=1
	grep -qx 'nameserver 10.77.0.54' <<<"$out" || ok=1
	grep -qx EPERM <<<"$out" || ok=1
	[ $ok -eq 0 ] || tap_diag "$out"
	tap_result $ok "user's file over the system's: its hostname and deny win, the system's dns fills in"
else
	tap_skip "user's file over the system's" "cannot hide the system's directory '$SYSDIR' here"
fi
out=$(lxrun --hostname cmdbox -- cat /etc/hostname 2>&1)
[ "$out" = cmdbox ]
tap_result $? "--hostname on the command line over the user's file ($out)"

# 5: --config FILE reads neither default file; --no-config reads none;
# the companions lxnet run starts read none of their own (the user's
# hostname must not come back through lxnetfs)
printf 'dns 10.77.0.55\n' >"$TMP_DIR/b.conf"
a=$(lxrun --config "$TMP_DIR/b.conf" -- cat /etc/hostname /etc/resolv.conf 2>&1)
b=$(lxrun --no-config -- cat /etc/hostname 2>&1)
ok=0
grep -qx 'userbox\|sysbox' <<<"$a"$'\n'"$b" && ok=1
grep -qx 'nameserver 10.77.0.55' <<<"$a" || ok=1
[ "$b" = "$(hostname)" ] || ok=1
[ $ok -eq 0 ] || tap_diag "config: $a / no-config: $b"
tap_result $ok "--config FILE replaces the default files, --no-config reads none, companions read none"
rm -f "$UCONF" "$SCONF"

# 6: lxnetfs alone reads the file too, and ignores the rules it has no use for
mkdir "$TMP_DIR/mnt"
"$top_builddir/fs/lxnetfs" --config "$TMP_DIR/a.conf" $VIEW "$TMP_DIR/mnt" 2>"$TMP_DIR/fs.err"
st=$?
if [ $st -eq 0 ]; then
	lib_on_exit "umount -l '$TMP_DIR/mnt'"
	grep -qx 'nameserver 10.77.0.53' "$TMP_DIR/mnt/etc/resolv.conf" &&
		! grep -q lxv1 "$TMP_DIR/mnt/proc/net/dev" &&
		grep -q lxv0 "$TMP_DIR/mnt/proc/net/dev"
	tap_result $? "lxnetfs --config: dns and hide-if apply, the rules are ignored"
	umount "$TMP_DIR/mnt"
else
	tap_result 1 "lxnetfs --config: status $st: $(cat "$TMP_DIR/fs.err")"
fi

# 7: lxnet-proxy reads the rules; a shim's connect is refused by them
"$top_builddir/proxy/lxnet-proxy" --config "$TMP_DIR/a.conf" --socket "$TMP_DIR/p.sock" \
	2>"$TMP_DIR/proxy.err" &
lib_on_exit "kill $! 2>/dev/null"
wait_until 5 test -S "$TMP_DIR/p.sock"
out=$(unshare -rn "$LXNET" shim --proxy "$TMP_DIR/p.sock" -- "$PY" -c "$CONNECT" 9301 2>&1)
[ "$out" = EPERM ]
tap_result $? "lxnet-proxy --config: the file's deny rule refuses a shim's connect ($out)"

# 8-13: bad files: one line naming the file and the line in the file's
# words (a key, not GLib's "option --x"), no --help hint (--help does not
# describe the file), status 2
bad() { # DESCRIPTION CONTENT WANT-IN-MESSAGE
	printf '%b' "$2" >"$TMP_DIR/bad.conf"
	lxrun --config "$TMP_DIR/bad.conf" -- true >"$TMP_DIR/out" 2>"$TMP_DIR/err"
	st=$?
	if [ $st -eq 2 ] && [ ! -s "$TMP_DIR/out" ] && [ "$(wc -l <"$TMP_DIR/err")" -eq 1 ] &&
		grep -qF -- "lxnet run: error: $TMP_DIR/$3" "$TMP_DIR/err" &&
		! grep -q -e '--help' -e 'option --' "$TMP_DIR/err"; then
		tap_result 0 "$1: $(cat "$TMP_DIR/err")"
	else
		tap_diag "status $st: $(cat "$TMP_DIR/err")"
		tap_result 1 "$1"
	fi
}
bad "an unknown key" 'hostname ok\n\nbogus 1\n' "bad.conf:3: unknown key 'bogus'"
bad "an invalid value" 'dns 10.0.0\n' "bad.conf:1: invalid dns '10.0.0'"
bad "a flag given a value" 'no-host-loopback yes\n' "bad.conf:1: 'no-host-loopback' takes no value"
bad "an option without its value" 'hide-if\n' "bad.conf:1: 'hide-if' needs a value"
bad "a line that is not an option" '# ok\n--dns 10.0.0.1\n' "bad.conf:2: expected an option name"
lxrun --config "$TMP_DIR/none.conf" -- true 2>"$TMP_DIR/err"
st=$?
lxrun --config "$TMP_DIR/a.conf" --no-config -- true 2>>"$TMP_DIR/err"
st2=$?
[ $st -eq 2 ] && [ $st2 -eq 2 ] && grep -q "cannot read the configuration file $TMP_DIR/none.conf: No such file or directory$" "$TMP_DIR/err" &&
	grep -q -- "--config and --no-config exclude each other" "$TMP_DIR/err"
tap_result $? "a missing --config FILE, --config with --no-config: status 2, one line"

# 14: lines of one list option add up within a file
printf 'hide-if lxv0\nhide-if lxv1\n' >"$TMP_DIR/two.conf"
out=$(lxrun --config "$TMP_DIR/two.conf" -- ip -o link 2>&1)
! grep -q ' lxv[01]@' <<<"$out" && grep -q ': lo:' <<<"$out"
tap_result $? "two hide-if lines in one file hide both interfaces"

# 15: the view's nameservers stay reachable under an allow-list also when
# --dns comes from a file: lxnet run hands its proxy the whole view
printf 'dns 127.0.0.53\nallow tcp:127.0.0.1:9302\n' >"$TMP_DIR/dns.conf"
out=$(lxrun --config "$TMP_DIR/dns.conf" -- sh -c \
	"$PY"' -c "$1" 53 127.0.0.53; '"$PY"' -c "$1" 9301' _ "$CONNECT" 2>&1)
[ "$out" = "ok"$'\n'"EPERM" ]
tap_result $? "dns from the file: its nameserver (127.0.0.53:53) allowed, the rest refused ($(echo $out))"

# 16: a nested lxnet run reads the same user file: its hide-if and rules,
# which the outer proxy decides, are left out instead of refused; on the
# inner command line they are still refused
printf 'hide-if lxv1\ndeny tcp:127.0.0.1:9301\n' >"$UCONF"
lxrun -- "$LXNET" run -- true 2>"$TMP_DIR/nest.err"
st=$?
lxrun -- "$LXNET" run --hide-if lxv0 -- true 2>>"$TMP_DIR/nest.err"
st2=$?
rm -f "$UCONF"
[ $st -eq 0 ] && [ $st2 -eq 2 ] && grep -q -- "--hide-if cannot apply inside" "$TMP_DIR/nest.err"
tap_result $? "nested lxnet run: the file's hide-if and rules left out (status $st), --hide-if given refused (status $st2)"

# 17: a default-path file of another owner, or writable by others, is
# ignored (root with a HOME kept from a user); --config reads it anyway
printf 'hostname foreign\n' >"$UCONF"
chown 65534 "$UCONF"
a=$(lxrun -- cat /etc/hostname 2>"$TMP_DIR/warn-a")
chown 0 "$UCONF"
chmod 0666 "$UCONF"
b=$(lxrun -- cat /etc/hostname 2>"$TMP_DIR/warn-b")
c=$(lxrun --config "$UCONF" -- cat /etc/hostname 2>&1)
rm -f "$UCONF"
tap_diag "$(cat "$TMP_DIR/warn-b")"
[ "$a" != foreign ] && [ "$b" != foreign ] && [ "$c" = foreign ] &&
	grep -q "lxnet.conf ignored: not owned by this user or root, or writable" "$TMP_DIR/warn-a" &&
	grep -q "lxnet.conf ignored: .*(chmod go-w)" "$TMP_DIR/warn-b"
tap_result $? "a user file owned by another uid or world-writable is ignored with a warning, --config reads it ($a, $b, $c)"

# 18: the sample file is valid with every option line in use
sed 's/^#\([a-z]\)/\1/' "$top_srcdir/examples/lxnet.conf" >"$TMP_DIR/sample.conf"
[ "$(grep -c '^[a-z]' "$TMP_DIR/sample.conf")" -ge 10 ] &&
	lxrun --config "$TMP_DIR/sample.conf" --log-connections "$TMP_DIR/c.log" -- true 2>"$TMP_DIR/err"
st=$?
[ $st -eq 0 ] || tap_diag "$(cat "$TMP_DIR/err")"
tap_result $st "examples/lxnet.conf parses with every option line in use"

# 19: --config and --policy from a pipe (bash's <(...), as CI scripts
# write them) or /dev/null: read to their end (before: "cannot read policy
# file /dev/fd/63: Invalid argument", status 2, found by a new user)
out=$(lxrun --config <(printf 'hostname piped\n') --policy <(printf 'deny tcp:192.0.2.1\n') \
	--log-connections - -- sh -c 'cat /etc/hostname
	'"$PY"' -c "import socket; print(socket.socket().connect_ex((\"192.0.2.1\", 80)))"' 2>"$TMP_DIR/pipe.err")
st=$?
lxrun --policy /dev/null -- true 2>>"$TMP_DIR/pipe.err"
st2=$?
tap_diag "$(tr '\n' ' ' <"$TMP_DIR/pipe.err" | head -c 300)"
[ $st -eq 0 ] && [ $st2 -eq 0 ] && [ "$out" = "$(printf 'piped\n1')" ] &&
	grep -q '"verdict":"deny","rule":"tcp:192.0.2.1"' "$TMP_DIR/pipe.err"
tap_result $? "--config <(...) and --policy <(...) are read (hostname and rule applied: $(echo $out)), --policy /dev/null is an empty policy"

exit $((LIB_TAP_FAILED > 0))
