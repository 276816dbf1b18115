#!/usr/bin/env python3
"""Self-test of faultproxy.py (standard library only, loopback only).

A threaded echo server is the target; each test drives FaultProxy (or its
command line) and checks from both ends that the fault really happened as
specified. Prints one line per test and a final "N passed, N failed" line;
exits 1 if anything failed. Run it also as
`python3 -X dev -W error test_faultproxy.py` to catch unclosed resources.
"""

import gc
import json
import logging
import os
import queue
import random
import select
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from faultproxy import FaultProxy  # noqa: E402

MUST = 10.0      # generous timeout for what must happen
MUST_NOT = 0.5   # short timeout for what must not happen

# ------------------------------------------------------------------ watchdogs

_unraisable = []
_log_errors = []


def _unraisable_hook(args):
    _unraisable.append('%s: %r' % (args.err_msg or 'unraisable', args.exc_value))


class _ErrorCollector(logging.Handler):
    def emit(self, record):
        _log_errors.append(self.format(record))


# ------------------------------------------------------------------ target

class Target:
    """Threaded echo server. A chunk b'!rst' makes it reset the connection,
    b'!fin' makes it close; anything else is recorded and echoed."""

    def __init__(self):
        self.lsock = socket.create_server(('127.0.0.1', 0))
        self.port = self.lsock.getsockname()[1]
        self.cond = threading.Condition()
        self.conns = []
        self.stopping = False
        self.threads = []
        self.acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self.acceptor.start()

    def _accept_loop(self):
        while not self.stopping:
            r, _, _ = select.select([self.lsock], [], [], 0.05)
            if not r:
                continue
            try:
                s, _ = self.lsock.accept()
            except OSError:
                continue
            rec = {'sock': s, 'received': bytearray(), 'end': None, 'kill': False}
            th = threading.Thread(target=self._serve, args=(rec,), daemon=True)
            with self.cond:
                self.conns.append(rec)
                self.threads.append(th)
                self.cond.notify_all()
            th.start()

    def _end(self, rec, how):
        with self.cond:
            if rec['end'] is None:
                rec['end'] = how
            self.cond.notify_all()

    def _serve(self, rec):
        s = rec['sock']
        try:
            while not self.stopping:
                r, _, _ = select.select([s], [], [], 0.05)
                if rec['kill']:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                    self._end(rec, 'did_rst')
                    break
                if not r:
                    continue
                data = s.recv(65536)
                if not data:
                    self._end(rec, 'eof')
                    break
                if data == b'!rst':
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                    self._end(rec, 'did_rst')
                    break
                if data == b'!fin':
                    self._end(rec, 'did_fin')
                    break
                with self.cond:
                    rec['received'] += data
                    self.cond.notify_all()
                s.sendall(data)
        except (ConnectionResetError, BrokenPipeError):
            self._end(rec, 'reset')
        except OSError as e:
            self._end(rec, 'error %r' % e)
        finally:
            self._end(rec, 'stopped')
            s.close()

    def kill(self, rec):
        """Make the connection's thread reset it (RST)."""
        rec['kill'] = True
        return self.wait_end(rec)

    def wait(self, pred, timeout=MUST):
        with self.cond:
            return self.cond.wait_for(pred, timeout)

    def wait_conns(self, n, timeout=MUST):
        return self.wait(lambda: len(self.conns) >= n, timeout)

    def wait_end(self, rec, timeout=MUST):
        self.wait(lambda: rec['end'] is not None, timeout)
        return rec['end']

    def close(self):
        self.stopping = True
        self.acceptor.join(MUST)
        for th in list(self.threads):
            th.join(MUST)
        self.lsock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ------------------------------------------------------------------ client helpers

def connect(port):
    return socket.create_connection(('127.0.0.1', port), timeout=MUST)


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        data = s.recv(min(65536, n - len(buf)))
        if not data:
            raise AssertionError('EOF after %d of %d bytes' % (len(buf), n))
        buf += data
    return bytes(buf)


def connect_refused(port):
    """Connect where the proxy refuses: the RST may come before connect()
    returns (ECONNRESET from connect) or after (seen by recv)."""
    try:
        s = connect(port)
    except ConnectionResetError:
        return 'reset', b''
    try:
        return read_to_end(s)
    finally:
        s.close()


def echo(s, data):
    s.sendall(data)
    got = recv_exact(s, len(data))
    assert got == data, 'echo mismatch'


