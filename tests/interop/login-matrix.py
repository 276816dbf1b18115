#!/usr/bin/env python3
"""Log in to real Prosody and ejabberd servers with xmppc's session, TLS
filter and SASL mechanisms, in every combination the servers offer, and
check each outcome (a bound resource and a message to ourselves that comes
back, or the expected error).

usage: login-matrix.py LOGIN_BINARY
Prints one line per case and a summary; exit 1 if any case fails."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'servers'))
import xmppd  # noqa: E402

TLS12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2"

# (name, mechanisms, priority, direct TLS, wrong password, expected result, expected mechanism)
CASES = {
    'prosody': [
        ("default (strongest offered)", "-", "-", 0, False, "OK", "SCRAM-SHA-256"),
        ("SCRAM-SHA-1", "SCRAM-SHA-1", "-", 0, False, "OK", "SCRAM-SHA-1"),
        ("SCRAM-SHA-256", "SCRAM-SHA-256", "-", 0, False, "OK", "SCRAM-SHA-256"),
        ("PLAIN forced", "PLAIN", "-", 0, False, "OK", "PLAIN"),
        ("TLS 1.2: -PLUS with tls-unique", "-", TLS12, 0, False, "OK", "SCRAM-SHA-256-PLUS"),
        ("TLS 1.2: SCRAM-SHA-1-PLUS", "SCRAM-SHA-1-PLUS", TLS12, 0, False, "OK", "SCRAM-SHA-1-PLUS"),
        ("direct TLS (XEP-0368)", "-", "-", 1, False, "OK", "SCRAM-SHA-256"),
        ("wrong password", "-", "-", 0, True, "XMPPC_EAUTH_NOT_AUTHORIZED", None),
    ],
    'ejabberd': [
        ("default (strongest offered)", "-", "-", 0, False, "OK", "SCRAM-SHA-512"),
        ("SCRAM-SHA-1", "SCRAM-SHA-1", "-", 0, False, "OK", "SCRAM-SHA-1"),
        ("SCRAM-SHA-256", "SCRAM-SHA-256", "-", 0, False, "OK", "SCRAM-SHA-256"),
        ("SCRAM-SHA-512", "SCRAM-SHA-512", "-", 0, False, "OK", "SCRAM-SHA-512"),
        ("PLAIN forced", "PLAIN", "-", 0, False, "OK", "PLAIN"),
        ("TLS 1.2: -PLUS with tls-unique", "-", TLS12, 0, False, "OK", "SCRAM-SHA-512-PLUS"),
        ("TLS 1.2: SCRAM-SHA-1-PLUS", "SCRAM-SHA-1-PLUS", TLS12, 0, False, "OK", "SCRAM-SHA-1-PLUS"),
        ("direct TLS (XEP-0368)", "-", "-", 1, False, "OK", "SCRAM-SHA-512"),
        ("wrong password", "-", "-", 0, True, "XMPPC_EAUTH_NOT_AUTHORIZED", None),
    ],
}


def main():
    login = sys.argv[1]
    failed = passed = 0
    for kind, cases in CASES.items():
        with tempfile.TemporaryDirectory(prefix='xmppc-login-') as d:
            os.chmod(d, 0o755)
            with xmppd.Server(kind, d) as s:
                st = s.state
                acct = s.accounts[0]
                for name, mechs, prio, direct, wrong, want, want_mech in cases:
                    port = st['c2s_tls_port'] if direct else st['c2s_port']
                    pw = acct['password'] + ('x' if wrong else '')
                    p = subprocess.run([login, '127.0.0.1', str(port), st['domain'], s.ca, acct['jid'], pw,
                                        mechs, prio, str(direct), want],
                                       capture_output=True, text=True, timeout=60)
                    line = p.stdout.strip()
                    ok = p.returncode == 0 and (want_mech is None or ('mechanism=%s ' % want_mech) in line + ' ')
                    print('%s %-9s %-34s %s' % ('PASS' if ok else 'FAIL', kind, name, line))
                    if not ok and p.stderr:
                        print('  stderr: ' + p.stderr.strip()[:500])
                    passed += ok
                    failed += not ok
    print('login matrix: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
