#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-exec.sh - a sandbox you can come back to: `lxnet run --name`, `lxnet
# exec`, `lxnet ps`, and `--bind` for --root; as root and as an ordinary
# (throw-away) user; bad input (name in use, ended sandbox, missing source).
. "$(dirname "$0")/run-common.sh"
if [ -z "${LXNET_IN_TEST_NS:-}" ]; then
	: "${LXNET_TEST_TIMEOUT:=300}" # sanitizer builds are slow
	export LXNET_TEST_TIMEOUT
fi
lib_enter_ns "$@"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
tap_plan 31

XDG_RUNTIME_DIR=$TMP_DIR/xdg
export XDG_RUNTIME_DIR
mkdir -m 700 "$XDG_RUNTIME_DIR"
REG=$XDG_RUNTIME_DIR/lxnet/sandboxes

lxps() { timeout 10 "$LXNET" ps; }
# lxlong ARGS... - a sandbox that lives until the test ends (or 280 s)
lxlong() { timeout -k 5 280 "$LXNET" run $VIEW "$@"; }
lxexec() { timeout -k 5 30 "$LXNET" exec "$@"; }
# ps_field NAME COLUMN - a column of NAME's row (PID 2, SOCKETS last)
ps_field() { lxps | awk -v n="$1" -v c="$2" '$1 == n { print (c == "last" ? $NF : $c) }'; }
listed() { [ -n "$(ps_field "$1" 2)" ]; }

python3 -m http.server -b 127.0.0.1 18091 --directory "$TMP_DIR" >/dev/null 2>&1 &
lib_on_exit "kill $!"
echo exec-ok >"$TMP_DIR/probe"
wait_until 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/18091' 2>/dev/null

# ---- root: a sandbox on the host's filesystem ----
lxlong --name box --hostname xbox -- sleep 300 &
lib_on_exit "kill $!"
wait_until 10 listed box
pid=$(ps_field box 2)
lxps | head -1 | grep -q '^NAME  *PID  *COMMAND  *STARTED  *SOCKETS$' &&
	[ "$(lxps | awk '$1 == "box" { print $3, $4 }')" = "sleep 300" ] && run_alive "$pid"
tap_result $? "ps lists the named sandbox: header, pid, command"

[ "$(lxexec box -- cat /etc/hostname)" = xbox ] && [ "$(lxexec box -- hostname)" = xbox ]
tap_result $? "exec sees the sandbox's hostname and view"

[ "$(lxexec box -- sh -c 'readlink /proc/self/ns/net')" = "$(readlink "/proc/$pid/ns/net")" ] &&
	[ "$(lxexec box -- sh -c 'readlink /proc/self/ns/mnt')" = "$(readlink "/proc/$pid/ns/mnt")" ] &&
	[ "$(lxexec box -- sh -c 'readlink /proc/self/ns/net')" != "$(readlink /proc/self/ns/net)" ]
tap_result $? "exec runs in the sandbox's network and mount namespaces"

cat >"$TMP_DIR/fetch.py" <<'EOF'
import urllib.request as u
print(u.urlopen("http://127.0.0.1:18091/probe", timeout=10).read().decode().strip())
EOF
out=$(lxexec box -- python3 "$TMP_DIR/fetch.py")
[ "$out" = exec-ok ]
tap_result $? "exec'd process reaches the host's loopback (its sockets are served by the proxy)"

# A client that sends the sandbox's namespace with something that is not
# a seccomp listener is refused, and lxnet run's channel to its proxy stays
# (relayed, the proxy dropped it and every later exec failed).
cat >"$TMP_DIR/badexec.py" <<'EOF'
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
fds = [os.open("/dev/null", os.O_RDONLY), os.open("/proc/%s/ns/net" % sys.argv[2], os.O_RDONLY)]
msg = struct.pack("=IIii", 0x6c786e65, 1, 0, 0)
s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("ii", *fds))])
s.settimeout(10)
print(struct.unpack("=IIii", s.recv(16))[2])
EOF
bad=$(timeout 20 python3 "$TMP_DIR/badexec.py" "$REG/box/sock" "$pid" 2>&1)
out=$(lxexec box -- python3 "$TMP_DIR/fetch.py")
[ "$bad" = -74 ] && [ "$out" = exec-ok ]
tap_result $? "a /dev/null sent as the listener: EBADMSG ($bad), and exec still served ($out)"

