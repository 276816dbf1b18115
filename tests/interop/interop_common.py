"""Shared helpers of the interop drivers (driver-*.py): requirements and
skips, certificate pins, the example programs as asyncio subprocesses, a
slixmpp peer, and PASS/FAIL bookkeeping. Standard library + slixmpp only;
run with /usr/bin/python3 (Debian's slixmpp lives there)."""

import asyncio
import base64
import importlib.util
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'servers'))
import xmppd  # noqa: E402,F401 - re-exported for the drivers
import dns  # noqa: E402

SKIP = 77
TLS12 = 'NORMAL:-VERS-ALL:+VERS-TLS1.2'

# A SASL <auth/> element we sent (not the legacy iq-auth stream feature).
AUTH_RE = re.compile(r'<auth\b(?![^>]*iq-auth)[^>]*>')
MECH_RE = re.compile(r'<auth\b[^>]*\bmechanism=["\']([^"\']+)["\']')
STARTTLS_RE = re.compile(r'<starttls\b')
TLS_RE = re.compile(r'tls: established with \S+: \(TLS(1\.[0-9])\)')


def log_quiet():
    # slixmpp warns that python3-slixmpp-lib (C stringprep) is not installed,
    # and logs connection trouble at ERROR that the tests report themselves.
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger('slixmpp').setLevel(logging.CRITICAL)


def check_requirements(kinds, need_slixmpp=True, need_dnsmasq=False, programs=()):
    """Exit (1, or 77 with XMPPC_INTEROP_OPTIONAL=1) when something is missing."""
    need = {'prosody': ['prosody', 'prosodyctl'], 'ejabberd': ['ejabberdctl']}
    path = os.environ.get('PATH', '') + ':/usr/sbin:/sbin:/usr/bin'
    missing = [p for k in kinds for p in need[k] if not shutil.which(p, path=path)]
    if not shutil.which('certtool', path=path):
        missing.append('certtool (gnutls-bin)')
    if need_slixmpp and importlib.util.find_spec('slixmpp') is None:
        missing.append('slixmpp (python3-slixmpp, for %s)' % sys.executable)
    if need_dnsmasq and not dns.find_dnsmasq():
        missing.append('dnsmasq (dnsmasq-base)')
    if os.geteuid() != 0:
        missing.append('root privileges (the servers are started as root)')
    for p in programs:
        if not (p and os.access(p, os.X_OK)):
            missing.append('program %s (not built)' % p)
    if missing:
        msg = '%s: missing: %s. Install with: sh scripts/install-deps.sh test' % (
            os.path.basename(sys.argv[0]), ', '.join(missing))
        if os.environ.get('XMPPC_INTEROP_OPTIONAL') == '1':
            print(msg + ' (skipped: XMPPC_INTEROP_OPTIONAL=1)')
            sys.exit(SKIP)
        print(msg, file=sys.stderr)
        sys.exit(1)


