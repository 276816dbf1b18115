"""What the fault-injection tests share (tests/interop/sm-faults.py,
tests/interop/echo-faults.py): client processes whose output lines are
collected, waiting, and the judge of numbered messages."""

import os
import subprocess
import tempfile
import threading
import time

LOGDIR = os.environ.get('XMPPC_SM_LOGDIR')
SERVER_LOG_LEVEL = os.environ.get('XMPPC_SM_SERVER_LOG_LEVEL', 'info')   # 'debug' to investigate


class Proc:
    """A client process (sm-client, the echo bot); its stdout lines are
    collected with their time, and saved with its stderr to $XMPPC_SM_LOGDIR
    when it stops."""

    def __init__(self, name, argv, env=None):
        self.name = name
        self.err = tempfile.TemporaryFile()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err,
                                  text=True, bufsize=1, env=env)
        self.lines = []
        self.cond = threading.Condition()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            with self.cond:
                self.lines.append((time.monotonic(), line.rstrip('\n')))
                self.cond.notify_all()
        with self.cond:
            self.lines.append((time.monotonic(), '<eof>'))
            self.cond.notify_all()

    def cmd(self, line):
        self.p.stdin.write(line + '\n')
        self.p.stdin.flush()

    def wait(self, pred, timeout, start=0):
        """The first line from index `start` on satisfying pred, as (time, line, index)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            i = start
            while True:
                while i < len(self.lines):
                    t, line = self.lines[i]
                    if pred(line):
                        return t, line, i
                    if line == '<eof>':
                        return None
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def wait_word(self, word, timeout, start=0):
        return self.wait(lambda l: l.split(' ', 1)[0] == word, timeout, start)

    def mark(self):
        with self.cond:
            return len(self.lines)

    def numbers(self, word):
        with self.cond:
            return [int(l.split()[1]) for _, l in self.lines if l.split(' ', 1)[0] == word]

    def count(self, word):
        with self.cond:
            return sum(1 for _, l in self.lines if l.split(' ', 1)[0] == word)

    def tail(self, n=15):
        with self.cond:
            lines = [l for _, l in self.lines[-n:]]
        err = self.stderr_text().strip().splitlines()[-8:]
        return '\n'.join(lines + ['stderr: ' + e for e in err])

    def stderr_text(self):
        """What the process wrote to stderr so far (read through a file
        description of our own: the child's write offset stays put)."""
        with open('/proc/self/fd/%d' % self.err.fileno(), 'rb') as f:
            return f.read().decode(errors='replace')

    def save(self, path):
        with self.cond, open(path, 'w') as f:
            f.write(''.join('%.3f %s\n' % (t, l) for t, l in self.lines))

    def stop(self, quit_cmd='quit'):
        """Ask the process to quit (a line on stdin, or SIGTERM when
        quit_cmd is None) and wait; kill it after 5 s."""
        if self.p.poll() is None:
            if quit_cmd is None:
                self.p.terminate()
            else:
                try:
                    self.cmd(quit_cmd)
                except OSError:
                    pass
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        if LOGDIR:
            self.save(os.path.join(LOGDIR, '%s-%d.log' % (self.name, self.p.pid)))
            with open(os.path.join(LOGDIR, '%s-%d.err' % (self.name, self.p.pid)), 'w') as f:
                f.write(self.stderr_text())
        self.err.close()


def wait_until(pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


# ejabberd 23.01 may deliver two messages in swapped order around a
# resumption: a message routed to the old c2s process after it handed its
# state over is re-routed when that process ends ("late queue"), behind one
# routed to the new process meanwhile. Seen in the delay stamps of the resent
# queue (doc/sm.md). The client delivers in the order it receives, so this
# is counted and reported, and not failed on for ejabberd; Prosody is strict.
SERVER_REORDERS = {'ejabberd'}


def clean(j, kind):
    """No duplicate, and in order (unless the server is known to reorder)."""
    return j['dups'] == 0 and (j['order_violations'] == 0 or kind in SERVER_REORDERS)


def judge(first, count, got, acked, returned):
    """Counts for messages first..first+count-1."""
    want = set(range(first, first + count))
    mine = [n for n in got if n in want]
    seen = set(mine)
    dups = len(mine) - len(seen)
    lost = len(want - seen)
    order = sum(1 for x, y in zip(mine, mine[1:]) if y <= x)
    ack_once = sum(1 for n in want if acked.count(n) == 1) if len(acked) < 50000 else 0
    acks_twice = sum(1 for n in set(acked) if acked.count(n) > 1)
    return {'lost': lost, 'dups': dups, 'order_violations': order, 'acked_once': ack_once,
            'acked_twice': acks_twice, 'returned': len([n for n in returned if n in want])}


def delivered(r, first, count):
    want = set(range(first, first + count))
    return lambda: want <= set(r.numbers('got'))


def all_acked(snd, first, count):
    want = set(range(first, first + count))
    return lambda: want <= set(snd.numbers('acked'))


def keep_away(px, seconds):
    """Reset the client's connection and refuse new ones for `seconds`."""
    px.refuse(True)
    px.reset()
    time.sleep(seconds)
    px.refuse(False)


def scenario(label, make_run):
    """Decorate a scenario body(run, s, kind, res, table) so that it is
    called as (a, s, kind, res, table) with run = make_run(a, s): an
    exception is a failed case named `label`, and the run is closed (and a
    killed server restarted) whatever happens."""
    def wrap(body):
        def run_it(a, s, kind, res, table):
            run = None
            try:
                run = make_run(a, s)
                body(run, s, kind, res, table)
            except Exception as e:  # noqa: BLE001
                res.record(kind, label, False, repr(e))
                if not s.running():
                    s.restart()
            finally:
                if run:
                    run.close()
        return run_it
    return wrap


def run_servers(a, name, scenarios, resume_window, columns, fmt):
    """Run the scenarios `a.only` (default: all) against each server of
    `a.kinds`, each server started once with the resumption window; print
    the table (`columns` headings, `fmt` per row) and "N passed, N failed".
    Returns the exit status."""
    global LOGDIR
    import interop_common as ic
    from interop_common import xmppd
    res = ic.Results('interop ' + name)
    base = ic.make_base('xmppc-%s-' % name)
    if not LOGDIR:
        # every client's output and stderr, kept with the server
        # directories when something fails (removed with them otherwise)
        LOGDIR = os.path.join(base, 'clients')
        os.makedirs(LOGDIR)
        os.environ.setdefault('SM_CLIENT_LOG', '1')
    table = []
    for kind in a.kinds:
        s = xmppd.Server(kind, ic.server_dir(base, kind), resume_timeout=resume_window,
                         log_level=SERVER_LOG_LEVEL)
        try:
            s.start()
        except Exception as e:  # noqa: BLE001
            res.record(kind, 'server start', False, repr(e))
            continue
        try:
            for sc in a.only or scenarios:
                scenarios[sc](a, s, kind, res, table)
        finally:
            s.stop()
    print()
    print(fmt.replace('d', 's') % columns)
    for row in table:
        print(fmt % row)
    rc = res.summary()
    ic.finish_base(base, rc != 0)
    return rc
