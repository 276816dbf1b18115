#!/usr/bin/python3
"""Interop of XEP-0077 in-band registration against Prosody and ejabberd:
ibr-interop (tests/interop/ext/xeps/ibr-interop.c) registers a fresh
account with XMPPC_SESSION_REGISTER, checks that registering it again
fails with XMPPC_EREGISTER_CONFLICT, logs in normally, cancels the account
(xmppc_register_cancel) and checks that it can no longer log in.

usage: driver-ibr.py PROGRAM [prosody] [ejabberd]
Exit 1 if a case failed, 77 when a requirement is missing and
XMPPC_INTEROP_OPTIONAL=1."""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import interop_common as ic  # noqa: E402


def main():
    def argv(kind, st):
        return [sys.argv[1], '%s:%d' % (st['host'], st['c2s_port']), st['ca'], st['domain'], '30']
    return ic.run_program_per_server('interop ibr', 'xmppc-ibr-', sys.argv[1], argv, 'ibr-interop')


if __name__ == '__main__':
    sys.exit(main())
