#!/usr/bin/env python3
"""A fault-injection TCP proxy for tests (Python 3.11 standard library only).

It sits on loopback between a client and a real server and forwards bytes
both ways; on request it resets, closes, cuts in the middle of a chunk,
black-holes or refuses connections. It works at the TCP level and never
looks at the bytes (the streams it carries are usually TLS).

Library use (see README.md):

    from faultproxy import FaultProxy
    with FaultProxy('127.0.0.1', 5222, seed=1) as proxy:
        connect_client('127.0.0.1', proxy.port)
        proxy.wait_connections(1, timeout=10)
        proxy.cut_mid('s2c')
        ...

Command line: faultproxy.py --target HOST:PORT [--listen PORT] [--seed N]
[--connect-delay SECONDS]
prints "listening PORT" and then reads one command per line on stdin (see
README.md or `help`).

The proxy runs its own asyncio event loop in a daemon thread; every public
method may be called from any other thread.
"""

import argparse
import asyncio
import concurrent.futures
import json
import random
import socket
import struct
import sys
import threading
import time

try:  # Linux: bytes not yet acknowledged by the peer (SIOCOUTQ)
    import fcntl
    import termios
    _TIOCOUTQ = getattr(termios, 'TIOCOUTQ', None)
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None
    _TIOCOUTQ = None

__all__ = ['FaultProxy', 'KINDS', 'DIRECTIONS', 'main']

READ_SIZE = 64 * 1024
KINDS = ('reset', 'close', 'cut_mid')
DIRECTIONS = ('c2s', 's2c', 'any')
WHICH = ('all', 'last')
_OTHER = {'client': 'server', 'server': 'client'}
_DIRECTION_FROM = {'client': 'c2s', 'server': 's2c'}
_LINGER_RST = struct.pack('ii', 1, 0)
_CUT_FLUSH_TIMEOUT = 2.0     # seconds to let a cut prefix reach the peer
_CALL_TIMEOUT = 30.0


def _cut_len(length, u):
    """A strict prefix length of a chunk of `length` bytes from u in [0, 1):
    at least 1 and at most length - 1, or 0 for a 1-byte chunk."""
    if length <= 1:
        return 0
    return 1 + min(int(u * (length - 1)), length - 2)


def _set_rst_linger(transport):
    """SO_LINGER {1, 0}: the next close() sends RST instead of FIN."""
    if transport is None:
        return
    sock = transport.get_extra_info('socket')
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RST)
    except OSError:
        pass


def _unacked_bytes(transport):
    """Bytes in the kernel send queue (unsent or unacknowledged), or 0."""
    if fcntl is None or _TIOCOUTQ is None or transport is None:
        return 0
    sock = transport.get_extra_info('socket')
    if sock is None:
        return 0
    try:
        fd = sock.fileno()
        if fd < 0:
            return 0
        out = fcntl.ioctl(fd, _TIOCOUTQ, struct.pack('i', 0))
        return struct.unpack('i', out)[0]
    except (OSError, ValueError):
        return 0


class _SideProtocol(asyncio.BufferedProtocol):
    """One TCP side of a proxied connection ('client' or 'server')."""

    def __init__(self, proxy, side, conn=None):
        self._proxy = proxy
        self._side = side
        self._conn = conn
        self._buf = bytearray(READ_SIZE)

    def connection_made(self, transport):
        if self._side == 'client':
            self._conn = self._proxy._accepted_conn(transport)
        else:
            self._conn._server_made(transport)

    def get_buffer(self, sizehint):
        return self._buf

    def buffer_updated(self, nbytes):
        if self._conn is not None:
            self._conn._on_data(self._side, bytes(self._buf[:nbytes]))

    def eof_received(self):
        if self._conn is not None:
            self._conn._on_eof(self._side)
        return True  # half-open: the connection object decides when to close

    def connection_lost(self, exc):
        if self._conn is not None:
            self._conn._on_lost(self._side, exc)

    def pause_writing(self):
        if self._conn is not None:
            self._conn._set_write_paused(self._side, True)

    def resume_writing(self):
        if self._conn is not None:
            self._conn._set_write_paused(self._side, False)


