#!/usr/bin/python3
"""Stream management (XEP-0198) and reconnection under injected faults,
against real Prosody and ejabberd.

usage: sm-faults.py --client PATH [--messages N] [--seed N] [prosody] [ejabberd]

Two sm-client processes (tests/interop/sm-client.c), a sender (user1) and a
receiver (user2), each reach the server through its own fault proxy
(tests/faultproxy). The sender sends numbered chat messages (body and
origin-id carry the number); this script reads every "got N" and "acked N"
line and is the judge. Scenarios, per server:

  cuts        2,000 messages while both proxies cut the connections at
              seeded random points (reset, close, cut in the middle of a
              TLS record): every message arrives exactly once and in order,
              every message is acknowledged to the sender exactly once.
  expired     the sender, then the receiver, stays unreachable longer than
              the server's resumption window (6 s here): resumption fails,
              a fresh resource is bound, unacknowledged messages are resent
              with a delay stamp (sender) or come from offline storage
              (receiver). Zero loss; duplicates (allowed by XEP-0198 here,
              recognisable by origin-id) are counted and reported.
  blackhole   the receiver's link stops forwarding without closing: the
              liveness probe declares it dead (time measured), the client
              reconnects and resumes; zero loss, no duplicate.
  sigkill     the server is killed with SIGKILL while idle; the sender
              queues messages meanwhile; the server restarts: both clients
              reconnect by themselves within the backoff schedule and the
              queued messages are delivered.
  restart     the receiver process exports its state and exits without
              closing; a new process imports it and resumes: nothing lost,
              nothing twice.

Prints a table per server (sent, cuts, lost, duplicates, detection time,
reconnection delay) and "N passed, N failed".
"""

import argparse
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'faultproxy'))
import interop_common as ic  # noqa: E402
from interop_common import xmppd  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402
from faultkit import Proc, wait_until, clean, judge, delivered, all_acked, keep_away, run_servers, scenario  # noqa: E402

RESUME_WINDOW = 6   # seconds the servers keep a broken stream
IDLE_MS = 2000      # liveness: probe after this long without input
PROBE_MS = 2000     # ... and declare the link dead this long after
BASE_MS = 200       # reconnection backoff
MAX_MS = 2000


def sm_client(exe, name, acct, server, ca, peer=None, extra=()):
    argv = [exe, '--jid', acct['jid'], '--password', acct['password'], '--server', server,
            '--ca-file', ca, '--idle-ms', str(IDLE_MS), '--probe-ms', str(PROBE_MS),
            '--base-ms', str(BASE_MS), '--max-ms', str(MAX_MS)] + list(extra)
    if peer:
        argv += ['--peer', peer]
    return Proc(name, argv)


class Run:
    """One scenario: proxies, a sender and a receiver."""

    def __init__(self, a, s, seed):
        self.a, self.s = a, s
        st = s.state
        self.st = st
        self.px_s = FaultProxy(st['host'], st['c2s_port'], seed=seed).start()
        self.px_r = FaultProxy(st['host'], st['c2s_port'], seed=seed + 1).start()
        self.u1, self.u2 = st['accounts'][0], st['accounts'][1]
        self.clients = []

    def client(self, role, extra=()):
        px = self.px_s if role == 'sender' else self.px_r
        acct = self.u1 if role == 'sender' else self.u2
        c = sm_client(self.a.client, role, acct, '127.0.0.1:%d' % px.port, self.st['ca'],
                      peer=self.u2['jid'] if role == 'sender' else None, extra=extra)
        self.clients.append(c)
        return c

    def start_pair(self):
        r = self.client('receiver')
        snd = self.client('sender')
        for c in (r, snd):
            if c.wait_word('ready', 20) is None:
                raise RuntimeError('%s not ready:\n%s' % (c.name, c.tail()))
        return snd, r

    def close(self):
        for c in self.clients:
            c.stop()
        self.px_s.stop()
        self.px_r.stop()


# ---------------------------------------------------------------- scenarios

@scenario('cuts', lambda a, s: Run(a, s, a.seed))
def sc_cuts(run, s, kind, res, table):
    a = run.a
    n, first = a.messages, 0
    snd, r = run.start_pair()
    plan_s = run.px_s.random_faults(12, 3000, 22000, seed=a.seed)
    plan_r = run.px_r.random_faults(12, 3000, 22000, seed=a.seed + 7)
    snd.cmd('send %d %d 2' % (first, n))
    ok = wait_until(lambda: delivered(r, first, n)() and all_acked(snd, first, n)(), 240)
    run.px_s.random_faults(0, 0, 0)
    run.px_r.random_faults(0, 0, 0)
    log = run.px_s.fault_log() + run.px_r.fault_log()
    cuts = len(log)
    partial = sum(1 for e in log if e.get('partial'))
    j = judge(first, n, r.numbers('got'), snd.numbers('acked'), snd.numbers('returned'))
    resumes = snd.count('resumed') + r.count('resumed')
    fresh = snd.count('ready') + r.count('ready') - 2
    good = (ok and j['lost'] == 0 and clean(j, kind) and
            j['acked_once'] == n and j['acked_twice'] == 0 and j['returned'] == 0 and cuts >= 20)
    table.append((kind, 'cuts', n, cuts, j['lost'], j['dups'], '-', '-'))
    res.record(kind, 'cuts: %d msgs, %d cuts (%d mid-record)' % (n, cuts, partial), good,
               'lost=%d dups=%d order=%d acked-once=%d/%d returned=%d resumed=%d fresh-binds=%d plan=%d+%d'
               % (j['lost'], j['dups'], j['order_violations'], j['acked_once'], n, j['returned'],
                  resumes, fresh, len(plan_s), len(plan_r)),
               '' if good else 'sender:\n%s\nreceiver:\n%s' % (snd.tail(), r.tail()))