def read_to_end(s, timeout=MUST):
    """Read until EOF, reset or timeout: returns (how, data)."""
    s.settimeout(timeout)
    buf = bytearray()
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return 'eof', bytes(buf)
            buf += data
    except ConnectionResetError:
        return 'reset', bytes(buf)
    except socket.timeout:
        return 'timeout', bytes(buf)
    finally:
        s.settimeout(MUST)


def expect_silence(s, timeout=MUST_NOT):
    how, data = read_to_end(s, timeout)
    assert how == 'timeout' and data == b'', 'expected silence, got %s %r' % (how, data[:40])


def check_clean(proxy):
    assert proxy.errors == [], 'proxy loop errors: %r' % proxy.errors


# ------------------------------------------------------------------ tests

def test_passthrough_1mib():
    payload = random.Random(1).randbytes(1 << 20)
    with Target() as target, FaultProxy('127.0.0.1', target.port) as proxy:
        s = connect(proxy.port)
        sender = threading.Thread(target=s.sendall, args=(payload,))
        sender.start()
        got = recv_exact(s, len(payload))
        sender.join(MUST)
        assert got == payload, 's2c data corrupted'
        assert bytes(target.conns[0]['received']) == payload, 'c2s data corrupted'
        # orderly half-close travels through: client FIN -> target sees EOF,
        # closes -> client sees EOF
        s.shutdown(socket.SHUT_WR)
        assert target.wait_end(target.conns[0]) == 'eof'
        how, rest = read_to_end(s)
        assert (how, rest) == ('eof', b''), (how, rest)
        s.close()
        assert proxy.wait_active(0), 'connection not finished'
        (c,) = proxy.connections()
        assert c['c2s'] == len(payload) and c['s2c'] == len(payload), c
        assert c['state'] == 'closed' and c['how'] == 'client_eof', c
        assert proxy.bytes_forwarded() == 2 * len(payload)
        assert proxy.fault_count() == 0
        check_clean(proxy)


def test_early_data_while_connecting():
    # The client speaks first (as XMPP clients do) while the target
    # connection is still being made: nothing may be lost, not even a FIN.
    with Target() as target, FaultProxy('127.0.0.1', target.port, connect_delay=0.5) as proxy:
        a = connect(proxy.port)
        a.sendall(b'early-a')
        b = connect(proxy.port)
        b.sendall(b'early-b')
        b.shutdown(socket.SHUT_WR)
        assert proxy.wait_connections(2)
        time.sleep(0.1)
        assert [c['state'] for c in proxy.connections()] == ['connecting', 'connecting']
        assert recv_exact(a, 7) == b'early-a'
        echo(a, b'later-a')
        assert read_to_end(b) == ('eof', b'early-b')
        a.close()
        b.close()
        assert proxy.wait_active(0)
        check_clean(proxy)


def test_reset():
    with Target() as target, FaultProxy('127.0.0.1', target.port) as proxy:
        s = connect(proxy.port)
        echo(s, b'hello')
        assert proxy.reset() == 1
        how, data = read_to_end(s)
        assert (how, data) == ('reset', b''), (how, data)
        assert target.wait_end(target.conns[0]) == 'reset', target.conns[0]['end']
        s.close()
        assert proxy.wait_active(0)
        log = proxy.fault_log()
        assert [(e['kind'], e['conn_id'], e['partial']) for e in log] == [('reset', 1, False)], log
        assert proxy.connections()[0]['how'] == 'fault:reset'
        check_clean(proxy)


def test_close():
    with Target() as target, FaultProxy('127.0.0.1', target.port) as proxy:
        s = connect(proxy.port)
        echo(s, b'hello')
        assert proxy.close() == 1
        how, data = read_to_end(s)
        assert (how, data) == ('eof', b''), (how, data)
        assert target.wait_end(target.conns[0]) == 'eof', target.conns[0]['end']
        s.close()
        assert proxy.wait_active(0)
        assert [e['kind'] for e in proxy.fault_log()] == ['close']
        check_clean(proxy)


