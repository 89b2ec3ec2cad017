#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# proxy-calls.py - file-level call graph of lxnet-proxy's objects: prints the pairs of files that call each other both ways
#
# Usage: tools/proxy-calls.py [--check] [--src DIR] [BUILDDIR/proxy]
# Reads only lxnet-proxy's objects (lxnet_proxy-NAME.o); objects of test
# programs built from the same sources (tests_unit_*-NAME.o) may be there or
# absent, they are never read. With --src, objects whose NAME.c is no longer
# in DIR (left over from a removed file) are skipped. --check: exit 1 when a
# pair calls both ways.
import argparse
import glob
import os
import subprocess
import sys

PREFIX = 'lxnet_proxy-'


def symbols(obj):
    """Defined and undefined global symbols of one object (nm)."""
    out = subprocess.run(['nm', obj], capture_output=True, text=True,
                         check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'TDBR':
            defined.add(parts[2])
        elif len(parts) == 2 and parts[0] == 'U':
            used.add(parts[1])
    return defined, used


def main():
    ap = argparse.ArgumentParser(description='proxy files calling each other both ways')
    ap.add_argument('objdir', nargs='?', default='build/proxy')
    ap.add_argument('--src', help='source folder: skip objects without a NAME.c there')
    ap.add_argument('--check', action='store_true', help='exit 1 when a pair is found')
    args = ap.parse_args()

    objs = sorted(glob.glob(os.path.join(args.objdir, PREFIX + '*.o')))
    if not objs:
        sys.exit('%s: no %s*.o (build lxnet-proxy first)' % (args.objdir, PREFIX))
    defs, uses = {}, {}
    for o in objs:
        name = os.path.basename(o)[len(PREFIX):-2]
        if args.src and not os.path.exists(os.path.join(args.src, name + '.c')):
            print('skipped %s: no %s.c in %s' % (o, name, args.src), file=sys.stderr)
            continue
        defs[name], uses[name] = symbols(o)
    edges = {(a, b) for a in defs for b in defs if a != b and uses[a] & defs[b]}
    both = sorted({tuple(sorted(e)) for e in edges if (e[1], e[0]) in edges})
    for a, b in both:
        print('both ways: %s <-> %s  (%s | %s)' % (
            a, b, ','.join(sorted(uses[a] & defs[b]))[:80],
            ','.join(sorted(uses[b] & defs[a]))[:80]))
    print('%d pairs both ways, %d edges' % (len(both), len(edges)))
    return 1 if args.check and both else 0


if __name__ == '__main__':
    sys.exit(main())
