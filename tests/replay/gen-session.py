#!/usr/bin/env python3
"""Generate the session replay transcripts that need no SCRAM arithmetic:
negotiation failures, stream errors, IQ handling and tracking, observers,
timeouts and closing. Each is built from shared prologues so the exact
client bytes stay consistent. Run after changing it:

    python3 tests/replay/gen-session.py tests/replay/transcripts
"""
import base64
import os
import sys

NS = "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
OURS = "<?xml version='1.0'?><stream:stream to='example.com'%s version='1.0' xml:lang='en' " + NS + ">"
SRV = "<stream:stream " + NS + " id='%s' from='example.com' version='1.0'>"
ID = base64.urlsafe_b64encode(bytes([1]) * 12).decode()
TLS = "urn:ietf:params:xml:ns:xmpp-tls"
SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
BIND = "urn:ietf:params:xml:ns:xmpp-bind"
STREAMS = "urn:ietf:params:xml:ns:xmpp-streams"
STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
PLAIN_AUTH = "out <auth xmlns='%s' mechanism='PLAIN'>{b64:\\0juliet\\0pencil}</auth>" % SASL


def tls_prologue(config="config jid=juliet@example.com password=pencil mechanisms=PLAIN"):
    return [config, "random 01", "start", "out " + OURS % "",
            "in " + SRV % "s1" + "<stream:features><starttls xmlns='%s'/></stream:features>" % TLS,
            "out <starttls xmlns='%s'/>" % TLS, "in <proceed xmlns='%s'/>" % TLS,
            "result STARTTLS", "event STARTTLS", "secured tls=1.3",
            "out " + OURS % " from='juliet@example.com'"]


def features(mechs=("PLAIN",)):
    return ("in " + SRV % "s2" + "<stream:features><mechanisms xmlns='%s'>" % SASL +
            "".join("<mechanism>%s</mechanism>" % m for m in mechs) + "</mechanisms></stream:features>")


def to_binding(session_feature=""):
    return [features(), PLAIN_AUTH, "in <success xmlns='%s'/>" % SASL, "event AUTHENTICATED",
            "out " + OURS % " from='juliet@example.com'",
            "in " + SRV % "s3" + "<stream:features><bind xmlns='%s'/>%s</stream:features>"
            % (BIND, session_feature),
            "out <iq type=\"set\" id=\"%s\"><bind xmlns=\"%s\"/></iq>" % (ID, BIND)]


def ready(config=None, extra=()):
    lines = tls_prologue(config) if config else tls_prologue()
    lines += list(extra)
    lines += to_binding()
    lines += ["in <iq type='result' id='%s'><bind xmlns='%s'><jid>juliet@example.com/r1</jid></bind></iq>"
              % (ID, BIND), "event BOUND", "state READY"]
    return lines


def failed(code, out="out </stream:stream>"):
    return ([out] if out else []) + ["event DISCONNECTED " + code, "state FAILED", "error " + code]


S = {}

S["no-starttls"] = ["# TLS is required and the server does not offer STARTTLS: the session",
                    "# stops before any credential byte (no <auth/> is ever written).",
                    "config jid=juliet@example.com password=pencil", "random 01", "start",
                    "out " + OURS % "",
                    "in " + SRV % "s1" + "<stream:features><mechanisms xmlns='%s'><mechanism>PLAIN"
                    "</mechanism></mechanisms></stream:features>" % SASL,
                    "result XMPPC_ETLS_REQUIRED"] + failed("XMPPC_ETLS_REQUIRED") + [
                    "out-none", "trace-lacks <auth"]

S["starttls-refused"] = ["# The server answers <starttls/> with <failure/>.",
                         "config jid=juliet@example.com password=pencil", "random 01", "start",
                         "out " + OURS % "",
                         "in " + SRV % "s1" + "<stream:features><starttls xmlns='%s'/></stream:features>" % TLS,
                         "out <starttls xmlns='%s'/>" % TLS, "in <failure xmlns='%s'/></stream:stream>" % TLS,
                         "result XMPPC_ETLS_FAILED"] + failed("XMPPC_ETLS_FAILED")