# A client that connects and never sends keeps the others out for at most
# its 2 s (it used to hold the slot for good: every exec timed out).
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
time.sleep(30)' "$REG/box/sock" &
silent=$!
sleep 0.3
t0=$(date +%s%N)
out=$(lxexec box -- python3 "$TMP_DIR/fetch.py")
ms=$((($(date +%s%N) - t0) / 1000000))
kill $silent 2>/dev/null; wait $silent 2>/dev/null
[ "$out" = exec-ok ] && [ $ms -lt 8000 ]
tap_result $? "a silent exec client is dropped: the next exec is served in $ms ms ($out)"

# the listener goes with the sandbox's netns: a namespace of CMD's own
# gets the kernel (nothing listens on its loopback), not the host
if lxexec box -- unshare -rn true 2>/dev/null; then
	! lxexec box -- unshare -rn python3 "$TMP_DIR/fetch.py" >/dev/null 2>&1 &&
		[ "$(lxexec box -- unshare -rn sh -c 'echo ok')" = ok ]
	tap_result $? "exec'd process in a network namespace of its own is not served by the proxy"
else
	tap_skip "exec'd nested namespace" "unshare -rn fails inside the sandbox"
fi

for i in 1 2 3 4 5 6; do
	lxexec box -- python3 "$TMP_DIR/fetch.py" >"$TMP_DIR/par.$i" &
done
wait_until 30 sh -c "[ \"\$(cat '$TMP_DIR'/par.* | grep -c '^exec-ok$')\" = 6 ]"
tap_result $? "six execs at once: each is relayed, answered and served"

ip -o link | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort >"$TMP_DIR/links.h"
lxexec box -- ip -o link | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort >"$TMP_DIR/links.x"
[ -s "$TMP_DIR/links.h" ] && diff -u "$TMP_DIR/links.h" "$TMP_DIR/links.x"
tap_result $? "exec: ip -o link lists the host's links (emulated netlink)"

# lxnet exec itself (not under timeout): the signal must reach it
"$LXNET" exec box -- python3 -c 'import socket, time
s = socket.create_connection(("127.0.0.1", 18091))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
time.sleep(8)' &
holder=$!
wait_until 10 sh -c "[ \"\$(timeout 10 '$LXNET' ps | awk '\$1 == \"box\" { print \$NF }')\" = 2 ]"
tap_result $? "ps counts the host sockets the sandbox's processes hold (2)"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
wait_until 10 sh -c "! pgrep -f 'u[.]bind' >/dev/null"

[ "$(LXNET_EXEC_TEST_NO_PIDFD_SETNS=1 lxexec box -- sh -c 'hostname; readlink /proc/self/ns/net')" = \
	"$(printf 'xbox\n%s' "$(readlink "/proc/$pid/ns/net")")" ] &&
	[ "$(LXNET_EXEC_TEST_NO_PIDFD_SETNS=1 lxexec box -- python3 "$TMP_DIR/fetch.py")" = exec-ok ]
tap_result $? "exec without setns on a pidfd (the pre-5.8 path, forced): same namespaces, served"

lxexec box -- sh -c 'exit 7'
st1=$?
lxexec box -- no-such-command-lxnet 2>/dev/null
st2=$?
lxexec box -- sh -c 'kill -TERM $$'
st3=$?
[ $st1 -eq 7 ] && [ $st2 -eq 127 ] && [ $st3 -eq 143 ]
tap_result $? "exec status: CMD's (7), 127 not found, 128+signal ($st1 $st2 $st3)"

"$LXNET" exec box -- sleep 20 &
ex=$!
wait_until 10 sh -c "pgrep -f '^sleep 20$' >/dev/null"
kill -USR1 "$ex"
wait "$ex"
[ $? -eq 138 ] && wait_until 5 sh -c "! pgrep -f '^sleep 20$' >/dev/null"
tap_result $? "exec forwards a signal to CMD (SIGUSR1: 138)"

lxrun --name box -- true 2>"$TMP_DIR/inuse.err"
st=$?
[ $st -eq 125 ] && [ "$(wc -l <"$TMP_DIR/inuse.err")" -eq 1 ] &&
	grep -q "name 'box' is in use" "$TMP_DIR/inuse.err" &&
	[ "$(lxexec box -- hostname)" = xbox ]
