#!/usr/bin/python3
"""Smoke test of the interop harness: for each server, start it with
xmppd.py, check its direct-TLS port (XEP-0368) against the test CA, log in
user1 and user2 with slixmpp over STARTTLS trusting only the test CA, send a
message from user1 to user2 and see it arrive, then stop the server.

usage: smoke.py [prosody] [ejabberd]      (default: both)

Exit 0 on success, 1 on failure. When a server package or slixmpp is
missing it fails with a message naming the install command, or exits 77
(skip) if XMPPC_INTEROP_OPTIONAL=1. XMPPC_KEEP_SERVER_DIRS=1 keeps the
server directories (they are kept anyway when a check fails).
"""

import asyncio
import importlib.util
import logging
import os
import shutil
import socket
import ssl
import sys
import tempfile
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmppd  # noqa: E402

PER_SERVER = 60.0   # seconds: start, checks and stop of one server
SKIP = 77


def missing_requirements(kinds):
    need = {'prosody': ['prosody', 'prosodyctl'], 'ejabberd': ['ejabberdctl']}
    path = os.environ.get('PATH', '') + ':/usr/sbin:/sbin:/usr/bin'
    missing = [p for k in kinds for p in need[k] if not shutil.which(p, path=path)]
    if not shutil.which('certtool', path=path):
        missing.append('certtool (gnutls-bin)')
    if importlib.util.find_spec('slixmpp') is None:
        missing.append('slixmpp (python3-slixmpp, for %s)' % sys.executable)
    if os.geteuid() != 0:
        missing.append('root privileges (the servers are started as root)')
    return missing


def check_direct_tls(st):
    """XEP-0368: TLS from the first byte on c2s_tls_port, verified against the
    test CA; the stream opens. And an untrusted CA must be refused."""
    ctx = ssl.create_default_context(cafile=st['ca'])
    with socket.create_connection((st['host'], st['c2s_tls_port']), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=st['domain']) as tls:
            tls.sendall(("<?xml version='1.0'?><stream:stream to='%s' version='1.0' xmlns='jabber:client' "
                         "xmlns:stream='http://etherx.jabber.org/streams'>" % st['domain']).encode())
            data = b''
            deadline = time.monotonic() + 10
            while b'</stream:features>' not in data and time.monotonic() < deadline:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                data += chunk
            if b'<stream:features' not in data or b'mechanism' not in data:
                raise AssertionError('direct TLS: no stream features with SASL mechanisms: %r' % data[:500])
            version = tls.version()
    bad = ssl.create_default_context(cafile=st['untrusted_cert'])
    with socket.create_connection((st['host'], st['c2s_tls_port']), timeout=10) as raw:
        try:
            bad.wrap_socket(raw, server_hostname=st['domain']).close()
        except ssl.SSLCertVerificationError:
            pass
        else:
            raise AssertionError('direct TLS: certificate accepted by a client that trusts another CA')
    return version