S["unsolicited-proceed"] = ["# A <proceed/> we never asked for is a protocol violation.",
                            "config jid=juliet@example.com password=pencil", "random 01", "start",
                            "out " + OURS % "", "in " + SRV % "s1" + "<proceed xmlns='%s'/>" % TLS,
                            "result XMPPC_EPROTOCOL",
                            "out <stream:error><unsupported-stanza-type xmlns='%s'/></stream:error>" % STREAMS
                            ] + failed("XMPPC_EPROTOCOL")

S["stream-version"] = ["# A server header without version (XMPP 0.9) is refused.",
                       "config jid=juliet@example.com password=pencil", "random 01", "start",
                       "out " + OURS % "",
                       "in <stream:stream " + NS + " id='s1' from='example.com'>",
                       "result XMPPC_ESTREAM_VERSION",
                       "out <stream:error><unsupported-version xmlns='%s'/></stream:error>" % STREAMS
                       ] + failed("XMPPC_ESTREAM_VERSION") + ["condition unsupported-version sent"]

S["direct-tls"] = ["# Direct TLS (XEP-0368): secured before start, so the first header already",
                   "# carries 'from' and STARTTLS is not used.",
                   "config jid=juliet@example.com password=pencil mechanisms=PLAIN", "random 01",
                   "secured tls=1.3", "start", "out " + OURS % " from='juliet@example.com'",
                   features(), PLAIN_AUTH, "in <success xmlns='%s'/>" % SASL, "event AUTHENTICATED",
                   "out " + OURS % " from='juliet@example.com'"]

S["plaintext-mode"] = ["# Plaintext only by explicit flags; PLAIN over it needs the second flag.",
                       "config jid=juliet@example.com password=pencil flags=plaintext", "random 01", "start",
                       "out " + OURS % "",
                       "in " + SRV % "s1" + "<stream:features><mechanisms xmlns='%s'><mechanism>PLAIN"
                       "</mechanism></mechanisms></stream:features>" % SASL,
                       "result XMPPC_ESASL_NO_MECHANISM"] + failed("XMPPC_ESASL_NO_MECHANISM") + [
                       "trace-lacks <auth", "reset",
                       "config jid=juliet@example.com password=pencil flags=plaintext,plain-without-tls",
                       "random 01", "start", "out " + OURS % "",
                       "in " + SRV % "s1" + "<stream:features><starttls xmlns='%s'/><mechanisms xmlns='%s'>"
                       "<mechanism>PLAIN</mechanism></mechanisms></stream:features>" % (TLS, SASL),
                       PLAIN_AUTH]

S["plain-needs-both-flags"] = ["# PLAIN without TLS needs ALLOW_PLAINTEXT too: the configuration is refused.",
                               "config jid=juliet@example.com password=pencil flags=plain-without-tls",
                               "new-fails XMPPC_EINVAL"]

conds = ["aborted", "account-disabled", "credentials-expired", "encryption-required",
         "incorrect-encoding", "invalid-authzid", "invalid-mechanism", "malformed-request",
         "mechanism-too-weak", "not-authorized", "temporary-auth-failure"]
codes = ["ABORTED", "ACCOUNT_DISABLED", "CREDENTIALS_EXPIRED", "ENCRYPTION_REQUIRED", "INCORRECT_ENCODING",
         "INVALID_AUTHZID", "INVALID_MECHANISM", "MALFORMED_REQUEST", "MECHANISM_TOO_WEAK",
         "NOT_AUTHORIZED", "TEMPORARY"]
lines = ["# Every SASL <failure/> condition maps to its own error; nothing else is",
         "# tried afterwards (no second <auth/>: no fallback after a failure)."]
for cond, code in list(zip(conds, codes)) + [("some-future-condition", "FAILURE")]:
    lines += tls_prologue("config jid=juliet@example.com password=pencil mechanisms=PLAIN") + [
        features(), PLAIN_AUTH,
        "in <failure xmlns='%s'><%s/><text xml:lang='en'>no luck</text></failure>" % (SASL, cond),
        "result XMPPC_EAUTH_" + code] + failed("XMPPC_EAUTH_" + code) + [
        "sasl-condition " + cond, "out-none", "trace-has >></stream:stream>", "trace-lacks pencil",
        "reset"]
S["sasl-failures"] = lines[:-1]

