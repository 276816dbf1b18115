"""Interop of the disco and caps modules (lib/ext/disco) with Prosody and
ejabberd, and with slixmpp as an independent XEP-0115 implementation:

  xmpp-disco     the example browses the server (disco#info + items,
                 --depth 1): identity server/im, the disco#info feature
  server-disco   caps-peer's own disco#info/#items queries of the server
  caps-theirs    slixmpp's caps (in a directed presence) verified by us
  caps-ours      our caps (with an extension form) verified by slixmpp's
                 xep_0115 plugin: it assigns our ver to our JID only when
                 its own hash of our disco#info matches

usage: disco-interop.py --caps-peer EXE --disco EXE"""

import argparse
import asyncio
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import interop_common as ic  # noqa: E402

KINDS = ('prosody', 'ejabberd')


async def run_kind(kind, st, args, res):
    u1, u2 = st['accounts'][0], st['accounts'][1]
    server = '%s:%d' % (st['host'], st['c2s_port'])

    # 1. the example, against the server
    p = ic.Program([args.disco, '--jid', u1['jid'], '--server', server, '--cafile', st['ca'],
                    '--depth', '1'], password=u1['password'])
    await p.start()
    rc = await p.finish(30)
    out = p.stdout
    ok = (rc == 0 and 'entity %s' % st['domain'] in out and 'identity server/im' in out and
          'feature http://jabber.org/protocol/disco#info' in out)
    res.record(kind, 'xmpp-disco', ok, 'exit %s, %d lines' % (rc, len(p.out_lines)),
               out + '\n' + p.stderr)

    # 2.-4. caps both ways with slixmpp
    peer = ic.Peer(st, u2, resource='slix')
    peer.c.register_plugin('xep_0030')
    peer.c.register_plugin('xep_0004')
    peer.c.register_plugin('xep_0115')
    await peer.start()
    await peer.c['xep_0115'].update_caps()   # slixmpp computes its ver only when asked
    cp = ic.Program([args.caps_peer, server, st['ca'], u1['jid'], u1['password'], u2['jid'], '40'])
    await cp.start()
    try:
        ready = await cp.wait_line('ready ', 20)
        own = await cp.wait_line('own-ver ', 5)
        info = await cp.wait_line('server-info ', 10)
        items = await cp.wait_line('server-items ', 10)
        res.record(kind, 'server-disco', bool(info and 'identity=server/im' in info and
                                              'disco-info=1' in info and items),
                   '%s; %s' % (info, items), cp.stdout)
        if not ready or not own:
            res.record(kind, 'caps-theirs', False, 'caps-peer not ready', cp.stdout + cp.stderr)
            res.record(kind, 'caps-ours', False, 'caps-peer not ready')
            return
        our_jid = ready.split()[1]
        our_ver = own.split()[1]
        peer.c.send_presence(pto=our_jid)   # slixmpp's filter adds its <c/>
        theirs = await cp.wait_line('peer-caps %s ' % peer.jid, 15)
        res.record(kind, 'caps-theirs', bool(theirs and 'caps=1' in theirs), str(theirs),
                   cp.stdout + cp.stderr)
        got = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            got = await peer.c['xep_0115'].get_verstring(our_jid)
            if got:
                break
            await asyncio.sleep(0.1)
        caps = await peer.c['xep_0115'].get_caps(our_jid) if got else None
        form_ok = caps is not None and 'urn:xmpp:dataforms:softwareinfo' in str(caps)
        res.record(kind, 'caps-ours', got == our_ver and form_ok,
                   'slixmpp has %s for %s, ours %s, form %s' % (got, our_jid, our_ver, form_ok),
                   cp.stdout + cp.stderr)
    finally:
        cp.terminate()
        await cp.finish(10)
        await peer.stop()


async def main_async(args, base, res):
    for kind in KINDS:
        s = ic.start_server(kind, ic.server_dir(base, kind), res)
        if s is None:
            continue
        try:
            await run_kind(kind, s.state, args, res)
        except Exception as e:  # noqa: BLE001 - a failure of this kind, go on
            res.record(kind, 'exception', False, repr(e))
        finally:
            s.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--caps-peer', required=True)
    ap.add_argument('--disco', required=True)
    args = ap.parse_args()
    ic.log_quiet()
    ic.check_requirements(KINDS, programs=(args.caps_peer, args.disco))
    res = ic.Results('disco-interop')
    base = ic.make_base('xmppc-disco-')
    ic.run_async(main_async(args, base, res))
    rc = res.summary()
    ic.finish_base(base, rc != 0)
    return rc


if __name__ == '__main__':
    sys.exit(main())
