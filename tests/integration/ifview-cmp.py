#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ifview-cmp.py - compare a tool's output inside the sandbox with the host's.

usage: ifview-cmp.py KIND HIDDEN HOST1 HOST2 SANDBOX

KIND says how the output is parsed and normalised (see NORMALISERS).
HIDDEN is a comma-separated list of interface names the sandbox hides
("" for none): they are removed from the HOST outputs only, so a hidden
interface that leaks into the sandbox shows up as a difference.
HOST1 and HOST2 are the host's output taken just before and just after the
sandbox's: the sandbox must equal one of them (a neighbour may go from
REACHABLE to STALE, a link may finish coming up in between).
Exit 0 when equal; 1 with a unified diff on stdout (lines start with '# ').

Fields dropped everywhere, and why:
 - ip -j: link_netnsid (the id a namespace gives its peer's namespace is
   relative to the namespace asking: the sandbox's view of the host has
   none of its own), valid_life_time/preferred_life_time (count down);
 - packet/byte/error counters of ifconfig, netstat -i and busybox ifconfig
   (traffic on the host moves them between the two snapshots);
 - the order of ifconfig's inet6 lines (see sort_inet6());
 - the order of ip -j neigh's entries (see sort_neigh()): each entry is
   still compared field by field.
"""
import ast
import difflib
import json
import re
import sys

COUNTER = re.compile(r'((?:packets|bytes|errors|dropped|overruns|frame|carrier|'
                     r'collisions)[: ])\d+')
HUMAN = re.compile(r'\s*\([\d.]+ [KMGTP]?i?B\)')


def base(name):
    return name.split(':')[0].split('@')[0]


def drop_keys(obj, keys):
    if isinstance(obj, dict):
        return {k: drop_keys(v, keys) for k, v in obj.items() if k not in keys}
    if isinstance(obj, list):
        return [drop_keys(v, keys) for v in obj]
    return obj


def is_neigh(o):
    """An `ip -j neigh` entry: a destination with a NUD state list (links
    and addresses have 'operstate', routes no 'state')."""
    return isinstance(o, dict) and 'dst' in o and isinstance(o.get('state'), list)


def sort_neigh(data):
    """The kernel dumps neighbours in hash-bucket order (neigh_dump_table()
    walks its hash table, whose seed is random per boot and per table), so
    no emulation can reproduce it and no program may rely on it: compare
    neighbour lists sorted by (dev, dst). Other lists keep their order."""
    if isinstance(data, list) and data and all(is_neigh(o) for o in data):
        return sorted(data, key=lambda o: (str(o.get('dev')), str(o['dst'])))
    return data


def norm_json(text, hidden, host):
    try:
        data = json.loads(text)
    except ValueError:
        return text.splitlines()
    data = drop_keys(data, {'link_netnsid', 'valid_life_time',
                            'preferred_life_time'})
    if host and hidden:
        def visible(o):
            for k in ('ifname', 'dev', 'master', 'link'):
                if isinstance(o.get(k), str) and base(o[k]) in hidden:
                    return False
            for nh in o.get('nexthops', []):
                if isinstance(nh.get('dev'), str) and nh['dev'] in hidden:
                    return False
            return True
        data = [o for o in data if visible(o)]
    data = sort_neigh(data)
    return json.dumps(data, indent=1, sort_keys=True).splitlines()


IIF_OIF = re.compile(r'\b[io]if (\S+)')


def norm_text(text, hidden, host):
    """ip rule, ip route get: the host's lines naming a hidden interface
    (a rule's iif/oif) are removed, as for the other kinds."""
    return [l for l in text.splitlines()
            if not (host and any(n in hidden for n in IIF_OIF.findall(l)))]


def counters(line):
    return HUMAN.sub('', COUNTER.sub(r'\1N', line))


def sort_inet6(block):
    """ifconfig's inet6 lines follow /proc/net/if_inet6, whose order is the
    kernel's per-namespace address hash: the view cannot reproduce it (see
    render_procnet.c), so their relative order is not compared."""
    idx = [i for i, l in enumerate(block) if 'inet6' in l]
    for i, l in zip(idx, sorted(block[i] for i in idx)):
        block[i] = l
    return block


def norm_blocks(text, hidden, host):
    """ifconfig, busybox ifconfig, busybox ip addr: blocks per interface."""
    out, block, keep = [], [], True
    for line in text.splitlines():
        if line and not line[0].isspace():
            out += sort_inet6(block)
            block = []
            words = line.split()
            name = words[1] if re.match(r'^\d+:$', words[0]) else words[0]
            keep = not (host and base(name.rstrip(':')) in hidden)
        if keep:
            line = re.sub(r'(valid_lft|preferred_lft) \d+sec', r'\1 N', line)
            block.append(counters(line))
    return out + sort_inet6(block)


def norm_lastcol(text, hidden, host):
    """route -n, netstat -rn: the interface is the last column."""
    return [l for l in text.splitlines()
            if not (host and l.split() and l.split()[-1] in hidden)]


def norm_netstat_i(text, hidden, host):
    out = []
    for l in text.splitlines():
        w = l.split()
        if len(w) >= 11 and w[1].isdigit():
            if host and w[0] in hidden:
                continue
            l = ' '.join([w[0], w[1], w[-1]])  # Iface MTU ... Flg
        out.append(l)
    return out


def norm_nameindex(text, hidden, host):
    try:
        v = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return text.splitlines()
    return [repr(t) for t in v if not (host and t[1] in hidden)]


def norm_firstname(text, hidden, host):
    """getifaddrs, gonet: the name is the second (go: third) word."""
    out = []
    for l in text.splitlines():
        w = l.split()
        names = w[1:3] if w and w[0] == 'if' else w[1:2]
        if host and any(base(n) in hidden for n in names):
            continue
        out.append(l)
    return out


def norm_ifinfo(text, hidden, host):
    """ifinfo ioctl/index: a hidden name must answer ENODEV everywhere."""
    out = []
    for l in text.splitlines():
        w = l.split()
        if w and base(w[0]) in hidden:
            if host or w[-2:] == ['error', 'ENODEV']:
                l = '%s %s HIDDEN' % (w[0], w[1])
        out.append(l)
    return out


def norm_ifconf(text, hidden, host):
    """ifinfo conf: entries, and lengths consistent with the entries."""
    lines = text.splitlines()
    ents = [l for l in lines if l.startswith('conf ') and len(l.split()) == 3
            and not (host and base(l.split()[1]) in hidden)]
    lens = {}
    for l in lines:
        m = re.match(r'conf (null|short)-buffer len (\d+)', l)
        if m:
            lens[m.group(1)] = int(m.group(2))
    size = lens.get('null', 0) // max(1, len([l for l in lines if l.startswith('conf ')
                                              and len(l.split()) == 3]))
    out = list(ents)
    out.append('entries %d' % len(ents))
    if not host:
        out.append('null-len %s' % (lens.get('null') == size * len(ents)))
        out.append('short-len %s' % (lens.get('short', 0) == size * (len(ents) - 1)
                                    or len(ents) == 0))
    else:
        out.append('null-len True')
        out.append('short-len True')
    return out


