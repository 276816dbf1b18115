#!/usr/bin/env python3
"""Generate the SCRAM replay transcripts.

An independent SCRAM implementation (RFC 5802, RFC 7677, XEP-0474) on
Python's hashlib/hmac computes, for each scenario, the exact client messages
xmppc must send and the server messages it must accept or refuse. The
transcripts are checked in; run this script again after changing it:

    python3 tests/replay/gen-scram.py tests/replay/transcripts

The client nonce is what xmppc makes from the replay runner's random source
(`random 01`: every byte 0x01): base64 of 24 bytes.
"""
import base64
import hashlib
import hmac
import os
import sys

HASHES = {"SHA-1": hashlib.sha1, "SHA-256": hashlib.sha256, "SHA-512": hashlib.sha512}
CLIENT_NONCE = base64.b64encode(bytes([1]) * 24).decode()
ID = base64.urlsafe_b64encode(bytes([1]) * 12).decode()
SALT = base64.b64decode("QSXCR+Q6sek8bf92")
CB = {"tls-unique": "0a0b0c0d0e0f", "tls-server-end-point": "1112131415161718",
      "tls-exporter": "2122232425262728292a2b2c2d2e2f30"}
STREAM_NS = ("xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'")
OUR_HEADER = ("<?xml version='1.0'?><stream:stream to='example.com'%s version='1.0' "
              "xml:lang='en' " + STREAM_NS + ">")
SERVER_HEADER = ("<stream:stream " + STREAM_NS + " id='%s' from='example.com' version='1.0'>")


def b64(b):
    return base64.b64encode(b).decode()


def scram(hname, password, client_first_bare, server_first, client_final_wo_proof, iterations):
    h = HASHES[hname]
    salted = hashlib.pbkdf2_hmac(h().name, password.encode(), SALT, iterations)
    client_key = hmac.new(salted, b"Client Key", h).digest()
    stored = h(client_key).digest()
    auth = ",".join([client_first_bare, server_first, client_final_wo_proof]).encode()
    sig = hmac.new(stored, auth, h).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, sig))
    server_key = hmac.new(salted, b"Server Key", h).digest()
    server_sig = hmac.new(server_key, auth, h).digest()
    return b64(proof), b64(server_sig)


def ssdp(hname, mechs, cbs):
    s = "\x1e".join(sorted(mechs))
    if cbs is not None:
        s += "\x1f" + "\x1e".join(sorted(cbs))
    return b64(HASHES[hname](s.encode()).digest())


