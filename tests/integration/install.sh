#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# install.sh - `make install DESTDIR=...` from the build tree puts every
# file in place: the programs (run from there, --version), the man pages
# (which mention --version), the bash completion under each program's
# name, the AppArmor profile naming the installed lxnet (parsed by
# apparmor_parser where it is installed), the docs and the examples;
# make uninstall takes them all away again.
. "$(dirname "$0")/lib.sh"
lib_enter_ns "$@"
lib_tmpdir
tap_plan 11

D=$TMP_DIR/dest
# a make of its own: not the jobserver of the make check that runs us
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install DESTDIR="$D" \
	>"$TMP_DIR/install.out" 2>&1
st=$?
[ $st -eq 0 ] || sed 's/^/# /' "$TMP_DIR/install.out" | tail -n 20
tap_result $st "make install DESTDIR=... succeeds"

# where configure put things: found, not assumed (prefix may be anything)
bin=$(dirname "$(find "$D" -path '*/bin/lxnet' -type f | head -n1)")
ok=0
for p in lxnet lxnetfs lxnet-proxy lxnet-shim; do
	v=$("$bin/$p" --version 2>&1)
	[ "$v" = "$p $(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$top_builddir/config.h")" ] ||
		{ tap_diag "$p --version: '$v'"; ok=1; }
	[ -x "$bin/$p" ] || ok=1
done
tap_result $ok "the installed lxnet, lxnetfs, lxnet-proxy and lxnet-shim run --version from DESTDIR"

# lxnet-oci, which `lxnet oci-profile` execs, in lxnet's libexec folder (the
# installed lxnet looks there without DESTDIR: LXNET_OCI points it here)
oci=$(find "$D" -path '*/libexec/lxnet/lxnet-oci' -type f | head -n1)
[ -n "$oci" ] && [ -x "$oci" ] &&
	LXNET_OCI=$oci "$bin/lxnet" oci-profile >"$TMP_DIR/profile.json" 2>"$TMP_DIR/profile.err" &&
	grep -q '"SCMP_ACT_NOTIFY"' "$TMP_DIR/profile.json" &&
	[ "$("$oci" --version)" = "lxnet-oci $(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$top_builddir/config.h")" ]
st=$?
[ $st -eq 0 ] || sed 's/^/# /' "$TMP_DIR/profile.err"
tap_result $st "lxnet-oci installed in LIBEXECDIR/lxnet (--version); lxnet oci-profile runs it"

ok=0
for m in man1/lxnet.1 man1/lxnet-shim.1 man8/lxnetfs.8 man8/lxnet-proxy.8; do
	f=$(find "$D" -path "*/man/$m" -type f | head -n1)
	if [ -z "$f" ] || ! grep -qF -- '\-\-version' "$f"; then
		tap_diag "$m missing or silent on --version"
		ok=1
	fi
done
[ -n "$(find "$D" -path '*/man/man5/lxnet.conf.5' -type f)" ] &&
	[ -n "$(find "$D" -path '*/examples/lxnet.conf' -type f)" ] ||
	{ tap_diag "lxnet.conf(5) or the sample lxnet.conf not installed"; ok=1; }
tap_result $ok "man pages installed, each program's documents --version; lxnet.conf(5) and the sample config"

cdir=$(dirname "$(find "$D" -path '*/bash-completion/completions/lxnet' | head -n1)")
ok=0
for p in lxnet lxnetfs lxnet-proxy lxnet-shim; do
	[ -r "$cdir/$p" ] || { tap_diag "no completion $cdir/$p"; ok=1; }
done
# sourcing any of the names registers all four
bash -c 'source "$1" && complete -p lxnet lxnetfs lxnet-proxy lxnet-shim' _ "$cdir/lxnetfs" >/dev/null 2>&1 || ok=1
tap_result $ok "bash completion installed under each program's name and loads"

prof=$(find "$D" -path '*/apparmor.d/lxnet' -type f | head -n1)
[ -n "$prof" ] && grep -q "^profile lxnet ${bin#"$D"}/lxnet " "$prof" &&
	grep -q '^ *userns,$' "$prof"
tap_result $? "AppArmor profile installed: for ${bin#"$D"}/lxnet, with the userns rule"

# apparmor_parser: -Q parse only, never load; -K no cache. AppArmor < 4.0
# (Debian 12 has 3.0.8) has neither abi/4.0 nor the userns rule: then the
# rest of the profile is parsed and the userns rule is skipped.
if [ -z "$prof" ]; then
	tap_result 1 "apparmor_parser parses the profile (no profile installed)"
	tap_result 1 "apparmor_parser accepts the userns rule (no profile installed)"
elif ! command -v apparmor_parser >/dev/null; then
	tap_skip "apparmor_parser parses the profile" "apparmor_parser not installed (package apparmor)"
	tap_skip "apparmor_parser accepts the userns rule" "apparmor_parser not installed (package apparmor)"
elif [ ! -d /etc/apparmor.d/tunables ]; then
	tap_skip "apparmor_parser parses the profile" "no /etc/apparmor.d/tunables (package apparmor)"
	tap_skip "apparmor_parser accepts the userns rule" "no /etc/apparmor.d/tunables (package apparmor)"
else
	printf 'profile probe {\n  userns,\n}\n' >"$TMP_DIR/probe"
	if apparmor_parser -Q -K "$TMP_DIR/probe" >/dev/null 2>&1 && [ -e /etc/apparmor.d/abi/4.0 ]; then
		apparmor_parser -Q -K "$prof" >"$TMP_DIR/aa.out" 2>&1
		st=$?
		[ $st -eq 0 ] || sed 's/^/# /' "$TMP_DIR/aa.out"
		tap_result $st "apparmor_parser parses the profile"
		tap_result $st "apparmor_parser accepts the userns rule"
	else
		sed '/^abi /d; /^ *userns,$/d' "$prof" >"$TMP_DIR/lxnet-3"
		apparmor_parser -Q -K "$TMP_DIR/lxnet-3" >"$TMP_DIR/aa.out" 2>&1
		st=$?
		[ $st -eq 0 ] || sed 's/^/# /' "$TMP_DIR/aa.out"
		tap_result $st "apparmor_parser parses the profile (without abi 4.0 and userns)"
		tap_skip "apparmor_parser accepts the userns rule" \
			"$(apparmor_parser --version | head -n1) predates the userns rule (AppArmor 4.0)"
	fi
fi

ok=0
doc=$(dirname "$(find "$D" -path '*/doc/lxnet/README.md' | head -n1)")
for f in README.md NEWS ARCHITECTURE.md PERFORMANCE.md; do
	[ -s "$doc/$f" ] || { tap_diag "no $doc/$f"; ok=1; }
done
tap_result $ok "README, NEWS and docs installed in DOCDIR"

ok=0
for f in "$top_srcdir"/examples/*.sh; do
	[ -x "$doc/examples/$(basename "$f")" ] || { tap_diag "no example $(basename "$f")"; ok=1; }
done
tap_result $ok "every example installed, executable, in DOCDIR/examples"

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" uninstall DESTDIR="$D" \
	>"$TMP_DIR/uninstall.out" 2>&1 &&
	left=$(find "$D" ! -type d) && [ -z "$left" ]
st=$?
[ $st -eq 0 ] || tap_diag "left after make uninstall: $(echo $left)"
tap_result $st "make uninstall removes every file it installed, the completion links too"
tap_done