def norm_counted(text, hidden, host):
    """ip ntable, ip stats: a block per table or interface (named by a
    "dev NAME" line or a "N: NAME:" header), whose indented lines hold
    counters that move between runs: their numbers (and the column
    widths) are not compared, their structure is."""
    blocks = []
    for line in text.splitlines():
        if (line and not line[0].isspace()) or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    out = []
    for b in blocks:
        w = b[0].split()
        name = None
        if w and re.match(r'^\d+:$', w[0]) and len(w) > 1:
            name = w[1].rstrip(':')
        for l in b[1:2]:
            if l.split()[:1] == ['dev'] and len(l.split()) > 1:
                name = l.split()[1]
        if host and name and base(name) in hidden:
            continue
        out.append(b[0])
        out += [' '.join(re.sub(r'\d+', 'N', l).split()) for l in b[1:]]
    return out


def norm_lastword(text, hidden, host):
    """ip token: one line per interface, its name last; the host's lines
    of hidden interfaces are removed."""
    return [l for l in text.splitlines()
            if not (host and l.split() and base(l.split()[-1]) in hidden)]


NORMALISERS = {
    'json': norm_json, 'text': norm_text, 'blocks': norm_blocks,
    'lastword': norm_lastword,
    'counted': norm_counted,
    'lastcol': norm_lastcol, 'netstat-i': norm_netstat_i,
    'nameindex': norm_nameindex, 'names': norm_firstname,
    'ifinfo': norm_ifinfo, 'ifconf': norm_ifconf,
}


def read(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return f.read()


def main():
    kind, hidden = sys.argv[1], set(filter(None, sys.argv[2].split(',')))
    fn = NORMALISERS[kind]
    hosts = [fn(read(p), hidden, True) for p in sys.argv[3:5]]
    sand = fn(read(sys.argv[5]), hidden, False)
    if sand in hosts:
        return 0
    for l in list(difflib.unified_diff(hosts[0], sand, 'host', 'sandbox',
                                       lineterm=''))[:60]:
        print('# ' + l)
    return 1


if __name__ == '__main__':
    sys.exit(main())
