#!/usr/bin/python3
"""The echo bot (examples/xmpp-echo-bot.c, with its default reconnection and
stream management) behind a fault proxy, against real Prosody and ejabberd:
a tester (tests/interop/sm-client.c, connected directly) sends numbered
messages to the bot and this script counts the echoes that come back.

usage: echo-faults.py --echo-bot PATH --client PATH [--seed N] [prosody] [ejabberd]

Scenarios, per server:

  cuts        1,000 messages while the proxy cuts the bot's connection at
              seeded random points (reset, close, cut inside a TLS record):
              every echo comes back exactly once and in order (ejabberd
              may swap two around a resumption: reported, see faultkit).
  blackhole   the bot's link stops forwarding without closing: the bot's
              keepalive (--keepalive 2) declares it dead (time measured),
              it reconnects and resumes; every echo comes back once.
  expired     the bot stays unreachable longer than the resumption window
              while messages flow: the server keeps them offline, the bot
              binds afresh and echoes them; nothing lost, and what the server
              delivers twice (delay-stamped) is echoed once.
  sigkill     the server is killed with SIGKILL and restarted: the bot
              reconnects by itself and echoes what is sent afterwards.

Prints a table (sent, cuts, lost, duplicates, detection time) and
"N passed, N failed".
"""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'faultproxy'))
import interop_common as ic  # noqa: E402
from interop_common import xmppd  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402
from faultkit import Proc, wait_until, judge, clean, keep_away, run_servers, scenario  # noqa: E402

RESUME_WINDOW = 6   # seconds the server keeps a broken stream
KEEPALIVE = 2       # the bot's --keepalive: probe after 2 s, dead 2 s later
RECONNECT_MAX = 2000
BOT_EXTRA = os.environ.get('XMPPC_ECHO_BOT_ARGS', '').split()   # e.g. -v to investigate


class Run:
    """One scenario: the bot behind a proxy, the tester connected directly."""

    def __init__(self, a, s, seed):
        self.seed = seed
        self.st = st = s.state
        self.px = FaultProxy(st['host'], st['c2s_port'], seed=seed).start()
        tester, botacct = st['accounts'][0], st['accounts'][1]
        env = dict(os.environ, XMPPC_PASSWORD=botacct['password'])
        self.bot = Proc('echo-bot', [a.echo_bot, '--jid', botacct['jid'], '--server', '127.0.0.1:%d' % self.px.port,
                                     '--cafile', st['ca'], '--keepalive', str(KEEPALIVE),
                                     '--reconnect-max', str(RECONNECT_MAX)] + BOT_EXTRA, env=env)
        self.tester = Proc('tester', [a.client, '--jid', tester['jid'], '--password', tester['password'],
                                      '--server', '%s:%d' % (st['host'], st['c2s_port']), '--ca-file', st['ca'],
                                      '--peer', botacct['jid'], '--idle-ms', '2000', '--probe-ms', '2000',
                                      '--base-ms', '200', '--max-ms', '2000'])
        for p in (self.bot, self.tester):
            if p.wait_word('ready', 20) is None:
                raise RuntimeError('%s not ready:\n%s' % (p.name, p.tail()))

    def echoes(self):
        return self.tester.numbers('got')

    def back(self, first, count):
        want = set(range(first, first + count))
        return lambda: want <= set(self.echoes())

    def close(self):
        self.tester.stop()
        self.bot.stop(quit_cmd=None)    # SIGTERM: the bot closes its stream cleanly
        self.px.stop()


@scenario('echo bot, cuts', lambda a, s: Run(a, s, a.seed + 0))
def sc_cuts(run, s, kind, res, table):
    n, first = 1000, 0
    run.px.random_faults(12, 2000, 30000, seed=run.seed)
    run.tester.cmd('send %d %d 3' % (first, n))
    ok = wait_until(run.back(first, n), 180)
    run.px.random_faults(0, 0, 0)
    log = run.px.fault_log()
    j = judge(first, n, run.echoes(), [], [])
    good = ok and j['lost'] == 0 and clean(j, kind) and len(log) >= 10
    table.append((kind, 'cuts', n, len(log), j['lost'], j['dups'], '-'))
    res.record(kind, 'echo bot, %d msgs, %d cuts (%d mid-record)'
               % (n, len(log), sum(1 for e in log if e.get('partial'))), good,
               'lost=%d dups=%d order=%d bot resumed=%d fresh=%d'
               % (j['lost'], j['dups'], j['order_violations'], run.bot.count('resumed'),
                  run.bot.count('ready') - 1),
               '' if good else 'bot:\n%s\ntester:\n%s' % (run.bot.tail(), run.tester.tail()))


