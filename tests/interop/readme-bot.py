#!/usr/bin/python3
"""The README's programs run for real against a private Prosody:
- the bot in a page logs in as user1; xmpp-send (user2) sends it a message
  and must get the same text back;
- the IM core in a page (examples/xmpp-im) logs in as user1, lists its
  (empty) roster, goes online, browses the server and prints a chat
  message xmpp-send (user2) sends it.
usage: readme-bot.py README-BOT XMPP-SEND [XMPP-IM]"""
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
        passed, failed = (1, 0) if ok else (0, 1)
        if len(sys.argv) > 3:
            im = subprocess.Popen([sys.argv[3], u1['jid'], u1['password'], s.ca, server],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                time.sleep(1.0)
                body = f'im page {os.getpid()}'
                r = subprocess.run([send_exe, '--jid', u2['jid'], '--server', server, '--cafile',
                                    s.ca, u1['jid'], body], capture_output=True, text=True,
                                   env=run_env, timeout=60)
                time.sleep(1.0)
            finally:
                im.terminate()
                out, err = im.communicate(timeout=10)
            want = [f"online {u1['jid']}/", 'server: ok', f"message from {u2['jid']}/"]
            ok = r.returncode == 0 and all(w in out for w in want) and body in out
            print(f"xmpp-im: {'ok' if ok else 'FAILED'}: {out.strip()!r}")
            if not ok:
                print('xmpp-im stderr:', err.strip())
            passed, failed = passed + ok, failed + (not ok)
        print(f"{passed} passed, {failed} failed")
        return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