S["no-fallback"] = ["# SCRAM fails: PLAIN, though offered, is not tried.",
                    "config jid=juliet@example.com password=pencil", "random 01", "start",
                    "out " + OURS % "",
                    "in " + SRV % "s1" + "<stream:features><starttls xmlns='%s'/></stream:features>" % TLS,
                    "out <starttls xmlns='%s'/>" % TLS, "in <proceed xmlns='%s'/>" % TLS,
                    "result STARTTLS", "event STARTTLS", "secured tls=1.3 exporter=0102",
                    "out " + OURS % " from='juliet@example.com'",
                    features(("PLAIN", "SCRAM-SHA-1")),
                    "out <auth xmlns='%s' mechanism='SCRAM-SHA-1'>{b64:y,,n=juliet,r=%s}</auth>"
                    % (SASL, base64.b64encode(bytes([1]) * 24).decode()),
                    "in <failure xmlns='%s'><not-authorized/></failure>" % SASL,
                    "result XMPPC_EAUTH_NOT_AUTHORIZED"] + failed("XMPPC_EAUTH_NOT_AUTHORIZED") + [
                    "out-none", "trace-lacks mechanism='PLAIN'"]

S["no-mechanism"] = ["# Nothing we may use is offered (denied, or unknown): refused.",
                     "config jid=juliet@example.com password=pencil denied=PLAIN"] + tls_prologue(
                     "config jid=juliet@example.com password=pencil denied=PLAIN")[1:] + [
                     features(("PLAIN", "X-UNKNOWN")),
                     "result XMPPC_ESASL_NO_MECHANISM"] + failed("XMPPC_ESASL_NO_MECHANISM")

S["features-twice"] = ["# A second <stream:features/> on the same stream (here during SASL) is a",
                       "# protocol violation, not a new negotiation (found by fuzzing)."] + tls_prologue() + [
    features(), PLAIN_AUTH,
    "in <stream:features><mechanisms xmlns='%s'><mechanism>SCRAM-SHA-1</mechanism></mechanisms>"
    "</stream:features>" % SASL,
    "result XMPPC_EPROTOCOL",
    "out <stream:error><unsupported-stanza-type xmlns='%s'/></stream:error>" % STREAMS
] + failed("XMPPC_EPROTOCOL")

S["bind-conflict"] = ["# The requested resource is taken and the server will not assign another."
                      ] + tls_prologue("config jid=juliet@example.com password=pencil mechanisms=PLAIN "
                                       "resource=balcony") + [
    features(), PLAIN_AUTH, "in <success xmlns='%s'/>" % SASL, "event AUTHENTICATED",
    "out " + OURS % " from='juliet@example.com'",
    "in " + SRV % "s3" + "<stream:features><bind xmlns='%s'/></stream:features>" % BIND,
    "out <iq type=\"set\" id=\"%s\"><bind xmlns=\"%s\"><resource>balcony</resource></bind></iq>" % (ID, BIND),
    "in <iq type='error' id='%s'><error type='cancel'><conflict xmlns='%s'/></error></iq>" % (ID, STANZAS),
    "result XMPPC_EBIND_CONFLICT"] + failed("XMPPC_EBIND_CONFLICT")

S["bind-error"] = ["# Any other bind error; and a bind result without a JID."] + tls_prologue() + to_binding() + [
    "in <iq type='error' id='%s'><error type='cancel'><not-allowed xmlns='%s'/></error></iq>" % (ID, STANZAS),
    "result XMPPC_EBIND"] + failed("XMPPC_EBIND") + ["reset"] + tls_prologue() + to_binding() + [
    "in <iq type='result' id='%s'/>" % ID, "result XMPPC_EBIND"] + failed("XMPPC_EBIND")