def pin_sha256(cert_file):
    """RFC 7469 pin-sha256 of a PEM certificate's public key (certtool)."""
    out = subprocess.run(['certtool', '-i', '--infile', cert_file], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(r'pin-sha256:([A-Za-z0-9+/=]{44})', out)
    if not m:
        raise RuntimeError('no pin-sha256 in certtool -i output for %s' % cert_file)
    return m.group(1)


def plain_blob(jid, password):
    """base64 of a SASL PLAIN message (how a leaked credential would look)."""
    user = jid.split('@')[0]
    return base64.b64encode(b'\0' + user.encode() + b'\0' + password.encode()).decode()


def tail(text, n=12):
    lines = text.strip().splitlines()
    return '\n'.join(lines[-n:])


class Results:
    def __init__(self, title):
        self.title = title
        self.passed = 0
        self.failed = []
        self.t0 = time.monotonic()

    def record(self, kind, name, ok, detail='', extra=''):
        print('%s %-9s %-44s %s' % ('PASS' if ok else 'FAIL', kind, name, detail), flush=True)
        if not ok and extra:
            for line in extra.strip().splitlines()[-25:]:
                print('    | ' + line[:400])
            sys.stdout.flush()
        if ok:
            self.passed += 1
        else:
            self.failed.append('%s %s' % (kind, name))

    def summary(self):
        print('%s: %d passed, %d failed in %.1f s' % (self.title, self.passed, len(self.failed),
                                                    time.monotonic() - self.t0))
        for f in self.failed:
            print('  failed: ' + f)
        return 1 if self.failed else 0


# ---------------------------------------------------------------- programs

class Program:
    """An example program run as an asyncio subprocess; stdout and stderr are
    read continuously (a -v wire trace can be large)."""

    def __init__(self, argv, password=None, stdin_data=None):
        self.argv = [str(a) for a in argv]
        self.password = password
        self.stdin_data = stdin_data
        self.proc = None
        self.out_lines = []
        self.err = []
        self._line_event = asyncio.Event()
        self._tasks = []
        self.t0 = None
        self.seconds = None

    async def start(self):
        env = dict(os.environ)
        env.pop('XMPPC_PASSWORD', None)
        if self.password is not None:
            env['XMPPC_PASSWORD'] = self.password
        self.t0 = time.monotonic()
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.PIPE if self.stdin_data is not None else asyncio.subprocess.DEVNULL)
        if self.stdin_data is not None:
            self.proc.stdin.write(self.stdin_data.encode())
            await self.proc.stdin.drain()
            self.proc.stdin.close()
        self._tasks = [asyncio.ensure_future(self._read_out()), asyncio.ensure_future(self._read_err())]
        return self

    async def _read_out(self):
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                break
            self.out_lines.append(line.decode('utf-8', 'replace').rstrip('\n'))
            self._line_event.set()
        self._line_event.set()

    async def _read_err(self):
        while True:
            chunk = await self.proc.stderr.read(65536)
            if not chunk:
                break
            self.err.append(chunk)

    @property
    def stderr(self):
        return b''.join(self.err).decode('utf-8', 'replace')

    @property
    def stdout(self):
        return '\n'.join(self.out_lines)

    async def wait_line(self, prefix, timeout):
        """The first stdout line starting with prefix, or None (exited or timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.out_lines:
                if line.startswith(prefix):
                    return line
            if self._tasks[0].done() or time.monotonic() >= deadline:
                return None
            self._line_event.clear()
            try:
                await asyncio.wait_for(self._line_event.wait(), max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                pass

    async def ready(self, timeout=20):
        """The JID of a 'ready JID' line, or None."""
        line = await self.wait_line('ready ', timeout)
        return line.split(None, 1)[1].strip() if line else None

    async def finish(self, timeout=20):
        """Wait for the exit (killing the program after timeout); the exit status or None on timeout."""
        try:
            rc = await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            rc = None
            self.kill()
            await self.proc.wait()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.seconds = time.monotonic() - self.t0
        return rc

    def kill(self):
        if self.proc and self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass

    def terminate(self):
        if self.proc and self.proc.returncode is None:
            try:
                self.proc.terminate()
            except ProcessLookupError:
                pass


# The examples' one-line failure reason: "PROGRAM: STAGE failed: ERROR-NAME: detail".
FAIL_LINE_RE = re.compile(r'^xmpp-[a-z-]+: [a-zA-Z ]+ failed: XMPPC_E[A-Z0-9_]+.*$', re.M)


def expect_status(error):
    """The examples' documented exit status for an error class, or None."""
    for prefix, status in (('XMPPC_EAUTH', 3), ('XMPPC_ESASL', 3), ('XMPPC_ETLS', 4), ('XMPPC_EDNS', 5),
                           ('XMPPC_ETCP', 5)):
        if error.startswith(prefix):
            return status
    return None


def sent(trace):
    """What the client wrote: the '>> ' lines of the examples' -v wire trace."""
    return '\n'.join(ln[3:] for ln in trace.splitlines() if ln.startswith('>> '))


def trace_auths(trace):
    return len(AUTH_RE.findall(sent(trace)))


def trace_mechanisms(trace):
    return MECH_RE.findall(sent(trace))


def trace_tls_versions(trace):
    """TLS versions of the examples' -v log line 'tls: established with DOMAIN: (TLS1.3)-...'."""
    return TLS_RE.findall(trace)


def trace_starttls(trace):
    return len(STARTTLS_RE.findall(sent(trace)))


def error_names(text):
    return sorted(set(re.findall(r'XMPPC_E[A-Z0-9_]+', text)))


# ---------------------------------------------------------------- cases

CASE_TIMEOUT = 20


