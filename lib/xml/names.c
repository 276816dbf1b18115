/* Names: NCName validation, and a static table of the names and
 * namespaces XMPP uses everywhere, so the parser can point at one static
 * string instead of copying "message" or "jabber:client" into every
 * stanza. */
#include <pthread.h>
#include <string.h>

#include "util/hash.h"
#include "xml/tree.h"

static const char *const common_names[] = {
	/* namespaces */
	"jabber:client", "jabber:server", "http://etherx.jabber.org/streams",
	"urn:ietf:params:xml:ns:xmpp-streams", "urn:ietf:params:xml:ns:xmpp-stanzas",
	"urn:ietf:params:xml:ns:xmpp-tls", "urn:ietf:params:xml:ns:xmpp-sasl",
	"urn:ietf:params:xml:ns:xmpp-bind", "urn:ietf:params:xml:ns:xmpp-session",
	"http://www.w3.org/XML/1998/namespace", "urn:xmpp:sm:3", "urn:xmpp:carbons:2",
	"urn:xmpp:forward:0", "urn:xmpp:delay", "urn:xmpp:sid:0", "urn:xmpp:receipts",
	"urn:xmpp:chat-markers:0", "urn:xmpp:hints", "urn:xmpp:message-correct:0",
	"urn:xmpp:mam:2", "urn:xmpp:ping", "urn:xmpp:time", "urn:xmpp:csi:0",
	"urn:xmpp:blocking", "http://jabber.org/protocol/chatstates",
	"http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
	"http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc",
	"http://jabber.org/protocol/muc#user", "jabber:iq:roster", "jabber:iq:version",
	"jabber:iq:last", "jabber:iq:private", "jabber:iq:register", "vcard-temp",
	"jabber:x:data", "http://jabber.org/protocol/pubsub",
	"http://jabber.org/protocol/pubsub#event", "urn:xmpp:avatar:metadata",
	/* elements */
	"stream", "features", "message", "presence", "iq", "body", "subject", "thread",
	"error", "text", "query", "item", "group", "show", "status", "priority", "x", "c",
	"active", "inactive", "composing", "paused", "gone", "request", "received",
	"stanza-id", "origin-id", "delay", "markable", "displayed", "acknowledged",
	"replace", "store", "no-store", "no-copy", "no-permanent-store", "sent",
	"forwarded", "result", "fin", "r", "a", "enable", "enabled", "resume", "resumed",
	"failed", "ping", "bind", "jid", "resource", "session", "starttls", "proceed",
	"mechanisms", "mechanism", "auth", "challenge", "response", "success", "failure",
	"identity", "feature", "field", "value", "event", "items", "publish",
	"service-unavailable", "item-not-found", "feature-not-implemented", "bad-request",
	/* attributes */
	"id", "to", "from", "type", "lang", "xmlns", "version", "by", "stamp", "node",
	"ver", "hash", "name", "category", "var", "subscription", "ask", "h", "previd",
	"max", "location", "code", "mode", "xml",
};

#define TABLE_BITS 9
#define TABLE_SIZE (1u << TABLE_BITS)
static const char *table[TABLE_SIZE];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(common_names) / sizeof(common_names[0]); i++) {
		const char *s = common_names[i];
		size_t j = xmppc__hash_bytes(s, strlen(s)) & (TABLE_SIZE - 1);
		while (table[j] != NULL && strcmp(table[j], s) != 0)
			j = (j + 1) & (TABLE_SIZE - 1);
		table[j] = s;
	}
}

const char *xmppc__intern_lookup(const char *s, size_t len)
{
	size_t j;

	pthread_once(&table_once, build_table);
	for (j = xmppc__hash_bytes(s, len) & (TABLE_SIZE - 1); table[j] != NULL;
	     j = (j + 1) & (TABLE_SIZE - 1))
		if (strncmp(table[j], s, len) == 0 && table[j][len] == '\0')
			return table[j];
	return NULL;
}

const char *xmppc__doc_name(xmppc__doc *doc, const char *s, size_t len)
{
	const char *interned = xmppc__intern_lookup(s, len);
	return interned != NULL ? interned : xmppc__doc_strndup(doc, s, len);
}

/* NameStartChar / NameChar of XML 1.0 (5th edition) §2.3, minus ':'. */
static int name_char(uint32_t c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	if (c < 0x80)
		return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
	if ((c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) ||
	    (c >= 0x370 && c <= 0x37D) || (c >= 0x37F && c <= 0x1FFF) || c == 0x200C ||
	    c == 0x200D || (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
	    (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
	    (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF))
		return 1;
	return !first && (c == 0xB7 || (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040));
}

int xmppc__is_ncname(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (len == 0)
		return 0;
	while (i < len) {
		uint32_t c = p[i];
		size_t n = 1, k;

		if (c >= 0x80) {
			if (c >= 0xF0)
				n = 4, c &= 0x07;
			else if (c >= 0xE0)
				n = 3, c &= 0x0F;
			else if (c >= 0xC0)
				n = 2, c &= 0x1F;
			else
				return 0;
			if (i + n > len)
				return 0;
			for (k = 1; k < n; k++) {
				if ((p[i + k] & 0xC0) != 0x80)
					return 0;
				c = (c << 6) | (p[i + k] & 0x3F);
			}
		}
		if (!name_char(c, i == 0))
			return 0;
		i += n;
	}
	return 1;
}
