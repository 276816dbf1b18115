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
  - xmpp-send through SRV delivers to the slixmpp peer;
  - no SRV record and no address for the domain: a DNS error;
  - a target "." record (no service) on _xmpp-client and none on
    _xmpps-client: XMPPC_EDNS_NO_SERVICE.
Prints one line per case and a summary; exit 1 if a case failed, 77 when
a requirement is missing and XMPPC_INTEROP_OPTIONAL=1.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_common as ic  # noqa: E402
from interop_common import dns, xmppd  # noqa: E402

TARGET = 'xmpp-host.other.test'
DOMAIN = 'example.test'


class Srv(ic.Cases):
    def records(self, xmpp=(), xmpps=()):
        """xmpp / xmpps: lists of (port, priority) for the two services."""
        srv = [('_xmpp-client._tcp.' + DOMAIN, TARGET, port, prio, 0) for port, prio in xmpp]
        srv += [('_xmpps-client._tcp.' + DOMAIN, TARGET, port, prio, 0) for port, prio in xmpps]
        return srv

    async def with_dns(self, srv, case, *args, **kw):
        log = os.path.join(self.st['dir'], 'dnsmasq-%d.log' % (self.seq + 1))
        try:
            d = dns.DnsServer(srv, [(TARGET, self.st['host'])], local_domains=[DOMAIN, 'other.test'],
                              log_file=log).start()
        except dns.DnsError as e:
            self.res.record(self.kind, args[0], False, 'dnsmasq: %s' % e)
            return
        try:
            await case(*args, dns_server=d.address, **kw)
        finally:
            d.stop()

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
