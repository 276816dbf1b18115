#!/usr/bin/python3
"""Private Prosody and ejabberd instances on 127.0.0.1 for interop tests.

Command line (run as root; Python 3 standard library only):

    xmppd.py start prosody|ejabberd --dir DIR [--cert good|wrong|untrusted]
    xmppd.py stop --dir DIR          SIGTERM, SIGKILL after a deadline; idempotent
    xmppd.py kill --dir DIR          SIGKILL at once (fault injection)
    xmppd.py restart --dir DIR       stop, then start again on the same ports
    xmppd.py status --dir DIR        print the state; exit 0 if running, 3 if not

`start`, `restart` and `status` print the state as shell-quoted KEY=VALUE
lines (eval-able); the same state is in DIR/state.json and DIR/state.env.

Python API:

    with Server('prosody', dir) as s:
        s.state['c2s_port'], s.ca, s.accounts[0]['jid'], ...

A server started through the API is stopped when the `with` block ends, at
interpreter exit, and on SIGTERM/SIGHUP (unless the program handles those
itself). See doc/servers.md.
"""

import argparse
import atexit
import json
import os
import pwd
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

KINDS = ('prosody', 'ejabberd')
CERT_CHOICES = ('good', 'wrong', 'untrusted')
HOST = '127.0.0.1'
DOMAIN = 'example.test'
WRONG_DOMAIN = 'wrong.test'
ACCOUNTS = (('user1', 'secret-1'), ('user2', 'secret-2'), ('user3', 'secret-3'))
STATE_JSON = 'state.json'
STATE_ENV = 'state.env'
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
EJABBERD_USER = 'ejabberd'


class XmppdError(Exception):
    """A server could not be prepared, started or stopped."""


# ---------------------------------------------------------------- helpers

def _log(msg):
    print('xmppd: %s' % msg, file=sys.stderr, flush=True)


def _write(path, text, mode=0o644):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _tail(path, lines=40):
    try:
        with open(path, 'rb') as f:
            data = f.read()[-16384:].decode('utf-8', 'replace')
    except OSError:
        return ''
    return '\n'.join(data.splitlines()[-lines:])


def free_ports(n):
    """n distinct loopback TCP ports that were free a moment ago."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_open(port, host=HOST):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def port_bindable(port, host=HOST):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _proc_argv(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().decode('utf-8', 'replace').split('\0')
    except OSError:
        return None


def _proc_stat(pid):
    """(state, ppid) of a process, or None if it is gone."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            data = f.read().decode('utf-8', 'replace')
    except OSError:
        return None
    rest = data[data.rfind(')') + 2:].split()
    return rest[0], int(rest[1])


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def alive(pid):
    """True while pid runs (a zombie child of ours is reaped and counts as gone)."""
    if not pid:
        return False
    st = _proc_stat(pid)
    if st is None:
        return False
    if st[0] in ('Z', 'X'):
        _reap(pid)
        return False
    return True


def _children(pid):
    kids = []
    for name in os.listdir('/proc'):
        if name.isdigit():
            st = _proc_stat(int(name))
            if st and st[1] == pid:
                kids.append(int(name))
    return kids


def _descendants(pid):
    """[(pid, argv)] of pid's descendants: argv tells a reused PID later."""
    out, todo = [], [pid]
    while todo:
        for kid in _children(todo.pop()):
            out.append((kid, _proc_argv(kid)))
            todo.append(kid)
    return out


def find_pids(match):
    """Live processes whose argv satisfies match(argv)."""
    pids = []
    me = os.getpid()
    for name in os.listdir('/proc'):
        if name.isdigit() and int(name) != me:
            argv = _proc_argv(int(name))
            if argv and match(argv) and alive(int(name)):
                pids.append(int(name))
    return sorted(pids)


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _wait_gone(pids, deadline):
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.02)
    return not any(alive(p) for p in pids)


# ---------------------------------------------------------------- PKI

def _certtool(*args):
    if not shutil.which('certtool'):
        raise XmppdError('certtool not found: install gnutls-bin (scripts/install-deps.sh interop)')
    r = subprocess.run(['certtool'] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, check=False)
    if r.returncode != 0:
        raise XmppdError('certtool %s failed:\n%s' % (' '.join(args), r.stdout.decode('utf-8', 'replace')))


