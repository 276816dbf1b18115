/**
 * @file ns.h
 * @brief XML namespace names used by XMPP core (RFC 6120/6121).
 */
#ifndef XMPPC_NS_H
#define XMPPC_NS_H

/** Content namespace of client streams. */
#define XMPPC_NS_CLIENT "jabber:client"
/** Content namespace of server-to-server and component streams. */
#define XMPPC_NS_SERVER "jabber:server"
/** The stream element's namespace. */
#define XMPPC_NS_STREAMS "http://etherx.jabber.org/streams"
/** Stream-error conditions. */
#define XMPPC_NS_STREAM_ERRORS "urn:ietf:params:xml:ns:xmpp-streams"
/** Stanza-error conditions. */
#define XMPPC_NS_STANZA_ERRORS "urn:ietf:params:xml:ns:xmpp-stanzas"
/** STARTTLS. */
#define XMPPC_NS_TLS "urn:ietf:params:xml:ns:xmpp-tls"
/** SASL. */
#define XMPPC_NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
/** Resource binding. */
#define XMPPC_NS_BIND "urn:ietf:params:xml:ns:xmpp-bind"
/** Legacy session establishment (RFC 3921). */
#define XMPPC_NS_SESSION "urn:ietf:params:xml:ns:xmpp-session"
/** The `xml:` prefix namespace (for `xml:lang`). */
#define XMPPC_NS_XML "http://www.w3.org/XML/1998/namespace"

#endif /* XMPPC_NS_H */
