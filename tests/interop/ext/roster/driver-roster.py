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
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import interop_common as ic  # noqa: E402


def main():
    def argv(kind, st):
        a = st['accounts']
        args = [sys.argv[1], '%s:%d' % (st['host'], st['c2s_port']), st['ca']]
        for acct in a[:2]:
            args += [acct['jid'], acct['password']]
        return args + [a[2]['jid'], '30']
    return ic.run_program_per_server('interop roster', 'xmppc-roster-', sys.argv[1], argv, 'roster-interop')


if __name__ == '__main__':
    sys.exit(main())
