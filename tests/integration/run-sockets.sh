#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-sockets.sh - the sandbox sees its own sockets and only those: ss
# (NETLINK_SOCK_DIAG), netstat and /proc/net/tcp* inside `lxnet run` list
# exactly the host sockets its processes hold, row for row as the host
# shows them, and none of the host's others (golden: the host's own ss and
# /proc/net files on the same sockets, read while they are held).
. "$(dirname "$0")/run-common.sh"
. "$(dirname "$0")/lxnetfs-common.sh"
lib_enter_ns "$@"
run_require
lib_tmpdir
command -v ss >/dev/null || tap_skip_all "ss missing (iproute2)"
command -v python3 >/dev/null || tap_skip_all "python3 missing"
PROBE=$(dirname "$0")/sockets-probe.py
tap_plan 22

# A host server that is not the sandbox's.
python3 -c 'import socket,time
s=socket.socket(); s.bind(("127.0.0.1",18093)); s.listen(); time.sleep(300)' &
lib_on_exit "kill $!"
wait_until 10 sh -c 'ss -ltnH | grep -q 127.0.0.1:18093'

lxrun -- python3 "$PROBE" "$TMP_DIR" &
probe=$!
wait_until 30 test -e "$TMP_DIR/ready"
# The host's view of the same moment (the sockets are held until "done").
ss -tunaeH >"$TMP_DIR/host.ss-tunae"
for f in tcp tcp6 udp udp6 raw raw6; do cat "/proc/net/$f" >"$TMP_DIR/host.$f"; done
touch "$TMP_DIR/done"
wait $probe
tap_result $? "the probe ran inside lxnet run"

read -r lport uport <"$TMP_DIR/inside.ports"
inos=$(tr '\n' ' ' <"$TMP_DIR/inside.inodes")
tap_diag "sandbox sockets: inodes $inos; tcp listener $lport, udp6 $uport"

# rows_of FILE - ss -e lines whose ino: is one of the sandbox's inodes,
# the process column cut (the same on both sides without -p), sorted
rows_of() {
	local i
	for i in $inos; do grep -E " ino:$i " "$1"; done | sort
}
in_rows=$(sort "$TMP_DIR/in.ss-tunae")
after_rows=$(sort "$TMP_DIR/after.ss-tunae")
host_rows=$(rows_of "$TMP_DIR/host.ss-tunae")
tap_diag "ss -tunae inside:"; printf '%s\n' "$in_rows" | sed 's/^/#   /'
tap_diag "ss -tunae on the host, rows of the sandbox's inodes:"
printf '%s\n' "$host_rows" | sed 's/^/#   /'
# The inside reads came before and after the host's: one of them equals it.
[ -n "$in_rows" ] && { [ "$in_rows" = "$host_rows" ] || [ "$after_rows" = "$host_rows" ]; }
tap_result $? "ss -tunae inside lists exactly the host's rows of the sandbox's sockets"

[ "$(wc -l <"$TMP_DIR/in.ss-tunae")" -eq 4 ]
tap_result $? "ss inside lists the four sockets: listener, client, accepted end, udp6"

! grep -q ':18093 ' "$TMP_DIR/in.ss-tunae" && grep -q ':18093 ' "$TMP_DIR/host.ss-tunae"
tap_result $? "a host server that is not the sandbox's is absent inside (present on the host)"

[ "$(awk '{ print $4 }' "$TMP_DIR/in.ss-ltn")" = "127.0.0.1:$lport" ]
tap_result $? "ss -ltn inside shows the listener only"

grep -q 'users:(("python3",pid=[0-9]*,fd=[0-9]*))' "$TMP_DIR/in.ss-tunap"
tap_result $? "ss -p inside names the sandbox's process"

grep -q "@lxnet-sockets-" "$TMP_DIR/in.ss-xl"
tap_result $? "ss -xl inside lists the sandbox's own AF_UNIX listener (its own namespace)"

