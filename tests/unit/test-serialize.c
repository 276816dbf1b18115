/* Serializer: escaping, minimal namespace declarations, prefixes for
 * namespaced attributes, appending, failure leaves the buffer unchanged. */
#include <stdio.h>

#include "testutil.h"

static xmppc_ctx *ctx;
static test_alloc stats;

static int setup(void **state)
{
	(void)state;
	ctx = test_ctx_new(&stats);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(stats.live, 0);
	return 0;
}

static void expect_xml(const xmppc_stanza *s, const char *default_ns, const char *want)
{
	xmppc_buf *b;

	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	assert_int_equal(xmppc_stanza_to_xml(b, s, default_ns), 0);
	assert_string_equal(xmppc_buf_data(b), want);
	xmppc_buf_free(b);
}

static void test_escaping(void **state)
{
	xmppc_stanza *s;

	(void)state;
	assert_int_equal(xmppc_stanza_new(&s, ctx, "body", NULL), 0);
	assert_int_equal(xmppc_stanza_set_text(s, "a<b>c&d\"e'f]]>g\rh\ti\nj"), 0);
	assert_int_equal(xmppc_stanza_set_attr(s, "v", "<&>\"'\t\n\r]]>"), 0);
	expect_xml(s, NULL,
	           "<body v=\"&lt;&amp;&gt;&quot;&apos;&#9;&#10;&#13;]]&gt;\">"
	           "a&lt;b&gt;c&amp;d\"e'f]]&gt;g&#13;h\ti\nj</body>");
	/* non-ASCII passes through untouched */
	assert_int_equal(xmppc_stanza_set_text(s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), 0);
	assert_int_equal(xmppc_stanza_set_attr(s, "v", NULL), 0);
	expect_xml(s, NULL, "<body>\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80</body>");
	assert_int_equal(xmppc_stanza_set_text(s, ""), 0);
	expect_xml(s, NULL, "<body/>");
	assert_null(xmppc_stanza_unref(s));
}

static void test_namespaces(void **state)
{
	xmppc_stanza *iq, *q, *item, *x, *plain;

	(void)state;
	assert_int_equal(xmppc_iq_new(&iq, ctx, XMPPC_TYPE_GET, NULL, "r1"), 0);
	assert_int_equal(xmppc_stanza_new_child(&q, iq, "query", "jabber:iq:roster"), 0);
	assert_int_equal(xmppc_stanza_new_child(&item, q, "item", NULL), 0);
	assert_int_equal(xmppc_stanza_new_child(&x, item, "x", "jabber:client"), 0);
	assert_int_equal(xmppc_stanza_new(&plain, ctx, "none", NULL), 0);
	/* inside a client stream the jabber:client declaration is implied */
	expect_xml(iq, XMPPC_NS_CLIENT,
	           "<iq type=\"get\" id=\"r1\"><query xmlns=\"jabber:iq:roster\"><item>"
	           "<x xmlns=\"jabber:client\"/></item></query></iq>");
	/* standalone, every needed declaration is made */
	expect_xml(iq, NULL,
	           "<iq xmlns=\"jabber:client\" type=\"get\" id=\"r1\"><query xmlns=\"jabber:iq:roster\">"
	           "<item><x xmlns=\"jabber:client\"/></item></query></iq>");
	/* a no-namespace element inside a namespaced one undeclares */
	assert_int_equal(xmppc_stanza_add_child(NULL, x, plain), 0);
	expect_xml(x, "jabber:client", "<x><none xmlns=\"\"/></x>");
	expect_xml(plain, NULL, "<none/>");
	expect_xml(plain, "urn:z", "<none xmlns=\"\"/>");
	assert_null(xmppc_stanza_unref(plain));
	assert_null(xmppc_stanza_unref(iq));
}

