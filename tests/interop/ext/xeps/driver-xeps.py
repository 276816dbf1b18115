#!/usr/bin/python3
"""Interop of the everyday-XEP modules (lib/ext/xeps) against Prosody and
ejabberd: xeps-interop (tests/interop/ext/xeps/xeps-interop.c) runs
version/ping/time/last queries between two xmppc clients and to the
server, blocking with the push on a second resource, vCard and private
storage round trips, and a password change (user3, restored afterwards).

usage: driver-xeps.py PROGRAM [prosody] [ejabberd]
Exit 1 if a case failed, 77 when a requirement is missing and
XMPPC_INTEROP_OPTIONAL=1."""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import interop_common as ic  # noqa: E402


def main():
    def argv(kind, st):
        args = [sys.argv[1], '%s:%d' % (st['host'], st['c2s_port']), st['ca']]
        for acct in st['accounts'][:3]:
            args += [acct['jid'], acct['password']]
        return args + ['30']
    return ic.run_program_per_server('interop xeps', 'xmppc-xeps-', sys.argv[1], argv, 'xeps-interop')


if __name__ == '__main__':
    sys.exit(main())