def test_cut_mid_s2c():
    rng = random.Random(5)
    with Target() as target, FaultProxy('127.0.0.1', target.port, seed=3) as proxy:
        cuts = set()
        sizes = [1, 2, 3, 100, 1000, 4096, 9000, 16000]
        for i, size in enumerate(sizes):
            s = connect(proxy.port)
            echo(s, b'ping')
            assert proxy.cut_mid('s2c', which='last') == 1
            msg = rng.randbytes(size)
            s.sendall(msg)
            how, data = read_to_end(s)
            s.close()
            assert how == 'reset', (size, how)
            assert len(data) < size and msg.startswith(data), (size, len(data))
            assert proxy.wait_active(0)
            entry = proxy.fault_log()[-1]
            assert entry['kind'] == 'cut_mid' and entry['partial'] and entry['conn_id'] == i + 1
            assert entry['direction'] == 's2c' and entry['forwarded'] == len(data), entry
            if size > 1:
                assert entry['chunk'] > 1 and 1 <= len(data), (size, entry)
            else:
                assert data == b''
            assert target.wait_end(target.conns[i]) == 'reset'
            cuts.add(len(data))
        assert len(cuts) >= 4, cuts  # the cut point really is random
        assert proxy.fault_count() == len(sizes)
        check_clean(proxy)


def test_cut_mid_c2s():
    with Target() as target, FaultProxy('127.0.0.1', target.port, seed=4) as proxy:
        for i in range(3):
            s = connect(proxy.port)
            echo(s, b'ping')
            assert proxy.cut_mid('c2s') == 1
            msg = random.Random(i).randbytes(5000)
            s.sendall(msg)
            rec = target.conns[i]
            assert target.wait_end(rec) == 'reset', rec['end']
            got = bytes(rec['received'])[4:]
            assert 1 <= len(got) < len(msg) and msg.startswith(got), len(got)
            how, data = read_to_end(s)
            assert how == 'reset' and data == b'', (how, data)
            s.close()
            assert proxy.fault_log()[-1]['forwarded'] == len(got)
        assert proxy.wait_active(0)
        check_clean(proxy)


def test_cut_mid_under_backpressure():
    # The client does not read for a while, so the proxy holds s2c data in
    # its buffers when the cut comes: everything before the cut point must
    # still reach the client before the reset.
    # larger than every socket buffer on the way, so that data is always
    # left behind the cut however fast the machine moves the rest
    payload = random.Random(2).randbytes(16 << 20)
    with Target() as target, FaultProxy('127.0.0.1', target.port) as proxy:
        s = connect(proxy.port)
        echo(s, b'ping')

        def send():
            try:
                s.sendall(payload)
            except OSError:
                pass

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(0.3)
        assert proxy.cut_mid('s2c') == 1
        how, data = read_to_end(s)
        sender.join(MUST)
        s.close()
        assert how == 'reset', how
        assert len(data) < len(payload) and payload.startswith(data), len(data)
        assert proxy.wait_active(0)
        (c,) = proxy.connections()
        assert c['s2c'] == len(data) + 4, (c['s2c'], len(data))
        entry = proxy.fault_log()[-1]
        assert entry['kind'] == 'cut_mid' and 1 <= entry['forwarded'] < entry['chunk'], entry
        check_clean(proxy)


def test_cut_mid_any_waits_for_data():
    with Target() as target, FaultProxy('127.0.0.1', target.port) as proxy:
        s = connect(proxy.port)
        echo(s, b'ping')
        proxy.cut_mid('any')
        time.sleep(0.2)
        assert proxy.active_count() == 1 and proxy.fault_count() == 0  # armed only
        s.sendall(b'0123456789')
        how, data = read_to_end(s)
        assert how == 'reset' and data == b'', (how, data)  # cut in c2s
        got = bytes(target.conns[0]['received'])[4:]
        assert 1 <= len(got) < 10 and b'0123456789'.startswith(got), got
        s.close()
        check_clean(proxy)


