#!/usr/bin/python3
"""The README's bot in a page, run for real: against a private Prosody it
logs in as user1, and xmpp-send (user2) sends it a message and must get
the same text back. Also run under valgrind when XMPPC_README_VALGRIND=1.
usage: readme-bot.py README-BOT XMPP-SEND"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop_common import xmppd  # noqa: E402


def main():
    bot_exe, send_exe = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix='xmppc-readme-') as d, \
            xmppd.Server('prosody', d) as s:
        env = s.env()
        server = f"127.0.0.1:{env['XMPPD_C2S_PORT']}"
        u1, u2 = s.accounts[0], s.accounts[1]
        bot = subprocess.Popen([bot_exe, u1['jid'], u1['password'], s.ca, server],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.5)
            body = f'readme bot {os.getpid()}'
            run_env = dict(os.environ, XMPPC_PASSWORD=u2['password'])
            r = subprocess.run([send_exe, '--jid', u2['jid'], '--server', server, '--cafile', s.ca,
                                '--wait-reply', '20', u1['jid'], body],
                               capture_output=True, text=True, env=run_env, timeout=60)
            alive = bot.poll() is None
        finally:
            bot.terminate()
            out, err = bot.communicate(timeout=10)
        ok = r.returncode == 0 and r.stdout.strip() == body and alive
        print(f"readme bot: {'ok' if ok else 'FAILED'}: echo {r.stdout.strip()!r} "
              f"(xmpp-send exit {r.returncode}, bot alive {alive})")
        if not ok:
            print('xmpp-send stderr:', r.stderr.strip())
            print('bot stderr:', err.strip())
        print(f"1 passed, 0 failed" if ok else "0 passed, 1 failed")
        return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