def make_pki(pki, domain):
    """Test CA, server cert for domain (+ *.domain), a CA-signed cert for a
    wrong name, and an untrusted self-signed cert for domain. Kept across
    restarts: only missing files are made."""
    os.makedirs(pki, exist_ok=True)
    p = lambda name: os.path.join(pki, name)  # noqa: E731
    files = {
        'ca': p('ca.pem'), 'ca_key': p('ca-key.pem'),
        'server_cert': p('server.pem'), 'server_key': p('server-key.pem'),
        'wrong_cert': p('wrong.pem'), 'wrong_key': p('wrong-key.pem'),
        'untrusted_cert': p('untrusted.pem'), 'untrusted_key': p('untrusted-key.pem'),
    }
    if all(os.path.exists(f) for f in files.values()):
        return files

    def key(path):
        if not os.path.exists(path):
            _certtool('--generate-privkey', '--key-type', 'rsa', '--bits', '2048', '--outfile', path)
            os.chmod(path, 0o600)

    def template(name, body):
        path = p(name + '.tmpl')
        _write(path, body)
        return path

    serial = int(time.time())
    key(files['ca_key'])
    if not os.path.exists(files['ca']):
        t = template('ca', 'cn = "xmppc test CA"\norganization = "xmppc tests"\nserial = %d\n'
                     'expiration_days = 3650\nca\ncert_signing_key\ncrl_signing_key\n' % serial)
        _certtool('--generate-self-signed', '--load-privkey', files['ca_key'],
                  '--template', t, '--outfile', files['ca'])

    def leaf(kind, cn, names, signed):
        cert, k = files[kind + '_cert'], files[kind + '_key']
        key(k)
        if os.path.exists(cert):
            return
        body = 'cn = "%s"\norganization = "xmppc tests"\nserial = %d\nexpiration_days = 3650\n' % (cn, serial)
        body += ''.join('dns_name = "%s"\n' % n for n in names)
        body += 'tls_www_server\nsigning_key\nencryption_key\n'
        t = template(kind, body)
        if signed:
            _certtool('--generate-certificate', '--load-privkey', k, '--load-ca-certificate', files['ca'],
                      '--load-ca-privkey', files['ca_key'], '--template', t, '--outfile', cert)
        else:
            _certtool('--generate-self-signed', '--load-privkey', k, '--template', t, '--outfile', cert)

    leaf('server', domain, [domain, '*.' + domain], True)
    leaf('wrong', WRONG_DOMAIN, [WRONG_DOMAIN, '*.' + WRONG_DOMAIN], True)
    leaf('untrusted', domain, [domain, '*.' + domain], False)
    return files


# ---------------------------------------------------------------- configs

PROSODY_CFG = '''-- Written by tests/servers/xmppd.py: a private test instance, loopback only.
run_as_root = true
pidfile = "{d}/prosody.pid"
data_path = "{d}/data"
plugin_paths = {{ }}
certificates = "{d}/certs"
interfaces = {{ "{host}" }}
local_interfaces = {{ "{host}" }}
c2s_ports = {{ {c2s} }}
c2s_direct_tls_ports = {{ {c2s_tls} }}
s2s_ports = {{ }}
http_ports = {{ {http} }}
http_interfaces = {{ "{host}" }}
https_ports = {{ }}
http_default_host = "upload.{domain}"
http_external_url = "http://{host}:{http}/"
admins = {{ }}
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = true
allow_registration = true
archive_expires_after = "never"
default_archive_policy = true
log = {{
  {{ levels = {{ min = "{level}" }}, to = "file", filename = "{d}/prosody.log" }};
  {{ levels = {{ min = "error" }}, to = "console" }};
}}
modules_enabled = {{
  "roster"; "saslauth"; "tls"; "disco"; "carbons"; "mam"; "ping";
  "vcard_legacy"; "pep"; "blocklist"; "csi_simple"; "smacks"; "register";
  "private"; "version"; "time"; "uptime";
}}
modules_disabled = {{ "s2s" }}
-- XEP-0198: how long a broken stream waits for resumption (tests shorten it)
smacks_hibernation_time = {resume}
-- Prosody keeps only the last 500 unacknowledged stanzas per stream by
-- default and overwrites older ones, which a stream that is cut while
-- traffic flows exceeds within seconds; the fault tests measure the client,
-- so the server may queue more.
smacks_max_queue_size = 10000

VirtualHost "{domain}"

Component "conference.{domain}" "muc"
  modules_enabled = {{ "muc_mam" }}

Component "upload.{domain}" "http_file_share"
  http_file_share_size_limit = 10 * 1024 * 1024
'''

EJABBERD_CTL = '''# Written by tests/servers/xmppd.py: no epmd, distribution on loopback only.
ERLANG_NODE={node}
ERL_DIST_PORT={dist}
# Same as INET_DIST_INTERFACE=127.0.0.1, without the extra VM that
# ejabberdctl boots to parse that address (~0.5 s per call).
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -setcookie {cookie} -kernel inet_dist_use_interface {{127,0,0,1}}"
EJABBERD_PID_PATH={d}/ejabberd.pid
EJABBERD_BYPASS_WARNINGS=true
CONTRIB_MODULES_CONF_DIR={d}/modules.d
'''

