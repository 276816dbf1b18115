/**
 * @file xmppc.h
 * @brief Umbrella header: include this one to use xmppc.
 *
 * @mainpage xmppc
 * xmppc is an embeddable XMPP client library. Start with ctx.h (the
 * library context), stanza.h (the XML stanza object model), parser.h (the
 * hardened XML stream parser) and jid.h (addresses).
 */
#ifndef XMPPC_XMPPC_H
#define XMPPC_XMPPC_H

#include <xmppc/common.h>
#include <xmppc/error.h>
#include <xmppc/ctx.h>
#include <xmppc/buf.h>
#include <xmppc/ns.h>
#include <xmppc/stanza.h>
#include <xmppc/parser.h>
#include <xmppc/jid.h>
#include <xmppc/precis.h>
#include <xmppc/cbind.h>
#include <xmppc/session.h>
#include <xmppc/module.h>
#include <xmppc/conn.h>
#include <xmppc/loop.h>
#include <xmppc/disco.h>
#include <xmppc/caps.h>
#include <xmppc/roster.h>
#include <xmppc/presence.h>
#include <xmppc/im.h>
#include <xmppc/carbons.h>
#include <xmppc/version.h>
#include <xmppc/ping.h>
#include <xmppc/entity-time.h>
#include <xmppc/last.h>
#include <xmppc/blocking.h>
#include <xmppc/vcard.h>
#include <xmppc/private.h>
#include <xmppc/register.h>
#include <xmppc/sm.h>
#include <xmppc/liveness.h>

#endif /* XMPPC_XMPPC_H */