class Cases:
    """Runs the example programs against one server and records each case."""

    def __init__(self, kind, st, bot, send, res):
        self.kind = kind
        self.st = st
        self.bot_exe = bot
        self.send_exe = send
        self.res = res
        self.peer = None
        self.user1 = st['accounts'][0]
        self.user2 = st['accounts'][1]
        self.seq = 0

    # -- command lines

    def common(self, direct=False, cafile=True, pins=(), dns_server=None):
        a = []
        if dns_server is None:
            port = self.st['c2s_tls_port'] if direct else self.st['c2s_port']
            a += ['--server', '%s:%d' % (self.st['host'], port)]
        else:
            a += ['--dns-server', dns_server]
        if direct:
            a.append('--direct-tls')
        if cafile:
            a += ['--cafile', self.st['ca']]
        for p in pins:
            a += ['--pin', p]
        return a

    def bot(self, acct=None, max_n=1, mechs=(), prio=None, **kw):
        acct = acct or self.user1
        a = [self.bot_exe, '--jid', acct['jid'], '-v', '--no-reconnect'] + self.common(**kw)
        for m in mechs:
            a += ['--mechanism', m]
        if prio:
            a += ['--tls-priority', prio]
        if max_n:
            a += ['--max', str(max_n)]
        return a

    def send(self, to, body=None, acct=None, **kw):
        acct = acct or self.user1
        a = [self.send_exe, '--jid', acct['jid'], '-v'] + self.common(**kw) + [to]
        if body is not None:
            a.append(body)
        return a

    def unique(self, what):
        self.seq += 1
        return 'xmppc interop %s #%d pid %d' % (what, self.seq, os.getpid())

    # -- cases

    async def echo(self, name, messages=1, expect_mech=None, expect_starttls=None, password=None, **kw):
        """The bot logs in; the slixmpp peer sends `messages` messages and checks the echoes."""
        kinds = [('chat', 'thread-%d-a' % os.getpid()), ('normal', None), ('chat', None)]
        bot = await Program(self.bot(max_n=messages, **kw), password or self.user1['password']).start()
        why = ''
        try:
            jid = await bot.ready(CASE_TIMEOUT)
            if jid is None:
                why = 'no "ready" line'
            else:
                sent = []
                for i in range(messages):
                    mtype, thread = kinds[i % len(kinds)]
                    body = self.unique('echo')
                    self.peer.send(jid, body, mtype, thread)
                    sent.append((body, mtype, thread))
                for body, mtype, thread in sent:
                    m = await self.peer.expect(lambda m, b=body: m['body'] == b, CASE_TIMEOUT)
                    if m is None:
                        why = 'no echo of %r' % body
                        break
                    if not m['from'].startswith(self.user1['jid']):
                        why = 'echo from %s' % m['from']
                    elif m['type'] != mtype or m['thread'] != thread:
                        why = 'echo of a %s message (thread %s) came as %s (thread %s)' % (
                            mtype, thread, m['type'], m['thread'])
                    if why:
                        break
        finally:
            rc = await bot.finish(5 if why else CASE_TIMEOUT)
        trace = bot.stderr
        mechs = trace_mechanisms(trace)
        if not why and rc != 0:
            why = 'exit status %s' % rc
        if not why and expect_mech and mechs != [expect_mech]:
            why = 'mechanism %s, expected %s' % (mechs, expect_mech)
        if not why and expect_starttls is not None and trace_starttls(trace) != expect_starttls:
            why = '%d <starttls/> in the trace, expected %d' % (trace_starttls(trace), expect_starttls)
        tls = trace_tls_versions(trace)
        want_tls = '1.2' if kw.get('prio') == TLS12 else '1.3'
        if not why and tls != [want_tls]:
            why = 'TLS versions %s, expected %s' % (tls, want_tls)
        detail = why or 'TLS %s mechanism=%s echoes=%d %.2fs' % (','.join(tls), ','.join(mechs) or '-', messages,
                                                                 bot.seconds)
        self.res.record(self.kind, name, not why, detail, trace if why else '')

    async def fail(self, name, error, auths=0, starttls=None, program='bot', leak_check=False, **kw):
        """The program must fail with `error`; the trace must hold `auths` <auth/> elements."""
        acct = self.user1
        password = kw.pop('password', acct['password'])
        argv = self.bot(max_n=1, **kw) if program == 'bot' else self.send(self.user2['jid'], 'never', **kw)
        p = await Program(argv, password).start()
        rc = await p.finish(CASE_TIMEOUT)
        out, trace = p.stdout, p.stderr
        errs = error_names(trace)
        n_auth = trace_auths(trace)
        why = ''
        if rc is None:
            why = 'still running after %d s' % CASE_TIMEOUT
        elif rc == 0:
            why = 'exit status 0'
        elif not any(e == error or (error.endswith('*') and e.startswith(error[:-1])) for e in errs):
            why = 'error %s, expected %s' % (errs or 'none named', error)
        elif n_auth != auths:
            why = '%d <auth/> in the trace, expected %d' % (n_auth, auths)
        elif auths and len(trace_tls_versions(trace)) != 1:
            why = '%d TLS sessions in the trace (a reconnect?), expected 1' % len(trace_tls_versions(trace))
        elif starttls is not None and trace_starttls(trace) != starttls:
            why = '%d <starttls/> in the trace (a retry?), expected %d' % (trace_starttls(trace), starttls)
        elif expect_status(error) is not None and rc != expect_status(error):
            why = 'exit status %d, expected %d for %s' % (rc, expect_status(error), error)
        elif not FAIL_LINE_RE.search(trace):
            why = 'no "PROGRAM: STAGE failed: ERROR: detail" line on stderr'
        elif 'ready ' in out:
            why = 'printed a ready line'
        elif leak_check and (acct['password'] in trace + out or plain_blob(acct['jid'], acct['password']) in trace):
            why = 'the password appears in the output'
        reason = [m.group(0) for m in FAIL_LINE_RE.finditer(trace)]
        detail = why or '%s, %d <auth/>, exit %d %.2fs: %s' % (','.join(errs), n_auth, rc, p.seconds,
                                                                (reason[-1] if reason else '')[:90])
        self.res.record(self.kind, name, not why, detail, trace if why else '')

    async def send_ok(self, name, stdin=False, **kw):
        """xmpp-send delivers one message to the slixmpp peer and exits 0."""
        body = self.unique('send')
        argv = self.send(self.user2['jid'], None if stdin else body, **kw)
        p = await Program(argv, self.user1['password'], stdin_data=body + '\n' if stdin else None).start()
        rc = await p.finish(CASE_TIMEOUT)
        m = await self.peer.expect(lambda m: m['body'] is not None and m['body'].rstrip('\n') == body,
                                   2 if rc else CASE_TIMEOUT)
        why = ''
        if rc != 0:
            why = 'exit status %s' % rc
        elif m is None:
            why = 'the peer never got the message'
        elif not m['from'].startswith(self.user1['jid']) or m['type'] != 'chat':
            why = 'got a %s message from %s' % (m['type'], m['from'])
        detail = why or 'delivered, %s, exit 0 %.2fs' % ('stdin' if stdin else 'argument', p.seconds)
        self.res.record(self.kind, name, not why, detail, p.stderr if why else '')

    async def pin_echo(self, name, pin, **kw):
        """Against a certificate only the pin makes acceptable: the bot logs
        in with the pin; xmpp-send (user2, same pin) sends it a message; the
        bot echoes it and exits 0."""
        bot = await Program(self.bot(max_n=1, pins=[pin], **kw), self.user1['password']).start()
        why = ''
        sender = None
        try:
            jid = await bot.ready(CASE_TIMEOUT)
            if jid is None:
                why = 'bot: no "ready" line'
            else:
                sender = await Program(self.send(jid, self.unique('pinned'), acct=self.user2, pins=[pin], **kw),
                                          self.user2['password']).start()
                src = await sender.finish(CASE_TIMEOUT)
                if src != 0:
                    why = 'xmpp-send with the pin: exit status %s' % src
        finally:
            rc = await bot.finish(5 if why else CASE_TIMEOUT)
        if not why and rc != 0:
            why = 'bot: exit status %s' % rc
        detail = why or 'bot and xmpp-send accepted the pinned key, echo done %.2fs' % bot.seconds
        self.res.record(self.kind, name, not why, detail,
                        (bot.stderr + (sender.stderr if sender else '')) if why else '')