@scenario('expired window', lambda a, s: Run(a, s, a.seed + 100))
def sc_expired(run, s, kind, res, table):
    """Each client in turn stays away longer than the resumption window while
    messages flow: first the sender (its unacknowledged and offline-queued
    messages go out after a fresh bind), then the receiver (what the server
    held for it goes to offline storage and arrives after its fresh bind)."""
    half, first = 500, 10000
    n = 2 * half
    snd, r = run.start_pair()
    got_from = lambda lo: len([x for x in r.numbers('got') if x >= lo])  # noqa: E731
    ms = snd.mark()
    snd.cmd('send %d %d 8' % (first, half))
    wait_until(lambda: got_from(first) >= 100, 60)
    keep_away(run.px_s, RESUME_WINDOW + 3)          # the sender's stream expires meanwhile
    if snd.wait_word('ready', 30, ms) is None:
        raise RuntimeError('sender did not bind afresh:\n' + snd.tail())
    wait_until(delivered(r, first, half), 60)
    mr = r.mark()
    snd.cmd('send %d %d 8' % (first + half, half))
    wait_until(lambda: got_from(first + half) >= 100, 60)
    keep_away(run.px_r, RESUME_WINDOW + 3)            # the receiver's stream expires, messages flowing
    back = r.wait_word('ready', 30, mr)
    if back is None:
        raise RuntimeError('receiver did not bind afresh:\n' + r.tail())
    ok = wait_until(lambda: delivered(r, first, n)() and all_acked(snd, first, n)(), 120)
    j = judge(first, n, r.numbers('got'), snd.numbers('acked'), snd.numbers('returned'))
    fresh_s, fresh_r = snd.count('ready') - 1, r.count('ready') - 1
    cut = r.wait_word('disconnected', 1, mr)
    with r.cond:   # what the server held across the expiry: all that came after the cut
        held = sum(1 for _, l in r.lines[cut[2]:] if l.startswith('got ')) if cut else 0
    good = (ok and j['lost'] == 0 and j['acked_once'] == n and j['returned'] == 0 and fresh_s >= 1 and fresh_r >= 1
            and held > 0)
    table.append((kind, 'expired', n, 2, j['lost'], j['dups'], '-', '-'))
    res.record(kind, 'expired window: sender, then receiver', good,
               'lost=%d dups=%d (by origin-id) order=%d acked-once=%d/%d fresh-binds=%d+%d '
               'held-across-expiry=%d' % (j['lost'], j['dups'], j['order_violations'], j['acked_once'], n,
                                          fresh_s, fresh_r, held),
               '' if good else 'sender:\n%s\nreceiver:\n%s' % (snd.tail(), r.tail()))


@scenario('blackhole', lambda a, s: Run(a, s, a.seed + 200))
def sc_blackhole(run, s, kind, res, table):
    n, first = 600, 20000
    snd, r = run.start_pair()
    snd.cmd('send %d %d 5' % (first, n))
    wait_until(lambda: len(r.numbers('got')) >= 100, 60)
    mark = r.mark()
    t_bh = time.monotonic()
    run.px_r.blackhole(True)
    hit = r.wait(lambda l: l.startswith('disconnected ') and 'XMPPC_ELINK_DEAD' in l, 30, mark)
    detect = (hit[0] - t_bh) if hit else None
    run.px_r.blackhole(False)
    resumed = r.wait_word('resumed', 30, mark)
    ok = wait_until(lambda: delivered(r, first, n)() and all_acked(snd, first, n)(), 90)
    j = judge(first, n, r.numbers('got'), snd.numbers('acked'), snd.numbers('returned'))
    limit = (IDLE_MS + PROBE_MS) / 1000.0 + 1.0
    good = (ok and hit is not None and detect <= limit and resumed is not None and j['lost'] == 0 and
            clean(j, kind) and j['acked_once'] == n)
    table.append((kind, 'blackhole', n, 1, j['lost'], j['dups'],
                  '%.2f s' % detect if detect is not None else 'none', '-'))
    res.record(kind, 'black-holed link detected, resumed', good,
               'detected in %s (idle %d ms + probe %d ms) lost=%d dups=%d resumed=%s'
               % ('%.2f s' % detect if detect is not None else 'never', IDLE_MS, PROBE_MS, j['lost'],
                  j['dups'], resumed is not None),
               '' if good else 'receiver:\n%s' % r.tail())


