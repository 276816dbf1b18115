#!/usr/bin/python3
"""Interop of the im and carbons modules (lib/ext/im) against Prosody and
ejabberd: im-interop (tests/interop/ext/im/im-interop.c) runs three
clients, two resources of user1 and one of user2, and checks receipts,
chat states and corrections between the accounts and sent/received
carbons between the two resources.

usage: driver-im.py PROGRAM [prosody] [ejabberd]
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
    res = ic.Results('interop im/carbons')
    base = ic.make_base('xmppc-im-')
    for kind in kinds:
        s = ic.start_server(kind, ic.server_dir(base, kind), res)
        if s is None:
            continue
        try:
            st = s.state
            u1, u2 = st['accounts'][0], st['accounts'][1]
            argv = [prog, '%s:%d' % (st['host'], st['c2s_port']), st['ca'], u1['jid'],
                    u1['password'], u2['jid'], u2['password'], '25']
            t0 = time.monotonic()
            try:
                p = subprocess.run(argv, capture_output=True, text=True, timeout=40)
                rc, out, err = p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired:
                rc, out, err = None, '', 'timed out'
            line = (out.strip().splitlines() or ['(no output)'])[0]
            ok = rc == 0 and line.startswith('result=OK')
            res.record(kind, 'receipts, chat states, corrections, carbons', ok,
                       '%s [%.1fs]' % (line, time.monotonic() - t0),
                       '' if ok else 'exit status %s\n%s' % (rc, ic.tail(err, 20)))
        finally:
            s.stop()
    rc = res.summary()
    ic.finish_base(base, rc != 0)
    return rc


if __name__ == '__main__':
    sys.exit(main())