S["session-required"] = ["# An old server marks the RFC 3921 session as required: establish it;",
                         "# a server that marks it optional is not asked."] + tls_prologue() + to_binding(
    "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>") + [
    "in <iq type='result' id='%s'><bind xmlns='%s'><jid>juliet@example.com/r1</jid></bind></iq>" % (ID, BIND),
    "state BINDING", "no-event",
    "out <iq type=\"set\" id=\"%s\"><session xmlns=\"urn:ietf:params:xml:ns:xmpp-session\"/></iq>" % ID,
    "in <iq type='result' id='%s'/>" % ID, "event BOUND", "state READY", "reset"] + tls_prologue() + to_binding(
    "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>") + [
    "in <iq type='result' id='%s'><bind xmlns='%s'><jid>juliet@example.com/r1</jid></bind></iq>" % (ID, BIND),
    "event BOUND", "out-none", "reset"] + tls_prologue() + to_binding(
    "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>") + [
    "in <iq type='result' id='%s'><bind xmlns='%s'><jid>juliet@example.com/r1</jid></bind></iq>" % (ID, BIND),
    "out <iq type=\"set\" id=\"%s\"><session xmlns=\"urn:ietf:params:xml:ns:xmpp-session\"/></iq>" % ID,
    "in <iq type='error' id='%s'><error type='wait'><internal-server-error xmlns='%s'/></error></iq>"
    % (ID, STANZAS), "result XMPPC_ESESSION"] + failed("XMPPC_ESESSION")

stream_conds = ["bad-format", "bad-namespace-prefix", "conflict", "connection-timeout", "host-gone",
                "host-unknown", "improper-addressing", "internal-server-error", "invalid-from",
                "invalid-namespace", "invalid-xml", "not-authorized", "not-well-formed",
                "policy-violation", "remote-connection-failed", "reset", "resource-constraint",
                "restricted-xml", "system-shutdown", "undefined-condition", "unsupported-encoding",
                "unsupported-feature", "unsupported-stanza-type", "unsupported-version"]
lines = ["# Every stream-error condition from the server, before and after binding:",
         "# reported with its condition and text, answered with our closing tag."]
for i, c in enumerate(stream_conds):
    # on a freshly secured stream the server's header comes first
    pro = ready() if i % 2 else tls_prologue() + ["in " + SRV % "s2"]
    lines += pro + ["in <stream:error><%s xmlns='%s'/><text xmlns='%s'>why %s</text></stream:error>"
                    "</stream:stream>" % (c, STREAMS, STREAMS, c),
                    "result XMPPC_ESTREAM_ERROR", "event STREAM_ERROR " + c] + failed(
        "XMPPC_ESTREAM_ERROR") + ["condition %s received" % c, "reset"]
lines += tls_prologue() + ["in " + SRV % "s2", "in <stream:error><brand-new xmlns='%s'/></stream:error>" % STREAMS,
                           "event STREAM_ERROR undefined-condition"] + failed("XMPPC_ESTREAM_ERROR")
S["stream-errors"] = lines

S["see-other-host"] = ["# see-other-host: reported with the host so the driver can reconnect there."
                       ] + tls_prologue() + ["in " + SRV % "s2",
    "in <stream:error><see-other-host xmlns='%s'>other.example.net:5223</see-other-host>"
    "</stream:error></stream:stream>" % STREAMS,
    "result XMPPC_ESEE_OTHER_HOST", "event STREAM_ERROR see-other-host",
    "event SEE_OTHER_HOST other.example.net:5223"] + failed("XMPPC_ESEE_OTHER_HOST") + [
    "see-other-host other.example.net:5223", "condition see-other-host received"]