@scenario('echo bot, black-hole', lambda a, s: Run(a, s, a.seed + 1))
def sc_blackhole(run, s, kind, res, table):
    n, first = 400, 10000
    run.tester.cmd('send %d %d 10' % (first, n))
    wait_until(lambda: len(run.echoes()) >= 100, 60)
    t0 = time.monotonic()
    run.px.blackhole(True)
    dead = wait_until(lambda: 'XMPPC_ELINK_DEAD' in run.bot.stderr_text(), 30, step=0.02)
    detect = time.monotonic() - t0 if dead else None
    run.px.blackhole(False)
    ok = wait_until(run.back(first, n), 90)
    j = judge(first, n, run.echoes(), [], [])
    limit = 2 * KEEPALIVE + 1.0
    good = ok and dead and detect <= limit and j['lost'] == 0 and clean(j, kind) and run.bot.count('resumed') >= 1
    table.append((kind, 'blackhole', n, 1, j['lost'], j['dups'],
                  '%.2f s' % detect if detect is not None else 'never'))
    res.record(kind, 'echo bot, black-holed link', good,
               'dead link detected in %s (keepalive %d s + %d s) lost=%d dups=%d resumed=%d'
               % ('%.2f s' % detect if detect is not None else 'never', KEEPALIVE, KEEPALIVE, j['lost'],
                  j['dups'], run.bot.count('resumed')),
               '' if good else 'bot:\n%s' % run.bot.tail())


@scenario('echo bot, expired window', lambda a, s: Run(a, s, a.seed + 2))
def sc_expired(run, s, kind, res, table):
    n, first = 600, 20000
    mark = run.bot.mark()
    run.tester.cmd('send %d %d 10' % (first, n))
    wait_until(lambda: len(run.echoes()) >= 100, 60)
    keep_away(run.px, RESUME_WINDOW + 3)     # the bot's stream expires while messages flow
    fresh = run.bot.wait_word('ready', 30, mark)
    ok = wait_until(run.back(first, n), 90)
    j = judge(first, n, run.echoes(), [], [])
    good = ok and fresh is not None and j['lost'] == 0 and j['dups'] == 0
    redelivered = run.bot.stderr_text().count('a second delivery')
    table.append((kind, 'expired', n, 1, j['lost'], j['dups'], '-'))
    res.record(kind, 'echo bot, resumption window expired', good,
               'lost=%d dups=%d order=%d fresh-bind=%s second deliveries echoed once=%d'
               % (j['lost'], j['dups'], j['order_violations'], fresh is not None, redelivered),
               '' if good else 'bot:\n%s\ntester:\n%s' % (run.bot.tail(), run.tester.tail()))


@scenario('echo bot, sigkill', lambda a, s: Run(a, s, a.seed + 3))
def sc_sigkill(run, s, kind, res, table):
    n, first = 200, 30000
    mb, mt = run.bot.mark(), run.tester.mark()
    s.kill()
    time.sleep(2)
    s.restart()
    back_b = run.bot.wait_word('ready', 30, mb)
    back_t = run.tester.wait_word('ready', 30, mt)
    if back_b is None or back_t is None:
        raise RuntimeError('no reconnection after the restart:\nbot:\n%s\ntester:\n%s'
                           % (run.bot.tail(), run.tester.tail()))
    run.tester.cmd('send %d %d 5' % (first, n))
    ok = wait_until(run.back(first, n), 60)
    j = judge(first, n, run.echoes(), [], [])
    good = ok and j['lost'] == 0 and clean(j, kind)
    table.append((kind, 'sigkill', n, 1, j['lost'], j['dups'], '-'))
    res.record(kind, 'echo bot, server SIGKILL + restart', good,
               'bot reconnected by itself; lost=%d dups=%d' % (j['lost'], j['dups']),
               '' if good else 'bot:\n%s\ntester:\n%s' % (run.bot.tail(), run.tester.tail()))


SCENARIOS = {'cuts': sc_cuts, 'blackhole': sc_blackhole, 'expired': sc_expired, 'sigkill': sc_sigkill}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--echo-bot', required=True)
    ap.add_argument('--client', required=True)
    ap.add_argument('--seed', type=int, default=int(os.environ.get('XMPPC_FAULT_SEED', '4242')))
    ap.add_argument('--only', action='append', choices=sorted(SCENARIOS))
    ap.add_argument('kinds', nargs='*', default=list(xmppd.KINDS))
    a = ap.parse_args()
    ic.check_requirements(a.kinds, need_slixmpp=False, programs=[a.echo_bot, a.client])
    print('seed %d; resumption window %d s; bot keepalive %d s' % (a.seed, RESUME_WINDOW, KEEPALIVE), flush=True)
    return run_servers(a, 'echo-faults', SCENARIOS, RESUME_WINDOW,
                       ('server', 'scenario', 'sent', 'cuts', 'lost', 'dups', 'dead-link'),
                       '%-9s %-10s %6d %5d %5d %5d %10s')

if __name__ == '__main__':
    sys.exit(main())
