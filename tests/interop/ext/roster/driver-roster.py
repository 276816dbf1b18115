#!/usr/bin/python3
"""Interop of the roster and presence modules (lib/ext/roster) against
Prosody and ejabberd: roster-interop (tests/interop/ext/roster/roster-interop.c)
adds, renames and removes an item with the pushes seen by a second
resource, runs a full subscription handshake between user1 and user2,
tracks presence across resources and restarts from a versioned roster
store.

usage: driver-roster.py PROGRAM [prosody] [ejabberd]
Exit 1 if a case failed, 77 when a requirement is missing and
XMPPC_INTEROP_OPTIONAL=1."""

import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import interop_common as ic  # noqa: E402
from interop_common import xmppd  # noqa: E402


def main():
    prog = sys.argv[1]
    kinds = sys.argv[2:] or list(xmppd.KINDS)
    ic.check_requirements(kinds, need_slixmpp=False, programs=[prog])
    res = ic.Results('interop roster')
    base = ic.make_base('xmppc-roster-')
    for kind in kinds:
        s = ic.start_server(kind, ic.server_dir(base, kind), res)
        if s is None:
            continue
        try:
            st = s.state
            a = st['accounts']
            argv = [prog, '%s:%d' % (st['host'], st['c2s_port']), st['ca']]
            for acct in a[:2]:
                argv += [acct['jid'], acct['password']]
            argv.append(a[2]['jid'])
            argv.append('30')
            t0 = time.monotonic()
            try:
                p = subprocess.run(argv, capture_output=True, text=True, timeout=40,
                                   env=dict(os.environ))
                rc, out, err = p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired:
                rc, out, err = None, '', 'timed out'
            lines = out.strip().splitlines()
            for ln in lines:
                if ln.startswith('ok ') or ln.startswith('FAIL '):
                    ok = ln.startswith('ok ')
                    name, _, detail = ln.split(' ', 1)[1].partition(': ' if not ok else ' ')
                    res.record(kind, name[:44], ok, detail)
            last = lines[-1] if lines else '(no output)'
            ok = rc == 0 and last.startswith('result=OK')
            res.record(kind, 'roster-interop', ok, '%s [%.1fs]' % (last, time.monotonic() - t0),
                       '' if ok else 'exit status %s\n%s' % (rc, ic.tail(err, 20)))
        finally:
            s.stop()
    rc = res.summary()
    ic.finish_base(base, rc != 0)
    return rc


if __name__ == '__main__':
    sys.exit(main())