def transcript(name, comment, mech, tls="1.3", cb_have=("tls-server-end-point", "tls-exporter"),
               offered=None, cb_list=None, expect_gs2=None, iterations=4096, server_nonce="srv%Nonce",
               h_attr=None, final="good", nonce_override=None, extra_first="", outcome="bound",
               resource=None, expected_error=None, min_iter=None, max_iter=None, challenges=None):
    hname = mech.replace("SCRAM-", "").replace("-PLUS", "")
    plus = mech.endswith("-PLUS")
    offered = offered or [mech]
    lines = ["# " + l for l in comment.strip().split("\n")]
    cfg = "config jid=user@example.com password=pencil"
    if resource:
        cfg += " resource=" + resource
    if min_iter is not None:
        cfg += " min-iter=%d" % min_iter
    if max_iter is not None:
        cfg += " max-iter=%d" % max_iter
    if challenges is not None:
        cfg += " challenges=%d" % challenges
    lines += [cfg, "random 01", "start",
              "out " + OUR_HEADER % "",
              "in " + SERVER_HEADER % "s1" + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
              "</stream:features>",
              "out <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
              "in <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
              "result STARTTLS", "event STARTTLS"]
    sec = "secured tls=%s" % tls
    keys = {"tls-unique": "unique", "tls-server-end-point": "endpoint", "tls-exporter": "exporter"}
    for t in cb_have:
        sec += " %s=%s" % (keys[t], CB[t])
    lines += [sec, "out " + OUR_HEADER % " from='user@example.com'"]
    feats = "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" + "".join(
        "<mechanism>%s</mechanism>" % m for m in offered) + "</mechanisms>"
    if cb_list is not None:
        feats += "<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>" + "".join(
            "<channel-binding type='%s'/>" % t for t in cb_list) + "</sasl-channel-binding>"
    lines.append("in " + SERVER_HEADER % "s2" + "<stream:features>" + feats + "</stream:features>")
    gs2 = expect_gs2
    cbtype = gs2[2:-2] if gs2.startswith("p=") else None
    client_first_bare = "n=user,r=" + CLIENT_NONCE
    lines.append("out <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='%s'>%s</auth>"
                 % (mech, b64((gs2 + client_first_bare).encode())))
    snonce = (nonce_override if nonce_override is not None else CLIENT_NONCE + server_nonce)
    server_first = "r=%s,s=%s,i=%d%s" % (snonce, b64(SALT), iterations, extra_first)
    if h_attr == "good":
        server_first += ",h=" + ssdp(hname, offered, cb_list)
    elif h_attr == "bad":
        server_first += ",h=" + ssdp(hname, offered + ["SCRAM-SHA-1"] if "SCRAM-SHA-1" not in offered
                                     else offered[1:], cb_list)
    lines.append("in <challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>%s</challenge>"
                 % b64(server_first.encode()))
    if outcome.startswith("fail-first"):
        lines += ["out <abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", "out </stream:stream>",
                  "result " + expected_error, "event DISCONNECTED " + expected_error,
                  "state FAILED", "error " + expected_error]
        return "\n".join(lines) + "\n"
    cbind_input = gs2.encode() + (bytes.fromhex(CB[cbtype]) if cbtype else b"")
    client_final_wo_proof = "c=%s,r=%s" % (b64(cbind_input), snonce)
    proof, server_sig = scram(hname, "pencil", client_first_bare, server_first,
                              client_final_wo_proof, iterations)
    lines.append("out <response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>%s</response>"
                 % b64((client_final_wo_proof + ",p=" + proof).encode()))
    if final == "good":
        sf = "v=" + server_sig
    elif final == "wrong":
        sig = bytearray(base64.b64decode(server_sig))
        sig[0] ^= 1
        sf = "v=" + b64(bytes(sig))
    elif final == "error":
        sf = "e=invalid-proof"
    else:
        sf = None
    if outcome == "flood":
        # the server-final comes as a further challenge, one more than allowed
        lines += ["in <challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>%s</challenge>" % b64(sf.encode()),
                  "out <abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", "out </stream:stream>",
                  "result " + expected_error, "event DISCONNECTED " + expected_error,
                  "state FAILED", "error " + expected_error]
        return "\n".join(lines) + "\n"
    if outcome == "final-challenge":
        # some servers send v= in a challenge and then an empty <success/>
        lines += ["in <challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>%s</challenge>" % b64(sf.encode()),
                  "out <response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'></response>",
                  "in <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
                  "event AUTHENTICATED", "mechanism " + mech,
                  "out " + OUR_HEADER % " from='user@example.com'"]
        return "\n".join(lines) + "\n"
    lines.append("in <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>%s</success>"
                 % (b64(sf.encode()) if sf else ""))
    if outcome == "bound":
        lines += ["event AUTHENTICATED", "mechanism " + mech,
                  "out " + OUR_HEADER % " from='user@example.com'",
                  "in " + SERVER_HEADER % "s3" + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:"
                  "xmpp-bind'/></stream:features>",
                  "out <iq type=\"set\" id=\"%s\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/></iq>" % ID,
                  "in <iq type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                  "<jid>user@example.com/4db06f06</jid></bind></iq>" % ID,
                  "event BOUND", "state READY", "jid user@example.com/4db06f06",
                  "trace-lacks " + proof, "trace-has [redacted]"]
    else:
        # The success is refused: nothing is bound, the stream ends.
        lines += ["out </stream:stream>", "result " + expected_error,
                  "event DISCONNECTED " + expected_error, "state FAILED", "error " + expected_error,
                  "deadline none"]
    return "\n".join(lines) + "\n"