static void test_attribute_prefixes(void **state)
{
	xmppc_stanza *s, *c;

	(void)state;
	assert_int_equal(xmppc_stanza_new(&s, ctx, "e", "urn:e"), 0);
	assert_int_equal(xmppc_stanza_set_attr_ns(s, "urn:p", "a", "1"), 0);
	assert_int_equal(xmppc_stanza_set_attr(s, "b", "2"), 0);
	assert_int_equal(xmppc_stanza_set_attr_ns(s, XMPPC_NS_XML, "lang", "en"), 0);
	assert_int_equal(xmppc_stanza_set_attr_ns(s, "urn:q", "a", "3"), 0);
	assert_int_equal(xmppc_stanza_set_attr_ns(s, "urn:p", "c", "4"), 0);
	assert_int_equal(xmppc_stanza_new_child(&c, s, "f", NULL), 0);
	assert_int_equal(xmppc_stanza_set_attr_ns(c, "urn:q", "z", "5"), 0);
	expect_xml(s, "urn:e",
	           "<e xmlns:ns0=\"urn:p\" ns0:a=\"1\" b=\"2\" xml:lang=\"en\" xmlns:ns1=\"urn:q\" "
	           "ns1:a=\"3\" ns0:c=\"4\"><f xmlns:ns0=\"urn:q\" ns0:z=\"5\"/></e>");
	assert_null(xmppc_stanza_unref(s));
}

/* What the serializer writes, our parser reads back to the same tree. */
static void test_round_trip_builder(void **state)
{
	xmppc_stanza *m, *again;
	xmppc_buf *b1, *b2;

	(void)state;
	assert_int_equal(xmppc_message_new(&m, ctx, XMPPC_TYPE_CHAT, "a@b", "x<y&z\r\"'"), 0);
	assert_int_equal(xmppc_stanza_set_attr_ns(m, "urn:p", "q", "\t \n\r"), 0);
	assert_int_equal(xmppc_message_set_body(m, "de", "\xc3\xbc]]>"), 0);
	assert_int_equal(xmppc_buf_new(&b1, ctx), 0);
	assert_int_equal(xmppc_buf_new(&b2, ctx), 0);
	assert_int_equal(xmppc_stanza_to_xml(b1, m, NULL), 0);
	assert_int_equal(xmppc_stanza_from_xml(&again, ctx, xmppc_buf_data(b1), xmppc_buf_len(b1)), 0);
	assert_int_equal(xmppc_stanza_to_xml(b2, again, NULL), 0);
	assert_string_equal(xmppc_buf_data(b1), xmppc_buf_data(b2));
	assert_string_equal(xmppc_message_body(again, NULL), "x<y&z\r\"'");
	assert_string_equal(xmppc_message_body(again, "de"), "\xc3\xbc]]>");
	assert_string_equal(xmppc_stanza_attr_ns(again, "urn:p", "q"), "\t \n\r");
	assert_null(xmppc_stanza_unref(again));
	assert_null(xmppc_stanza_unref(m));
	xmppc_buf_free(b1);
	xmppc_buf_free(b2);
}

static void test_append_and_failure(void **state)
{
	test_alloc a;
	xmppc_ctx *c = test_ctx_new(&a);
	xmppc_stanza *s;
	xmppc_buf *b;
	char text[3000];

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(xmppc_stanza_new(&s, c, "big", NULL), 0);
	assert_int_equal(xmppc_stanza_set_text(s, text), 0);
	assert_int_equal(xmppc_buf_new(&b, c), 0);
	assert_int_equal(xmppc_buf_append(b, "prefix:", 7), 0);
	assert_int_equal(xmppc_stanza_to_xml(b, s, NULL), 0);
	assert_int_equal(strncmp(xmppc_buf_data(b), "prefix:<big>xxx", 15), 0);
	xmppc_buf_free(b);
	/* out of memory mid-way: the buffer keeps exactly what it had */
	assert_int_equal(xmppc_buf_new(&b, c), 0);
	assert_int_equal(xmppc_buf_append(b, "keep", 4), 0);
	a.fail_at = a.calls + 1;
	assert_int_equal(xmppc_stanza_to_xml(b, s, NULL), XMPPC_ENOMEM);
	a.fail_at = 0;
	assert_string_equal(xmppc_buf_data(b), "keep");
	assert_int_equal(xmppc_buf_len(b), 4);
	assert_int_equal(xmppc_stanza_to_xml(NULL, s, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_to_xml(b, NULL, NULL), XMPPC_EINVAL);
	xmppc_buf_free(b);
	assert_null(xmppc_stanza_unref(s));
	assert_null(xmppc_ctx_unref(c));
	assert_int_equal(a.live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_attribute_prefixes),
		cmocka_unit_test(test_round_trip_builder),
		cmocka_unit_test(test_append_and_failure),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
