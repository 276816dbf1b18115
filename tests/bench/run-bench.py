#!/usr/bin/env python3
"""Network benchmarks: xmppc beside libstrophe (doc/benchmarks.md).

Runs each scenario once for each library against the loopback
pseudo-server (tests/bench/pseudo-server.c), then, when Prosody is
installed and we are root, login time and memory per idle connection
against a private Prosody (tests/servers/xmppd.py). Prints the figures and
the ratios beside their targets. Never fails on time: the exit status is 1
only when something does not work (a program fails, a count is wrong),
0 otherwise, whatever the ratios.

Scenarios:
  receive  the server streams N chat messages; xmppc, libstrophe and the
           libxml2 SAX floor client (bench-sax-client) count them
  echo     the server keeps W messages in flight to an echo bot (xmppc's
           examples/xmpp-echo-bot, libstrophe's bench-strophe-echo), over
           plaintext and over direct TLS
  send     the server asks the client for a burst of N messages; throughput
           and the client's peak RSS (VmHWM)
  login    (Prosody) median time from connect to bound: STARTTLS, SCRAM, bind
  idle     (Prosody) growth of the client's RSS per idle authenticated
           connection, K connections in one process
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print('FAIL: %s' % msg, flush=True)


def parse_result(text):
    for line in text.splitlines():
        if line.startswith('result '):
            out = {}
            for kv in line.split()[1:]:
                k, _, v = kv.partition('=')
                out[k] = v
            return out
    return None


def fmt_num(x, digits=0):
    if x is None:
        return '-'
    if digits == 0:
        return '{:,.0f}'.format(x)
    return '{:,.{d}f}'.format(x, d=digits)


class Bench:
    def __init__(self, args):
        self.a = args
        self.tmp = tempfile.mkdtemp(prefix='xmppc-bench-')
        self.rows = []  # (scenario, unit, xmppc, other_name, other, ratio, target_text, met)

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- one run against the pseudo-server

    def pseudo_run(self, label, mode, count, client_cmd, tls=False, window=None):
        """Start the pseudo-server, run the client against it; return
        (server result, client result) or None after recording a failure."""
        ca = os.path.join(self.tmp, 'ca-%s.pem' % label.replace(' ', '-'))
        cmd = [self.a.server_bin, '--mode', mode, '--count', str(count),
               '--timeout', str(int(self.a.timeout))]
        if window:
            cmd += ['--window', str(window)]
        if tls:
            cmd += ['--tls', '--ca-out', ca]
        srv = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = srv.stdout.readline()
            if not line.startswith('port '):
                srv.kill()
                _, err = srv.communicate()
                fail('%s: pseudo-server did not start: %s' % (label, err.strip()))
                return None
            port = int(line.split()[1])
            argv = client_cmd('127.0.0.1:%d' % port, ca)
            if self.a.verbose:
                print('  $ %s' % ' '.join(argv), flush=True)
            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            try:
                cl = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    timeout=self.a.timeout)
            except subprocess.TimeoutExpired:
                fail('%s: client timed out after %d s' % (label, self.a.timeout))
                return None
            # the client's CPU time: it is the only child reaped meanwhile
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
            try:
                sout, serr = srv.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                srv.kill()
                sout, serr = srv.communicate()
                fail('%s: pseudo-server did not finish' % label)
                return None
            if cl.returncode != 0:
                fail('%s: client exited %d: %s' % (label, cl.returncode, cl.stderr.strip()[-2000:]))
                return None
            if srv.returncode != 0:
                fail('%s: pseudo-server exited %d: %s' % (label, srv.returncode, serr.strip()[-2000:]))
                return None
            sres = parse_result(sout)
            cres = parse_result(cl.stdout) or {}
            cres['cpu_seconds'] = cpu
            if sres is None:
                fail('%s: no result from the pseudo-server' % label)
                return None
            if int(sres.get('acked', -1)) != count:
                fail('%s: %s messages counted, %d expected' % (label, sres.get('acked'), count))
                return None
            return sres, cres
        finally:
            if srv.poll() is None:
                srv.kill()
                srv.wait()

    def rate(self, label, mode, count, client_cmd, tls=False, window=None, client_check=None):
        """One run: (messages per second of wall time as the server timed
        it, messages per second of the client's CPU time, client result)."""
        r = self.pseudo_run(label, mode, count, client_cmd, tls, window)
        if r is None:
            return None
        sres, cres = r
        if client_check is not None:
            msg = client_check(cres)
            if msg:
                fail('%s: %s' % (label, msg))
                return None
        secs = float(sres['seconds'])
        cpu = cres['cpu_seconds']
        return (count / secs if secs > 0 else None, count / cpu if cpu > 0 else None, cres)

    def best(self, runs):
        """Interleaved runs of several clients: {name: (label, mode, count, cmd, kw)}.
        Returns {name: (best wall rate, best cpu rate, client result of the best run)}."""
        out = {}
        for _ in range(self.a.repeat):
            for name, (label, mode, count, cmd, kw) in runs.items():
                if name in out and out[name] is None:
                    continue  # failed once: do not retry
                r = self.rate(label, mode, count, cmd, **kw)
                if r is None:
                    out[name] = None
                    continue
                prev = out.get(name)
                if prev is None:
                    out[name] = r
                else:
                    out[name] = (max(prev[0], r[0]), max(prev[1] or 0, r[1] or 0) or None,
                                 r[2] if r[0] > prev[0] else prev[2])
        return out

    def row(self, scenario, unit, xv, other_name, ov, ratio, target, better_high=True, target_val=None,
            cpu_ratio=None):
        met = None
        if ratio is not None and target_val is not None and not self.a.quick:
            met = ratio >= target_val if better_high else ratio <= target_val
        self.rows.append((scenario, unit, xv, other_name, ov, ratio, target, met, cpu_ratio))
        d = 1 if unit in ('ms', 'KiB/conn') else 0
        print('%s: xmppc %s %s, %s %s %s, ratio %s (target %s)%s%s' % (
            scenario, fmt_num(xv, d), unit, other_name, fmt_num(ov, d), unit,
            '-' if ratio is None else '%.2f' % ratio, target,
            '' if cpu_ratio is None else '; per CPU-second %.2f' % cpu_ratio,
            '' if met is None else ('' if met else '  [MISSED]')), flush=True)

    def rate_rows(self, scenario, unit, res, x, ref, ref_name, target, target_val):
        rx, rr = res.get(x), res.get(ref)
        xv = rx[0] if rx else None
        rv = rr[0] if rr else None
        cpu = rx[1] / rr[1] if rx and rr and rx[1] and rr[1] else None
        self.row(scenario, unit, xv, ref_name, rv, xv / rv if xv and rv else None, target, True,
                 target_val, cpu)

    # -- scenarios

    def receive(self):
        n = self.a.count

        def recv_check(c):
            if int(c.get('received', -1)) != n:
                return 'client counted %s messages, %d sent' % (c.get('received'), n)
            return None
        kw = {'client_check': recv_check}
        runs = {'xmppc': ('receive xmppc', 'stream', n,
                          lambda srv, ca: [self.a.xmppc_client, 'recv', '--server', srv], kw)}
        if self.a.strophe_client:
            runs['libstrophe'] = ('receive libstrophe', 'stream', n,
                                  lambda srv, ca: [self.a.strophe_client, 'recv', '--server', srv], kw)
        runs['floor'] = ('receive SAX floor', 'stream', n,
                         lambda srv, ca: [self.a.sax_client, '--server', srv], kw)
        res = self.best(runs)
        self.rate_rows('receive', 'msg/s', res, 'xmppc', 'libstrophe', 'libstrophe', '>= 3', 3.0)
        self.rate_rows('receive vs SAX floor', 'msg/s', res, 'xmppc', 'floor', 'SAX floor', '>= 0.5', 0.5)

    def echo(self, tls):
        n, w = self.a.echo_count, self.a.window
        tag = 'TLS' if tls else 'plaintext'

        def bot_args(srv, ca):
            base = ['--jid', 'bob@example.net', '--password', 'pw', '--server', srv,
                    '--max', str(n)]
            return base + (['--direct-tls', '--cafile', ca] if tls else ['--insecure-plaintext'])
        kw = {'tls': tls, 'window': w}
        runs = {}
        if self.a.echo_bot:
            runs['xmppc'] = ('echo %s xmppc' % tag, 'echo', n,
                             lambda srv, ca: [self.a.echo_bot] + bot_args(srv, ca), kw)
        if self.a.strophe_echo:
            runs['libstrophe'] = ('echo %s libstrophe' % tag, 'echo', n,
                                  lambda srv, ca: [self.a.strophe_echo] + bot_args(srv, ca), kw)
        res = self.best(runs)
        self.rate_rows('echo ' + tag, 'echo/s', res, 'xmppc', 'libstrophe', 'libstrophe', '>= 2.5', 2.5)

    def send(self):
        n = self.a.count

        def send_check(c):
            if int(c.get('sent', -1)) != n:
                return 'client sent %s messages, %d asked' % (c.get('sent'), n)
            return None
        kw = {'client_check': send_check}
        runs = {'xmppc': ('send xmppc', 'sink', n,
                          lambda srv, ca: [self.a.xmppc_client, 'send', '--server', srv,
                                           '--count', str(n)], kw)}
        if self.a.strophe_client:
            runs['libstrophe'] = ('send libstrophe', 'sink', n,
                                  lambda srv, ca: [self.a.strophe_client, 'send', '--server', srv,
                                                   '--count', str(n)], kw)
        res = self.best(runs)
        self.rate_rows('send', 'msg/s', res, 'xmppc', 'libstrophe', 'libstrophe', '>= 3', 3.0)
        xc = res['xmppc'][2] if res.get('xmppc') else None
        sc = res['libstrophe'][2] if res.get('libstrophe') else None
        xm = float(xc['peak_rss_kib']) if xc else None
        sm = float(sc['peak_rss_kib']) if sc else None
        self.row('send peak RSS', 'KiB', xm, 'libstrophe', sm,
                 xm / sm if xm and sm else None, '<= 0.10', False, 0.10)
        if xc and sc:
            print('  (RSS growth during the run: xmppc %s KiB, libstrophe %s KiB; xmppc output '
                  'queue full %s times)' % (fmt_num(xm - float(xc['rss_before_kib'])),
                                            fmt_num(sm - float(sc['rss_before_kib'])),
                                            xc.get('eagain', '?')), flush=True)

    # -- Prosody

    def prosody(self):
        sys.path.insert(0, self.a.servers_dir)
        import xmppd  # noqa: E402 (tests/servers/xmppd.py)

        # Prosody inherits our fd limit: room for K connections of one client.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = self.a.conns * 2 + 256
        if soft < want:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
            except (ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        d = os.path.join(self.tmp, 'prosody')
        os.makedirs(d)
        with xmppd.Server('prosody', d, log_level='warning') as srv:
            acct = srv.accounts[0]
            server = '127.0.0.1:%d' % srv.state['c2s_port']
            common = ['--server', server, '--jid', acct['jid'], '--password', acct['password'],
                      '--cafile', srv.ca]
            res = {}
            for lib, prog in (('xmppc', self.a.xmppc_client), ('libstrophe', self.a.strophe_client)):
                if not prog:
                    continue
                for mode, extra in (('login', ['--reps', str(self.a.reps)]),
                                    ('idle', ['--conns', str(self.a.conns),
                                              '--parallel', str(self.a.parallel)])):
                    argv = [prog, mode] + common + extra
                    if self.a.verbose:
                        print('  $ %s' % ' '.join(argv), flush=True)
                    try:
                        cl = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                            text=True, timeout=max(self.a.timeout, 900))
                    except subprocess.TimeoutExpired:
                        fail('%s %s: timed out' % (mode, lib))
                        continue
                    r = parse_result(cl.stdout)
                    if cl.returncode != 0 or r is None:
                        fail('%s %s against Prosody: exit %d: %s' % (
                            mode, lib, cl.returncode, cl.stderr.strip()[-2000:]))
                        continue
                    res[(lib, mode)] = r
            xl = res.get(('xmppc', 'login'))
            sl = res.get(('libstrophe', 'login'))
            xlv = float(xl['median_ms']) if xl else None
            slv = float(sl['median_ms']) if sl else None
            self.row('login (Prosody, median)', 'ms', xlv, 'libstrophe', slv,
                     xlv / slv if xlv and slv else None, '<= 1', False, 1.0)
            xi = res.get(('xmppc', 'idle'))
            si = res.get(('libstrophe', 'idle'))
            xiv = float(xi['per_conn_kib']) if xi else None
            siv = float(si['per_conn_kib']) if si else None
            self.row('idle conn (Prosody, %d)' % self.a.conns, 'KiB/conn', xiv, 'libstrophe', siv,
                     xiv / siv if xiv and siv else None, '<= 0.5', False, 0.5)

    def table(self):
        print()
        print('%-26s %-9s %11s %-10s %11s %6s %8s %7s  %s' % (
            'scenario', 'unit', 'xmppc', 'reference', '', 'ratio', 'target', 'cpu', ''))
        for scen, unit, xv, oname, ov, ratio, target, met, cpu in self.rows:
            d = 1 if unit in ('ms', 'KiB/conn') else 0
            print('%-26s %-9s %11s %-10s %11s %6s %8s %7s  %s' % (
                scen, unit, fmt_num(xv, d), oname, fmt_num(ov, d),
                '-' if ratio is None else '%.2f' % ratio, target,
                '-' if cpu is None else '%.2f' % cpu,
                '' if met is None else ('met' if met else 'MISSED')))
        if self.a.quick:
            print('quick run (a smoke test of the programs): start-up dominates, the figures '
                  'mean nothing')
        print('ratio: xmppc / reference, %s; cpu: the same ratio per second of the client\'s '
              'CPU time (user + system).\nFigures are printed, never judged: only functional '
              'failures fail.' % ('one run each' if self.a.repeat == 1 else
                                  'best of %d interleaved runs each' % self.a.repeat))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--server-bin', required=True)
    ap.add_argument('--sax-client', required=True)
    ap.add_argument('--xmppc-client', required=True)
    ap.add_argument('--strophe-client')
    ap.add_argument('--strophe-echo')
    ap.add_argument('--echo-bot', help="xmppc's examples/xmpp-echo-bot")
    ap.add_argument('--servers-dir', help='tests/servers (xmppd.py)')
    ap.add_argument('--count', type=int, default=200000, help='receive/send messages (200000)')
    ap.add_argument('--echo-count', type=int, default=200000, help='echo round trips (200000)')
    ap.add_argument('--window', type=int, default=64, help='echo messages in flight (64)')
    ap.add_argument('--reps', type=int, default=20, help='logins per library (20)')
    ap.add_argument('--conns', type=int, default=1000, help='idle connections per library (1000)')
    ap.add_argument('--parallel', type=int, default=50,
                    help='idle: connections negotiating at once (50)')
    ap.add_argument('--only', default='receive,echo,send,prosody',
                    help='comma-separated subset of receive,echo,send,prosody')
    ap.add_argument('--prosody', choices=('auto', 'yes', 'no'), default='auto',
                    help='Prosody scenarios: auto = when installed, root, and not --quick')
    ap.add_argument('--quick', action='store_true', help='small counts: a smoke test of the programs')
    ap.add_argument('--repeat', type=int, default=1,
                    help='runs per client, interleaved; the best is kept (1)')
    ap.add_argument('--timeout', type=int, default=600, help='per program run, seconds')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    for attr in ('strophe_client', 'strophe_echo', 'echo_bot'):
        p = getattr(a, attr)
        if p and not os.access(p, os.X_OK):
            print('note: %s not found (%s): skipped' % (attr.replace('_', '-'), p))
            setattr(a, attr, None)
    if a.quick:
        a.count = min(a.count, 2000)
        a.echo_count = min(a.echo_count, 2000)
        a.reps = min(a.reps, 3)
        a.conns = min(a.conns, 20)
        a.timeout = min(a.timeout, 60)
    only = set(a.only.split(','))
    run_prosody = 'prosody' in only and (
        a.prosody == 'yes' or
        (a.prosody == 'auto' and not a.quick and shutil.which('prosody') and os.geteuid() == 0))

    print('xmppc network benchmarks: %s messages (receive, send), %s echoes with %d in flight; '
          '%d CPUs' % (fmt_num(a.count), fmt_num(a.echo_count), a.window, os.cpu_count() or 0))
    if not a.strophe_client:
        print('note: libstrophe clients not built (libstrophe-dev missing): libstrophe skipped')
    if not a.echo_bot:
        print('note: xmpp-echo-bot not built (examples disabled or missing): xmppc echo skipped')
    b = Bench(a)
    try:
        if 'receive' in only:
            b.receive()
        if 'echo' in only:
            b.echo(False)
            b.echo(True)
        if 'send' in only:
            b.send()
        if run_prosody:
            if not a.servers_dir:
                fail('--servers-dir is needed for the Prosody scenarios')
            else:
                b.prosody()
        elif 'prosody' in only:
            print('note: Prosody scenarios skipped (%s)' % (
                'quick run' if a.quick else 'needs root and prosody installed'
                if a.prosody == 'auto' else '--prosody no'))
        b.table()
    finally:
        b.cleanup()
    if FAILURES:
        print('\n%d functional failure(s):' % len(FAILURES))
        for f in FAILURES:
            print('  ' + f)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
