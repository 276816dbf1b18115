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
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import interop_common as ic  # noqa: E402


def main():
    def argv(kind, st):
        u1, u2 = st['accounts'][0], st['accounts'][1]
        return [sys.argv[1], '%s:%d' % (st['host'], st['c2s_port']), st['ca'], u1['jid'],
                u1['password'], u2['jid'], u2['password'], '25']
    return ic.run_program_per_server('interop im/carbons', 'xmppc-im-', sys.argv[1], argv, 'receipts, chat states, corrections, carbons')


if __name__ == '__main__':
    sys.exit(main())