async def exchange(st, deadline):
    """user1 -> user2 over STARTTLS with slixmpp; returns the TLS version."""
    import slixmpp

    loop = asyncio.get_running_loop()
    a1, a2 = st['accounts'][0], st['accounts'][1]
    done = {'session1': loop.create_future(), 'session2': loop.create_future(), 'message': loop.create_future()}
    body = 'xmppc smoke %d' % os.getpid()

    def client(acct, tag):
        c = slixmpp.ClientXMPP(acct['jid'] + '/smoke', acct['password'])
        c.ca_certs = st['ca']   # verify against the test CA only (slixmpp also checks the name)

        async def records(domain, port=None):
            return [(domain, st['host'], st['c2s_port'])]   # no DNS: straight to our port
        c.get_dns_records = records

        def fail(reason):
            for f in done.values():
                if not f.done():
                    f.set_exception(AssertionError('%s: %s' % (acct['jid'], reason)))
        c.add_event_handler('failed_auth', lambda _e: fail('authentication failed'))
        c.add_event_handler('ssl_invalid_chain', lambda e: fail('certificate not trusted: %s' % e))
        c.add_event_handler('connection_failed', lambda e: fail('connection failed: %s' % e))

        async def session_start(_e):
            c.send_presence()
            await c.get_roster()
            if not done[tag].done():
                done[tag].set_result(True)
        c.add_event_handler('session_start', session_start)
        return c

    c1, c2 = client(a1, 'session1'), client(a2, 'session2')

    def on_message(msg):
        if msg['type'] in ('chat', 'normal') and msg['body'] == body and not done['message'].done():
            done['message'].set_result(str(msg['from']))
    c2.add_event_handler('message', on_message)
    try:
        for c in (c2, c1):
            c.connect((st['host'], st['c2s_port']), use_ssl=False, force_starttls=True)
        left = lambda: max(0.1, deadline - time.monotonic())  # noqa: E731
        await asyncio.wait_for(asyncio.gather(done['session1'], done['session2']), left())
        versions = []
        for c in (c1, c2):
            ssl_object = c.transport.get_extra_info('ssl_object') if c.transport else None
            if ssl_object is None:
                raise AssertionError('session started without TLS')
            versions.append(ssl_object.version())
        c1.send_message(mto=a2['jid'], mbody=body, mtype='chat')
        sender = await asyncio.wait_for(done['message'], left())
        if not sender.startswith(a1['jid']):
            raise AssertionError('message came from %s, not %s' % (sender, a1['jid']))
        return versions[0]
    finally:
        for c in (c1, c2):
            try:
                await asyncio.wait_for(c.disconnect(wait=1.0), 3)
            except Exception:  # noqa: BLE001 - best effort
                c.abort()


def run_one(kind, base):
    t0 = time.monotonic()
    deadline = t0 + PER_SERVER
    d = os.path.join(base, kind)
    server = xmppd.Server(kind, d, start_timeout=30)
    result = {'server': kind}
    try:
        server.start()
        result['ready'] = server.timings['ready']
        result['start'] = server.timings['start']
        st = server.state
        result['direct_tls'] = check_direct_tls(st)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            result['starttls'] = loop.run_until_complete(exchange(st, deadline - 5))
        finally:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()
            asyncio.set_event_loop(None)
    except BaseException:
        log = server.state.get('log')
        if log:
            print('--- last lines of %s ---\n%s' % (log, xmppd._tail(log, 30)), file=sys.stderr)
        raise
    finally:
        server.stop()
        result['stop'] = server.timings.get('stop')
        left = server.processes()
        if left:
            raise AssertionError('%s left processes behind: %s' % (kind, left))
    result['total'] = round(time.monotonic() - t0, 3)
    if result['total'] > PER_SERVER:
        raise AssertionError('%s took %.1f s (limit %.0f s)' % (kind, result['total'], PER_SERVER))
    return result


def main(argv):
    # slixmpp warns that python3-slixmpp-lib (C stringprep) is not installed.
    logging.getLogger('slixmpp.stringprep').setLevel(logging.ERROR)
    kinds = argv or list(xmppd.KINDS)
    for k in kinds:
        if k not in xmppd.KINDS:
            print('smoke.py: unknown server %r' % k, file=sys.stderr)
            return 2
    missing = missing_requirements(kinds)
    if missing:
        msg = 'smoke.py: missing: %s. Install with: sh scripts/install-deps.sh interop' % ', '.join(missing)
        if os.environ.get('XMPPC_INTEROP_OPTIONAL') == '1':
            print(msg + ' (skipped: XMPPC_INTEROP_OPTIONAL=1)')
            return SKIP
        print(msg, file=sys.stderr)
        return 1
    t0 = time.monotonic()
    base = tempfile.mkdtemp(prefix='xmppc-smoke-')
    failed = False
    for kind in kinds:
        try:
            r = run_one(kind, base)
            print('ok   %-8s ready %.2f s (start %.2f s), direct TLS %s, STARTTLS %s, message delivered, '
                  'stop %.2f s, total %.2f s' % (kind, r['ready'], r['start'], r['direct_tls'], r['starttls'],
                                                  r['stop'], r['total']), flush=True)
        except Exception as e:  # noqa: BLE001 - report and go on with the next server
            failed = True
            print('FAIL %-8s %s: %s' % (kind, type(e).__name__, e), flush=True)
    print('smoke: %.2f s in all' % (time.monotonic() - t0))
    if failed or os.environ.get('XMPPC_KEEP_SERVER_DIRS') == '1':
        print('server directories kept in %s' % base)
    else:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