# ---------------------------------------------------------------- slixmpp peer

class Peer:
    """An independent XMPP client (slixmpp) logged in over STARTTLS, trusting
    only the test CA (and checking the name); records every message."""

    def __init__(self, st, acct, resource='peer'):
        import slixmpp
        self.jid = '%s/%s' % (acct['jid'], resource)
        self.c = slixmpp.ClientXMPP(self.jid, acct['password'])
        self.c.ca_certs = st['ca']
        self.st = st
        self.inbox = []
        self._new = asyncio.Event()
        self._session = asyncio.get_running_loop().create_future()

        async def records(domain, port=None):
            return [(domain, st['host'], st['c2s_port'])]   # no DNS: straight to our port
        self.c.get_dns_records = records

        def fail(reason):
            if not self._session.done():
                self._session.set_exception(RuntimeError('slixmpp peer %s: %s' % (self.jid, reason)))
        self.c.add_event_handler('failed_auth', lambda _e: fail('authentication failed'))
        self.c.add_event_handler('ssl_invalid_chain', lambda e: fail('certificate not trusted: %s' % e))
        self.c.add_event_handler('connection_failed', lambda e: fail('connection failed: %s' % e))

        async def session_start(_e):
            self.c.send_presence()
            if not self._session.done():
                self._session.set_result(True)
        self.c.add_event_handler('session_start', session_start)
        self.c.add_event_handler('message', self._on_message)

    def _on_message(self, msg):
        self.inbox.append({'from': str(msg['from']), 'type': msg['type'], 'body': msg['body'],
                           'thread': msg['thread'] or None, 'time': time.monotonic()})
        self._new.set()

    async def start(self, timeout=20):
        self.c.connect((self.st['host'], self.st['c2s_port']), use_ssl=False, force_starttls=True)
        await asyncio.wait_for(self._session, timeout)
        return self

    def send(self, to, body, mtype='chat', thread=None):
        m = self.c.make_message(mto=to, mbody=body, mtype=mtype)
        if thread:
            m['thread'] = thread
        m.send()

    async def expect(self, pred, timeout=15):
        """The first received message satisfying pred (removed from the inbox), or None."""
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.inbox):
                if pred(m):
                    return self.inbox.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def stop(self):
        try:
            await asyncio.wait_for(self.c.disconnect(wait=1.0), 3)
        except Exception:  # noqa: BLE001 - best effort
            self.c.abort()