SCENARIOS = {
    "scram-sha-1": dict(comment="SCRAM-SHA-1 on TLS 1.3; the server offers no -PLUS and no XEP-0440\n"
                        "list, the client could bind: GS2 'y' flag (RFC 5802 §6).",
                        mech="SCRAM-SHA-1", expect_gs2="y,,"),
    "scram-sha-256": dict(comment="SCRAM-SHA-256 preferred over SCRAM-SHA-1 and PLAIN.",
                          mech="SCRAM-SHA-256", offered=["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"],
                          expect_gs2="y,,"),
    "scram-sha-512": dict(comment="SCRAM-SHA-512, the strongest offered.", mech="SCRAM-SHA-512",
                          offered=["SCRAM-SHA-1", "SCRAM-SHA-512", "SCRAM-SHA-256"], expect_gs2="y,,"),
    "scram-sha-1-plus-unique": dict(
        comment="TLS 1.2, no XEP-0440 list: tls-unique (what RFC 6120 servers do).",
        mech="SCRAM-SHA-1-PLUS", tls="1.2", cb_have=("tls-unique", "tls-server-end-point"),
        offered=["SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"], expect_gs2="p=tls-unique,,"),
    "scram-sha-256-plus-exporter": dict(
        comment="TLS 1.3 with a XEP-0440 list: tls-exporter, the strongest both have;\n"
                "the server's XEP-0474 hash matches what it advertised.",
        mech="SCRAM-SHA-256-PLUS", offered=["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"],
        cb_list=["tls-server-end-point", "tls-exporter"], expect_gs2="p=tls-exporter,,", h_attr="good"),
    "scram-sha-512-plus-endpoint": dict(
        comment="The XEP-0440 list names only tls-server-end-point: that one.",
        mech="SCRAM-SHA-512-PLUS", offered=["SCRAM-SHA-512", "SCRAM-SHA-512-PLUS"],
        cb_list=["tls-server-end-point"], expect_gs2="p=tls-server-end-point,,"),
    "scram-plus-tls13-no-list": dict(
        comment="TLS 1.3, -PLUS offered but no XEP-0440 list (ejabberd 23.01): no type is safe\n"
                "to guess, so no -PLUS; and not 'y' either, the server did offer binding.",
        mech="SCRAM-SHA-256", offered=["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"], expect_gs2="n,,"),
    "scram-plus-stripped": dict(
        comment="A man in the middle strips the -PLUS mechanisms: the client, able to bind,\n"
                "says so with 'y' and the real server will refuse (RFC 5802 §6).",
        mech="SCRAM-SHA-1", tls="1.2", cb_have=("tls-unique",), offered=["SCRAM-SHA-1"],
        expect_gs2="y,,"),
    "scram-bad-signature": dict(
        comment="A wrong server signature: the server does not know the password. Refused,\n"
                "nothing bound.", mech="SCRAM-SHA-256", expect_gs2="y,,", final="wrong",
        outcome="fail", expected_error="XMPPC_ESASL_SERVER_SIGNATURE"),
    "scram-missing-signature": dict(
        comment="<success/> without the server signature: refused.", mech="SCRAM-SHA-256",
        expect_gs2="y,,", final="missing", outcome="fail", expected_error="XMPPC_ESASL_SERVER_SIGNATURE"),
    "scram-server-error": dict(
        comment="The server-final message carries e=.", mech="SCRAM-SHA-1", expect_gs2="y,,",
        final="error", outcome="fail", expected_error="XMPPC_ESASL_SERVER_ERROR"),
    "scram-bad-nonce": dict(
        comment="The server nonce does not extend the client's.", mech="SCRAM-SHA-1",
        expect_gs2="y,,", nonce_override="AAAA" + CLIENT_NONCE[4:] + "srv", outcome="fail-first",
        expected_error="XMPPC_ESASL_NONCE"),
    "scram-iterations-zero": dict(
        comment="i=0 is refused.", mech="SCRAM-SHA-1", expect_gs2="y,,", iterations=0,
        outcome="fail-first", expected_error="XMPPC_ESASL_ITERATIONS"),
    "scram-iterations-max": dict(
        comment="i=2^32-1 is refused (above the cap).", mech="SCRAM-SHA-1", expect_gs2="y,,",
        iterations=4294967295, outcome="fail-first", expected_error="XMPPC_ESASL_ITERATIONS"),
    "scram-iterations-low": dict(
        comment="i=4095 is below the default floor of 4096.", mech="SCRAM-SHA-1", expect_gs2="y,,",
        iterations=4095, outcome="fail-first", expected_error="XMPPC_ESASL_ITERATIONS"),
    "scram-downgrade": dict(
        comment="XEP-0474: the server's hash is over another mechanism list than we saw\n"
                "(an attacker removed one): refused before any proof is sent.",
        mech="SCRAM-SHA-256", offered=["SCRAM-SHA-1", "SCRAM-SHA-256"], expect_gs2="y,,",
        h_attr="bad", outcome="fail-first", expected_error="XMPPC_ESASL_DOWNGRADE"),
    "scram-challenge-flood": dict(
        comment="More challenges than allowed (here 1): the exchange is aborted.",
        mech="SCRAM-SHA-1", expect_gs2="y,,", challenges=1, outcome="flood",
        expected_error="XMPPC_ESASL_TOO_MANY_CHALLENGES"),
    "scram-final-in-challenge": dict(
        comment="The server signature arrives in a final challenge; <success/> is then empty.",
        mech="SCRAM-SHA-256", expect_gs2="y,,", outcome="final-challenge"),
    "scram-mandatory-extension": dict(
        comment="An m= attribute (mandatory extension) cannot be honoured: refused.",
        mech="SCRAM-SHA-1", expect_gs2="y,,", extra_first="", nonce_override=None,
        outcome="fail-first", expected_error="XMPPC_ESASL_MALFORMED"),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for name, kw in SCENARIOS.items():
        if name == "scram-mandatory-extension":
            # m= must come first (RFC 5802 §5.1)
            kw = dict(kw)
            text = transcript(name, **kw)
            text = text.replace(
                b64(("r=%s,s=%s,i=4096" % (CLIENT_NONCE + "srv%Nonce", b64(SALT))).encode()),
                b64(("m=ext,r=%s,s=%s,i=4096" % (CLIENT_NONCE + "srv%Nonce", b64(SALT))).encode()))
        else:
            text = transcript(name, **kw)
        with open(os.path.join(out, name + ".xrt"), "w") as f:
            f.write(text)
    print("\n".join(sorted(SCENARIOS)))


if __name__ == "__main__":
    main()