S["iq-requests"] = ["# Every IQ get/set gets exactly one answer; results and errors none."] + ready() + [
    "handler get jabber:iq:version query result",
    "handler-dup get jabber:iq:version query",
    "handler set urn:x:pass q pass", "handler get urn:x:fail q fail",
    "handler get urn:x:later q defer",
    "# a deferred answer: nothing now, the result when the application sends it",
    "in <iq type='get' id='d1' from='romeo@example.net/o'><q xmlns='urn:x:later'/></iq>",
    "out-none", "reply-deferred",
    "out <iq type=\"result\" id=\"d1\" to=\"romeo@example.net/o\"/>",
    "in <iq type='get' id='v1' from='romeo@example.net/o'><query xmlns='jabber:iq:version'/></iq>",
    "out <iq type=\"result\" id=\"v1\" to=\"romeo@example.net/o\"/>",
    "# the same namespace as set has no handler",
    "in <iq type='set' id='v2' from='romeo@example.net/o'><query xmlns='jabber:iq:version'/></iq>",
    "out <iq type=\"error\" id=\"v2\" to=\"romeo@example.net/o\"><error type=\"cancel\"><service-unavailable "
    "xmlns=\"%s\"/></error></iq>" % STANZAS,
    "in <iq type='get' id='u1'><nobody xmlns='urn:x:none'/></iq>",
    "out <iq type=\"error\" id=\"u1\"><error type=\"cancel\"><service-unavailable xmlns=\"%s\"/></error></iq>"
    % STANZAS,
    "in <iq type='set' id='p1'><q xmlns='urn:x:pass'/></iq>",
    "out <iq type=\"error\" id=\"p1\"><error type=\"cancel\"><service-unavailable xmlns=\"%s\"/></error></iq>"
    % STANZAS,
    "in <iq type='get' id='f1'><q xmlns='urn:x:fail'/></iq>",
    "out <iq type=\"error\" id=\"f1\"><error type=\"cancel\"><internal-server-error xmlns=\"%s\"/></error></iq>"
    % STANZAS,
    "# zero or two payloads: bad-request",
    "in <iq type='get' id='z1'/>",
    "out <iq type=\"error\" id=\"z1\"><error type=\"modify\"><bad-request xmlns=\"%s\"/></error></iq>" % STANZAS,
    "in <iq type='set' id='z2'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>",
    "out <iq type=\"error\" id=\"z2\"><error type=\"modify\"><bad-request xmlns=\"%s\"/></error></iq>" % STANZAS,
    "# an IQ with no valid type is answered bad-request once",
    "in <iq type='fetch' id='t1'><q xmlns='urn:x:pass'/></iq>",
    "out <iq type=\"error\" id=\"t1\"><error type=\"modify\"><bad-request xmlns=\"%s\"/></error></iq>" % STANZAS,
    "# results and errors are never answered, known id or not",
    "in <iq type='result' id='nobody-asked'/>",
    "in <iq type='error' id='nobody-asked-either'><error type='cancel'><gone xmlns='%s'/></error></iq>" % STANZAS,
    "out-none", "state READY"]

S["iq-tracking"] = ["# Replies reach the callback exactly once, only from the addressee",
                    "# (RFC 6120 §8.1.2.1): a reply with the right id from anyone else is",
                    "# ignored and the real reply still arrives."] + ready("config jid=juliet@example.com "
                    "password=pencil mechanisms=PLAIN iq-timeout=30000") + [
    "send-iq 0 <iq xmlns='jabber:client' type='get' id='q1' to='pubsub.example.com'><x xmlns='urn:x'/></iq>",
    "out <iq type=\"get\" id=\"q1\" to=\"pubsub.example.com\"><x xmlns=\"urn:x\"/></iq>",
    "in <iq type='result' id='q1' from='evil@example.org/x'/>", "no-iq-reply",
    "in <iq type='result' id='q1'/>", "no-iq-reply",
    "in <iq type='result' id='q1' from='example.com'/>", "no-iq-reply",
    "in <iq type='result' id='q1' from='PubSub.Example.com'/>", "iq-reply q1 result",
    "# ... and only once",
    "in <iq type='result' id='q1' from='pubsub.example.com'/>", "no-iq-reply",
    "# no 'to': the server answers for the account: no from, bare JID or domain",
    "send-iq 0 <iq xmlns='jabber:client' type='get' id='q2'><x xmlns='urn:x'/></iq>",
    "out <iq type=\"get\" id=\"q2\"><x xmlns=\"urn:x\"/></iq>",
    "in <iq type='result' id='q2' from='romeo@example.com'/>", "no-iq-reply",
    "in <iq type='result' id='q2' from='juliet@example.com'/>", "iq-reply q2 result",
    "send-iq 0 <iq xmlns='jabber:client' type='get' id='q3'><x xmlns='urn:x'/></iq>",
    "out <iq type=\"get\" id=\"q3\"><x xmlns=\"urn:x\"/></iq>",
    "in <iq type='result' id='q3'/>", "iq-reply q3 result",
    "send-iq 0 <iq xmlns='jabber:client' type='set' id='q4'><x xmlns='urn:x'/></iq>",
    "out <iq type=\"set\" id=\"q4\"><x xmlns=\"urn:x\"/></iq>",
    "in <iq type='error' id='q4' from='example.com'><error type='cancel'><item-not-found xmlns='%s'/>"
    "</error></iq>" % STANZAS, "iq-reply q4 error",
    "# an id already pending is refused; a result is not a request",
    "send-iq 0 <iq xmlns='jabber:client' type='get' id='q5' to='a@example.com'><x xmlns='urn:x'/></iq>",
    "out <iq type=\"get\" id=\"q5\" to=\"a@example.com\"><x xmlns=\"urn:x\"/></iq>",
    "send-fails XMPPC_EEXIST <iq xmlns='jabber:client' type='get' id='q5'><x xmlns='urn:x'/></iq>",
    "# timeout: the deadline is reported, then the callback fires once",
    "deadline 30000", "clock +29999", "deadlines", "no-iq-reply", "clock +1", "deadlines",
    "iq-reply q5 timeout", "deadline none",
    "in <iq type='result' id='q5' from='a@example.com'/>", "no-iq-reply",
    "# a custom timeout, and disconnection with one still pending",
    "send-iq 500 <iq xmlns='jabber:client' type='get' id='q6' to='b@example.com'><x xmlns='urn:x'/></iq>",
    "out <iq type=\"get\" id=\"q6\" to=\"b@example.com\"><x xmlns=\"urn:x\"/></iq>",
    "deadline 30500",
    "send-iq 0 <iq xmlns='jabber:client' type='get' id='q7' to='b@example.com'><x xmlns='urn:x'/></iq>",
    "out <iq type=\"get\" id=\"q7\" to=\"b@example.com\"><x xmlns=\"urn:x\"/></iq>",
    "transport-closed XMPPC_ECLOSED", "iq-reply q6 disconnected", "iq-reply q7 disconnected",
    "event DISCONNECTED XMPPC_ECLOSED", "state FAILED"]