class _Conn:
    """A proxied connection: the client's transport and the target's."""

    def __init__(self, proxy, cid, client_tr):
        self.proxy = proxy
        self.id = cid
        self.tr = {'client': client_tr, 'server': None}
        self.alive = {'client': True, 'server': False}
        self.eof = {'client': False, 'server': False}
        self.eof_deferred = {'client': False, 'server': False}
        self.write_paused = {'client': False, 'server': False}
        self.state = 'connecting'   # connecting, open, closing, closed
        self.dying = False          # discard everything, a reset is coming
        self.kill_pending = None    # what to do to a late target connection
        self.cut = None             # armed cut_mid direction
        self.lost_deferred = None   # (side, exc) lost while black-holed
        self.connect_task = None
        self.early = []             # client data read while connecting
        peer = client_tr.get_extra_info('peername')
        self.stats = {
            'id': cid,
            'client': '%s:%s' % peer[:2] if peer else None,
            'start': time.time(),
            'end': None,
            'state': 'connecting',
            'how': None,
            'c2s': 0,
            's2c': 0,
            'discarded_c2s': 0,
            'discarded_s2c': 0,
        }

    # ---------------------------------------------------------- helpers

    def active(self):
        return self.state in ('connecting', 'open')

    def _set_state(self, state):
        self.state = state
        self.stats['state'] = state

    def _ended(self, how):
        if self.stats['how'] is None:
            self.stats['how'] = how

    def _usable(self, side):
        tr = self.tr[side]
        return tr is not None and self.alive[side] and not tr.is_closing()

    def _update_reading(self, side):
        tr = self.tr[side]
        if tr is None or not self.alive[side] or tr.is_closing():
            return
        other = _OTHER[side]
        want = (self.state == 'open' and not self.dying and not self.eof[side]
                and self._usable(other) and not self.write_paused[other])
        try:
            if want and not tr.is_reading():
                tr.resume_reading()
            elif not want and tr.is_reading():
                tr.pause_reading()
        except (RuntimeError, OSError):
            pass

    def _update_both(self):
        self._update_reading('client')
        self._update_reading('server')

    def _forward(self, dst, direction, data):
        if not data or not self._usable(dst):
            return
        self.tr[dst].write(data)
        self.stats[direction] += len(data)
        self.proxy._total += len(data)

    def _maybe_finished(self):
        if self.state == 'closed':
            return
        if self.alive['client'] or self.alive['server']:
            return
        if self.connect_task is not None and not self.connect_task.done():
            return
        self._set_state('closed')
        self.stats['end'] = time.time()
        self.proxy._conn_finished(self)

    # ---------------------------------------------------------- target side

    async def _connect(self):
        p = self.proxy
        try:
            if p.connect_delay > 0:
                await asyncio.sleep(p.connect_delay)
                if self.state != 'connecting':
                    return
            await p._loop.create_connection(
                lambda: _SideProtocol(p, 'server', self), p.target_host, p.target_port)
        except asyncio.CancelledError:
            raise
        except OSError:
            if self.state == 'connecting':
                self._ended('connect_failed')
                self._kill_transports(rst=True)
        finally:
            self.connect_task = None
            self._maybe_finished()

    def _server_made(self, transport):
        self.tr['server'] = transport
        self.alive['server'] = True
        if self.state != 'connecting':
            # faulted or stopped while connecting
            if self.kill_pending == 'reset':
                _set_rst_linger(transport)
            transport.abort()
            return
        self._set_state('open')
        early, self.early = self.early, []
        for data in early:
            self._on_data('client', data)
        if self.eof['client'] and self.state == 'open':
            self._on_eof('client')      # the client's FIN came early too
        self._update_both()

    # ---------------------------------------------------------- events

    def _on_data(self, side, data):
        if self.state == 'connecting' and side == 'client' and not self.dying:
            # Read before the target connection is up (the transport had
            # already armed its reader): keep it for the target.
            self.early.append(data)
            self._update_reading(side)
            return
        if self.state != 'open' or self.dying:
            return
        p = self.proxy
        direction = _DIRECTION_FROM[side]
        if p._blackhole:
            self.stats['discarded_' + direction] += len(data)
            return
        dst = _OTHER[side]
        if self.cut is not None and self.cut in (direction, 'any'):
            self.cut = None
            n = _cut_len(len(data), p._cut_rng.random())
            self._forward(dst, direction, data[:n])
            p._log('cut_mid', self, partial=True, direction=direction,
                   chunk=len(data), forwarded=n)
            self._cut_then_reset(dst)
            return
        sched = p._sched
        if sched is not None and sched.due(direction, p._total + len(data)):
            p._scheduled_fault(self, direction, dst, data)
            return
        self._forward(dst, direction, data)

    def _on_eof(self, side):
        self.eof[side] = True
        if self.state == 'connecting':
            self._update_reading(side)  # passed on once the target is up
            return
        if self.state != 'open' or self.dying:
            return
        if self.proxy._blackhole:
            self.eof_deferred[side] = True
            return
        self._propagate_eof(side)

    def _propagate_eof(self, side):
        self._ended(side + '_eof')
        other = _OTHER[side]
        if self.eof[other] and not self.eof_deferred[other]:
            self._close_transports()
            return
        if self._usable(other):
            tr = self.tr[other]
            try:
                if tr.can_write_eof():
                    tr.write_eof()
                else:
                    tr.close()
            except (RuntimeError, OSError):
                tr.close()

    def _release_deferred_eof(self):
        for side in ('client', 'server'):
            if self.eof_deferred[side]:
                self.eof_deferred[side] = False
                if self.state == 'open' and not self.dying:
                    self._propagate_eof(side)
        if self.lost_deferred is not None:
            side, exc = self.lost_deferred
            self.lost_deferred = None
            self._propagate_lost(side, exc)

    def _on_lost(self, side, exc):
        self.alive[side] = False
        other = _OTHER[side]
        if (self.state == 'open' and not self.dying and self.proxy._blackhole
                and self.alive[other]):
            # a black-holed link does not carry the FIN/RST either
            self.lost_deferred = (side, exc)
            return
        self._propagate_lost(side, exc)

    def _propagate_lost(self, side, exc):
        other = _OTHER[side]
        if self.state in ('connecting', 'open'):
            if exc is not None:
                self._ended(side + '_reset')
            else:
                self._ended(side + '_closed')
            self._set_state('closing')
        if not self.dying and self._usable(other):
            if exc is not None:
                _set_rst_linger(self.tr[other])   # pass the reset on
                self.tr[other].abort()
            else:
                self.tr[other].close()
        self._maybe_finished()

    def _set_write_paused(self, side, paused):
        self.write_paused[side] = paused
        self._update_reading(_OTHER[side])

    # ---------------------------------------------------------- faults

    def _kill_transports(self, rst):
        self._set_state('closing')
        self.kill_pending = 'reset' if rst else 'close'
        for side in ('client', 'server'):
            tr = self.tr[side]
            if tr is not None and self.alive[side]:
                if rst:
                    _set_rst_linger(tr)
                tr.abort()

    def _close_transports(self):
        if self.state in ('connecting', 'open'):
            self._set_state('closing')
        if self.kill_pending is None:
            self.kill_pending = 'close'
        for side in ('client', 'server'):
            tr = self.tr[side]
            if tr is not None and self.alive[side] and not tr.is_closing():
                tr.close()

    def fault_reset(self, how='fault:reset'):
        self._ended(how)
        self.dying = True
        self._kill_transports(rst=True)

    def fault_close(self, how='fault:close'):
        self._ended(how)
        self._close_transports()

    def _cut_then_reset(self, dst):
        """After a cut: let the prefix reach the peer, then reset both."""
        self._ended('fault:cut_mid')
        self.dying = True
        self._set_state('closing')
        self._update_both()
        self.proxy._spawn(self._flush_then_reset(dst))

    async def _flush_then_reset(self, dst):
        loop = self.proxy._loop
        deadline = loop.time() + _CUT_FLUSH_TIMEOUT
        tr = self.tr[dst]
        while self._usable(dst) and loop.time() < deadline:
            if tr.get_write_buffer_size() == 0 and _unacked_bytes(tr) == 0:
                break
            await asyncio.sleep(0.002)
        self._kill_transports(rst=True)

    def kill(self, how):
        """Proxy shutdown: drop everything now."""
        self._ended(how)
        self.dying = True
        self._kill_transports(rst=False)
        if self.connect_task is not None:
            self.connect_task.cancel()


