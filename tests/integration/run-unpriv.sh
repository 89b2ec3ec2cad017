#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-unpriv.sh - `lxnet run` as an ordinary (throw-away) user: /dev/fuse
# granted by ACL only, no setuid helper, the caller is root inside.
. "$(dirname "$0")/run-common.sh"
lib_enter_ns "$@"
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root to make a throw-away user"
run_require
lib_tmpdir
run_make_host || tap_skip_all "cannot make a veth pair here"
run_make_user || tap_skip_all "cannot make a throw-away user that reaches $LXNET"
run_grant_fuse || tap_skip_all "cannot give the user a /dev/fuse of the test's own (not root, or no private mount namespace)"
chmod 644 "$TMP_DIR/resolv.conf" "$TMP_DIR/hosts"
tap_plan 12

out=$(run_as_user "'$LXNET' run $VIEW -- sh -c 'id -u; cat /etc/resolv.conf'")
[ "$(echo "$out" | head -1)" = 0 ] && echo "$out" | grep -q '^nameserver 10.77.0.1$'
tap_result $? "ordinary user: root inside, resolv.conf is the view"

run_as_user "'$LXNET' run $VIEW -- cat /proc/net/route" >"$TMP_DIR/route.u" &&
	diff -u /proc/net/route "$TMP_DIR/route.u"
tap_result $? "ordinary user: /proc/net/route is the view"

run_as_user "'$LXNET' run $VIEW --pid -- sh -c 'exit 4'"
[ $? -eq 4 ]
tap_result $? "ordinary user, --pid: exit status passes through"

# lxnetfs is asked for uid=0,gid=0: read in the mount's user namespace,
# the view's files belong to root inside the sandbox.
run_as_user "'$LXNET' run $VIEW -- sh -c 'ls -ln /etc/resolv.conf'" >"$TMP_DIR/ls.u"
awk '{ exit !($3 == 0 && $4 == 0) }' "$TMP_DIR/ls.u"
tap_result $? "view files are owned by root inside the sandbox"

out=$(run_as_user "'$LXNET' run $VIEW --hostname ubox --add-host a.test:10.77.0.60 -- sh -c 'hostname; getent hosts a.test'")
echo "$out" | grep -q '^ubox$' && echo "$out" | grep -q '^10.77.0.60'
tap_result $? "ordinary user: --hostname and --add-host"

mkdir "$TMP_DIR/uroot" && chown "$RUN_USER" "$TMP_DIR/uroot"
if run_as_user "$(declare -f run_busybox_rootfs); run_busybox_rootfs '$TMP_DIR/uroot'"; then
	out=$(run_as_user "'$LXNET' run $VIEW --root '$TMP_DIR/uroot' -- sh -c 'id -u; cat /etc/resolv.conf'")
	[ "$(echo "$out" | head -1)" = 0 ] && echo "$out" | grep -q '^nameserver 10.77.0.1$'
	tap_result $? "ordinary user: --root with a busybox rootfs"
else
	tap_skip "ordinary user: --root" "no static busybox (apt-get install busybox-static)"
fi

# Emulated NETLINK_ROUTE and SIOCGIF* with an unprivileged proxy: the same
# links and addresses as here (ifindex, name, addresses), nothing hidden
# added, ip addr add refused as in any unprivileged container.
norm_addr() { ip -o addr show | awk '{ print $2, $3, $4 }' | sort; }
norm_addr >"$TMP_DIR/addr.h"
run_as_user "'$LXNET' run $VIEW -- ip -o addr show" | awk '{ print $2, $3, $4 }' | sort >"$TMP_DIR/addr.u"
[ -s "$TMP_DIR/addr.h" ] && diff -u "$TMP_DIR/addr.h" "$TMP_DIR/addr.u"
tap_result $? "ordinary user: ip addr inside lists the host's addresses (netlink)"