# proc_rows FILE - rows of a /proc/net socket file whose inode (column 10)
# is the sandbox's, without the sl column and trailing padding, in order
proc_rows() {
	awk -v set="$inos" 'BEGIN { n = split(set, a, " "); for (i = 1; i <= n; i++) s[a[i]] = 1 }
		NR > 1 && ($10 in s) { $1 = ""; sub(/ +$/, ""); print }' "$1"
}
ok=0
for f in tcp tcp6 udp udp6 raw raw6; do
	head -1 "$TMP_DIR/in.$f" | cmp -s - <(head -1 "$TMP_DIR/host.$f") || { tap_diag "$f: header differs"; ok=1; }
	h=$(proc_rows "$TMP_DIR/host.$f")
	if [ "$(proc_rows "$TMP_DIR/in.$f")" != "$h" ] && [ "$(proc_rows "$TMP_DIR/after.$f")" != "$h" ]; then
		tap_diag "$f: rows differ; host, inside before and after:"
		printf '%s\n' "$h" "--" "$(proc_rows "$TMP_DIR/in.$f")" "--" "$(proc_rows "$TMP_DIR/after.$f")" | sed 's/^/#   /'
		ok=1
	fi
	[ "$(($(wc -l <"$TMP_DIR/in.$f") - 1))" -eq "$(proc_rows "$TMP_DIR/in.$f" | wc -l)" ] || { tap_diag "$f: foreign rows inside"; ok=1; }
done
tap_result $ok "/proc/net/{tcp,tcp6,udp,udp6,raw,raw6} inside: the host's header and rows of exactly the sandbox's sockets"

# tcp: sl renumbered from 0 as the kernel numbers them; rows as long as the host's
awk 'NR > 1 { if ($1 != sprintf("%d:", NR - 2)) bad = 1 } END { exit bad }' "$TMP_DIR/in.tcp" &&
	[ "$(awk '{ print length($0) }' "$TMP_DIR/in.tcp" | sort -u)" = "$(awk '{ print length($0) }' "$TMP_DIR/host.tcp" | sort -u | head -1)" ] &&
	[ "$(($(wc -l <"$TMP_DIR/in.tcp") - 1))" -eq 3 ]
tap_result $? "/proc/net/tcp inside: three rows numbered 0..2, padded as the kernel pads"

# ss -s counts from sockstat and snmp: the sandbox's sockets are counted in
grep -Eq '^TCP: inuse 3 ' "$TMP_DIR/in.sockstat" &&
	grep -qx 'UDP6: inuse 1' "$TMP_DIR/in.sockstat6" &&
	grep -Eq '^TCP: +[0-9]+ \(estab 2,' "$TMP_DIR/in.ss-s" &&
	grep -Eq '^INET[[:space:]]+4[[:space:]]+3[[:space:]]+1' "$TMP_DIR/in.ss-s"
tap_result $? "sockstat, sockstat6 and snmp's CurrEstab count the sandbox's sockets: ss -s agrees with ss -tua"

if command -v netstat >/dev/null; then
	grep -Eq "^tcp +0 +0 127\.0\.0\.1:$lport +0\.0\.0\.0:\* +LISTEN" "$TMP_DIR/in.netstat" &&
		! grep -q ':18093 ' "$TMP_DIR/in.netstat"
	tap_result $? "netstat -tln inside shows the listener (from /proc/net/tcp), not the host's"
else
	tap_skip "netstat -tln inside" "netstat missing (net-tools)"
fi

if command -v lsof >/dev/null; then
	grep -Eq "TCP 127\.0\.0\.1:$lport \(LISTEN\)" "$TMP_DIR/in.lsof" &&
		[ "$(grep -c ' TCP \| UDP ' "$TMP_DIR/in.lsof")" -eq 3 ]
	tap_result $? "lsof -i inside names the probe's listener and its two TCP ends"
else
	tap_skip "lsof -i inside" "lsof missing"
fi