class _Schedule:
    def __init__(self, plan, direction, base):
        self.plan = plan            # [(bytes, kind, u)]
        self.direction = direction
        self.index = 0
        self.threshold = base + plan[0][0] if plan else None

    def due(self, direction, total_after):
        return (self.index < len(self.plan)
                and self.direction in (direction, 'any')
                and total_after >= self.threshold)


class FaultProxy:
    """A TCP proxy on loopback that injects faults on request.

    FaultProxy(target_host, target_port, listen_host='127.0.0.1',
               listen_port=0, seed=0, connect_delay=0.0)

    connect_delay: seconds to wait before contacting the target for each
    new client connection (a slow server; the client's data waits).

    start() returns once listening (.port is the port); stop() closes
    everything and joins the proxy's thread. Also a context manager.
    All methods are thread-safe.
    """

    def __init__(self, target_host, target_port, listen_host='127.0.0.1',
                 listen_port=0, seed=0, connect_delay=0.0):
        self.target_host = target_host
        self.connect_delay = float(connect_delay)
        self.target_port = int(target_port)
        self.listen_host = listen_host
        self.listen_port = int(listen_port)
        self.seed = seed
        self.port = None
        self.errors = []            # unexpected loop errors (should stay empty)
        self._cut_rng = random.Random('cut-%s' % (seed,))
        self._loop = None
        self._thread = None
        self._thread_ident = None
        self._server = None
        self._ready = threading.Event()
        self._start_error = None
        self._running = False
        self._cond = threading.Condition()
        self._lock = threading.Lock()   # start/stop
        self._conns = {}
        self._next_id = 1
        self._accepted = 0
        self._active = 0
        self._total = 0
        self._blackhole = False
        self._refuse = False
        self._log_entries = []
        self._sched = None
        self._sched_done = 0
        self._tasks = set()

    # ---------------------------------------------------------- lifecycle

    def start(self):
        with self._lock:
            if self._running:
                return self
            if self._thread is not None:
                raise RuntimeError('a FaultProxy cannot be restarted')
            self._thread = threading.Thread(target=self._run, name='faultproxy',
                                            daemon=True)
            self._thread.start()
            self._ready.wait()
            if self._start_error is not None:
                self._thread.join()
                raise self._start_error
            self._running = True
            return self

    def stop(self):
        with self._lock:
            if not self._running:
                return
            self._running = False
            loop = self._loop
            try:
                fut = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
                fut.result(timeout=_CALL_TIMEOUT)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                self._thread.join(_CALL_TIMEOUT)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def _run(self):
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread_ident = threading.get_ident()
        loop.set_exception_handler(self._exception_handler)
        asyncio.set_event_loop(loop)
        try:
            self._server = loop.run_until_complete(loop.create_server(
                lambda: _SideProtocol(self, 'client'),
                self.listen_host, self.listen_port, backlog=128))
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as e:  # noqa: B902 - reported to start()
            self._start_error = e
            loop.close()
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            try:
                pending = asyncio.all_tasks(loop)
                for t in pending:
                    t.cancel()
                if pending:
                    loop.run_until_complete(
                        asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    async def _shutdown(self):
        self._server.close()
        self._sched = None
        for c in list(self._conns.values()):
            if c.state != 'closed':
                c.kill('stopped')
        tasks = [t for t in self._tasks if not t.done()]
        tasks += [c.connect_task for c in self._conns.values()
                  if c.connect_task is not None and not c.connect_task.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()
        # let the transports' connection_lost callbacks close the sockets
        for _ in range(500):
            if all(c.state == 'closed' for c in self._conns.values()):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)

    def _exception_handler(self, loop, context):
        exc = context.get('exception')
        self.errors.append('%s: %r' % (context.get('message'), exc))
        loop.default_exception_handler(context)

    def _spawn(self, coro):
        task = self._loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _call(self, fn, *args):
        """Run fn(*args) on the proxy loop and return its result."""
        if not self._running:
            raise RuntimeError('FaultProxy is not running')
        if threading.get_ident() == self._thread_ident:
            return fn(*args)
        fut = concurrent.futures.Future()

        def run():
            if not fut.set_running_or_notify_cancel():
                return
            try:
                fut.set_result(fn(*args))
            except BaseException as e:  # noqa: B902 - handed to the caller
                fut.set_exception(e)

        self._loop.call_soon_threadsafe(run)
        return fut.result(timeout=_CALL_TIMEOUT)

    def _notify(self):
        with self._cond:
            self._cond.notify_all()

    # ---------------------------------------------------------- loop side

    def _accepted_conn(self, transport):
        cid = self._next_id
        self._next_id += 1
        conn = _Conn(self, cid, transport)
        self._conns[cid] = conn
        self._accepted += 1
        self._active += 1
        # No pause_reading() here: the transport arms its reader only after
        # connection_made, and (Python 3.11) ignores an earlier pause.
        self._loop.call_soon(conn._update_reading, 'client')
        if self._refuse:
            conn._ended('refused')
            self._log('refuse', conn)
            conn.dying = True
            conn._kill_transports(rst=True)
        else:
            conn.connect_task = self._loop.create_task(conn._connect())
        self._notify()
        return conn

    def _conn_finished(self, conn):
        self._active -= 1
        self._notify()

    def _log(self, kind, conn, partial=False, scheduled=False, **extra):
        entry = {
            'time': time.time(),
            'kind': kind,
            'conn_id': conn.id if conn is not None else None,
            'bytes_forwarded_total': self._total,
            'partial': partial,
            'scheduled': scheduled,
        }
        entry.update(extra)
        self._log_entries.append(entry)
        self._notify()
        return entry

    def _scheduled_fault(self, conn, direction, dst, data):
        sched = self._sched
        _, kind, u = sched.plan[sched.index]
        threshold = sched.threshold
        sched.index += 1
        if kind == 'cut_mid':
            n = _cut_len(len(data), u)
            conn._forward(dst, direction, data[:n])
            self._log(kind, conn, partial=True, scheduled=True, threshold=threshold,
                      direction=direction, chunk=len(data), forwarded=n)
            conn._cut_then_reset(dst)
        else:
            conn._forward(dst, direction, data)
            self._log(kind, conn, scheduled=True, threshold=threshold,
                      direction=direction, chunk=len(data), forwarded=len(data))
            if kind == 'reset':
                conn.fault_reset()
            else:
                conn.fault_close()
        self._sched_done += 1
        if sched.index < len(sched.plan):
            sched.threshold = self._total + sched.plan[sched.index][0]
        self._notify()

    def _select(self, which):
        active = [c for c in self._conns.values() if c.active()]
        if which == 'last':
            return active[-1:]
        return active

    def _do_reset(self, which):
        conns = self._select(which)
        for c in conns:
            self._log('reset', c)
            c.fault_reset()
        return len(conns)

    def _do_close(self, which):
        conns = self._select(which)
        for c in conns:
            self._log('close', c)
            if c.state == 'connecting':
                c.kill_pending = 'close'
            c.fault_close()
        return len(conns)

    def _do_cut_mid(self, direction, which):
        conns = self._select(which)
        for c in conns:
            c.cut = direction
        return len(conns)

    def _do_blackhole(self, on):
        self._blackhole = on
        if not on:
            for c in list(self._conns.values()):
                if c.active():
                    c._release_deferred_eof()
        return on

    def _do_refuse(self, on):
        self._refuse = on
        return on

    def _do_random(self, plan, direction):
        self._sched = _Schedule(plan, direction, self._total) if plan else None
        self._sched_done = 0
        self._notify()

    def _snapshot(self):
        return {
            'port': self.port,
            'target': '%s:%d' % (self.target_host, self.target_port),
            'accepted': self._accepted,
            'active': self._active,
            'bytes_forwarded_total': self._total,
            'blackhole': self._blackhole,
            'refuse': self._refuse,
            'faults': len(self._log_entries),
            'scheduled_faults_done': self._sched_done,
            'scheduled_faults_planned': len(self._sched.plan) if self._sched else 0,
            'connections': [dict(c.stats) for c in self._conns.values()],
            'log': [dict(e) for e in self._log_entries],
        }

    # ---------------------------------------------------------- public API

    @staticmethod
    def _check_which(which):
        if which not in WHICH:
            raise ValueError('which must be one of %s' % (WHICH,))

    def reset(self, which='all'):
        """Abort the current connection(s) with TCP RST on both sides.
        Returns the number of connections hit."""
        self._check_which(which)
        return self._call(self._do_reset, which)

    def close(self, which='all'):
        """Orderly close (FIN, after flushing) of both sides of the current
        connection(s). This is a fault; stop() shuts the proxy down."""
        self._check_which(which)
        return self._call(self._do_close, which)

    def cut_mid(self, direction='s2c', which='all'):
        """Arm a cut on the current connection(s): the next chunk read in
        `direction` is forwarded only in part (a random strict prefix), then
        both sides are reset. Returns the number of connections armed."""
        if direction not in DIRECTIONS:
            raise ValueError('direction must be one of %s' % (DIRECTIONS,))
        self._check_which(which)
        return self._call(self._do_cut_mid, direction, which)

    def blackhole(self, on=True):
        """Stop (on) or restore (off) forwarding on every connection, present
        and future, without closing anything. Data read meanwhile is lost."""
        return self._call(self._do_blackhole, bool(on))

    def refuse(self, on=True):
        """While on, new client connections are reset at once and the target
        is not contacted."""
        return self._call(self._do_refuse, bool(on))

    def plan_random_faults(self, count, min_bytes, max_bytes, kinds=KINDS, seed=None):
        """The schedule random_faults() would use: a list of
        (bytes, kind, u), without arming it."""
        count = int(count)
        min_bytes = int(min_bytes)
        max_bytes = int(max_bytes)
        kinds = tuple(kinds)
        if count < 0:
            raise ValueError('count must be >= 0')
        if min_bytes < 0 or max_bytes < min_bytes:
            raise ValueError('need 0 <= min_bytes <= max_bytes')
        if not kinds or any(k not in KINDS for k in kinds):
            raise ValueError('kinds must be a non-empty subset of %s' % (KINDS,))
        rng = random.Random(self.seed if seed is None else seed)
        plan = []
        for _ in range(count):
            nbytes = rng.randint(min_bytes, max_bytes)
            kind = rng.choice(kinds)
            u = rng.random()
            plan.append((nbytes, kind, u))
        return plan

    def random_faults(self, count, min_bytes, max_bytes, kinds=KINDS,
                      direction='any', seed=None):
        """Arm a seeded schedule of `count` faults. Each fault happens once
        a random number of bytes (uniform in [min_bytes, max_bytes]) has
        been forwarded since the previous one (or since this call), counted
        over all connections and both directions; the chunk that crosses
        the threshold (the next one in `direction` if it is not 'any') is
        the one faulted. Replaces any earlier schedule; count=0 disarms.
        Returns the plan as a list of (bytes, kind)."""
        if direction not in DIRECTIONS:
            raise ValueError('direction must be one of %s' % (DIRECTIONS,))
        plan = self.plan_random_faults(count, min_bytes, max_bytes, kinds, seed)
        self._call(self._do_random, plan, direction)
        return [(n, k) for n, k, _ in plan]

    def _wait(self, pred, timeout):
        with self._cond:
            return self._cond.wait_for(pred, timeout)

    def wait_faults(self, n, timeout=10.0, scheduled=True):
        """Wait until n faults of the current random schedule happened (or,
        with scheduled=False, until the fault log has n entries)."""
        if scheduled:
            return self._wait(lambda: self._sched_done >= n, timeout)
        return self._wait(lambda: len(self._log_entries) >= n, timeout)

    def wait_connections(self, n, timeout=10.0):
        """Wait until at least n client connections were accepted in total."""
        return self._wait(lambda: self._accepted >= n, timeout)

    def wait_active(self, n, timeout=10.0):
        """Wait until exactly n connections are active (not fully closed)."""
        return self._wait(lambda: self._active == n, timeout)

    def fault_log(self):
        """A copy of the fault log: dicts with time, kind, conn_id,
        bytes_forwarded_total, partial, scheduled (and a few extras)."""
        return self._call(lambda: [dict(e) for e in self._log_entries])

    def fault_count(self):
        return self._call(lambda: len(self._log_entries))

    def connections(self):
        """Per-connection stats: id, client, start, end, state, how,
        c2s, s2c, discarded_c2s, discarded_s2c."""
        return self._call(lambda: [dict(c.stats) for c in self._conns.values()])

    def active_count(self):
        return self._call(lambda: self._active)

    def bytes_forwarded(self):
        return self._call(lambda: self._total)

    def stats(self):
        """Everything in one JSON-serialisable dict (what the CLI prints)."""
        return self._call(self._snapshot)


# -------------------------------------------------------------- command line

_HELP = ('commands: reset [all|last] | close [all|last] | cut_mid [c2s|s2c|any] [all|last]'
         ' | blackhole on|off | refuse on|off | random COUNT MIN MAX [KIND,...] [DIR]'
         ' | wait_faults N [TIMEOUT] | wait_connections N [TIMEOUT] | stats | help | quit')


def _on_off(word):
    if word == 'on':
        return True
    if word == 'off':
        return False
    raise ValueError('expected on or off')


def _command(proxy, words):
    """Run one CLI command; returns the answer after 'ok '."""
    cmd, args = words[0], words[1:]
    if cmd in ('reset', 'close'):
        which = args[0] if args else 'all'
        n = proxy.reset(which) if cmd == 'reset' else proxy.close(which)
        return '%s %d' % (cmd, n)
    if cmd == 'cut_mid':
        direction = args[0] if args else 's2c'
        which = args[1] if len(args) > 1 else 'all'
        return 'cut_mid %s %d' % (direction, proxy.cut_mid(direction, which))
    if cmd in ('blackhole', 'refuse'):
        if len(args) != 1:
            raise ValueError('usage: %s on|off' % cmd)
        on = _on_off(args[0])
        (proxy.blackhole if cmd == 'blackhole' else proxy.refuse)(on)
        return '%s %s' % (cmd, args[0])
    if cmd == 'random':
        if len(args) < 3:
            raise ValueError('usage: random COUNT MIN MAX [KIND,...] [DIR]')
        kinds = tuple(args[3].split(',')) if len(args) > 3 else KINDS
        direction = args[4] if len(args) > 4 else 'any'
        plan = proxy.random_faults(int(args[0]), int(args[1]), int(args[2]),
                                   kinds=kinds, direction=direction)
        return 'random ' + json.dumps(plan, separators=(',', ':'))
    if cmd in ('wait_faults', 'wait_connections'):
        if not args:
            raise ValueError('usage: %s N [TIMEOUT]' % cmd)
        timeout = float(args[1]) if len(args) > 1 else 10.0
        fn = proxy.wait_faults if cmd == 'wait_faults' else proxy.wait_connections
        if not fn(int(args[0]), timeout):
            raise TimeoutError('timed out')
        return cmd + ' ' + args[0]
    if cmd == 'stats':
        return json.dumps(proxy.stats(), separators=(',', ':'))
    if cmd == 'help':
        return _HELP
    raise ValueError('unknown command %r (try help)' % cmd)


def _parse_target(text):
    host, sep, port = text.rpartition(':')
    if not sep or not host or not port.isdigit():
        raise argparse.ArgumentTypeError('expected HOST:PORT')
    return host.strip('[]'), int(port)


def main(argv=None):
    ap = argparse.ArgumentParser(description='Fault-injection TCP proxy for tests.',
                                 epilog=_HELP)
    ap.add_argument('--target', required=True, type=_parse_target, metavar='HOST:PORT')
    ap.add_argument('--listen', type=int, default=0, metavar='PORT',
                    help='port to listen on, on 127.0.0.1 (default: any free port)')
    ap.add_argument('--listen-host', default='127.0.0.1', metavar='HOST')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--connect-delay', type=float, default=0.0, metavar='SECONDS',
                    help='wait before contacting the target for each new connection')
    opts = ap.parse_args(argv)
    proxy = FaultProxy(opts.target[0], opts.target[1], listen_host=opts.listen_host,
                       listen_port=opts.listen, seed=opts.seed,
                       connect_delay=opts.connect_delay)
    try:
        proxy.start()
    except OSError as e:
        print('error cannot listen: %s' % e, flush=True)
        return 1
    out = sys.stdout
    try:
        out.write('listening %d\n' % proxy.port)
        out.flush()
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] in ('quit', 'exit'):
                out.write('ok bye\n')
                out.flush()
                break
            try:
                answer = 'ok ' + _command(proxy, words)
            except Exception as e:  # noqa: B902 - one answer line per command
                answer = 'error ' + (str(e) or type(e).__name__).replace('\n', ' ')
            out.write(answer + '\n')
            out.flush()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    finally:
        proxy.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
