/* The sans-I/O session harness for module tests (see xh.h). */
#include "xh.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char *xh_last; /* what the last xh_out() handed out */
static const char *xh_extra; /* extra stream features for the next init */

static uint64_t fake_now(void *ud)
{
	return ((xh *)ud)->now;
}

static void collect(xh *h)
{
	size_t len;
	const void *p = xmppc_session_output(h->s, &len);

	if (len == 0)
		return;
	h->out = realloc(h->out, h->out_len + len + 1);
	assert_non_null(h->out);
	memcpy(h->out + h->out_len, p, len);
	h->out_len += len;
	h->out[h->out_len] = '\0';
	assert_int_equal(xmppc_session_output_consume(h->s, len), 0);
}

static void feed(xh *h, const char *xml)
{
	int rc = xmppc_session_feed(NULL, h->s, xml, strlen(xml));

	if (rc != 0)
		fail_msg("feeding %s: %s (%s)", xml, xmppc_error_name(rc), xmppc_strerror(rc));
	collect(h);
}

void xh_init_config(xh *h, xmppc_session_config *c, const char *bound_jid)
{
	static const char *const plain[] = {"PLAIN", NULL};
	char buf[1024];

	memset(h, 0, sizeof(*h));
	h->now = 1000000;
	assert_int_equal(xmppc_ctx_new(&h->ctx, NULL), 0);
	assert_int_equal(xmppc_ctx_set_clock(h->ctx, fake_now, h, NULL), 0);
	c->version = XMPPC_SESSION_CONFIG_VERSION;
	c->password = "pw";
	c->mechanisms = plain;
	c->flags |= XMPPC_SESSION_ALLOW_PLAINTEXT | XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS;
	assert_int_equal(xmppc_session_new(&h->s, h->ctx, c), 0);
	assert_int_equal(xmppc_session_start(h->s), 0);
	collect(h);
	feed(h, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
	        "xmlns:stream='http://etherx.jabber.org/streams' id='s1' version='1.0'>"
	        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
	        "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
	feed(h, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	snprintf(buf, sizeof(buf),
	         "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
	         "id='s2' version='1.0'><stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
	         "%s</stream:features>", xh_extra != NULL ? xh_extra : "");
	xh_extra = NULL;
	feed(h, buf);
	test_bind_result(buf, sizeof(buf), h->out, bound_jid);
	feed(h, buf);
	assert_int_equal(xmppc_session_get_state(h->s), XMPPC_SESSION_STATE_READY);
	h->out_len = 0;
	if (h->out != NULL)
		h->out[0] = '\0';
}

void xh_init_features(xh *h, const char *full_jid, const char *extra_features)
{
	xh_extra = extra_features;
	xh_init(h, full_jid);
}

void xh_init(xh *h, const char *full_jid)
{
	xmppc_session_config c;

	memset(&c, 0, sizeof(c));
	c.jid = full_jid;
	xh_init_config(h, &c, full_jid);
}

void xh_fini(xh *h)
{
	xmppc_session_free(h->s);
	xmppc_ctx_unref(h->ctx);
	free(h->out);
	free(xh_last);
	xh_last = NULL;
	memset(h, 0, sizeof(*h));
}

void xh_in(xh *h, const char *xml)
{
	feed(h, xml);
}

const char *xh_out(xh *h)
{
	static char empty[1];
	collect(h);
	if (h->out == NULL)
		return empty;
	/* hand out the text, start a new collection */
	free(xh_last);
	xh_last = h->out;
	h->out = NULL;
	h->out_len = 0;
	return xh_last;
}

void xh_expect(xh *h, const char *needle)
{
	const char *o = xh_out(h);

	if (strstr(o, needle) == NULL)
		fail_msg("expected output containing\n  %s\ngot\n  %s", needle, o);
}

void xh_expect_none(xh *h)
{
	const char *o = xh_out(h);

	if (o[0] != '\0')
		fail_msg("expected no output, got\n  %s", o);
}

void xh_clock(xh *h, uint64_t ms)
{
	h->now += ms;
	assert_true(xmppc_session_handle_deadlines(h->s) >= 0);
	collect(h);
}