EJABBERD_INETRC = '''{{lookup, ["file", "native"]}}.
{{host, {{127,0,0,1}}, ["localhost"]}}.
'''

EJABBERD_YML = '''# Written by tests/servers/xmppd.py: a private test instance, loopback only.
hosts:
  - "{domain}"
loglevel: {level}
log_rotate_count: 0
certfiles:
  - "{d}/server.pem"
ca_file: "{d}/ca.pem"
auth_method: internal
auth_password_format: plain
disable_sasl_mechanisms:
  - "digest-md5"
  - "x-oauth2"
registration_timeout: infinity
c2s_protocol_options:
  - "no_sslv3"
  - "no_tlsv1"
  - "no_tlsv1_1"
  - "no_compression"
listen:
  -
    port: {c2s}
    ip: "{host}"
    module: ejabberd_c2s
    max_stanza_size: 1048576
    shaper: none
    access: c2s
    # ejabberd's default accept backlog is 5: hundreds of simultaneous
    # connects (tests/interop/many.c) would overflow it and stall in SYN retries
    backlog: 1024
    starttls: true
    starttls_required: true
  -
    port: {c2s_tls}
    ip: "{host}"
    module: ejabberd_c2s
    max_stanza_size: 1048576
    shaper: none
    access: c2s
    backlog: 1024
    tls: true
  -
    port: {http}
    ip: "{host}"
    module: ejabberd_http
    request_handlers:
      /api: mod_http_api
      /upload: mod_http_upload
acl:
  local:
    user_regexp: ""
  loopback:
    ip:
      - 127.0.0.0/8
access_rules:
  local:
    allow: local
  c2s:
    deny: blocked
    allow: all
  register:
    allow: all
  muc_create:
    allow: local
  pubsub_createnode:
    allow: local
api_permissions:
  "console commands":
    from:
      - ejabberd_ctl
    who: all
    what: "*"
  "loopback http api":
    from:
      - mod_http_api
    who:
      ip: 127.0.0.0/8
    what: "*"
shaper_rules:
  max_user_sessions: 100
  max_user_offline_messages: 5000
  c2s_shaper: none
  s2s_shaper: none
modules:
  mod_adhoc: {{}}
  mod_blocking: {{}}
  mod_caps: {{}}
  mod_carboncopy: {{}}
  mod_client_state: {{}}
  mod_disco: {{}}
  mod_http_api: {{}}
  mod_http_upload:
    put_url: "http://{host}:{http}/upload"
    docroot: "{d}/upload"
    max_size: 10485760
    thumbnail: false
  mod_last: {{}}
  mod_mam:
    # The stream-management fault tests (resume_timeout given) use false and
    # never: unacknowledged messages of a stream that times out then go to
    # offline storage (resend_on_timeout) rather than only to the archive,
    # and the Mnesia archive, whose cost per message grows with its size,
    # does not slow the server to ~20 messages/s (doc/sm.md).
    assume_mam_usage: {assume_mam}
    default: {mam_default}
  mod_muc:
    access_create: muc_create
    access_persistent: muc_create
    default_room_options:
      mam: true
  mod_offline: {{}}
  mod_ping: {{}}
  mod_privacy: {{}}
  mod_private: {{}}
  mod_pubsub:
    access_createnode: pubsub_createnode
    plugins:
      - flat
      - pep
  mod_register:
    ip_access: all
    access: register
  mod_roster:
    versioning: true
  mod_stream_mgmt:
    resume_timeout: {resume}{sm_extra}
  mod_time: {{}}
  mod_vcard:
    search: false
  mod_vcard_xupdate: {{}}
  mod_version:
    show_os: false
'''


# ---------------------------------------------------------------- servers

_live = set()
_live_lock = threading.Lock()
_handlers_installed = False


def _cleanup_all():
    with _live_lock:
        servers = list(_live)
    for s in servers:
        try:
            s.stop()
        except Exception as e:  # noqa: BLE001 - best effort at exit
            _log('cleanup of %s failed: %s' % (s.dir, e))


def _on_signal(signum, _frame):
    _cleanup_all()
    raise SystemExit(128 + signum)


def _install_cleanup():
    global _handlers_installed
    if _handlers_installed:
        return
    _handlers_installed = True
    atexit.register(_cleanup_all)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) == signal.SIG_DFL:
                signal.signal(sig, _on_signal)