@scenario('sigkill', lambda a, s: Run(a, s, a.seed + 300))
def sc_sigkill(run, s, kind, res, table):
    n1, n2, first = 200, 200, 30000
    snd, r = run.start_pair()
    snd.cmd('send %d %d 2' % (first, n1))
    if not wait_until(lambda: delivered(r, first, n1)() and all_acked(snd, first, n1)(), 60):
        raise RuntimeError('first batch not delivered')
    ms, mr = snd.mark(), r.mark()
    s.kill()
    if snd.wait_word('disconnected', 15, ms) is None:
        raise RuntimeError('sender did not notice the kill:\n' + snd.tail())
    snd.cmd('send %d %d 5' % (first + n1, n2))      # queued while the server is down
    snd.wait_word('sent-all', 15, ms)
    time.sleep(2)
    t_up0 = time.monotonic()
    s.restart()
    t_up = time.monotonic()
    back_s = snd.wait_word('ready', 30, ms)
    back_r = r.wait_word('ready', 30, mr)
    ok = wait_until(lambda: delivered(r, first + n1, n2)(), 60)
    j = judge(first + n1, n2, r.numbers('got'), snd.numbers('acked'), snd.numbers('returned'))
    delays = [b[0] - t_up for b in (back_s, back_r) if b is not None]
    # the schedule: after the server is back, the next attempt is at most
    # one capped backoff step away; add a second for the login itself
    in_schedule = len(delays) == 2 and max(delays) <= MAX_MS / 1000.0 + 1.5
    good = ok and in_schedule and j['lost'] == 0
    table.append((kind, 'sigkill', n1 + n2, 1, j['lost'], j['dups'], '-',
                  '%.2f s' % max(delays) if delays else 'never'))
    res.record(kind, 'server SIGKILL + restart, queued msgs delivered', good,
               'server restart took %.1f s; reconnected %s after it was back (cap %d ms); '
               'queued=%d lost=%d dups=%d' % (t_up - t_up0, ', '.join('%.2f s' % d for d in delays) or 'never',
                                              MAX_MS, n2, j['lost'], j['dups']),
               '' if good else 'sender:\n%s\nreceiver:\n%s' % (snd.tail(), r.tail()))


@scenario('process restart', lambda a, s: Run(a, s, a.seed + 400))
def sc_restart(run, s, kind, res, table):
    n, first = 400, 40000
    blob = os.path.join(tempfile.mkdtemp(prefix='xmppc-sm-'), 'state.bin')
    snd, r1 = run.start_pair()
    snd.cmd('send %d %d 5' % (first, n))
    wait_until(lambda: len(r1.numbers('got')) >= 150, 60)
    r1.cmd('export ' + blob)
    if r1.wait_word('exported', 10) is None:
        raise RuntimeError('export failed:\n' + r1.tail())
    r1.p.wait(5)
    r2 = run.client('receiver', extra=('--import', blob))
    resumed = r2.wait_word('resumed', 20)
    ok = wait_until(lambda: set(range(first, first + n)) <= set(r1.numbers('got') + r2.numbers('got')), 60)
    got = r1.numbers('got') + r2.numbers('got')
    j = judge(first, n, got, snd.numbers('acked'), snd.numbers('returned'))
    good = (ok and resumed is not None and r2.count('ready') == 0 and j['lost'] == 0 and clean(j, kind))
    table.append((kind, 'restart', n, 1, j['lost'], j['dups'], '-', '-'))
    res.record(kind, 'process restart: export, import, resume', good,
               'first process got %d, second %d; lost=%d dups=%d order=%d resumed=%s'
               % (len(r1.numbers('got')), len(r2.numbers('got')), j['lost'], j['dups'],
                  j['order_violations'], resumed is not None),
               '' if good else 'r1:\n%s\nr2:\n%s' % (r1.tail(), r2.tail()))


SCENARIOS = {'cuts': sc_cuts, 'expired': sc_expired, 'blackhole': sc_blackhole, 'sigkill': sc_sigkill,
             'restart': sc_restart}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--client', required=True)
    ap.add_argument('--messages', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=int(os.environ.get('XMPPC_FAULT_SEED', '1198')))
    ap.add_argument('--only', action='append', choices=sorted(SCENARIOS))
    ap.add_argument('kinds', nargs='*', default=list(xmppd.KINDS))
    a = ap.parse_args()
    ic.check_requirements(a.kinds, need_slixmpp=False, programs=[a.client])
    print('seed %d; resumption window %d s; liveness %d+%d ms; backoff %d..%d ms'
          % (a.seed, RESUME_WINDOW, IDLE_MS, PROBE_MS, BASE_MS, MAX_MS), flush=True)
    return run_servers(a, 'sm-faults', SCENARIOS, RESUME_WINDOW,
                       ('server', 'scenario', 'sent', 'cuts', 'lost', 'dups', 'dead-link', 'reconnect'),
                       '%-9s %-10s %6d %5d %5d %5d %14s %14s')

if __name__ == '__main__':
    sys.exit(main())
