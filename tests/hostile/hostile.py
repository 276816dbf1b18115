#!/usr/bin/python3
"""xmpp-echo-bot against hostile and scripted XMPP servers.

    hostile.py PATH-TO-xmpp-echo-bot [SCENARIO...]

Each scenario starts a scripted server (standard library only; TLS with the
ssl module and certificates made by certtool) on 127.0.0.1, runs the bot
against it and checks its exit status, its one-line failure reason
("PROG: STAGE failed: XMPPC_E...: detail") and what the server received.
One line per scenario, then a summary. XMPPC_HOSTILE_WRAP (e.g.
"valgrind -q --error-exitcode=99 --leak-check=full") prefixes the bot's
command line. Exit 0 if every scenario passed,
1 otherwise, 77 (skip) without certtool. No network, no root.
"""

import base64
import os
import re
import shutil
import socket
import struct
import ssl
import subprocess
import sys
import tempfile
import threading
import time

JID = 'user@example.com'
PASSWORD = 'secret'
DOMAIN = 'example.com'
BOT_TIMEOUT = 15.0
WRAP = os.environ.get('XMPPC_HOSTILE_WRAP', '').split()
IO_TIMEOUT = 10.0

HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
          "xmlns:stream='http://etherx.jabber.org/streams' id='s1' "
          "from='" + DOMAIN + "' version='1.0'>")