def test_blackhole():
    with Target() as target, FaultProxy('127.0.0.1', target.port) as proxy:
        a = connect(proxy.port)
        echo(a, b'ping-a')
        proxy.blackhole(True)
        a.sendall(b'lost-a')
        expect_silence(a)
        b = connect(proxy.port)           # accepted while on
        assert proxy.wait_connections(2)
        assert target.wait_conns(2)       # the target is still contacted
        b.sendall(b'lost-b')
        expect_silence(b)
        c = connect(proxy.port)
        assert target.wait_conns(3)
        assert target.kill(target.conns[2]) == 'did_rst'
        expect_silence(c)                 # the target's RST is held back
        a.shutdown(socket.SHUT_WR)        # and so is the client's FIN
        time.sleep(MUST_NOT)
        assert target.conns[0]['end'] is None, target.conns[0]['end']
        assert proxy.active_count() == 3
        assert bytes(target.conns[0]['received']) == b'ping-a'
        assert bytes(target.conns[1]['received']) == b''
        proxy.blackhole(False)
        echo(b, b'again-b')               # new data flows, the old is lost
        assert bytes(target.conns[1]['received']) == b'again-b'
        assert target.wait_end(target.conns[0]) == 'eof'
        how, data = read_to_end(a)
        assert (how, data) == ('eof', b''), (how, data)
        assert read_to_end(c) == ('reset', b'')
        st = {x['id']: x for x in proxy.connections()}
        assert st[1]['discarded_c2s'] == 6 and st[2]['discarded_c2s'] == 6, st
        assert st[3]['how'] == 'server_reset', st[3]
        a.close()
        b.close()
        c.close()
        check_clean(proxy)


def test_refuse():
    with Target() as target, FaultProxy('127.0.0.1', target.port) as proxy:
        old = connect(proxy.port)
        echo(old, b'before')
        assert target.wait_conns(1)
        proxy.refuse(True)
        how, data = connect_refused(proxy.port)
        assert how in ('reset', 'eof') and data == b'', (how, data)
        assert proxy.wait_connections(2)
        time.sleep(0.3)
        assert len(target.conns) == 1, 'the target saw the refused connection'
        echo(old, b'still-works')
        proxy.refuse(False)
        s = connect(proxy.port)
        echo(s, b'after')
        assert target.wait_conns(2)
        c = {x['id']: x for x in proxy.connections()}
        assert c[2]['how'] == 'refused', c[2]
        assert [e['kind'] for e in proxy.fault_log()] == ['refuse']
        s.close()
        old.close()
        check_clean(proxy)


def test_which_last():
    with Target() as target, FaultProxy('127.0.0.1', target.port) as proxy:
        a = connect(proxy.port)
        echo(a, b'a')
        b = connect(proxy.port)
        echo(b, b'b')
        assert proxy.reset(which='last') == 1
        how, _ = read_to_end(b)
        assert how == 'reset', how
        echo(a, b'a-still-works')
        assert proxy.close(which='last') == 1      # now a is the newest
        assert read_to_end(a) == ('eof', b'')
        a.close()
        b.close()
        check_clean(proxy)


def test_faults_on_dying_connections():
    with Target() as target, FaultProxy('127.0.0.1', target.port) as proxy:
        assert proxy.reset() == 0 and proxy.close() == 0 and proxy.cut_mid() == 0
        s = connect(proxy.port)
        echo(s, b'x')
        proxy.close()
        proxy.reset()
        proxy.cut_mid('any')
        proxy.close()
        s.close()
        s = connect(proxy.port)
        echo(s, b'y')
        proxy.reset()
        proxy.reset()
        proxy.close()
        s.close()
        assert proxy.wait_active(0)
        assert proxy.reset() == 0
        for bad in (lambda: proxy.cut_mid('up'), lambda: proxy.reset('first'),
                    lambda: proxy.random_faults(1, 10, 5)):
            try:
                bad()
            except ValueError:
                pass
            else:
                raise AssertionError('bad argument accepted')
        check_clean(proxy)


def test_peer_ends_pass_through():
    with Target() as target, FaultProxy('127.0.0.1', target.port) as proxy:
        s = connect(proxy.port)
        echo(s, b'x')
        s.sendall(b'!rst')
        assert read_to_end(s) == ('reset', b'')
        s.close()
        s = connect(proxy.port)
        echo(s, b'x')
        s.sendall(b'!fin')
        assert read_to_end(s) == ('eof', b'')
        s.close()
        assert proxy.wait_active(0)
        hows = [c['how'] for c in proxy.connections()]
        assert hows == ['server_reset', 'server_eof'], hows
        check_clean(proxy)


def test_target_down():
    probe = socket.create_server(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    with FaultProxy('127.0.0.1', port) as proxy:
        how, data = connect_refused(proxy.port)
        assert how in ('reset', 'eof') and data == b'', how
        assert proxy.wait_active(0)
        assert proxy.connections()[0]['how'] == 'connect_failed'
        check_clean(proxy)


def _traffic(port, stop):
    """Echo traffic through the proxy, reconnecting after every fault."""
    rng = random.Random(9)
    while not stop.is_set():
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=2) as s:
                while not stop.is_set():
                    echo(s, rng.randbytes(rng.randint(500, 6000)))
        except (OSError, AssertionError):
            pass