# send-fails checks xmppc_session_send; EEXIST comes from send_iq: patch the command
S["iq-tracking"] = [l.replace("send-fails XMPPC_EEXIST", "send-iq-fails XMPPC_EEXIST") for l in S["iq-tracking"]]

S["observers"] = ["# Observers run by priority; filters by kind, payload namespace and sender;",
                  "# OK stops the chain, REMOVE drops the observer; non-stanzas never reach them."] + ready() + [
    "observer all prio=0", "observer msgs kind=message prio=10", "observer states ns=http://jabber.org/protocol/chatstates prio=5",
    "observer romeo from=romeo@example.net prio=1", "observer romeo-o from=romeo@example.net/orchard prio=2",
    "in <message id='m1' from='romeo@example.net/orchard' type='chat'><body>hi</body></message>",
    "seen msgs m1", "seen romeo-o m1", "seen romeo m1", "seen all m1", "not-seen states",
    "in <presence id='p1' from='romeo@example.net/garden'/>",
    "seen romeo p1", "seen all p1", "not-seen msgs", "not-seen romeo-o",
    "in <message id='m2' from='nurse@example.net/x'><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
    "seen msgs m2", "seen states m2", "seen all m2", "not-seen romeo",
    "# not stanzas: other namespaces, unknown names",
    "in <message xmlns='urn:not:client' id='x1'/><foo id='x2'/><stream:features/>",
    "result XMPPC_EPROTOCOL"]
S["observers"] = S["observers"][:-2] + [
    "in <message xmlns='urn:not:client' id='x1'/><foo id='x2'/>",
    "not-seen all", "not-seen msgs", "state READY", "out-none",
    "observer stopper kind=message prio=100 action=ok",
    "in <message id='m3'/>", "seen stopper m3", "not-seen msgs", "not-seen all",
    "observer once kind=presence prio=50 action=remove",
    "in <presence id='p2'/>", "seen once p2", "seen all p2",
    "in <presence id='p3'/>", "not-seen once", "seen all p3"]

S["stanzas-before-bind"] = ["# Stanzas before binding are never dispatched."] + tls_prologue() + [
    "observer all prio=0"] + to_binding() + [
    "in <message id='early' from='romeo@example.net/o'><body>too soon</body></message>",
    "not-seen all",
    "in <iq type='result' id='%s'><bind xmlns='%s'><jid>juliet@example.com/r1</jid></bind></iq>" % (ID, BIND),
    "event BOUND", "in <message id='later'/>", "seen all later",
    "send-fails XMPPC_ESTATE <message xmlns='jabber:client'/>"]
