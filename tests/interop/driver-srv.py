#!/usr/bin/python3
"""SRV resolution (RFC 6120 §3.2, XEP-0368) of the example programs against
real Prosody and ejabberd, through a private dnsmasq (tests/servers/dns.py)
that serves test records for example.test; slixmpp is the echo peer.

usage: driver-srv.py --echo-bot PATH --send PATH [prosody] [ejabberd]

The programs get --dns-server 127.0.0.1:PORT and no --server. SRV targets
are named xmpp-host.other.test, a name the certificate does not cover:
the certificate must be checked against the JID's domain, not the target.
For each server:
  - only _xmpp-client._tcp: the bot connects with STARTTLS and echoes;
  - only _xmpps-client._tcp: the bot connects with direct TLS (no
    <starttls/> in the trace) and echoes;
  - both records and --direct-tls: direct TLS;
  - both records, defaults: connects and echoes;
  - two _xmpp-client records, the preferred one refusing connections: the
    next one is used;
  - Happy Eyeballs: the target has ::1 (a black hole: a listener with a
    full accept queue) and 127.0.0.1; IPv6 is tried first and 127.0.0.1
    after the stagger delay wins within seconds (skipped without ::1);
  - xmpp-send through SRV delivers to the slixmpp peer;
  - no SRV record and no address for the domain: a DNS error;
  - a target "." record (no service) on _xmpp-client and none on
    _xmpps-client: XMPPC_EDNS_NO_SERVICE.
Prints one line per case and a summary; exit 1 if a case failed, 77 when
a requirement is missing and XMPPC_INTEROP_OPTIONAL=1.
"""

import argparse
import os
import re
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_common as ic  # noqa: E402
from interop_common import dns, xmppd  # noqa: E402

TARGET = 'xmpp-host.other.test'
BLACK_HOLE = '::1'  # Happy Eyeballs tries IPv6 first
DOMAIN = 'example.test'


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as t:
            t.bind(('::1', 0))
        return True
    except OSError:
        return False


class Srv(ic.Cases):
    def records(self, xmpp=(), xmpps=()):
        """xmpp / xmpps: lists of (port, priority) for the two services."""
        srv = [('_xmpp-client._tcp.' + DOMAIN, TARGET, port, prio, 0) for port, prio in xmpp]
        srv += [('_xmpps-client._tcp.' + DOMAIN, TARGET, port, prio, 0) for port, prio in xmpps]
        return srv

    async def with_dns(self, srv, case, *args, hosts=None, **kw):
        log = os.path.join(self.st['dir'], 'dnsmasq-%d.log' % (self.seq + 1))
        try:
            d = dns.DnsServer(srv, hosts or [(TARGET, self.st['host'])],
                              local_domains=[DOMAIN, 'other.test'], log_file=log).start()
        except dns.DnsError as e:
            self.res.record(self.kind, args[0], False, 'dnsmasq: %s' % e)
            return
        try:
            await case(*args, dns_server=d.address, **kw)
        finally:
            d.stop()

    async def happy_eyeballs(self, name, dns_server):
        """The SRV target has two addresses and the first one tried is a black
        hole (a listener whose full accept queue drops SYNs): the next address
        must be tried after the Happy Eyeballs delay, long before the
        attempt's own timeout (10 s), and win."""
        if not ipv6_loopback():
            self.res.record(self.kind, name, True, 'skipped: no IPv6 loopback here')
            return
        hole = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        filler = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        why, detail = '', ''
        try:
            hole.bind((BLACK_HOLE, self.st['c2s_port']))
            hole.listen(0)
            filler.setblocking(False)
            filler.connect_ex((BLACK_HOLE, self.st['c2s_port']))  # fills the queue
            time.sleep(0.2)
            t0 = time.monotonic()
            argv = self.send(self.user2['jid'], self.unique('happy eyeballs'), dns_server=dns_server)
            p = await ic.Program(argv, self.user1['password']).start()
            rc = await p.finish(ic.CASE_TIMEOUT)
            took = time.monotonic() - t0
            order = re.findall(r'connecting to \S+ \((\S+)\) port', p.stderr)
            detail = 'attempts %s, %.2f s' % (order, took)
            if rc != 0:
                why = 'exit status %s' % rc
            elif not order or order[0] != BLACK_HOLE or order[-1] != self.st['host']:
                why = 'expected the black hole first, then %s' % self.st['host']
            elif took > 5:
                why = 'took %.1f s: no Happy Eyeballs stagger' % took
        finally:
            filler.close()
            hole.close()
        self.res.record(self.kind, name, not why, detail if not why else why + ': ' + detail)

    async def run(self):
        st = self.st
        c2s, tls = st['c2s_port'], st['c2s_tls_port']
        dead = xmppd.free_ports(1)[0]   # nothing listens there: connection refused
        self.peer = await ic.Peer(st, self.user2).start()
        try:
            await self.with_dns(self.records(xmpp=[(c2s, 0)]), self.echo,
                                '_xmpp-client SRV only: STARTTLS', expect_starttls=1)
            await self.with_dns(self.records(xmpps=[(tls, 0)]), self.echo,
                                '_xmpps-client SRV only: direct TLS', expect_starttls=0)
            await self.with_dns(self.records(xmpp=[(c2s, 0)], xmpps=[(tls, 0)]), self.echo,
                                'both SRV records, --direct-tls', direct=True, expect_starttls=0)
            await self.with_dns(self.records(xmpp=[(c2s, 0)], xmpps=[(tls, 0)]), self.echo,
                                'both SRV records, defaults')
            await self.with_dns(self.records(xmpp=[(dead, 0), (c2s, 10)]), self.echo,
                                'first SRV target refuses: next one', expect_starttls=1)
            await self.with_dns(self.records(xmpp=[(c2s, 0)], xmpps=[(tls, 0)]), self.send_ok,
                                'xmpp-send through SRV')
            await self.with_dns(self.records(xmpp=[(c2s, 0)]), self.happy_eyeballs,
                                'Happy Eyeballs: first address black-holed',
                                hosts=[(TARGET, BLACK_HOLE), (TARGET, st['host'])])
            await self.with_dns([], self.fail, 'no SRV, no address: DNS error', 'XMPPC_EDNS_*')
            await self.with_dns([('_xmpp-client._tcp.' + DOMAIN, None)], self.fail,
                                'SRV target ".": no service', 'XMPPC_EDNS_NO_SERVICE')
        finally:
            await self.peer.stop()
            self.peer = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--echo-bot', required=True)
    ap.add_argument('--send', required=True)
    ap.add_argument('kinds', nargs='*', default=list(xmppd.KINDS))
    a = ap.parse_args()
    ic.log_quiet()
    ic.check_requirements(a.kinds, need_dnsmasq=True, programs=[a.echo_bot, a.send])
    res = ic.Results('interop srv')
    base = ic.make_base('xmppc-srv-')

    async def go():
        for kind in a.kinds:
            s = ic.start_server(kind, ic.server_dir(base, kind), res)
            if s is None:
                continue
            try:
                await Srv(kind, s.state, a.echo_bot, a.send, res).run()
            except Exception as e:  # noqa: BLE001 - record and go on
                res.record(kind, 'unexpected %s' % type(e).__name__, False, str(e))
            finally:
                s.stop()
    ic.run_async(go())
    rc = res.summary()
    ic.finish_base(base, rc != 0)
    return rc


if __name__ == '__main__':
    sys.exit(main())