def test_random_faults():
    with Target() as target, \
            FaultProxy('127.0.0.1', target.port, seed=42) as p1, \
            FaultProxy('127.0.0.1', target.port, seed=42) as p2, \
            FaultProxy('127.0.0.1', target.port, seed=43) as p3:
        args = (6, 3000, 30000)
        plan1 = p1.random_faults(*args)
        plan2 = p2.random_faults(*args)
        plan3 = p3.random_faults(*args)
        assert plan1 == plan2, 'same seed, different plans'
        assert plan1 != plan3, 'different seeds, same plan'
        assert len(plan1) == 6 and all(3000 <= n <= 30000 for n, _ in plan1), plan1
        assert all(k in ('reset', 'close', 'cut_mid') for _, k in plan1)
        assert len({k for _, k in plan1}) > 1, plan1
        results = []
        for proxy in (p1, p2):
            stop = threading.Event()
            th = threading.Thread(target=_traffic, args=(proxy.port, stop))
            th.start()
            try:
                assert proxy.wait_faults(6, 15), 'only %d faults' % proxy.stats()['scheduled_faults_done']
                time.sleep(0.2)     # more traffic: no fault beyond the count
            finally:
                stop.set()
                th.join(MUST)
            log = [e for e in proxy.fault_log() if e['scheduled']]
            assert len(log) == 6, log
            assert [e['kind'] for e in log] == [k for _, k in plan1]
            prev_total = 0
            for (nbytes, kind), e in zip(plan1, log):
                assert e['threshold'] == prev_total + nbytes, (e, prev_total, nbytes)
                before = e['bytes_forwarded_total'] - e['forwarded']
                assert before < e['threshold'] <= before + e['chunk'], e
                assert e['partial'] == (kind == 'cut_mid'), e
                if kind == 'cut_mid':
                    assert e['forwarded'] < e['chunk'], e
                prev_total = e['bytes_forwarded_total']
            results.append([(e['kind'], e['threshold']) for e in log])
            check_clean(proxy)
        # Same seed, different traffic timing: the byte thresholds relative
        # to the previous fault and the kinds are the same.
        assert [k for k, _ in results[0]] == [k for k, _ in results[1]]


def test_cli():
    flags = []
    if sys.flags.dev_mode:
        flags += ['-X', 'dev']
    flags += ['-W' + w for w in sys.warnoptions]
    with Target() as target:
        proc = subprocess.Popen(
            [sys.executable] + flags + [os.path.join(HERE, 'faultproxy.py'),
                                        '--target', '127.0.0.1:%d' % target.port, '--seed', '7'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, bufsize=1)
        lines = queue.Queue()
        errs = []
        t_out = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True)
        t_err = threading.Thread(target=lambda: errs.extend(proc.stderr), daemon=True)
        t_out.start()
        t_err.start()

        def cmd(text):
            proc.stdin.write(text + '\n')
            proc.stdin.flush()
            return lines.get(timeout=MUST).rstrip('\n')

        try:
            first = lines.get(timeout=MUST).split()
            assert first[0] == 'listening' and first[1].isdigit(), first
            port = int(first[1])
            s = connect(port)
            echo(s, b'via-cli')
            assert cmd('wait_connections 1 5') == 'ok wait_connections 1'
            answer = cmd('stats')
            assert answer.startswith('ok {'), answer
            st = json.loads(answer[3:])
            assert st['accepted'] == 1 and st['active'] == 1, st
            assert st['connections'][0]['c2s'] == 7, st
            assert cmd('blackhole on') == 'ok blackhole on'
            s.sendall(b'gone')
            expect_silence(s)
            assert cmd('blackhole off') == 'ok blackhole off'
            echo(s, b'back')
            assert cmd('reset') == 'ok reset 1'
            assert read_to_end(s) == ('reset', b'')
            s.close()
            assert cmd('refuse on') == 'ok refuse on'
            assert connect_refused(port)[0] in ('reset', 'eof')
            assert cmd('refuse off') == 'ok refuse off'
            s = connect(port)
            echo(s, b'x')
            assert cmd('cut_mid s2c') == 'ok cut_mid s2c 1'
            s.sendall(b'0123456789')
            how, data = read_to_end(s)
            assert how == 'reset' and 1 <= len(data) < 10, (how, data)
            s.close()
            answer = cmd('random 3 100 200')
            assert answer.startswith('ok random '), answer
            expect = FaultProxy('127.0.0.1', 1, seed=7).plan_random_faults(3, 100, 200)
            assert json.loads(answer[len('ok random '):]) == [[n, k] for n, k, _ in expect]
            assert cmd('random 1 5 2').startswith('error ')
            assert cmd('cut_mid sideways').startswith('error ')
            assert cmd('blackhole maybe').startswith('error ')
            assert cmd('frobnicate').startswith('error ')
            assert cmd('wait_faults 1 0.1').startswith('error ')
            assert cmd('close') == 'ok close 0'
            assert cmd('quit') == 'ok bye'
            assert proc.wait(MUST) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            t_out.join(MUST)
            t_err.join(MUST)
            proc.stdin.close()
            proc.stdout.close()
            proc.stderr.close()
        assert errs == [], ''.join(errs)