FEAT_STARTTLS = ("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                 "<required/></starttls></stream:features>")
FEAT_BIND = ("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
             "</stream:features>")
SASL_NS = 'urn:ietf:params:xml:ns:xmpp-sasl'


def feat_mechs(*mechs):
    return ("<stream:features><mechanisms xmlns='%s'>%s</mechanisms></stream:features>"
            % (SASL_NS, ''.join('<mechanism>%s</mechanism>' % m for m in mechs)))


class Closed(Exception):
    pass


# ------------------------------------------------------------ certificates

class Pki:
    """A CA, a certificate for example.com and one for wrong.example signed
    by it, and a self-signed one for example.com (with its SPKI pin)."""

    def __init__(self, d):
        self.dir = d
        self.ca_key = self._key('ca')
        self.ca = os.path.join(d, 'ca.pem')
        self._certtool('--generate-self-signed', '--load-privkey', self.ca_key,
                       '--template', self._tmpl('ca', 'cn = "hostile test CA"\nca\ncert_signing_key\n'
                                                'expiration_days = 30\n'),
                       '--outfile', self.ca)
        self.good = self._leaf('good', DOMAIN)
        self.wrong = self._leaf('wrong', 'wrong.example')
        key = self._key('self')
        crt = os.path.join(d, 'self.pem')
        self._certtool('--generate-self-signed', '--load-privkey', key,
                       '--template', self._tmpl('self', self._leaf_tmpl(DOMAIN)), '--outfile', crt)
        self.self_signed = (crt, key)
        info = self._certtool('-i', '--infile', crt)
        m = re.search(r'pin-sha256:([A-Za-z0-9+/=]+)', info)
        self.self_pin = m.group(1)
        info = self._certtool('-i', '--infile', self.good[0])
        self.good_pin = re.search(r'pin-sha256:([A-Za-z0-9+/=]+)', info).group(1)

    def _certtool(self, *args):
        return subprocess.run(['certtool'] + list(args), check=True, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout

    def _key(self, name):
        p = os.path.join(self.dir, name + '.key')
        self._certtool('--generate-privkey', '--key-type', 'ecdsa', '--outfile', p)
        return p

    def _tmpl(self, name, body):
        p = os.path.join(self.dir, name + '.tmpl')
        with open(p, 'w') as f:
            f.write(body)
        return p

    @staticmethod
    def _leaf_tmpl(name):
        return ('cn = "%s"\ndns_name = "%s"\nexpiration_days = 30\ntls_www_server\n'
                'signing_key\n' % (name, name))

    def _leaf(self, name, cn):
        key = self._key(name)
        crt = os.path.join(self.dir, name + '.pem')
        self._certtool('--generate-certificate', '--load-privkey', key, '--load-ca-certificate',
                       self.ca, '--load-ca-privkey', self.ca_key,
                       '--template', self._tmpl(name, self._leaf_tmpl(cn)), '--outfile', crt)
        return (crt, key)

    def server_ctx(self, pair):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pair[0], pair[1])
        return ctx


# ------------------------------------------------------------ the server

class Conn:
    """One accepted connection, with a scripted conversation."""

    def __init__(self, server, sock):
        self.server = server
        self.sock = sock
        self.buf = ''
        sock.settimeout(IO_TIMEOUT)

    def send(self, text):
        self.sock.sendall(text.encode() if isinstance(text, str) else text)

    def recv_some(self):
        try:
            data = self.sock.recv(65536)
        except (ssl.SSLError, OSError):
            data = b''
        if not data:
            raise Closed()
        text = data.decode('utf-8', 'replace')
        self.server.log.append(text)
        self.buf += text
        return data

    def expect(self, pattern):
        """Read until the regex matches; consume through the match."""
        rx = re.compile(pattern, re.S)
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            self.recv_some()

    def starttls(self, ctx):
        self.sock = ctx.wrap_socket(self.sock, server_side=True)
        self.buf = ''

    def drain(self, seconds=2.0):
        """Read (and log) until the peer closes or time passes."""
        end = time.time() + seconds
        self.sock.settimeout(0.2)
        while time.time() < end:
            try:
                self.recv_some()
            except Closed:
                return
            except socket.timeout:
                continue

    # the usual steps
    def open_stream(self, features):
        self.expect(r'<stream:stream[^>]*>')
        self.send(HEADER + features)

    def plain_auth(self):
        self.expect(r'<auth[^>]*>.*?</auth>')
        self.send("<success xmlns='%s'/>" % SASL_NS)

    def bind(self, jid=JID + '/res', before=''):
        m = self.expect(r'<iq[^>]*?id=["\']([^"\']+)["\'][^>]*>.*?</iq>')
        iq_id = m.group(1)
        self.send(before.replace('{id}', iq_id) +
                  "<iq type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                  "<jid>%s</jid></bind></iq>" % (iq_id, jid))

    def online(self):
        """The bot's initial presence, and the ping behind it that it waits
        for before it prints "ready": answered."""
        self.expect(r'<presence')
        m = self.expect(r'<iq[^>]*?id=["\']([^"\']+)["\'][^>]*>\s*<ping[^>]*/>\s*</iq>')
        self.send("<iq type='result' id='%s' from='%s'/>" % (m.group(1), DOMAIN))

    def login(self, tls_ctx=None, bind_jid=JID + '/res'):
        if tls_ctx is not None:
            self.open_stream(FEAT_STARTTLS)
            self.expect(r'<starttls[^>]*>')
            self.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
            self.starttls(tls_ctx)
        self.open_stream(feat_mechs('PLAIN'))
        self.plain_auth()
        self.open_stream(FEAT_BIND)
        self.bind(bind_jid)


class Server:
    def __init__(self, script, direct_ctx=None):
        self.script = script
        self.direct_ctx = direct_ctx
        self.log = []
        self.errors = []
        self.accepted = 0
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(('127.0.0.1', 0))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.threads = []
        self.stopping = False
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.acceptor = t

    def _accept(self):
        while not self.stopping:
            try:
                s, _ = self.lsock.accept()
            except OSError:
                return
            if self.stopping:
                s.close()
                return
            self.accepted += 1
            t = threading.Thread(target=self._run, args=(s, self.accepted), daemon=True)
            t.start()
            self.threads.append(t)

    def _run(self, s, n):
        c = Conn(self, s)
        try:
            if self.direct_ctx is not None:
                c.starttls(self.direct_ctx)
            self.script(c, n)
        except Closed:
            pass
        except (ssl.SSLError, OSError) as e:
            self.log.append('[server: %s]' % e)
        except Exception as e:  # a script bug: report it
            self.errors.append(repr(e))
        finally:
            try:
                c.sock.close()
            except OSError:
                pass

    def received(self):
        return ''.join(self.log)

    def stop(self):
        self.stopping = True
        try:
            self.lsock.close()
        except OSError:
            pass
        for t in self.threads:
            t.join(5)


# ------------------------------------------------------------ scenarios

def scram_forged(c, tls_ctx):
    """SCRAM-SHA-1 completed with a forged server signature."""
    if tls_ctx is not None:
        c.open_stream(FEAT_STARTTLS)
        c.expect(r'<starttls[^>]*>')
        c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        c.starttls(tls_ctx)
    c.open_stream(feat_mechs('SCRAM-SHA-1'))
    m = c.expect(r"<auth[^>]*mechanism=['\"]SCRAM-SHA-1['\"][^>]*>([^<]*)</auth>")
    first = base64.b64decode(m.group(1)).decode()
    cnonce = re.search(r'r=([^,]+)', first).group(1)
    snonce = cnonce + 'ServerNonce123'
    salt = base64.b64encode(b'0123456789abcdef').decode()
    c.send("<challenge xmlns='%s'>%s</challenge>" % (
        SASL_NS, base64.b64encode(('r=%s,s=%s,i=4096' % (snonce, salt)).encode()).decode()))
    c.expect(r'<response[^>]*>[^<]*</response>')
    forged = base64.b64encode(b'\x42' * 20).decode()
    c.send("<success xmlns='%s'>%s</success>" % (
        SASL_NS, base64.b64encode(('v=' + forged).encode()).decode()))
    c.drain()


def restricted(payload, where):
    def script(c, n):
        if where == 'before-header':
            c.expect(r'<stream:stream[^>]*>')
            c.send("<?xml version='1.0'?>" + payload + HEADER[len("<?xml version='1.0'?>"):] +
                   feat_mechs('PLAIN'))
        elif where == 'negotiation':
            c.expect(r'<stream:stream[^>]*>')
            c.send(HEADER + payload + feat_mechs('PLAIN'))
        else:  # after READY, inside a message
            c.login()
            c.online()
            c.send("<message from='friend@example.com/x' type='chat'><body>hi %s</body>"
                   "</message>" % payload)
        c.drain()
    return script


def spoofed_bind(c, n):
    """A bind result with the right id from a third party, then the real one."""
    c.open_stream(feat_mechs('PLAIN'))
    c.plain_auth()
    c.open_stream(FEAT_BIND)
    c.bind(JID + '/real',
           before="<iq type='result' id='{id}' from='mallory@evil.example/x'>"
                  "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>" + JID +
                  "/spoofed</jid></bind></iq>")
    c.online()
    c.send("<message from='friend@example.com/x' to='%s/real' type='chat'>"
           "<body>ping</body></message>" % JID)
    c.expect(r'<message[^>]*>.*?</message>')
    c.expect(r'</stream:stream>')
    c.send('</stream:stream>')


def echo_once(tls_ctx=None):
    def script(c, n):
        c.login(tls_ctx)
        c.online()
        c.send("<message from='friend@example.com/x' type='chat'><body>ping</body></message>")
        c.expect(r'<message[^>]*>.*?</message>')
        c.expect(r'</stream:stream>')
        c.send('</stream:stream>')
    return script


def second_delivery(c, n):
    """A message delivered twice, the second copy delay-stamped (a server
    redelivering after a stream it could not resume), is echoed once; a
    plain message with an id seen before is still echoed."""
    c.login(None)
    c.online()
    c.send("<message from='friend@example.com/x' type='chat' id='m1'><body>one</body></message>"
           "<message from='friend@example.com/x' type='chat' id='m1'><body>one</body>"
           "<delay xmlns='urn:xmpp:delay' from='example.com' stamp='2026-01-01T00:00:00Z'/></message>"
           "<message from='friend@example.com/y' type='chat' id='m2'><body>two</body>"
           "<origin-id xmlns='urn:xmpp:sid:0' id='o2'/></message>"
           "<message from='friend@example.com/x' type='chat' id='m3'><body>two</body>"
           "<origin-id xmlns='urn:xmpp:sid:0' id='o2'/>"
           "<delay xmlns='urn:xmpp:delay' from='example.com' stamp='2026-01-01T00:00:00Z'/></message>"
           "<message from='friend@example.com/x' type='chat' id='m4'><body>three</body></message>"
           "<message from='friend@example.com/x' type='chat' id='m4'><body>four</body></message>")
    for _ in range(4):
        c.expect(r'<message[^>]*>.*?</message>')
    c.expect(r'</stream:stream>')
    c.send('</stream:stream>')


SLOW_N, SLOW_BODY = 1000, 8000


def slow_reader(c, n):
    """The server sends 8 MB of messages and reads nothing for a while: the
    bot's output fills (socket buffers, then the session's high-water mark)
    and no echo may be dropped; then every echo is read."""
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    c.login(None)
    c.online()
    pad = 'x' * SLOW_BODY
    data = ''.join("<message from='friend@example.com/x' type='chat' id='s%d'><body>%d %s</body></message>"
                   % (i, i, pad) for i in range(SLOW_N))
    t = threading.Thread(target=lambda: c.send(data), daemon=True)
    t.start()
    time.sleep(3)
    for i in range(SLOW_N):
        c.expect(r'<body>%d x' % i)
    t.join(5)
    c.expect(r'</stream:stream>')
    c.send('</stream:stream>')


def invalid_sender(c, n):
    """A message whose 'from' is not a valid JID gets no echo; the next,
    valid one is echoed to the canonical form of its sender."""
    c.login(None)
    c.online()
    c.send("<message from='bad@@example.com/x' type='chat'><body>evil</body></message>"
           "<message from='Friend@EXAMPLE.com/x' type='chat'><body>ping</body></message>")
    c.expect(r'<message[^>]*>.*?</message>')
    c.expect(r'</stream:stream>')
    c.send('</stream:stream>')


def no_starttls(c, n):
    c.open_stream(feat_mechs('PLAIN'))
    c.drain()


def garbage_tls_direct(c, n):
    c.recv_some()  # the ClientHello
    c.send(b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n' + b'\x00' * 64)
    c.drain()


def garbage_tls_starttls(c, n):
    c.open_stream(FEAT_STARTTLS)
    c.expect(r'<starttls[^>]*>')
    c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    c.recv_some()
    c.send(b'\x16\x03\x03\x00\x05garbage-not-a-server-hello' + b'\xff' * 32)
    c.drain()


def tls_then_drain(tls_ctx):
    def script(c, n):
        c.open_stream(FEAT_STARTTLS)
        c.expect(r'<starttls[^>]*>')
        c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        try:
            c.starttls(tls_ctx)
        except (ssl.SSLError, OSError):
            return  # the client refused the certificate
        c.open_stream(feat_mechs('PLAIN'))
        c.drain()
    return script


def redirect_to(port_ref):
    def script(c, n):
        c.expect(r'<stream:stream[^>]*>')
        c.send(HEADER + "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>"
               "127.0.0.1:%d</see-other-host></stream:error></stream:stream>" % port_ref[0])
        c.drain(1.0)
    return script


def auth_refused(c, n):
    c.open_stream(feat_mechs('PLAIN'))
    c.expect(r'<auth[^>]*>.*?</auth>')
    c.send("<failure xmlns='%s'><not-authorized/></failure>" % SASL_NS)
    c.drain()


def tcp_eof_after_ready(c, n):
    c.login()
    c.online()
    c.sock.shutdown(socket.SHUT_RDWR)


def stream_error_then_reset(c, n):
    """A stream error, then a TCP reset at once: the client's last words
    (its closing tag) hit a dead socket. (Once a recursion between the
    failed write and the end-of-session handling: a stack overflow.)"""
    c.login()
    c.online()
    time.sleep(0.3)   # the bot has read the ping's answer: it waits for input
    c.send("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    c.sock.close()


def server_closes_stream(c, n):
    c.login()
    c.online()
    c.send('</stream:stream>')
    c.drain()


# ------------------------------------------------------------ the driver

FAIL_RX = re.compile(r'^(?P<prog>[\w.-]+): (?P<stage>.+?) failed: (?P<err>XMPPC_E\w+): (?P<detail>.+)$')


class Scenario:
    def __init__(self, name, servers, args, status, error=None, stage=None, stdout=None,
                 server_has=(), server_lacks=(), plaintext=True, timeout=BOT_TIMEOUT):
        self.name = name
        self.timeout = timeout
        self.servers = servers      # list of (script, direct_ctx); the bot talks to the first
        self.args = args
        self.status = status
        self.error = error
        self.stage = stage
        self.stdout = stdout
        self.server_has = server_has
        self.server_lacks = server_lacks
        self.plaintext = plaintext


def run_scenario(bot, sc):
    servers = []
    port_ref = sc.servers[0][2] if len(sc.servers[0]) > 2 else None
    for entry in sc.servers:
        servers.append(Server(entry[0], entry[1]))
    if port_ref is not None:  # redirect target: the last server
        port_ref[0] = servers[-1].port
    argv = WRAP + [bot, '--jid', JID, '--password', PASSWORD, '--no-reconnect',
            '--server', '127.0.0.1:%d' % servers[0].port] + sc.args
    if sc.plaintext:
        argv.append('--insecure-plaintext')
    problems = []
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=sc.timeout)
        status, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        status, out, err = 'timeout', e.stdout or '', e.stderr or ''
        if isinstance(out, bytes):
            out, err = out.decode(), (err.decode() if isinstance(err, bytes) else err)
    time.sleep(0.05)
    for s in servers:
        s.stop()
    received = ''.join(s.received() for s in servers)
    for s in servers:
        problems += ['server script: ' + e for e in s.errors]
    if status != sc.status:
        problems.append('exit %s, expected %s' % (status, sc.status))
    lines = [l for l in err.splitlines() if not l.endswith('(loopback tests and benchmarks only)')]
    fails = [FAIL_RX.match(l) for l in lines]
    fails = [m for m in fails if m]
    reason = ''
    if sc.error is not None:
        if len(fails) != 1 or len(lines) != 1:
            problems.append('expected one failure line, stderr: %r' % err)
        else:
            m = fails[0]
            reason = '%s: %s' % (m.group('stage'), m.group('err'))
            if m.group('err') != sc.error:
                problems.append('error %s, expected %s' % (m.group('err'), sc.error))
            if sc.stage is not None and m.group('stage') != sc.stage:
                problems.append('stage "%s", expected "%s"' % (m.group('stage'), sc.stage))
            if m.group('prog') != os.path.basename(bot):
                problems.append('program name %s' % m.group('prog'))
    elif fails:
        problems.append('unexpected failure line: %r' % err)
    if sc.stdout is not None and not re.search(sc.stdout, out, re.M):
        problems.append('stdout %r lacks %r' % (out, sc.stdout))
    for pat in sc.server_has:
        if not re.search(pat, received, re.S):
            problems.append('the server did not receive %r' % pat)
    for pat in sc.server_lacks:
        if re.search(pat, received, re.S):
            problems.append('the server received %r' % pat)
    if not reason:
        reason = (out.strip().splitlines() or lines or [''])[0]
    return status, reason, problems


def scenarios(pki):
    ctx_good = pki.server_ctx(pki.good)
    ctx_wrong = pki.server_ctx(pki.wrong)
    ctx_self = pki.server_ctx(pki.self_signed)
    ca = ['--cafile', pki.ca]
    redirect_port = [0]
    loop_port = [0]
    restricted_err = r'<stream:error><restricted-xml'
    return [
        Scenario('scram-forged-signature-plaintext', [(scram_forged_plain, None)],
                 ['--mechanism', 'SCRAM-SHA-1'], 3, 'XMPPC_ESASL_SERVER_SIGNATURE',
                 'authentication', server_lacks=[r'<iq']),
        Scenario('scram-forged-signature-starttls', [(scram_forged_tls(ctx_good), None)],
                 ['--mechanism', 'SCRAM-SHA-1'] + ca, 3, 'XMPPC_ESASL_SERVER_SIGNATURE',
                 'authentication', server_lacks=[r'<iq'], plaintext=False),
        Scenario('restricted-xml-comment', [(restricted('<!-- hello -->', 'negotiation'), None)],
                 [], 1, 'XMPPC_EXML_RESTRICTED', 'stream negotiation',
                 server_has=[restricted_err], server_lacks=[r'<auth']),
        Scenario('restricted-xml-pi', [(restricted("<?evil x='1'?>", 'negotiation'), None)],
                 [], 1, 'XMPPC_EXML_RESTRICTED', 'stream negotiation', server_has=[restricted_err]),
        Scenario('restricted-xml-dtd',
                 [(restricted("<!DOCTYPE stream:stream [<!ENTITY x 'y'>]>", 'before-header'), None)],
                 [], 1, 'XMPPC_EXML_RESTRICTED', 'stream negotiation', server_has=[restricted_err]),
        Scenario('restricted-xml-entity-after-ready', [(restricted('&evil;', 'ready'), None)],
                 [], 1, 'XMPPC_EXML_RESTRICTED', 'connection', stdout=r'^ready ',
                 server_has=[restricted_err], server_lacks=[r'<body>hi']),
        Scenario('spoofed-bind-result', [(spoofed_bind, None)], ['--max', '1'], 0,
                 stdout=r'^ready user@example\.com/real$',
                 server_has=[r"<message[^>]*to=['\"]friend@example\.com/x['\"]"]),
        Scenario('invalid-sender-address', [(invalid_sender, None)], ['--max', '1'], 0,
                 stdout=r'^ready ', server_has=[r"to=['\"]friend@example\.com/x['\"]"],
                 server_lacks=[r'evil']),
        Scenario('second-delivery-echoed-once', [(second_delivery, None)], ['--max', '4'], 0,
                 stdout=r'^ready ',
                 server_has=[r'<body>one</body>.*<body>two</body>.*<body>three</body>.*<body>four</body>'],
                 server_lacks=[r'<body>one</body>.*<body>one</body>', r'<body>two</body>.*<body>two</body>']),
        Scenario('slow-reader-no-echo-dropped', [(slow_reader, None)], ['--max', str(SLOW_N)], 0,
                 stdout=r'^ready ', server_has=[r'<body>%d x' % (SLOW_N - 1)], timeout=90),
        Scenario('echo-plaintext', [(echo_once(), None)], ['--max', '1'], 0,
                 stdout=r'^ready user@example\.com/res$', server_has=[r'<body>ping</body>']),
        Scenario('echo-starttls', [(echo_once(ctx_good), None)], ['--max', '1'] + ca, 0,
                 stdout=r'^ready ', server_has=[r'<body>ping</body>'], plaintext=False),
        Scenario('no-starttls-offered', [(no_starttls, None)], [], 4, 'XMPPC_ETLS_REQUIRED', 'TLS',
                 server_lacks=[r'<auth'], plaintext=False),
        Scenario('garbage-instead-of-server-hello-direct', [(garbage_tls_direct, None)],
                 ['--direct-tls'] + ca, 4, 'XMPPC_ETLS_HANDSHAKE', 'TLS', plaintext=False),
        Scenario('garbage-instead-of-server-hello-starttls', [(garbage_tls_starttls, None)], ca, 4,
                 'XMPPC_ETLS_HANDSHAKE', 'TLS', server_lacks=[r'<auth'], plaintext=False),
        Scenario('cert-wrong-name', [(tls_then_drain(ctx_wrong), None)], ca, 4,
                 'XMPPC_ETLS_CERT_NAME', 'TLS', server_lacks=[r'<auth'], plaintext=False),
        Scenario('cert-wrong-name-direct', [(echo_direct, ctx_wrong)], ['--direct-tls'] + ca, 4,
                 'XMPPC_ETLS_CERT_NAME', 'TLS', server_lacks=[r'<auth'], plaintext=False),
        Scenario('cert-untrusted', [(tls_then_drain(ctx_self), None)], ca, 4,
                 'XMPPC_ETLS_CERT_UNTRUSTED', 'TLS', server_lacks=[r'<auth'], plaintext=False),
        Scenario('cert-untrusted-pinned', [(echo_once(ctx_self), None)],
                 ['--max', '1', '--pin', pki.self_pin], 0, stdout=r'^ready ', plaintext=False),
        Scenario('cert-trusted-wrong-pin', [(tls_then_drain(ctx_good), None)],
                 ca + ['--pin', pki.self_pin], 4, 'XMPPC_ETLS_PIN', 'TLS',
                 server_lacks=[r'<auth'], plaintext=False),
        Scenario('see-other-host', [(redirect_to(redirect_port), None, redirect_port),
                                    (echo_once(), None)],
                 ['--max', '1'], 0, stdout=r'^ready ', server_has=[r'<body>ping</body>']),
        Scenario('see-other-host-loop', [(redirect_to(loop_port), None, loop_port)],
                 [], 1, 'XMPPC_ESEE_OTHER_HOST', 'stream negotiation', server_lacks=[r'<auth']),
        Scenario('auth-refused', [(auth_refused, None)], [], 3, 'XMPPC_EAUTH_NOT_AUTHORIZED',
                 'authentication'),
        Scenario('tcp-eof-after-ready', [(tcp_eof_after_ready, None)], [], 1, 'XMPPC_ETCP_EOF',
                 'connection', stdout=r'^ready '),
        Scenario('stream-error-then-reset', [(stream_error_then_reset, None)], [], 1,
                 'XMPPC_ESTREAM_ERROR', 'connection', stdout=r'^ready '),
        # A server-initiated close is reported as XMPPC_ECLOSED by the session
        # (tests/replay/transcripts/server-closes.xrt), so the bot's own
        # "the server closed the stream" line (error 0) is never printed.
        Scenario('server-closes-stream', [(server_closes_stream, None)], [], 1, 'XMPPC_ECLOSED',
                 'connection', stdout=r'^ready ', server_has=[r'</stream:stream>']),
    ]


def scram_forged_plain(c, n):
    scram_forged(c, None)


def scram_forged_tls(ctx):
    return lambda c, n: scram_forged(c, ctx)


def echo_direct(c, n):
    c.open_stream(feat_mechs('PLAIN'))
    c.drain()


def refused_scenario(bot):
    """No server at all: a bound port nobody listens on."""
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    try:
        p = subprocess.run(WRAP + [bot, '--jid', JID, '--password', PASSWORD, '--insecure-plaintext',
                            '--no-reconnect', '--server', '127.0.0.1:%d' % port], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=BOT_TIMEOUT)
    finally:
        s.close()
    lines = [l for l in p.stderr.splitlines() if 'warning' not in l]
    m = FAIL_RX.match(lines[0]) if len(lines) == 1 else None
    problems = []
    if p.returncode != 5:
        problems.append('exit %s, expected 5' % p.returncode)
    if m is None or m.group('err') != 'XMPPC_ETCP_REFUSED' or m.group('stage') != 'connection':
        problems.append('stderr %r' % p.stderr)
    return p.returncode, lines[-1] if lines else '', problems


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    bot = os.path.abspath(argv[1])
    only = set(argv[2:])
    if shutil.which('certtool') is None:
        print('certtool (gnutls-bin) not installed: skipped')
        return 77
    t0 = time.time()
    tmp = tempfile.mkdtemp(prefix='xmppc-hostile-')
    failed = []
    total = 0
    try:
        pki = Pki(tmp)
        results = []
        for sc in scenarios(pki):
            if only and sc.name not in only:
                continue
            results.append((sc.name, lambda sc=sc: run_scenario(bot, sc)))
        if not only or 'tcp-refused' in only:
            results.append(('tcp-refused', lambda: refused_scenario(bot)))
        for name, fn in results:
            total += 1
            status, reason, problems = fn()
            print('%-4s %-44s exit %-3s %s' % ('ok' if not problems else 'FAIL', name, status, reason))
            for pr in problems:
                print('       ' + pr)
            if problems:
                failed.append(name)
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d scenarios, %d passed, %d failed (%.1f s)%s' % (
        total, total - len(failed), len(failed), time.time() - t0,
        ': ' + ', '.join(failed) if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