tap_result $? "a name in use: one line, 125, the running one untouched ($st)"

for bad in 'a/b' '.hidden' "$(printf 'x%.0s' $(seq 65))" 'sp ace'; do
	lxrun --name "$bad" -- true 2>/dev/null
	[ $? -eq 2 ] || break
	bad=""
done
[ -z "$bad" ] && [ "$(ls "$REG")" = box ]
tap_result $? "bad names ('/', hidden, 65 chars, space): usage error (2), nothing registered"

kill -TERM "$pid"
wait_until 10 sh -c "! [ -e '$REG/box' ]"
tap_result $? "the entry is removed when the sandbox ends"
lxexec box -- true 2>"$TMP_DIR/ended.err"
st=$?
[ $st -eq 125 ] && [ "$(wc -l <"$TMP_DIR/ended.err")" -eq 1 ]
tap_result $? "exec into an ended sandbox: one line, 125 ($(cat "$TMP_DIR/ended.err"))"

# a SIGKILLed lxnet run cannot clean up: its entry is stale
"$LXNET" run $VIEW --name stale -- sleep 60 &
runpid=$!
wait_until 10 listed stale
kill -KILL "$runpid"
wait "$runpid" 2>/dev/null
[ -d "$REG/stale" ] && ! lxexec stale -- true 2>"$TMP_DIR/stale.err"
st=$?
[ $st -eq 0 ] && grep -q "has ended" "$TMP_DIR/stale.err" && [ ! -e "$REG/stale" ] &&
	lxrun --name stale -- true
tap_result $? "a stale entry (lxnet run killed) is detected, cleaned, the name reusable"

# an entry whose lxnet run died while building it: removed once a minute old
mkdir -m 700 "$REG/.new-oldone" "$REG/.new-young1"
touch -d '-2 minutes' "$REG/.new-oldone"
lxps >/dev/null
[ ! -e "$REG/.new-oldone" ] && [ -d "$REG/.new-young1" ]
tap_result $? "lxnet ps removes an unlocked half-built entry older than a minute, not a young one"
rmdir "$REG/.new-young1"

