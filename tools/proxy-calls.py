#!/usr/bin/env python3
# file-level call graph of proxy objects: pairs that call each other both ways
import subprocess, sys, glob, itertools, os
objs = sorted(glob.glob(sys.argv[1] + '/lxnet_proxy-*.o'))
defs, uses = {}, {}
for o in objs:
    name = os.path.basename(o)[len('lxnet_proxy-'):-2]
    out = subprocess.run(['nm', o], capture_output=True, text=True).stdout
    d, u = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'TDBR':
            d.add(parts[2])
        elif len(parts) == 2 and parts[0] == 'U':
            u.add(parts[1])
    defs[name], uses[name] = d, u
edges = {(a, b) for a in defs for b in defs if a != b and uses[a] & defs[b]}
both = sorted({tuple(sorted(e)) for e in edges if (e[1], e[0]) in edges})
for a, b in both:
    print('both ways: %s <-> %s  (%s | %s)' % (a, b, ','.join(sorted(uses[a] & defs[b]))[:80], ','.join(sorted(uses[b] & defs[a]))[:80]))
print('%d pairs both ways, %d edges' % (len(both), len(edges)))
