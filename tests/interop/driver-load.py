#!/usr/bin/python3
"""Load tests of the connection driver and loop against real Prosody and
ejabberd (tests/servers/xmppd.py).

usage: driver-load.py --ordered PATH --many PATH [--messages N] [--connections N] [prosody] [ejabberd]

For each server:
  - ordered: two xmppc_conn clients in one xmppc_loop; A (user1) sends
    1,000 numbered messages to B's (user2) full JID, going on after
    XMPPC_EAGAIN from the drain callback; B must get all of them, once
    each, in order, and both close cleanly (the messages carry a
    <no-store/> hint: ejabberd's Mnesia MAM archive is slow);
  - many: 200 concurrent connections in one loop thread (user1..user3,
    distinct resources: ejabberd allows at most 100 sessions per account
    in this configuration) all log in, each sends a message to the next
    one's full JID and gets the one from the previous, all close cleanly.
Prints one line per case (the program's result line) and a summary; exit 1
if a case failed, 77 when a requirement is missing and
XMPPC_INTEROP_OPTIONAL=1.
"""

import argparse
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_common as ic  # noqa: E402
from interop_common import xmppd  # noqa: E402


def run(res, kind, name, argv, timeout):
    t0 = time.monotonic()
    try:
        p = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = None, (e.stdout or b'').decode() if isinstance(e.stdout, bytes) else (e.stdout or ''), \
            (e.stderr or b'').decode() if isinstance(e.stderr, bytes) else (e.stderr or '')
    lines = out.strip().splitlines()
    line = lines[0] if lines else '(no output)'
    ok = rc == 0 and line.startswith('result=OK')
    res.record(kind, name, ok, '%s [%.1fs]' % (line, time.monotonic() - t0),
               '' if ok else 'exit status %s\n%s\n%s' % (rc, '\n'.join(lines[1:]), ic.tail(err, 20)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ordered', required=True)
    ap.add_argument('--many', required=True)
    ap.add_argument('--messages', type=int, default=1000)
    ap.add_argument('--connections', type=int, default=200)
    ap.add_argument('kinds', nargs='*', default=list(xmppd.KINDS))
    a = ap.parse_args()
    ic.check_requirements(a.kinds, need_slixmpp=False, programs=[a.ordered, a.many])
    res = ic.Results('interop load')
    base = ic.make_base('xmppc-load-')
    for kind in a.kinds:
        s = ic.start_server(kind, ic.server_dir(base, kind), res)
        if s is None:
            continue
        try:
            st = s.state
            server = '%s:%d' % (st['host'], st['c2s_port'])
            u1, u2 = st['accounts'][0], st['accounts'][1]
            run(res, kind, 'ordered: %d messages A->B' % a.messages,
                [a.ordered, server, st['ca'], u1['jid'], u1['password'], u2['jid'], u2['password'],
                 a.messages, 40], 70)
            accts = []
            for acct in st['accounts']:
                accts += [acct['jid'], acct['password']]
            run(res, kind, 'many: %d connections, one loop' % a.connections,
                [a.many, server, st['ca'], a.connections, 60] + accts, 90)
        finally:
            s.stop()
    rc = res.summary()
    ic.finish_base(base, rc != 0)
    return rc


if __name__ == '__main__':
    sys.exit(main())