# NETLINK_SOCK_DIAG spoken directly: exact GETs, a dump, SOCK_DESTROY.
SDPROBE=$(dirname "$0")/sockdiag-probe.py
sd_in=$(lxrun -- python3 "$SDPROBE" 18093 2>&1)
sd_host=$(python3 "$SDPROBE" 18093 2>&1)
printf '%s\n' "$sd_in" | sed 's/^/# inside: /'
sd_ok() { printf '%s\n' "$sd_in" | grep -qx "ok $1"; }
sd_ok own-get
tap_result $? "sock_diag GET of the sandbox's own listener answers it"
# control: on the host the same GET finds the host's listener
sd_ok host-get && printf '%s\n' "$sd_host" | grep -q '^FAIL host-get: \[(20,'
tap_result $? "sock_diag GET of a host listener is ENOENT inside (the host's own answers it)"
sd_ok dump
tap_result $? "sock_diag TCP dump lists the sandbox's listener and not the host's"
sd_ok destroy
tap_result $? "SOCK_DESTROY of an inet socket is EPERM (the proxy never destroys host sockets)"
sd_ok ack
tap_result $? "an unknown request type with NLM_F_ACK gets an error answer"
# on the host the probe destroyed its own listener (root may), so only the
# answers to the garbage are compared there
sd_ok garbage && printf '%s\n' "$sd_host" | grep -Eq '^(ok garbage|FAIL garbage: \(True, 22, 22,)'
tap_result $? "short, lying and malformed requests get the kernel's answers (as on the host), and the endpoint still works"

# A wait-for-port script: poll /proc/net/tcp for a LISTEN row of the port
# a background server of the sandbox opens.
# shellcheck disable=SC2016 # expanded by the inner bash
lxrun -- bash -c '
	python3 -c "import socket,time
s=socket.socket(); s.bind((\"127.0.0.1\",18094)); s.listen(); time.sleep(20)" &
	for i in $(seq 500); do
		grep -q ":$(printf %04X 18094) 00000000:0000 0A " /proc/net/tcp && { kill $!; exit 0; }
		sleep 0.02
	done
	kill $!; exit 1'
tap_result $? "a wait-for-port loop on /proc/net/tcp sees the sandbox's server come up"

# lxnetfs on its own: --netns names the namespace whose processes' sockets
# the socket files list (here the test's own, where the host server runs).
lxfs_mount "$TMP_DIR/view" --netns /proc/self/ns/net
grep -q ":$(printf %04X 18093) 00000000:0000 0A " "$TMP_DIR/view/proc/net/tcp"
tap_result $? "lxnetfs --netns: proc/net/tcp lists the listener of a process of that namespace"
mkdir -p "$TMP_DIR/view2"
out=$("$LXNETFS" -f --netns /proc/self/ns/user "$TMP_DIR/view2" 2>&1)
st=$?
[ $st -ne 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && printf '%s\n' "$out" | grep -q "Invalid argument"
tap_result $? "lxnetfs --netns with a file that is no network namespace: one line, failure ($out)"

# The unprivileged path: an ordinary user's sandbox sees its listener.
if run_make_user && run_grant_fuse; then
	out=$(run_as_user "timeout 60 '$LXNET' run $VIEW -- python3 -c 'import socket,subprocess
s=socket.socket(); s.bind((\"127.0.0.1\",18095)); s.listen()
subprocess.run([\"ss\",\"-ltneH\"]); print(open(\"/proc/net/tcp\").read()); print(open(\"/proc/net/sockstat\").read())'" 2>&1)
	# ss -e prints uid:N only for a nonzero owner: the host would say the user's
	echo "$out" | grep '127.0.0.1:18095' | grep ' ino:' | grep -qv ' uid:' &&
		echo "$out" | grep -q ":$(printf %04X 18095) 00000000:0000 0A " &&
		! echo "$out" | grep -q ':18093 ' &&
		echo "$out" | grep -Eq '^TCP: inuse 1 ' &&
		[ "$(echo "$out" | awk -v p=":$(printf %04X 18095)" '$2 ~ p"$" { print $8 }')" = 0 ]
	tap_result $? "as an ordinary user: ss and /proc/net/tcp list the sandbox's listener only, owned by uid 0 as the sandbox sees it (ss -e too)"
else
	tap_skip "ordinary user" "cannot make a throw-away user with /dev/fuse access"
fi

tap_done
