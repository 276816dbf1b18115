/* A session brought to READY without I/O, for module tests: the "server"
 * is the test, which feeds XML with xh_in() and reads what the client
 * wrote with xh_out() / xh_expect(). Plaintext, PLAIN, bind; a fake clock
 * (xh_clock). Only public headers are needed by the caller.
 *
 *   xh h;
 *   xh_init(&h, "juliet@example.com/balcony");   // READY
 *   xmppc_session_add_module(h.s, &some_module, NULL);
 *   xh_in(&h, "<iq type='get' id='1' from='romeo@example.net/x'>...</iq>");
 *   xh_expect(&h, "<iq type=\"result\" id=\"1\"");  // substring of the output
 *   xh_fini(&h);
 */
#ifndef XMPPC_TESTS_XH_H
#define XMPPC_TESTS_XH_H

#include <stddef.h>
#include <stdint.h>
#include <xmppc/xmppc.h>

typedef struct xh {
	xmppc_ctx *ctx;
	xmppc_session *s;
	char *out;      /* what the client wrote since the last xh_out() (NUL-terminated) */
	size_t out_len;
	uint64_t now;   /* the fake clock, ms */
} xh;

/* Session for `full_jid` (its resource is requested and bound), READY.
 * Aborts the test (cmocka fail) on any problem. The output of the
 * negotiation is discarded. */
void xh_init(xh *h, const char *full_jid);
/* The same with a session config the caller filled (jid, flags...); the
 * harness sets version, password, mechanisms and plaintext flags. */
void xh_init_config(xh *h, xmppc_session_config *c, const char *bound_jid);
/* As xh_init(), the authenticated stream's features also holding
 * `extra_features` (XML, e.g. "<ver xmlns='urn:xmpp:features:rosterver'/>"). */
void xh_init_features(xh *h, const char *full_jid, const char *extra_features);
void xh_fini(xh *h);

/* Feed server XML (stanzas, without a stream header); the feed must
 * return 0. */
void xh_in(xh *h, const char *xml);
/* Everything the client wrote since the last call (borrowed until the
 * next xh_* call); "" when nothing. */
const char *xh_out(xh *h);
/* The output since the last xh_out() contains `needle` (fails the test
 * otherwise, printing the output); the output is then consumed. */
void xh_expect(xh *h, const char *needle);
/* Nothing was written since the last xh_out(). */
void xh_expect_none(xh *h);
/* Advance the fake clock and run the session's deadlines. */
void xh_clock(xh *h, uint64_t ms);

#endif