# sending before READY must fail: check it at the start instead
S["stanzas-before-bind"] = S["stanzas-before-bind"][:-1]
S["send-before-ready"] = ["# Sending before READY is refused."] + tls_prologue() + [
    "send-fails XMPPC_ESTATE <message xmlns='jabber:client'><body>x</body></message>", "out-none"]

M = "<message xmlns='jabber:client' to='romeo@example.net'><body>%s</body></message>"
MOUT = "<message to=\"romeo@example.net\"><body>%s</body></message>"
S["backpressure"] = ["# The output queue is bounded: at the high-water mark (here 300 bytes)",
                     "# application sends are refused with EAGAIN and nothing is queued; the",
                     "# drain callback fires once the queue is below half the mark. Replies the",
                     "# session owes are never refused."] + ready(
    "config jid=juliet@example.com password=pencil mechanisms=PLAIN output-limit=300") + [
    "send " + M % ("a" * 60), "send " + M % ("b" * 60), "send " + M % ("c" * 60),
    "send-fails XMPPC_EAGAIN " + M % "refused",
    "send-iq-fails XMPPC_EAGAIN <iq xmlns='jabber:client' type='get' id='x1'><ping xmlns='urn:xmpp:ping'/></iq>",
    "# an IQ request still gets its answer",
    "in <iq type='get' id='g1'><q xmlns='urn:none'/></iq>",
    "drains 0", "consume 100", "drains 0",
    "out " + (MOUT % ("a" * 60))[100:] + MOUT % ("b" * 60) + MOUT % ("c" * 60),
    "drains 1",
    "out <iq type=\"error\" id=\"g1\"><error type=\"cancel\"><service-unavailable xmlns=\"%s\"/></error></iq>" % STANZAS,
    "send " + M % "again", "out " + MOUT % "again", "drains 1"]

S["restricted-xml"] = ["# Restricted XML from the server: we end the stream with the right error."
                       ] + ready() + ["in <message><body>x</body></message><!-- comment -->",
                                      "result XMPPC_EXML_RESTRICTED",
                                      "out <stream:error><restricted-xml xmlns='%s'/></stream:error>" % STREAMS
                                      ] + failed("XMPPC_EXML_RESTRICTED") + ["condition restricted-xml sent",
                                                                               "reset"] + ready() + [
    "in <message>\x01</message>", "result XMPPC_EXML_INVALID_CHAR",
    "out <stream:error><not-well-formed xmlns='%s'/></stream:error>" % STREAMS
] + failed("XMPPC_EXML_INVALID_CHAR")

S["server-closes"] = ["# The server closes its stream: we close ours, report ECLOSED."] + ready() + [
    "in </stream:stream>", "result CLOSED", "out </stream:stream>", "event DISCONNECTED XMPPC_ECLOSED",
    "state FAILED"]

S["close"] = ["# Clean close and the close timeout."] + ready("config jid=juliet@example.com password=pencil "
    "mechanisms=PLAIN close-timeout=2000") + [
    "close", "out </stream:stream>", "state CLOSING", "close XMPPC_ESTATE", "deadline 2000",
    "clock +1999", "deadlines", "state CLOSING", "clock +1", "deadlines XMPPC_ETIMEOUT",
    "event DISCONNECTED XMPPC_ETIMEOUT", "state CLOSED", "deadline none"]

S["negotiation-timeout"] = ["# A server that never finishes negotiating: the session gives up."] + [
    "config jid=juliet@example.com password=pencil negotiation-timeout=10000", "random 01", "start",
    "out " + OURS % "", "deadline 10000", "clock +9999", "deadlines", "state NEGOTIATING", "clock +1",
    "deadlines XMPPC_ETIMEOUT",
    "out <stream:error><connection-timeout xmlns='%s'/></stream:error></stream:stream>" % STREAMS
] + failed("XMPPC_ETIMEOUT", out=None)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for name, lines in S.items():
        with open(os.path.join(out, name + ".xrt"), "w") as f:
            f.write("\n".join(lines) + "\n")
    print("\n".join(S))


if __name__ == "__main__":
    main()
