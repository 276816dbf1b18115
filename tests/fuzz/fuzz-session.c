/* Fuzz the session with hostile server bytes after a canned prologue.
 *
 * Input: byte 0 picks the stage the prologue reaches (0: stream just
 * opened, 1: STARTTLS offered, 2: secured, features pending, 3: PLAIN sent,
 * 4: bind requested; the seeds answer it), byte 1 the chunk size, the rest is fed as server bytes.
 * Invariants (abort on violation):
 *  - while the stream is not secured, no <auth/> or <response/> is ever
 *    written (no credential before TLS when TLS is required);
 *  - no message, presence or IQ request reaches the application before
 *    the BOUND event;
 *  - once the session has failed or closed, feeding returns XMPPC_ESTATE;
 *  - no crash, no leak (ASan/LeakSanitizer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xmppc/xmppc.h>

#define NS_ "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"

static xmppc_ctx *ctx;
static int bound, secured, dispatched_early;

static void event_fn(void *ud, xmppc_session *s, const xmppc_session_event *ev)
{
	(void)ud;
	(void)s;
	if (ev->type == XMPPC_EVENT_BOUND)
		bound = 1;
}

static int observer(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	(void)ud;
	(void)st;
	if (!bound || xmppc_session_get_state(s) != XMPPC_SESSION_STATE_READY)
		dispatched_early = 1;
	return XMPPC_CB_PASS;
}

static int handler(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	xmppc_stanza *r;
	(void)ud;
	if (!bound)
		dispatched_early = 1;
	if (xmppc_iq_new_result(&r, iq) == 0) {
		xmppc_session_send(s, r);
		xmppc_stanza_unref(r);
	}
	return XMPPC_CB_OK;
}

static void drain(xmppc_session *s)
{
	size_t len;
	const char *out = xmppc_session_output(s, &len);

	if (!secured && out != NULL && len > 0 &&
	    (memmem(out, len, "<auth", 5) != NULL || memmem(out, len, "<response", 9) != NULL))
		abort(); /* a credential before TLS */
	xmppc_session_output_consume(s, len);
}

static int feed(xmppc_session *s, const char *data, size_t len)
{
	int rc = xmppc_session_feed(NULL, s, data, len);
	drain(s);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const plain[] = {"PLAIN", "SCRAM-SHA-1", NULL};
	static const char *const prologue[] = {
		"<stream:stream " NS_ " id='a' from='example.com' version='1.0'><stream:features>"
		"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>",
		"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
		NULL, /* secured */
		"<stream:stream " NS_ " id='b' from='example.com' version='1.0'>",
		"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN"
		"</mechanism></mechanisms></stream:features>",
		"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/><stream:stream " NS_
		" id='c' from='example.com' version='1.0'><stream:features><bind "
		"xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
	};
	/* how many prologue steps each stage runs */
	static const unsigned steps[] = {0, 1, 4, 5, 6};
	xmppc_session_config c;
	xmppc_session *s = NULL;
	xmppc_tls_info tls;
	unsigned stage, i, chunk;
	size_t off;
	int rc = 0;

	if (size < 2)
		return 0;
	if (ctx == NULL && xmppc_ctx_new(&ctx, NULL) != 0)
		abort();
	stage = data[0] % 5;
	chunk = 1 + data[1] % 64;
	data += 2;
	size -= 2;
	bound = secured = dispatched_early = 0;
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SESSION_CONFIG_VERSION;
	c.jid = "juliet@example.com";
	c.password = "pencil";
	c.mechanisms = plain;
	memset(&tls, 0, sizeof(tls));
	tls.version = XMPPC_TLS_INFO_VERSION;
	tls.tls_version = 0x0304;
	if (xmppc_session_new(&s, ctx, &c) != 0)
		abort();
	xmppc_session_set_event_fn(s, event_fn, NULL, NULL);
	xmppc_session_add_observer(s, NULL, 0, observer, NULL, NULL, NULL);
	xmppc_session_add_iq_handler(s, "urn:xmpp:ping", "ping", XMPPC_TYPE_GET, handler, NULL, NULL, NULL);
	if (xmppc_session_start(s) != 0)
		abort();
	drain(s);
	for (i = 0; i < steps[stage] && rc >= 0; i++) {
		if (prologue[i] == NULL) {
			if (xmppc_session_transport_secured(s, &tls) != 0)
				abort();
			secured = 1;
			drain(s);
			continue;
		}
		rc = feed(s, prologue[i], strlen(prologue[i]));
	}
	for (off = 0; off < size && rc >= 0 && rc != XMPPC_SESSION_CLOSED; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		rc = feed(s, (const char *)data + off, n);
		if (rc == XMPPC_SESSION_STARTTLS) {
			/* the rest would be TLS: pretend the handshake worked */
			if (xmppc_session_transport_secured(s, &tls) != 0)
				break;
			secured = 1;
			drain(s);
			rc = 0;
		}
		xmppc_session_handle_deadlines(s);
	}
	if (dispatched_early)
		abort(); /* a stanza before binding */
	if (rc < 0 && rc != XMPPC_ESTATE && rc != XMPPC_ERECURSIVE) {
		xmppc_session_state st = xmppc_session_get_state(s);
		if (st != XMPPC_SESSION_STATE_FAILED && st != XMPPC_SESSION_STATE_CLOSED)
			abort(); /* a fatal feed result leaves the session finished */
		if (xmppc_session_feed(NULL, s, "<a/>", 4) != XMPPC_ESTATE)
			abort();
	}
	xmppc_session_free(s);
	return 0;
}