def _fds():
    try:
        return len(os.listdir('/proc/self/fd'))
    except OSError:
        return None


def test_stop_leaves_nothing():
    with Target() as target:
        gc.collect()
        fds0 = _fds()
        threads0 = threading.active_count()
        proxy = FaultProxy('127.0.0.1', target.port)
        proxy.start()
        assert threading.active_count() == threads0 + 1
        clients = [connect(proxy.port) for _ in range(3)]
        echo(clients[0], b'one')
        proxy.blackhole(True)
        clients[1].sendall(b'held')
        proxy.cut_mid('s2c')
        assert proxy.wait_connections(3)
        assert target.wait_conns(3)
        proxy.stop()
        proxy.stop()                      # idempotent
        assert not proxy._thread.is_alive()
        assert not [t for t in threading.enumerate() if t.name == 'faultproxy']
        for s in clients:
            how, _ = read_to_end(s)
            assert how in ('eof', 'reset'), how
            s.close()
        try:
            proxy.reset()
        except RuntimeError:
            pass
        else:
            raise AssertionError('reset() on a stopped proxy')
        try:
            proxy.start()
        except RuntimeError:
            pass
        else:
            raise AssertionError('restart accepted')
        for rec in target.conns:
            target.wait_end(rec)
        deadline = time.monotonic() + MUST
        while threading.active_count() > threads0 and time.monotonic() < deadline:
            time.sleep(0.02)   # the target's connection threads are ending
        assert threading.active_count() == threads0, threading.enumerate()
        gc.collect()
        if fds0 is not None:
            # the target's sockets closed by its threads: give them a moment
            deadline = time.monotonic() + MUST
            while _fds() > fds0 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert _fds() <= fds0, (fds0, _fds(), os.listdir('/proc/self/fd'))
        check_clean(proxy)


TESTS = [
    test_passthrough_1mib,
    test_early_data_while_connecting,
    test_reset,
    test_close,
    test_cut_mid_s2c,
    test_cut_mid_c2s,
    test_cut_mid_under_backpressure,
    test_cut_mid_any_waits_for_data,
    test_blackhole,
    test_refuse,
    test_which_last,
    test_faults_on_dying_connections,
    test_peer_ends_pass_through,
    test_target_down,
    test_random_faults,
    test_cli,
    test_stop_leaves_nothing,
]


def main():
    sys.unraisablehook = _unraisable_hook
    collector = _ErrorCollector(logging.ERROR)
    logging.getLogger().addHandler(collector)
    only = sys.argv[1:]
    passed = failed = 0
    t_all = time.monotonic()
    for test in TESTS:
        name = test.__name__
        if only and not any(o in name for o in only):
            continue
        del _unraisable[:]
        del _log_errors[:]
        t0 = time.monotonic()
        try:
            test()
            gc.collect()
            assert not _unraisable, 'unraisable: %r' % _unraisable
            assert not _log_errors, 'logged errors: %r' % _log_errors
        except Exception:
            failed += 1
            print('FAIL %s (%.2fs)' % (name, time.monotonic() - t0))
            traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print('ok   %s (%.2fs)' % (name, time.monotonic() - t0))
        sys.stdout.flush()
    print('%d passed, %d failed (%.1fs)' % (passed, failed, time.monotonic() - t_all))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