def run_async(main_coro):
    """Run a driver's main coroutine; cancel leftovers (slixmpp tasks) at the end."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(main_coro)
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)


def start_server(kind, d, res, label='server start', **kw):
    """A started xmppd.Server, or None with the failure recorded in res."""
    s = xmppd.Server(kind, d, **kw)
    try:
        s.start()
    except xmppd.XmppdError as e:
        res.record(kind, label, False, str(e).splitlines()[0], str(e))
        return None
    return s


def run_program_per_server(title, prefix, prog, make_argv, case_name, env=None, timeout=40):
    """The common driver of the module interop tests: for each server kind
    given on the command line (default: both), start it, run the C test
    program with make_argv(kind, state), record its 'ok NAME ...' and
    'FAIL NAME: why' lines, and the final 'result=OK' line as case_name.
    Returns the exit status (0 all passed, 1 a case failed)."""
    kinds = sys.argv[2:] or list(xmppd.KINDS)
    check_requirements(kinds, need_slixmpp=False, programs=[prog])
    res = Results(title)
    base = make_base(prefix)
    for kind in kinds:
        s = start_server(kind, server_dir(base, kind), res)
        if s is None:
            continue
        try:
            t0 = time.monotonic()
            try:
                p = subprocess.run(make_argv(kind, s.state), capture_output=True, text=True,
                                   timeout=timeout, env=dict(os.environ, **(env or {}),
                                                             XMPPC_INTEROP_SERVER=kind))
                rc, out, err = p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired:
                rc, out, err = None, '', 'timed out'
            lines = out.strip().splitlines()
            for ln in lines:
                if ln.startswith('ok ') or ln.startswith('FAIL '):
                    ok = ln.startswith('ok ')
                    name, _, detail = ln.split(' ', 1)[1].partition(': ' if not ok else ' ')
                    res.record(kind, name[:44], ok, detail)
            last = next((ln for ln in reversed(lines) if ln.startswith('result=')),
                        lines[-1] if lines else '(no output)')
            ok = rc == 0 and last.startswith('result=OK')
            res.record(kind, case_name, ok, '%s [%.1fs]' % (last, time.monotonic() - t0),
                       '' if ok else 'exit status %s\n%s' % (rc, tail(err, 20)))
        finally:
            s.stop()
    rc = res.summary()
    finish_base(base, rc != 0)
    return rc


def server_dir(base, name):
    d = os.path.join(base, name)
    os.makedirs(d, exist_ok=True)
    return d


def make_base(prefix):
    base = tempfile.mkdtemp(prefix=prefix)
    os.chmod(base, 0o755)
    return base


def finish_base(base, failed):
    if failed or os.environ.get('XMPPC_KEEP_SERVER_DIRS') == '1':
        print('server directories kept in %s' % base)
    else:
        shutil.rmtree(base, ignore_errors=True)