class Server:
    """One private server instance living in dir (state in dir/state.json)."""

    def __init__(self, kind=None, dir='.', domain=DOMAIN, cert='good', log_level='info',
                 start_timeout=START_TIMEOUT, stop_timeout=STOP_TIMEOUT, resume_timeout=None):
        self.dir = os.path.abspath(dir)
        self.state = self._load() or {}
        if kind is None:
            kind = self.state.get('server')
            if kind is None:
                raise XmppdError('no server state in %s (start one first)' % self.dir)
        if kind not in KINDS:
            raise XmppdError('unknown server %r (want one of %s)' % (kind, ', '.join(KINDS)))
        if cert not in CERT_CHOICES:
            raise XmppdError('unknown --cert %r' % cert)
        self.kind = kind
        self.domain = domain
        self.cert = cert
        self.log_level = log_level
        # XEP-0198 resumption window in seconds (None: a saved one, else 300)
        self.resume_timeout = resume_timeout or self.state.get('resume_timeout') or 300
        # the fault tests' settings (doc/sm.md) only when they ask for a window
        self.sm_tests = bool(resume_timeout) or bool(self.state.get('sm_tests'))
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.sdir = os.path.join(self.dir, kind)
        self._popen = None
        self.timings = {}

    # -- state

    def _load(self):
        try:
            with open(os.path.join(self.dir, STATE_JSON), encoding='utf-8') as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _save(self):
        _write(os.path.join(self.dir, STATE_JSON), json.dumps(self.state, indent=2, sort_keys=True) + '\n')
        _write(os.path.join(self.dir, STATE_ENV), self.env_text())

    def env(self):
        """The state as a flat dict of XMPPD_* strings."""
        s = self.state
        e = {'XMPPD_SERVER': s.get('server', ''), 'XMPPD_DIR': self.dir,
             'XMPPD_STATE': os.path.join(self.dir, STATE_JSON),
             'XMPPD_RUNNING': '1' if self.running() else '0',
             'XMPPD_PID': str(s.get('pid') or '')}
        for k in ('host', 'domain', 'muc_domain', 'upload_domain', 'wrong_domain', 'c2s_port', 'c2s_tls_port',
                  'http_port', 'dist_port', 'ca', 'ca_key', 'cert', 'server_cert', 'server_key', 'wrong_cert',
                  'wrong_key', 'untrusted_cert', 'untrusted_key', 'log', 'config', 'ready_seconds',
                  'start_seconds', 'version'):
            if k in s:
                e['XMPPD_' + k.upper()] = str(s[k])
        for i, a in enumerate(s.get('accounts', []), 1):
            e['XMPPD_USER%d' % i] = a['user']
            e['XMPPD_USER%d_JID' % i] = a['jid']
            e['XMPPD_USER%d_PASSWORD' % i] = a['password']
        return e

    def env_text(self):
        return ''.join('%s=%s\n' % (k, shlex.quote(v)) for k, v in self.env().items())

    @property
    def ca(self):
        return self.state['ca']

    @property
    def accounts(self):
        return self.state['accounts']

    @property
    def pid(self):
        return self.state.get('pid')

    def running(self):
        pid = self.state.get('pid')
        return bool(pid) and alive(pid) and self._owns(pid)

    def _is_server(self, argv):
        # The server process of this very dir: prosody with our config file
        # (lua5.4 /usr/bin/prosody --config FILE -F), or the beam whose
        # Mnesia spool is ours (-mnesia dir "DIR/ejabberd/db").
        if self.kind == 'prosody':
            return (any(os.path.basename(a) == 'prosody' for a in argv[:2])
                    and os.path.join(self.sdir, 'prosody.cfg.lua') in argv)
        db = os.path.join(self.sdir, 'db')
        return os.path.basename(argv[0]).startswith('beam') and (db in argv or '"%s"' % db in argv)

    def _owns(self, pid):
        argv = _proc_argv(pid)
        return argv is not None and self._is_server(argv)

    def processes(self):
        """PIDs of this dir's server processes now running (normally 0 or 1)."""
        return find_pids(self._is_server)

    # -- lifecycle

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self, reuse_ports=False):
        if self.running():
            raise XmppdError('%s already running in %s (pid %s): stop or restart it'
                             % (self.kind, self.dir, self.state['pid']))
        other = self.state.get('server')
        if other and other != self.kind and Server(other, self.dir).running():
            raise XmppdError('%s holds a running %s: stop it first' % (self.dir, other))
        self._check_installed()
        t0 = time.monotonic()
        os.makedirs(self.dir, exist_ok=True)
        self._stop_strays()
        if reuse_ports and self.state.get('c2s_port'):
            ports = [self.state['c2s_port'], self.state['c2s_tls_port'], self.state['http_port']]
            if self.kind == 'ejabberd':
                ports.append(self.state['dist_port'])
            busy = [p for p in ports if not port_bindable(p)]
            if busy:
                raise XmppdError('cannot restart %s on the same ports: %s in use' % (self.kind, busy))
        else:
            ports = free_ports(4 if self.kind == 'ejabberd' else 3)
        pki = make_pki(os.path.join(self.dir, 'pki'), self.domain)
        presented = {'good': 'server', 'wrong': 'wrong', 'untrusted': 'untrusted'}[self.cert]
        self.state = {
            'server': self.kind, 'dir': self.dir, 'host': HOST, 'domain': self.domain,
            'muc_domain': 'conference.' + self.domain, 'upload_domain': 'upload.' + self.domain,
            'wrong_domain': WRONG_DOMAIN,
            'c2s_port': ports[0], 'c2s_tls_port': ports[1], 'http_port': ports[2],
            'cert_choice': self.cert, 'cert': pki[presented + '_cert'], 'log_level': self.log_level,
            'resume_timeout': self.resume_timeout, 'sm_tests': self.sm_tests,
            'accounts': [{'user': u, 'jid': '%s@%s' % (u, self.domain), 'password': pw} for u, pw in ACCOUNTS],
            'pid': None, 'pids': [], 'running': False,
        }
        self.state.update(pki)
        if self.kind == 'ejabberd':
            self.state['dist_port'] = ports[3]
        with _live_lock:
            _live.add(self)
        _install_cleanup()
        try:
            if self.kind == 'prosody':
                self._start_prosody(pki[presented + '_cert'], pki[presented + '_key'], t0)
            else:
                self._start_ejabberd(pki[presented + '_cert'], pki[presented + '_key'], t0)
        except BaseException:
            self.stop()
            raise
        self.state['running'] = True
        self.state['start_seconds'] = round(time.monotonic() - t0, 3)
        self.timings['start'] = self.state['start_seconds']
        self._save()
        return self

    def detach(self):
        """Leave the server running when this process exits (CLI start)."""
        with _live_lock:
            _live.discard(self)

    def restart(self):
        had = self.state.get('c2s_port')
        self.stop()
        self.state = self._load() or self.state
        self.cert = self.state.get('cert_choice', self.cert)
        self.domain = self.state.get('domain', self.domain)
        self.log_level = self.state.get('log_level', self.log_level)
        return self.start(reuse_ports=bool(had))

    def stop(self, timeout=None):
        """SIGTERM, then SIGKILL after timeout; idempotent."""
        timeout = self.stop_timeout if timeout is None else timeout
        t0 = time.monotonic()
        pids = self._server_pids()
        if pids:
            kids = [k for p in pids for k in _descendants(p)]
            for p in pids:
                _signal(p, signal.SIGTERM)
            if not _wait_gone(pids, time.monotonic() + timeout):
                _log('%s did not exit %.0f s after SIGTERM: SIGKILL' % (self.kind, timeout))
                for p in pids:
                    _signal(p, signal.SIGKILL)
                _wait_gone(pids, time.monotonic() + 5)
            self._kill_leftovers(kids)
        self._stop_strays()
        if self._popen is not None:
            try:
                self._popen.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
            self._popen = None
        with _live_lock:
            _live.discard(self)
        self.timings['stop'] = round(time.monotonic() - t0, 3)
        if self.state:
            self.state.update(pid=None, pids=[], running=False)
            if os.path.exists(os.path.join(self.dir, STATE_JSON)):
                self._save()

    def kill(self):
        """SIGKILL the server at once (simulates a crash); state stays for restart."""
        pids = self._server_pids()
        kids = [k for p in pids for k in _descendants(p)]
        for p in pids:
            _signal(p, signal.SIGKILL)
        _wait_gone(pids, time.monotonic() + 5)
        self._kill_leftovers(kids)
        if self.state:
            self.state.update(pid=None, pids=[], running=False)
            self._save()

    def _server_pids(self):
        pids = [p for p in ([self.state.get('pid')] + list(self.state.get('pids') or []))
                if p and alive(p) and self._owns(p)]
        for p in self.processes():
            if p not in pids:
                pids.append(p)
        return pids

    def _stop_strays(self):
        # Anything still running from this dir (a crashed start, an old run).
        for p in self.processes():
            _log('stopping leftover process %d from %s' % (p, self.dir))
            kids = _descendants(p)
            _signal(p, signal.SIGKILL)
            _wait_gone([p], time.monotonic() + 5)
            self._kill_leftovers(kids)

    @staticmethod
    def _kill_leftovers(kids):
        # Children that outlive the server (ejabberd's erl_child_setup
        # normally exits by itself within milliseconds).
        same = lambda k, argv: alive(k) and _proc_argv(k) == argv  # noqa: E731
        left = [k for k, argv in kids if same(k, argv)]
        if left:
            _wait_gone(left, time.monotonic() + 1)
        for k, argv in kids:
            if k in left and same(k, argv):
                _signal(k, signal.SIGKILL)
        _wait_gone(left, time.monotonic() + 2)

    def _check_installed(self):
        need = {'prosody': ['prosody', 'prosodyctl'], 'ejabberd': ['ejabberdctl']}[self.kind] + ['certtool']
        path = os.environ.get('PATH', '') + ':/usr/sbin:/sbin:/usr/bin'
        missing = [n for n in need if not shutil.which(n, path=path)]
        if missing:
            raise XmppdError('%s not installed (missing %s): run scripts/install-deps.sh interop'
                             % (self.kind, ', '.join(missing)))
        if os.geteuid() != 0:
            raise XmppdError('xmppd.py must run as root (ejabberdctl switches to user ejabberd)')

    def _wait_ready(self, ports, deadline, dead_check):
        pending = list(ports)
        while pending:
            pending = [p for p in pending if not port_open(p)]
            if not pending:
                break
            why = dead_check()
            if why:
                raise XmppdError(why)
            if time.monotonic() > deadline:
                raise XmppdError('%s: ports %s not accepting connections after %.0f s; log:\n%s'
                                 % (self.kind, pending, self.start_timeout, _tail(self.state['log'])))
            time.sleep(0.03)

    # -- Prosody

    def _start_prosody(self, cert, key, t0):
        d = self.sdir
        os.makedirs(os.path.join(d, 'data'), exist_ok=True)
        certs = os.path.join(d, 'certs')
        os.makedirs(certs, exist_ok=True)
        for host in (self.domain, 'conference.' + self.domain, 'upload.' + self.domain):
            shutil.copyfile(cert, os.path.join(certs, host + '.crt'))
            shutil.copyfile(key, os.path.join(certs, host + '.key'))
            os.chmod(os.path.join(certs, host + '.key'), 0o600)
        cfg = os.path.join(d, 'prosody.cfg.lua')
        st = self.state
        _write(cfg, PROSODY_CFG.format(d=d, host=HOST, domain=self.domain, c2s=st['c2s_port'],
                                       c2s_tls=st['c2s_tls_port'], http=st['http_port'],
                                       level={'warning': 'warn'}.get(self.log_level, self.log_level),
                                       resume=self.resume_timeout))
        st.update(config=cfg, log=os.path.join(d, 'prosody.log'), console=os.path.join(d, 'console.log'))
        # Accounts while the server is stopped: no race with startup.
        accounts_dir = os.path.join(d, 'data', self.domain.replace('.', '%2e'), 'accounts')
        # One prosodyctl per account, side by side (each writes its own file).
        procs = [(a['user'], subprocess.Popen(
                     ['prosodyctl', '--config', cfg, 'register', a['user'], self.domain, a['password']],
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
                 for a in st['accounts']
                 if not os.path.exists(os.path.join(accounts_dir, a['user'] + '.dat'))]
        failed = []
        try:
            for user, proc in procs:
                out = proc.communicate(timeout=self.start_timeout)[0]
                if proc.returncode != 0:
                    failed.append('%s: %s' % (user, out.decode('utf-8', 'replace')))
        finally:
            for _, proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        if failed:
            raise XmppdError('prosodyctl register failed:\n%s' % '\n'.join(failed))
        self.timings['prepare'] = round(time.monotonic() - t0, 3)
        console = open(st['console'], 'ab')
        t1 = time.monotonic()
        try:
            self._popen = subprocess.Popen(['prosody', '--config', cfg, '-F'], cwd=d, stdin=subprocess.DEVNULL,
                                           stdout=console, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            console.close()
        st['pid'] = self._popen.pid
        st['pids'] = [self._popen.pid]
        self._save()

        def dead():
            if self._popen.poll() is not None:
                return 'prosody exited with status %s during startup; console:\n%s\nlog:\n%s' % (
                    self._popen.returncode, _tail(st['console']), _tail(st['log']))
            return None
        self._wait_ready([st['c2s_port'], st['c2s_tls_port'], st['http_port']],
                         t1 + self.start_timeout, dead)
        st['ready_seconds'] = round(time.monotonic() - t1, 3)
        self.timings['ready'] = st['ready_seconds']
        st['version'] = '0.12'

    # -- ejabberd

    def _ejabberdctl(self, *args, **kw):
        d = self.sdir
        cmd = ['ejabberdctl', '--config-dir', d, '--config', os.path.join(d, 'ejabberd.yml'),
               '--ctl-config', os.path.join(d, 'ejabberdctl.cfg'), '--logs', os.path.join(d, 'log'),
               '--spool', os.path.join(d, 'db')] + list(args)
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              cwd=d, check=False, **kw)

    def _start_ejabberd(self, cert, key, t0):
        d = self.sdir
        try:
            ej = pwd.getpwnam(EJABBERD_USER)
        except KeyError:
            raise XmppdError('user %s missing: is the ejabberd package installed?' % EJABBERD_USER) from None
        # ejabberdctl re-executes itself as user ejabberd: it must reach and
        # own everything under d.
        for sub in ('', 'db', 'log', 'upload', 'modules.d'):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        self._make_traversable(d, ej.pw_uid)
        st = self.state
        # Mnesia ties its database to the node name: keep it fixed. Without
        # epmd, several nodes may share it (each has its own ERL_DIST_PORT).
        node = 'xmppc@localhost'
        # ejabberd wants the chain in one file, and aborts on a certificate
        # there that neither has its key nor issued the one before it: add
        # the CA only after a certificate it signed.
        with open(cert) as c, open(key) as k:
            pem = c.read() + k.read()
        if self.cert != 'untrusted':
            with open(st['ca']) as ca:
                pem += ca.read()
        _write(os.path.join(d, 'server.pem'), pem, 0o600)
        shutil.copyfile(st['ca'], os.path.join(d, 'ca.pem'))
        cookie = 'xmppc-%s' % os.urandom(8).hex()
        _write(os.path.join(d, 'ejabberdctl.cfg'), EJABBERD_CTL.format(d=d, node=node, dist=st['dist_port'],
                                                                       cookie=cookie))
        _write(os.path.join(d, 'inetrc'), EJABBERD_INETRC.format())
        cfg = os.path.join(d, 'ejabberd.yml')
        _write(cfg, EJABBERD_YML.format(d=d, host=HOST, domain=self.domain, c2s=st['c2s_port'],
                                        c2s_tls=st['c2s_tls_port'], http=st['http_port'],
                                        level=self.log_level, resume=self.resume_timeout,
                                        assume_mam='false' if self.sm_tests else 'true',
                                        mam_default='never' if self.sm_tests else 'always',
                                        sm_extra=('\n    resend_on_timeout: true\n    max_ack_queue: 10000'
                                                  if self.sm_tests else '')))
        for root, dirs, files in os.walk(d):
            for n in dirs + files:
                os.lchown(os.path.join(root, n), ej.pw_uid, ej.pw_gid)
        os.lchown(d, ej.pw_uid, ej.pw_gid)
        pidfile = os.path.join(d, 'ejabberd.pid')
        if os.path.exists(pidfile):
            os.unlink(pidfile)
        st.update(config=cfg, log=os.path.join(d, 'log', 'ejabberd.log'), node=node, pidfile=pidfile)
        self.timings['prepare'] = round(time.monotonic() - t0, 3)
        t1 = time.monotonic()
        r = self._ejabberdctl('start', timeout=self.start_timeout)
        if r.returncode != 0:
            raise XmppdError('ejabberdctl start failed (%d):\n%s' % (r.returncode, r.stdout.decode()))
        deadline = t1 + self.start_timeout

        def dead():
            pids = self.processes()
            if pids:
                st['pid'] = st['pid'] or pids[0]
                st['pids'] = pids
                return None
            if time.monotonic() - t1 > 3:
                return 'ejabberd is not running %.1f s after start; log:\n%s\n%s' % (
                    time.monotonic() - t1, _tail(st['log']), _tail(os.path.join(d, 'log', 'error.log')))
            return None
        self._wait_ready([st['c2s_port'], st['c2s_tls_port'], st['http_port']], deadline, dead)
        while not os.path.exists(pidfile) and time.monotonic() < deadline:
            time.sleep(0.02)
        try:
            with open(pidfile) as f:
                st['pid'] = int(f.read().strip())
        except (OSError, ValueError):
            beams = self.processes()
            if not beams:
                raise XmppdError('ejabberd wrote no pid file and runs no beam process') from None
            st['pid'] = beams[0]
        st['pids'] = [st['pid']]
        self._save()
        def beam_dead():
            if not alive(st['pid']):
                return 'ejabberd stopped during startup; log:\n%s' % _tail(st['log'])
            return None
        for a in st['accounts']:
            self._api('register', {'user': a['user'], 'host': self.domain, 'password': a['password']},
                      deadline, ok_if='already registered', dead_check=beam_dead)
        st['ready_seconds'] = round(time.monotonic() - t1, 3)
        self.timings['ready'] = st['ready_seconds']
        st['version'] = '23.01'

    @staticmethod
    def _make_traversable(d, uid):
        # ejabberd must reach d. mkdtemp makes 0700 dirs: give others search
        # (x) permission on the test dirs above d, but change nothing outside
        # the temporary directory; elsewhere say what is wrong.
        tmp = os.path.realpath(tempfile.gettempdir())
        p = os.path.dirname(os.path.realpath(d))
        while True:
            s = os.stat(p)
            if not s.st_mode & 0o001 and s.st_uid != uid:
                if p.startswith(tmp + os.sep) and s.st_uid == os.geteuid():
                    os.chmod(p, stat.S_IMODE(s.st_mode) | 0o111)
                else:
                    raise XmppdError('%s is not searchable by user %s: use a --dir under %s'
                                     % (p, EJABBERD_USER, tmp))
            if p == '/':
                break
            p = os.path.dirname(p)

    def api(self, command, args):
        """Call ejabberd's HTTP API (mod_http_api) on loopback."""
        return self._api(command, args, time.monotonic() + 10)

    def _api(self, command, args, deadline, ok_if=None, dead_check=None):
        url = 'http://%s:%d/api/%s' % (HOST, self.state['http_port'], command)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
        body = json.dumps(args).encode()
        while True:
            req = urllib.request.Request(url, data=body, headers={'Content-Type': 'application/json'})
            try:
                with opener.open(req, timeout=5) as resp:
                    return json.loads(resp.read().decode() or 'null')
            except urllib.error.HTTPError as e:
                text = e.read().decode('utf-8', 'replace')
                if ok_if and ok_if in text:
                    return text
                if e.code < 500 or time.monotonic() > deadline:
                    raise XmppdError('ejabberd API %s: HTTP %d %s' % (command, e.code, text)) from None
            except (urllib.error.URLError, OSError) as e:
                why = dead_check() if dead_check else None
                if why:
                    raise XmppdError(why) from None
                if time.monotonic() > deadline:
                    raise XmppdError('ejabberd API %s: %s' % (command, e)) from None
            time.sleep(0.05)


# ---------------------------------------------------------------- CLI

def main(argv=None):
    ap = argparse.ArgumentParser(description='Private Prosody/ejabberd instances for xmppc interop tests.')
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('start', help='configure and start a server in DIR')
    p.add_argument('server', choices=KINDS)
    p.add_argument('--dir', required=True)
    p.add_argument('--domain', default=DOMAIN)
    p.add_argument('--cert', choices=CERT_CHOICES, default='good',
                   help='certificate the server presents (default: good, signed by the test CA)')
    p.add_argument('--log-level', default='info', choices=('debug', 'info', 'warning', 'error'))
    p.add_argument('--timeout', type=float, default=START_TIMEOUT)
    for name, hlp in (('stop', 'SIGTERM, SIGKILL after --timeout'), ('kill', 'SIGKILL now'),
                      ('restart', 'stop, start on the same ports'), ('status', 'print the state')):
        p = sub.add_parser(name, help=hlp)
        p.add_argument('--dir', required=True)
        p.add_argument('--timeout', type=float, default=None)
    a = ap.parse_args(argv)
    try:
        if a.cmd == 'start':
            s = Server(a.server, a.dir, domain=a.domain, cert=a.cert,
                       log_level=a.log_level, start_timeout=a.timeout)
            s.start()
            s.detach()
            sys.stdout.write(s.env_text())
            _log('%s ready in %.2f s (start %.2f s) in %s' % (s.kind, s.timings['ready'], s.timings['start'], s.dir))
            return 0
        if not os.path.exists(os.path.join(a.dir, STATE_JSON)):
            if a.cmd in ('stop', 'kill'):
                return 0  # nothing was started there: already stopped
            raise XmppdError('no server state in %s' % a.dir)
        s = Server(None, a.dir)
        if a.cmd == 'stop':
            s.stop(a.timeout)
            _log('%s stopped in %.2f s' % (s.kind, s.timings['stop']))
        elif a.cmd == 'kill':
            s.kill()
        elif a.cmd == 'restart':
            if a.timeout:
                s.start_timeout = a.timeout
            s.restart()
            s.detach()
            sys.stdout.write(s.env_text())
            _log('%s restarted: stop %.2f s, ready %.2f s' % (s.kind, s.timings['stop'], s.timings['ready']))
        elif a.cmd == 'status':
            sys.stdout.write(s.env_text())
            return 0 if s.running() else 3
        return 0
    except XmppdError as e:
        _log('error: %s' % e)
        return 1


if __name__ == '__main__':
    sys.exit(main())
