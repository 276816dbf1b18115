#!/usr/bin/python3
"""A private dnsmasq on 127.0.0.1 serving test SRV and A records, for the
interop tests of XMPP service resolution (RFC 6120 §3.2, XEP-0368).

Python API:

    with DnsServer(srv=[('_xmpp-client._tcp.example.test', 'xmpp.example.test', 5222)],
                   hosts=[('xmpp.example.test', '127.0.0.1')]) as dns:
        dns.port, dns.address        # '127.0.0.1:PORT' for --dns-server
        query(dns.port, '_xmpp-client._tcp.example.test', 'SRV')

dnsmasq (package dnsmasq-base) runs in the foreground as our child, on a
free UDP+TCP port of 127.0.0.1, with no upstream servers, no /etc/hosts,
no configuration file and no pid file; names under the local domains
(default example.test) that have no record are answered NXDOMAIN by
dnsmasq itself. It is stopped by its PID (SIGTERM, then SIGKILL).

Command line:

    dns.py selftest                       start, query, check, stop
    dns.py serve --srv NAME,TARGET,PORT[,PRIO,WEIGHT] --host NAME,IP ...
                                          print the address, serve until ^C

Only the Python 3 standard library is used.
"""

import argparse
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HOST = '127.0.0.1'
TYPES = {'A': 1, 'CNAME': 5, 'SOA': 6, 'AAAA': 28, 'SRV': 33}
RCODES = {0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED'}


class DnsError(Exception):
    """dnsmasq could not be started or did not answer."""


def find_dnsmasq():
    path = os.environ.get('PATH', '') + ':/usr/sbin:/sbin'
    return shutil.which('dnsmasq', path=path)


def _free_port():
    """A port free for both UDP and TCP on 127.0.0.1 a moment ago."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            t.bind((HOST, 0))
            port = t.getsockname()[1]
            try:
                u.bind((HOST, port))
            except OSError:
                continue
            return port
        finally:
            t.close()
            u.close()
    raise DnsError('no free UDP+TCP port on %s' % HOST)


# ---------------------------------------------------------------- a tiny DNS client

def _encode_name(name):
    out = b''
    for label in name.rstrip('.').split('.'):
        out += bytes([len(label)]) + label.encode('ascii')
    return out + b'\0'


def _read_name(msg, off):
    labels, jumped, end = [], False, None
    for _ in range(128):
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumped = True
            continue
        if n == 0:
            return '.'.join(labels), (end if jumped else off + 1)
        labels.append(msg[off + 1:off + 1 + n].decode('ascii'))
        off += 1 + n
    raise DnsError('name compression loop')


def query(port, name, qtype='SRV', host=HOST, timeout=2.0):
    """One UDP query. Returns (rcode name, [records]); an SRV record is
    (priority, weight, port, target), an A/AAAA record the address text,
    anything else (type, raw bytes)."""
    qid = random.randrange(65536)
    pkt = struct.pack('>HHHHHH', qid, 0x0100, 1, 0, 0, 0) + _encode_name(name) + struct.pack('>HH', TYPES[qtype], 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(pkt, (host, port))
        deadline = time.monotonic() + timeout
        while True:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            msg, _ = s.recvfrom(4096)
            if len(msg) >= 12 and struct.unpack('>H', msg[:2])[0] == qid:
                break
    _, flags, qd, an, _, _ = struct.unpack('>HHHHHH', msg[:12])
    off = 12
    for _ in range(qd):
        _, off = _read_name(msg, off)
        off += 4
    records = []
    for _ in range(an):
        _, off = _read_name(msg, off)
        rtype, _, _, rdlen = struct.unpack('>HHIH', msg[off:off + 10])
        off += 10
        rdata = msg[off:off + rdlen]
        if rtype == TYPES['SRV']:
            prio, weight, rport = struct.unpack('>HHH', rdata[:6])
            records.append((prio, weight, rport, _read_name(msg, off + 6)[0]))
        elif rtype == TYPES['A']:
            records.append(socket.inet_ntop(socket.AF_INET, rdata))
        elif rtype == TYPES['AAAA']:
            records.append(socket.inet_ntop(socket.AF_INET6, rdata))
        else:
            records.append((rtype, rdata))
        off += rdlen
    return RCODES.get(flags & 0xF, str(flags & 0xF)), records


# ---------------------------------------------------------------- the server

class DnsServer:
    """dnsmasq serving srv = [(name, target, port[, priority, weight])]
    (target None: the "no service" record, target ".") and
    hosts = [(name, ip)] on 127.0.0.1:self.port; names under local_domains
    without a record are NXDOMAIN."""

    def __init__(self, srv=(), hosts=(), local_domains=('example.test',), log_file=None, start_timeout=10.0):
        self.srv = [tuple(r) for r in srv]
        self.hosts = [tuple(h) for h in hosts]
        self.local_domains = list(local_domains)
        self.log_file = log_file
        self.start_timeout = start_timeout
        self.port = None
        self.proc = None

    @property
    def address(self):
        return '%s:%d' % (HOST, self.port)

    def argv(self):
        a = [find_dnsmasq() or 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--pid-file=',
             '--no-resolv', '--no-hosts', '--no-poll', '--bind-interfaces', '--listen-address=' + HOST,
             '--except-interface=', '--port=%d' % self.port, '--user=root', '--group=root', '--cache-size=0']
        for d in self.local_domains:
            a.append('--local=/%s/' % d)
        for r in self.srv:
            if r[1] is None:  # "no such service here": target "."
                a.append('--srv-host=%s' % r[0])
                continue
            name, target, port = r[0], r[1], r[2]
            prio, weight = (r[3], r[4]) if len(r) >= 5 else (0, 0)
            a.append('--srv-host=%s,%s,%d,%d,%d' % (name, target, port, prio, weight))
        for name, ip in self.hosts:
            a.append('--host-record=%s,%s' % (name, ip))
        if self.log_file:
            a += ['--log-queries', '--log-facility=' + self.log_file]
        else:
            a.append('--log-facility=/dev/null')
        return a

    def start(self):
        if not find_dnsmasq():
            raise DnsError('dnsmasq not found: install dnsmasq-base (scripts/install-deps.sh test)')
        last = ''
        for _ in range(3):  # a port taken between the probe and dnsmasq's bind: retry
            self.port = _free_port()
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + self.start_timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    last = self.proc.stdout.read().decode('utf-8', 'replace')
                    break
                try:
                    # any answer will do: a name under a local domain gives NXDOMAIN
                    query(self.port, 'ready.' + (self.local_domains or ['invalid'])[0], 'A', timeout=0.2)
                    return self
                except (OSError, DnsError):
                    time.sleep(0.02)
            else:
                self.stop()
                raise DnsError('dnsmasq did not answer on %s within %.0f s' % (self.address, self.start_timeout))
            self.proc = None
        raise DnsError('dnsmasq exited at start: %s' % last.strip())

    def stop(self):
        p, self.proc = self.proc, None
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=3)
        if p.stdout:
            p.stdout.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def xmpp_records(domain, target, c2s_port=None, c2s_tls_port=None, ip=HOST):
    """(srv, hosts) for a domain whose _xmpp-client (STARTTLS) and/or
    _xmpps-client (direct TLS) records point at target:port, target -> ip."""
    srv = []
    if c2s_port:
        srv.append(('_xmpp-client._tcp.' + domain, target, c2s_port))
    if c2s_tls_port:
        srv.append(('_xmpps-client._tcp.' + domain, target, c2s_tls_port))
    return srv, [(target, ip)]


def selftest():
    srv, hosts = xmpp_records('example.test', 'xmpp.example.test', 15222, 15223)
    srv.append(('_xmpp-client._tcp.none.example.test', None))
    with tempfile.NamedTemporaryFile(prefix='dnsmasq-', suffix='.log') as log:
        with DnsServer(srv, hosts, log_file=log.name) as d:
            checks = [
                (query(d.port, '_xmpp-client._tcp.example.test'), ('NOERROR', [(0, 0, 15222, 'xmpp.example.test')])),
                (query(d.port, '_xmpps-client._tcp.example.test'),
                 ('NOERROR', [(0, 0, 15223, 'xmpp.example.test')])),
                (query(d.port, 'xmpp.example.test', 'A'), ('NOERROR', ['127.0.0.1'])),
                (query(d.port, 'xmpp.example.test', 'AAAA'), ('NOERROR', [])),
                (query(d.port, 'example.test', 'A'), ('NOERROR', [])),
                (query(d.port, '_xmpp-client._tcp.none.example.test'), ('NOERROR', [(0, 0, 1, '')])),  # target "." (dnsmasq says port 1)
                (query(d.port, '_xmpp-client._tcp.nothere.example.test')[0], 'NXDOMAIN'),
                (query(d.port, '_xmpp-client._tcp.other.test')[0], 'REFUSED'),
            ]
            pid = d.proc.pid
        bad = [(got, want) for got, want in checks if got != want]
        if os.path.exists('/proc/%d' % pid) and subprocess.run(['ps', '-o', 'stat=', '-p', str(pid)],
                                                                capture_output=True).stdout.strip() not in (b'', b'Z'):
            bad.append(('dnsmasq %d still running' % pid, 'stopped'))
    for got, want in bad:
        print('FAIL got %r, want %r' % (got, want))
    print('dns selftest: %s' % ('ok' if not bad else 'FAILED'))
    return 1 if bad else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description='A private dnsmasq serving test records on 127.0.0.1.')
    sub = ap.add_subparsers(dest='cmd', required=True)
    sub.add_parser('selftest')
    p = sub.add_parser('serve')
    p.add_argument('--srv', action='append', default=[], help='NAME,TARGET,PORT[,PRIO,WEIGHT]')
    p.add_argument('--host', action='append', default=[], help='NAME,IP')
    p.add_argument('--local', action='append', default=None, help='domain answered locally (NXDOMAIN)')
    a = ap.parse_args(argv)
    if a.cmd == 'selftest':
        return selftest()
    srv = []
    for s in a.srv:
        f = s.split(',')
        srv.append((f[0], f[1], int(f[2])) + tuple(int(x) for x in f[3:5]))
    hosts = [tuple(h.split(',', 1)) for h in a.host]
    def stop(signum, _frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, stop)
    with DnsServer(srv, hosts, local_domains=a.local or ['example.test']) as d:
        print('DNS_SERVER=%s' % d.address, flush=True)
        try:
            d.proc.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