# ---- root: --root with --pid and --bind ----
R=$TMP_DIR/bbroot
if run_busybox_rootfs "$R"; then
	mkdir "$TMP_DIR/rw" "$TMP_DIR/ro"
	echo inside-ro >"$TMP_DIR/ro/f"
	echo a-file >"$TMP_DIR/onefile"
	lxlong --root "$R" --pid --name rbox --bind "$TMP_DIR/rw:/mnt/rw" \
		--bind "$TMP_DIR/ro:/srv/data:ro" --bind "$TMP_DIR/onefile:/etc/motd:ro" -- sleep 300 &
	lib_on_exit "kill $!"
	wait_until 10 listed rbox
	rpid=$(ps_field rbox 2)
	out=$(lxexec rbox -- sh -c 'pwd; test -x /bin/busybox && test ! -e /usr/bin/dpkg && echo rootfs; readlink /proc/self/ns/pid')
	[ "$out" = "$(printf '/\nrootfs\n%s' "$(readlink "/proc/$rpid/ns/pid")")" ]
	tap_result $? "--root --pid: exec sees the rootfs at / and is in its pid namespace"

	[ "$(lxexec rbox -- wget -q -O - http://127.0.0.1:18091/probe)" = exec-ok ]
	tap_result $? "--root: exec'd static wget reaches the host's loopback"

	lxexec rbox -- sh -c 'echo from-inside >/mnt/rw/new' && [ "$(cat "$TMP_DIR/rw/new")" = from-inside ]
	tap_result $? "--bind SRC:DST: writable, created in the rootfs, writes reach the host"

	out=$(lxexec rbox -- sh -c 'cat /srv/data/f /etc/motd; echo x >/srv/data/g || exit 9' 2>&1)
	st=$?
	[ $st -eq 9 ] && echo "$out" | grep -q 'Read-only file system' &&
		echo "$out" | grep -q '^inside-ro$' && echo "$out" | grep -q '^a-file$' &&
		[ ! -e "$TMP_DIR/ro/g" ]
	tap_result $? "--bind SRC:DST:ro (directory and file): readable, writes fail with EROFS"

	# a writable mount beneath SRC must not come through the remount
	mkdir -p "$TMP_DIR/ro/sub"
	mount -t tmpfs lxsub "$TMP_DIR/ro/sub"
	out=$(LXNET_TEST_NO_MOUNT_SETATTR=1 lxrun --root "$R" --bind "$TMP_DIR/ro:/srv/data:ro" -- \
		sh -c 'cat /srv/data/f; echo x >/srv/data/sub/h 2>/dev/null && exit 8; echo x >/srv/data/g || exit 9' 2>&1)
	st=$?
	umount "$TMP_DIR/ro/sub"
	# writable beneath: never (8); refused (125) or left out (9)
	{ [ $st -eq 9 ] && echo "$out" | grep -q '^inside-ro$' && echo "$out" | grep -q 'Read-only file system'; } ||
		{ [ $st -eq 125 ] && echo "$out" | grep -q 'Operation not supported'; }
	tap_result $? "--bind :ro without mount_setattr (the pre-5.12 remount, forced), a mount beneath SRC: never writable ($st: $(echo "$out" | tail -n1))"
	out=$(LXNET_TEST_NO_MOUNT_SETATTR=1 lxrun --root "$R" --bind "$TMP_DIR/ro:/srv/data:ro" -- \
		sh -c 'cat /srv/data/f; echo x >/srv/data/g || exit 9' 2>&1)
	[ $? -eq 9 ] && echo "$out" | grep -q '^inside-ro$' && echo "$out" | grep -q 'Read-only file system'
	tap_result $? "--bind :ro without mount_setattr (the pre-5.12 remount, forced): EROFS"

	lxrun --root "$R" --bind "$TMP_DIR/missing:/mnt/m" -- true 2>"$TMP_DIR/bind.err"
	st=$?
	[ $st -eq 125 ] && [ "$(wc -l <"$TMP_DIR/bind.err")" -eq 1 ] &&
		grep -q "missing: No such file or directory" "$TMP_DIR/bind.err" && [ ! -e "$R/mnt/m" ]
	tap_result $? "--bind with a missing source: one line, 125, nothing made ($st)"

	lxrun --bind "$TMP_DIR/rw:/mnt" -- true 2>/dev/null
	[ $? -eq 2 ]
	tap_result $? "--bind without --root is a usage error (2)"
else
	for t in root rootwget bind bindro bindro-remount bindmissing bindnoroot; do
		tap_skip "--root exec/bind $t" "no static busybox (apt-get install busybox-static)"
	done
fi

# ---- an ordinary user ----
if run_make_user && run_grant_fuse; then
	chmod 644 "$TMP_DIR/resolv.conf" "$TMP_DIR/hosts"
	U=$TMP_DIR/uxdg
	mkdir -m 700 "$U" && chown "$RUN_USER" "$U"
	ux="XDG_RUNTIME_DIR='$U' timeout -k 5 280 '$LXNET'"
	run_as_user "$ux run $VIEW --name ubox --hostname ubox -- sleep 300" &
	lib_on_exit "kill $!"
	wait_until 10 sh -c "su '$RUN_USER' -s /bin/sh -c \"$ux ps\" | grep -q '^ubox '"
	tap_result $? "ordinary user: ps lists its named sandbox"
	[ "$(stat -c %U "$U/lxnet/sandboxes/ubox")" = "$RUN_USER" ] && ! lxps | grep -q '^ubox '
	tap_result $? "ordinary user: its own registry; root's ps does not show it"
	chmod 644 "$TMP_DIR/fetch.py"
	out=$(run_as_user "$ux exec ubox -- sh -c 'id -u; cat /etc/hostname; python3 $TMP_DIR/fetch.py'")
	[ "$out" = "$(printf '0\nubox\nexec-ok')" ]
	tap_result $? "ordinary user: exec is root inside, sees the view, reaches the host ($(echo $out))"
	run_as_user "$ux exec ubox -- sh -c 'exit 5'"
	[ $? -eq 5 ]
	tap_result $? "ordinary user: exec status passes through"
else
	for t in ps registry exec status; do
		tap_skip "ordinary user $t" "cannot make a throw-away user with a /dev/fuse of the test's own"
	done
fi

tap_done