# Its NETLINK_ROUTE socket is the kernel's, of the host's namespace (a copy
# at an untrapped number is AF_NETLINK; an endpoint's would be AF_UNIX),
# and the kernel refuses it what would change the host.
nl='import os, socket
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
d = socket.socket(fileno=os.dup(s.fileno()))
print(d.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN))'
a=$(run_as_user "'$LXNET' run $VIEW -- python3 -c '$nl'" 2>&1)
b=$(run_as_user "'$LXNET' run $VIEW --netlink=emulated -- python3 -c '$nl'" 2>&1)
c=$(run_as_user "'$LXNET' run $VIEW -- ip addr add 10.1.1.1/24 dev lo" 2>&1)
[ "$a" = 16 ] && [ "$b" = 1 ] &&
	[ "$c" = "RTNETLINK answers: Operation not permitted" ] &&
	! ip -o addr show dev lo | grep -q 10.1.1.1
tap_result $? "ordinary user: the kernel's netlink socket ($a; --netlink=emulated: $b), ip addr add refused ($c)"

if command -v ifconfig >/dev/null; then
	ifconfig -a | grep -o '^[^ :]*' | sort >"$TMP_DIR/if.h"
	run_as_user "'$LXNET' run $VIEW -- ifconfig -a" | grep -o '^[^ :]*' | sort >"$TMP_DIR/if.u"
	[ -s "$TMP_DIR/if.h" ] && diff -u "$TMP_DIR/if.h" "$TMP_DIR/if.u"
	tap_result $? "ordinary user: ifconfig -a inside lists the host's interfaces (SIOCGIF*)"
else
	tap_skip "ordinary user: ifconfig -a" "net-tools not installed"
fi

# Companions killed while an ordinary user's sandbox runs come back: the
# user's own lxnetfs clones the device again, its proxy takes the listener.
mkdir -m 777 "$TMP_DIR/rs"
run_as_user "'$LXNET' run $VIEW -- sh -c 'while [ ! -e $TMP_DIR/rs/go ]; do sleep 0.05; done
	grep ^nameserver /etc/resolv.conf; ip -o link show lxv0 | grep -c lxv0'" >"$TMP_DIR/rs/out" 2>"$TMP_DIR/rs/err" &
rs=$!
lib_on_exit "kill -9 $rs 2>/dev/null"
wait_until 10 sh -c "pgrep -u '$RUN_USER' -x lxnet-proxy >/dev/null && pgrep -u '$RUN_USER' -x lxnetfs >/dev/null"
sleep 0.3
old="$(pgrep -u "$RUN_USER" -x lxnet-proxy) $(pgrep -u "$RUN_USER" -x lxnetfs)"
# shellcheck disable=SC2086
kill -9 $old
wait_until 10 sh -c "[ \"\$(pgrep -u '$RUN_USER' -x lxnet-proxy) \$(pgrep -u '$RUN_USER' -x lxnetfs)\" != '$old' ] &&
	pgrep -u '$RUN_USER' -x lxnet-proxy >/dev/null && pgrep -u '$RUN_USER' -x lxnetfs >/dev/null"
touch "$TMP_DIR/rs/go"
timeout 30 tail --pid=$rs -f /dev/null
wait $rs
st=$?
[ $st -eq 0 ] && [ "$(cat "$TMP_DIR/rs/out")" = "$(printf 'nameserver 10.77.0.1\n1')" ] &&
	[ "$(grep -c 'restarting it' "$TMP_DIR/rs/err")" -eq 2 ]
tap_result $? "ordinary user: lxnetfs and lxnet-proxy killed (-9) are restarted, the sandbox is served (status $st)"

# Under a policy an ordinary user's proxy lets the sandbox's clients reach
# its own servers on the loopback (proxy/ownserver.c), not the host's
python3 "$top_srcdir/tests/integration/policy-servers.py" "$TMP_DIR/own.ready" \
	"$TMP_DIR/own.counts" tcp:127.0.0.1:9801 &
lib_on_exit "kill $! 2>/dev/null"
wait_until 10 test -e "$TMP_DIR/own.ready" || tap_diag "the host server did not start"
out=$(run_as_user "'$LXNET' run $VIEW --allow tcp:192.0.2.1:443 -- \
	python3 '$top_srcdir/tests/integration/ownserver-check.py' own4 ok own6nb ok host:9801 EPERM" 2>&1)
st=$?
printf '%s\n' "$out" | sed 's/^/# /'
tap_result $st "ordinary user, --allow: the sandbox's own loopback servers are reached, the host's are not"

! grep -q lxnetfs /proc/self/mountinfo
tap_result $? "no mount left behind"

tap_done
