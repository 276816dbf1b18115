#!/usr/bin/python3
"""Independent SCRAM client computations for test-scram.c.

Run once by hand (`/usr/bin/python3 tests/unit/sasl/gen-vectors.py`); the
printed messages are checked into test-scram.c as expected values. It
shares no code with xmppc: RFC 5802 §3 written out with Python's hashlib
(pbkdf2_hmac) and hmac, and the password prepared with Debian's
python3-precis-i18n (OpaqueString) when that is importable.

Each vector: mechanism, GS2 header, username, password, client nonce,
server-first-message and channel-binding data, giving the client-first,
client-final and server-final messages.
"""
import base64
import hashlib
import hmac

try:
    import precis_i18n

    def opaque(s):
        return precis_i18n.get_profile("OpaqueString").enforce(s)
except ImportError:  # pragma: no cover
    opaque = None

HASHES = {"SHA-1": "sha1", "SHA-256": "sha256", "SHA-512": "sha512"}


def saslname(s):
    return s.replace("=", "=3D").replace(",", "=2C")


def scram(hname, gs2, user, password, cnonce, snonce_suffix, salt, iters, cb=b"", extra=""):
    h = HASHES[hname]
    first_bare = "n=%s,r=%s" % (saslname(user), cnonce)
    client_first = gs2 + first_bare
    server_first = "r=%s%s,s=%s,i=%d%s" % (
        cnonce, snonce_suffix, base64.b64encode(salt).decode(), iters, extra)
    cbind = base64.b64encode(gs2.encode() + cb).decode()
    final_wo_proof = "c=%s,r=%s%s" % (cbind, cnonce, snonce_suffix)
    auth = ",".join([first_bare, server_first, final_wo_proof]).encode()
    pw = password.encode() if opaque is None else opaque(password).encode()
    salted = hashlib.pbkdf2_hmac(h, pw, salt, iters)
    ckey = hmac.new(salted, b"Client Key", h).digest()
    skey = hashlib.new(h, ckey).digest()
    csig = hmac.new(skey, auth, h).digest()
    proof = bytes(a ^ b for a, b in zip(ckey, csig))
    server_key = hmac.new(salted, b"Server Key", h).digest()
    ssig = hmac.new(server_key, auth, h).digest()
    return {
        "client_first": client_first,
        "server_first": server_first,
        "client_final": final_wo_proof + ",p=" + base64.b64encode(proof).decode(),
        "server_final": "v=" + base64.b64encode(ssig).decode(),
    }


def show(title, v):
    print("/* %s */" % title)
    for k in ("client_first", "server_first", "client_final", "server_final"):
        print('  %s: "%s"' % (k, v[k]))
    print()


SALT = bytes(range(1, 17))
CNONCE = "rOprNGfwEbeRWgbNEkqO"

# Self-check against RFC 5802 §5 and RFC 7677 §3 before printing anything.
v = scram("SHA-1", "n,,", "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL",
          "3rfcNHYJY1ZVvWVs7j", base64.b64decode("QSXCR+Q6sek8bf92"), 4096)
assert v["client_final"].endswith("p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="), v
assert v["server_final"] == "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="
v = scram("SHA-256", "n,,", "user", "pencil", "rOprNGfwEbeRWgbNEkqO",
          "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096)
assert v["client_final"].endswith("p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="), v
assert v["server_final"] == "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

show("SCRAM-SHA-512", scram("SHA-512", "n,,", "user", "pencil", CNONCE,
                            "3rfcNHYJY1ZVvWVs7j", SALT, 4096))
show("SCRAM-SHA-512, non-ASCII password (OpaqueString: NBSP -> SP, NFC)",
     scram("SHA-512", "n,,", "user", "pe\u00a0nce\u0301il", CNONCE, "xyz", SALT, 4096))
show("SCRAM-SHA-1-PLUS tls-server-end-point",
     scram("SHA-1", "p=tls-server-end-point,,", "user", "pencil", CNONCE, "srv",
           SALT, 4096, cb=bytes(range(0x20, 0x40))))
show("SCRAM-SHA-256-PLUS tls-exporter",
     scram("SHA-256", "p=tls-exporter,,", "user", "pencil", CNONCE, "srv",
           SALT, 4096, cb=bytes(range(0x80, 0xA0))))
show("SCRAM-SHA-512-PLUS tls-unique",
     scram("SHA-512", "p=tls-unique,,", "user", "pencil", CNONCE, "srv",
           SALT, 4096, cb=bytes(range(0, 12))))
show("SCRAM-SHA-256 'y' flag, authzid and username with ',' and '='",
     scram("SHA-256", "y,a=" + saslname("ad=min,x@example.org") + ",", "us,er=", "pencil",
           CNONCE, "srv", SALT, 4096))
show("SCRAM-SHA-1 with XEP-0474 h= (mechanisms SCRAM-SHA-1, SCRAM-SHA-1-PLUS; "
     "cb types tls-exporter, tls-server-end-point)",
     scram("SHA-1", "n,,", "user", "pencil", CNONCE, "srv", SALT, 4096,
           extra=",h=G6k/rBLDqgOhRRaCuuatSDFkJ08="))
