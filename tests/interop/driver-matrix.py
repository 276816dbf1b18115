#!/usr/bin/python3
"""Connection matrix of the example programs against real Prosody and
ejabberd (tests/servers/xmppd.py), with slixmpp as the independent peer.

usage: driver-matrix.py --echo-bot PATH --send PATH [prosody] [ejabberd]

For each server, with the certificate signed by the test CA:
  - xmpp-echo-bot over STARTTLS and direct TLS (XEP-0368) logs in as user1;
    a slixmpp client (user2) sends it messages (chat with a thread, normal,
    chat without a thread) and checks each echo: same body, type, thread;
  - every SCRAM variant the server offers (--mechanism), PLAIN when forced,
    and the strongest one by default (TLS 1.3: never -PLUS);
  - over TLS 1.2 (--tls-priority): SCRAM-*-PLUS with tls-unique, chosen by
    default and forced, STARTTLS and direct TLS;
  - a wrong password: exit status non-zero, XMPPC_EAUTH_NOT_AUTHORIZED,
    exactly one <auth/> and one <starttls/> in the wire trace (no retry);
  - pins: the server key's pin without any CA file works, a wrong pin
    fails with XMPPC_ETLS_PIN before authentication; no CA file at all
    fails with XMPPC_ETLS_CERT_UNTRUSTED;
  - xmpp-send: a message (body argument; body on stdin over direct TLS)
    reaches the slixmpp peer and the program exits 0; a wrong password
    fails.
With a certificate for the wrong name, and with an untrusted (self-signed)
one: STARTTLS and direct TLS fail with XMPPC_ETLS_CERT_NAME /
XMPPC_ETLS_CERT_UNTRUSTED and the wire trace holds no <auth/>, no password
and no PLAIN credential (PLAIN is forced, so a leak would show); a pin of
the presented key makes both work (echo bot + xmpp-send with the pin).

Prints one line per case and a summary; exit 1 if a case failed, 77 when
a requirement is missing and XMPPC_INTEROP_OPTIONAL=1.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_common as ic  # noqa: E402
from interop_common import xmppd  # noqa: E402

MECHS = {'prosody': ['SCRAM-SHA-1', 'SCRAM-SHA-256'],
         'ejabberd': ['SCRAM-SHA-1', 'SCRAM-SHA-256', 'SCRAM-SHA-512']}


class Matrix(ic.Cases):
    # -- the server runs

    async def good(self):
        k = self.kind
        strongest = MECHS[k][-1]
        self.peer = await ic.Peer(self.st, self.user2).start()
        try:
            await self.echo('STARTTLS, default: strongest, 3 echoes', messages=3,
                            expect_mech=strongest, expect_starttls=1)
            await self.echo('direct TLS (XEP-0368)', direct=True, expect_mech=strongest, expect_starttls=0)
            for m in MECHS[k]:
                await self.echo('STARTTLS, %s' % m, mechs=[m], expect_mech=m)
            await self.echo('direct TLS, %s' % MECHS[k][0], direct=True, mechs=[MECHS[k][0]],
                            expect_mech=MECHS[k][0])
            await self.echo('PLAIN when forced', mechs=['PLAIN'], expect_mech='PLAIN')
            await self.echo('TLS 1.2, default: %s-PLUS' % strongest, prio=ic.TLS12,
                            expect_mech=strongest + '-PLUS')
            for m in MECHS[k]:
                await self.echo('TLS 1.2, %s-PLUS' % m, prio=ic.TLS12, mechs=[m + '-PLUS'],
                                expect_mech=m + '-PLUS')
            await self.echo('TLS 1.2, direct TLS, %s-PLUS' % strongest, prio=ic.TLS12, direct=True,
                            mechs=[strongest + '-PLUS'], expect_mech=strongest + '-PLUS')
            await self.fail('wrong password: auth error, no retry', 'XMPPC_EAUTH_NOT_AUTHORIZED', auths=1,
                            starttls=1, password=self.user1['password'] + 'x')
            await self.fail('wrong password, direct TLS, PLAIN', 'XMPPC_EAUTH_NOT_AUTHORIZED', auths=1,
                            starttls=0, direct=True, mechs=['PLAIN'], password=self.user1['password'] + 'x')
            await self.echo('pin of the server key, no CA file', cafile=False,
                            pins=[ic.pin_sha256(self.st['server_cert'])])
            await self.fail('pin of another key: refused', 'XMPPC_ETLS_PIN', leak_check=True, mechs=['PLAIN'],
                            pins=[ic.pin_sha256(self.st['untrusted_cert'])])
            await self.fail('no CA file: test CA not trusted', 'XMPPC_ETLS_CERT_UNTRUSTED', leak_check=True,
                            mechs=['PLAIN'], cafile=False)
            await self.send_ok('xmpp-send, body argument')
            await self.send_ok('xmpp-send, body on stdin, direct TLS', stdin=True, direct=True)
            await self.fail('xmpp-send, wrong password', 'XMPPC_EAUTH_NOT_AUTHORIZED', auths=1, program='send',
                            password=self.user1['password'] + 'x')
        finally:
            await self.peer.stop()
            self.peer = None

    async def bad_cert(self, cert):
        error = {'wrong': 'XMPPC_ETLS_CERT_NAME', 'untrusted': 'XMPPC_ETLS_CERT_UNTRUSTED'}[cert]
        what = {'wrong': 'name wrong.test', 'untrusted': 'untrusted self-signed'}[cert]
        pin = ic.pin_sha256(self.st[cert + '_cert'])
        await self.fail('%s, STARTTLS: refused before auth' % what, error, leak_check=True, mechs=['PLAIN'])
        await self.fail('%s, direct TLS: refused before auth' % what, error, leak_check=True, mechs=['PLAIN'],
                        direct=True)
        await self.fail('%s, xmpp-send: refused' % what, error, leak_check=True, program='send')
        await self.pin_echo('%s + pin, STARTTLS: accepted' % what, pin)
        await self.pin_echo('%s + pin, direct TLS: accepted' % what, pin, direct=True)


async def run_kind(kind, base, a, res):
    d = ic.server_dir(base, kind)
    for cert in ('good', 'wrong', 'untrusted'):
        s = ic.start_server(kind, d, res, 'start with --cert %s' % cert, cert=cert)
        if s is None:
            continue
        try:
            m = Matrix(kind, s.state, a.echo_bot, a.send, res)
            if cert == 'good':
                await m.good()
            else:
                await m.bad_cert(cert)
        except Exception as e:  # noqa: BLE001 - record and go on
            res.record(kind, 'cert %s: unexpected %s' % (cert, type(e).__name__), False, str(e))
        finally:
            s.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--echo-bot', required=True)
    ap.add_argument('--send', required=True)
    ap.add_argument('kinds', nargs='*', default=list(xmppd.KINDS))
    a = ap.parse_args()
    ic.log_quiet()
    ic.check_requirements(a.kinds, programs=[a.echo_bot, a.send])
    res = ic.Results('interop matrix')
    base = ic.make_base('xmppc-matrix-')

    async def go():
        for kind in a.kinds:
            await run_kind(kind, base, a, res)
    ic.run_async(go())
    rc = res.summary()
    ic.finish_base(base, rc != 0)
    return rc


if __name__ == '__main__':
    sys.exit(main())
