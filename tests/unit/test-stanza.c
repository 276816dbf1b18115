/* Stanza object model: building, navigation, attributes, text, typed
 * accessors, constructors, errors, copies, reference counting. */
#include <stdio.h>

#include "testutil.h"

static xmppc_ctx *ctx;
static test_alloc alloc_stats;

static int setup(void **state)
{
	(void)state;
	ctx = test_ctx_new(&alloc_stats);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(alloc_stats.live, 0);
	return 0;
}

static xmppc_stanza *parse(const char *xml)
{
	xmppc_stanza *s = NULL;
	int rc = xmppc_stanza_from_xml(&s, ctx, xml, strlen(xml));
	if (rc != 0)
		fail_msg("parse failed: %s", xmppc_error_name(rc));
	return s;
}

static void test_build_and_navigate(void **state)
{
	xmppc_stanza *root, *a, *b, *t, *c;

	(void)state;
	assert_int_equal(xmppc_stanza_new(&root, ctx, "query", "jabber:iq:roster"), 0);
	assert_string_equal(xmppc_stanza_name(root), "query");
	assert_string_equal(xmppc_stanza_ns(root), "jabber:iq:roster");
	assert_int_equal(xmppc_stanza_new_child(&a, root, "item", NULL), 0);
	assert_string_equal(xmppc_stanza_ns(a), "jabber:iq:roster"); /* inherited */
	assert_int_equal(xmppc_stanza_new_child(&b, root, "item", "urn:other"), 0);
	assert_int_equal(xmppc_stanza_new_text_child(&t, a, "group", NULL, "Friends"), 0);
	assert_int_equal(xmppc_stanza_add_text(root, "tail", 4), 0);
	assert_int_equal(xmppc_stanza_child_count(root), 2);
	assert_ptr_equal(xmppc_stanza_parent(a), root);
	assert_null(xmppc_stanza_parent(root));
	assert_ptr_equal(xmppc_stanza_first_child(root), a);
	assert_ptr_equal(xmppc_stanza_next_sibling(a), b);
	c = xmppc_stanza_next_sibling(b);
	assert_true(xmppc_stanza_is_text(c));
	assert_null(xmppc_stanza_name(c));
	assert_null(xmppc_stanza_ns(c));
	assert_string_equal(xmppc_stanza_text(c), "tail");
	/* find by name and namespace */
	assert_ptr_equal(xmppc_stanza_find_child(root, "item", NULL), a);
	assert_ptr_equal(xmppc_stanza_find_child(root, "item", "urn:other"), b);
	assert_ptr_equal(xmppc_stanza_find_child(root, NULL, "urn:other"), b);
	assert_ptr_equal(xmppc_stanza_find_next(a, "item", NULL), b);
	assert_null(xmppc_stanza_find_next(b, "item", NULL));
	assert_null(xmppc_stanza_find_child(root, "nope", NULL));
	assert_true(xmppc_stanza_is(a, "item", "jabber:iq:roster"));
	assert_false(xmppc_stanza_is(a, "item", "urn:other"));
	assert_true(xmppc_stanza_is(a, "item", NULL));
	assert_string_equal(xmppc_stanza_text(t), "Friends");
	/* removing */
	assert_int_equal(xmppc_stanza_remove_child(root, b), 0);
	assert_int_equal(xmppc_stanza_child_count(root), 1);
	assert_int_equal(xmppc_stanza_remove_child(root, b), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_remove_child(a, t), 0);
	assert_null(xmppc_stanza_first_child(a));
	/* refcount: any node keeps the whole tree */
	assert_ptr_equal(xmppc_stanza_ref(a), a);
	assert_ptr_equal(xmppc_stanza_unref(root), root);
	assert_string_equal(xmppc_stanza_name(a), "item");
	assert_null(xmppc_stanza_unref(a));
}

static void test_invalid_input(void **state)
{
	xmppc_stanza *s, *c;

	(void)state;
	assert_int_equal(xmppc_stanza_new(&s, ctx, "bad name", NULL), XMPPC_EINVALID_NAME);
	assert_int_equal(xmppc_stanza_new(&s, ctx, "p:x", NULL), XMPPC_EINVALID_NAME);
	assert_int_equal(xmppc_stanza_new(&s, ctx, "1x", NULL), XMPPC_EINVALID_NAME);
	assert_int_equal(xmppc_stanza_new(&s, ctx, "", NULL), XMPPC_EINVALID_NAME);
	assert_int_equal(xmppc_stanza_new(&s, ctx, NULL, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_new(&s, ctx, "a", ""), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_new(&s, ctx, "a", "http://www.w3.org/2000/xmlns/"), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_new(&s, ctx, "a\xff", NULL), XMPPC_EXML_INVALID_UTF8);
	assert_int_equal(xmppc_stanza_new(&s, ctx, "\xc3\xa9l\xc3\xa9ment", "urn:x"), 0);
	assert_int_equal(xmppc_stanza_set_text(s, "bell\x07"), XMPPC_EXML_INVALID_CHAR);
	assert_int_equal(xmppc_stanza_set_text(s, "bad \xed\xa0\x80"), XMPPC_EXML_INVALID_UTF8);
	assert_int_equal(xmppc_stanza_set_text(s, "nonchar \xef\xbf\xbf"), XMPPC_EXML_INVALID_CHAR);
	assert_int_equal(xmppc_stanza_add_text(s, "a\0b", 3), XMPPC_EXML_INVALID_CHAR);
	assert_int_equal(xmppc_stanza_set_attr(s, "a", "\x1b[31m"), XMPPC_EXML_INVALID_CHAR);
	assert_int_equal(xmppc_stanza_set_attr(s, "xmlns", "urn:y"), XMPPC_EINVALID_NAME);
	assert_int_equal(xmppc_stanza_set_attr(s, "a:b", "v"), XMPPC_EINVALID_NAME);
	assert_int_equal(xmppc_stanza_set_attr_ns(s, "http://www.w3.org/2000/xmlns/", "p", "urn:p"),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_new_child(&c, s, "x", "http://www.w3.org/2000/xmlns/"), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_new_child(&c, s, "x y", NULL), XMPPC_EINVALID_NAME);
	assert_int_equal(xmppc_stanza_new_text_child(&c, s, "x", NULL, "\x01"), XMPPC_EXML_INVALID_CHAR);
	/* nothing was added by the failed calls */
	assert_null(xmppc_stanza_first_child(s));
	assert_int_equal(xmppc_stanza_attr_count(s), 0);
	/* text nodes take no children or attributes */
	assert_int_equal(xmppc_stanza_add_text(s, "t", 1), 0);
	c = xmppc_stanza_first_child(s);
	assert_int_equal(xmppc_stanza_new_child(NULL, c, "x", NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_set_attr(c, "x", "y"), XMPPC_EINVAL);
	/* a tree cannot be added into itself */
	assert_int_equal(xmppc_stanza_add_child(NULL, s, s), XMPPC_EINVAL);
	assert_null(xmppc_stanza_unref(s));
	assert_null(xmppc_stanza_unref(NULL));
	assert_null(xmppc_stanza_text(NULL));
}

static void test_attributes(void **state)
{
	xmppc_stanza *s;
	const char *ns, *name, *value;

	(void)state;
	assert_int_equal(xmppc_stanza_new(&s, ctx, "x", "urn:x"), 0);
	assert_int_equal(xmppc_stanza_set_attr(s, "a", "1"), 0);
	assert_int_equal(xmppc_stanza_set_attr_ns(s, "urn:p", "a", "2"), 0);
	assert_int_equal(xmppc_stanza_set_attr_ns(s, XMPPC_NS_XML, "lang", "en"), 0);
	assert_int_equal(xmppc_stanza_attr_count(s), 3);
	assert_string_equal(xmppc_stanza_attr(s, "a"), "1");
	assert_string_equal(xmppc_stanza_attr_ns(s, "urn:p", "a"), "2");
	assert_string_equal(xmppc_stanza_lang(s), "en");
	assert_null(xmppc_stanza_attr_ns(s, "urn:q", "a"));
	assert_null(xmppc_stanza_attr(s, "lang"));
	/* replace keeps the position; NULL removes */
	assert_int_equal(xmppc_stanza_set_attr(s, "a", "one"), 0);
	assert_int_equal(xmppc_stanza_attr_at(&ns, &name, &value, s, 0), 0);
	assert_null(ns);
	assert_string_equal(name, "a");
	assert_string_equal(value, "one");
	assert_int_equal(xmppc_stanza_attr_at(&ns, &name, &value, s, 1), 0);
	assert_string_equal(ns, "urn:p");
	assert_int_equal(xmppc_stanza_attr_at(NULL, NULL, NULL, s, 3), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_set_attr(s, "a", NULL), 0);
	assert_int_equal(xmppc_stanza_attr_count(s), 2);
	assert_null(xmppc_stanza_attr(s, "a"));
	assert_int_equal(xmppc_stanza_set_attr(s, "missing", NULL), 0);
	/* many attributes grow the array */
	for (int i = 0; i < 100; i++) {
		char n[16];
		snprintf(n, sizeof(n), "k%d", i);
		assert_int_equal(xmppc_stanza_set_attr(s, n, n), 0);
	}
	assert_string_equal(xmppc_stanza_attr(s, "k77"), "k77");
	assert_int_equal(xmppc_stanza_attr_count(s), 102);
	assert_null(xmppc_stanza_unref(s));
}

static void test_text(void **state)
{
	xmppc_stanza *s = parse("<a>one<b/>two<c>x</c>three</a>");

	(void)state;
	/* the element's text is the concatenation of its own text children */
	assert_string_equal(xmppc_stanza_text(s), "onetwothree");
	assert_int_equal(xmppc_stanza_add_text(s, "four", 4), 0);
	assert_string_equal(xmppc_stanza_text(s), "onetwothreefour");
	assert_int_equal(xmppc_stanza_set_text(s, "only"), 0);
	assert_string_equal(xmppc_stanza_text(s), "only");
	assert_int_equal(xmppc_stanza_child_count(s), 0);
	assert_int_equal(xmppc_stanza_set_text(s, ""), 0);
	assert_string_equal(xmppc_stanza_text(s), "");
	assert_null(xmppc_stanza_first_child(s));
	assert_null(xmppc_stanza_unref(s));
}

static void test_kinds_and_types(void **state)
{
	static const struct {
		const char *xml;
		xmppc_stanza_kind kind;
		xmppc_stanza_type type;
	} cases[] = {
		{"<message xmlns='jabber:client'/>", XMPPC_STANZA_MESSAGE, XMPPC_TYPE_NORMAL},
		{"<message xmlns='jabber:client' type='chat'/>", XMPPC_STANZA_MESSAGE, XMPPC_TYPE_CHAT},
		{"<message xmlns='jabber:client' type='groupchat'/>", XMPPC_STANZA_MESSAGE, XMPPC_TYPE_GROUPCHAT},
		{"<message xmlns='jabber:client' type='headline'/>", XMPPC_STANZA_MESSAGE, XMPPC_TYPE_HEADLINE},
		{"<message xmlns='jabber:client' type='normal'/>", XMPPC_STANZA_MESSAGE, XMPPC_TYPE_NORMAL},
		{"<message xmlns='jabber:client' type='error'/>", XMPPC_STANZA_MESSAGE, XMPPC_TYPE_ERROR},
		{"<message xmlns='jabber:client' type='get'/>", XMPPC_STANZA_MESSAGE, XMPPC_TYPE_INVALID},
		{"<message xmlns='jabber:server' type='chat'/>", XMPPC_STANZA_MESSAGE, XMPPC_TYPE_CHAT},
		{"<presence xmlns='jabber:client'/>", XMPPC_STANZA_PRESENCE, XMPPC_TYPE_AVAILABLE},
		{"<presence xmlns='jabber:client' type='unavailable'/>", XMPPC_STANZA_PRESENCE, XMPPC_TYPE_UNAVAILABLE},
		{"<presence xmlns='jabber:client' type='subscribe'/>", XMPPC_STANZA_PRESENCE, XMPPC_TYPE_SUBSCRIBE},
		{"<presence xmlns='jabber:client' type='subscribed'/>", XMPPC_STANZA_PRESENCE, XMPPC_TYPE_SUBSCRIBED},
		{"<presence xmlns='jabber:client' type='unsubscribe'/>", XMPPC_STANZA_PRESENCE, XMPPC_TYPE_UNSUBSCRIBE},
		{"<presence xmlns='jabber:client' type='unsubscribed'/>", XMPPC_STANZA_PRESENCE, XMPPC_TYPE_UNSUBSCRIBED},
		{"<presence xmlns='jabber:client' type='probe'/>", XMPPC_STANZA_PRESENCE, XMPPC_TYPE_PROBE},
		{"<presence xmlns='jabber:client' type='chat'/>", XMPPC_STANZA_PRESENCE, XMPPC_TYPE_INVALID},
		{"<iq xmlns='jabber:client' type='get'/>", XMPPC_STANZA_IQ, XMPPC_TYPE_GET},
		{"<iq xmlns='jabber:client' type='set'/>", XMPPC_STANZA_IQ, XMPPC_TYPE_SET},
		{"<iq xmlns='jabber:client' type='result'/>", XMPPC_STANZA_IQ, XMPPC_TYPE_RESULT},
		{"<iq xmlns='jabber:client' type='error'/>", XMPPC_STANZA_IQ, XMPPC_TYPE_ERROR},
		{"<iq xmlns='jabber:client'/>", XMPPC_STANZA_IQ, XMPPC_TYPE_NONE},
		{"<iq xmlns='jabber:client' type='GET'/>", XMPPC_STANZA_IQ, XMPPC_TYPE_INVALID},
		{"<message/>", XMPPC_STANZA_OTHER, XMPPC_TYPE_NONE},
		{"<message xmlns='urn:other'/>", XMPPC_STANZA_OTHER, XMPPC_TYPE_NONE},
		{"<features xmlns='jabber:client'/>", XMPPC_STANZA_OTHER, XMPPC_TYPE_NONE},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xmppc_stanza *s = parse(cases[i].xml);
		if (xmppc_stanza_get_kind(s) != cases[i].kind || xmppc_stanza_get_type(s) != cases[i].type)
			fail_msg("%s: kind %d type %d", cases[i].xml, xmppc_stanza_get_kind(s),
			         xmppc_stanza_get_type(s));
		assert_null(xmppc_stanza_unref(s));
	}
	assert_string_equal(xmppc_stanza_type_name(XMPPC_TYPE_GROUPCHAT), "groupchat");
	assert_string_equal(xmppc_stanza_type_name(XMPPC_TYPE_RESULT), "result");
	assert_null(xmppc_stanza_type_name(XMPPC_TYPE_AVAILABLE));
	assert_null(xmppc_stanza_type_name(XMPPC_TYPE_INVALID));
}

static void test_set_type(void **state)
{
	xmppc_stanza *m, *x;

	(void)state;
	assert_int_equal(xmppc_message_new(&m, ctx, XMPPC_TYPE_CHAT, "a@b", NULL), 0);
	assert_string_equal(xmppc_stanza_attr(m, "type"), "chat");
	assert_int_equal(xmppc_stanza_set_type(m, XMPPC_TYPE_NORMAL), 0);
	assert_null(xmppc_stanza_attr(m, "type"));
	assert_int_equal(xmppc_stanza_get_type(m), XMPPC_TYPE_NORMAL);
	assert_int_equal(xmppc_stanza_set_type(m, XMPPC_TYPE_GET), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_set_type(m, XMPPC_TYPE_AVAILABLE), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_set_type(m, XMPPC_TYPE_ERROR), 0);
	assert_int_equal(xmppc_stanza_new(&x, ctx, "x", NULL), 0);
	assert_int_equal(xmppc_stanza_set_type(x, XMPPC_TYPE_CHAT), XMPPC_EINVAL);
	assert_null(xmppc_stanza_unref(x));
	assert_null(xmppc_stanza_unref(m));
}

static void test_message_content(void **state)
{
	xmppc_stanza *m = parse("<message xmlns='jabber:client' from='a@b/c' to='d@e' id='i1' xml:lang='en'>"
	                        "<body xml:lang='de'>Hallo</body><body>Hello</body>"
	                        "<body xml:lang='FR'>Salut</body><subject>S</subject>"
	                        "<thread parent='p1'>T1</thread><body xmlns='urn:x'>not a body</body>"
	                        "</message>");
	xmppc_stanza *n;

	(void)state;
	assert_string_equal(xmppc_stanza_from(m), "a@b/c");
	assert_string_equal(xmppc_stanza_to(m), "d@e");
	assert_string_equal(xmppc_stanza_id(m), "i1");
	assert_string_equal(xmppc_stanza_lang(m), "en");
	assert_string_equal(xmppc_message_body(m, NULL), "Hello");
	assert_string_equal(xmppc_message_body(m, "de"), "Hallo");
	assert_string_equal(xmppc_message_body(m, "fr"), "Salut"); /* case-insensitive */
	assert_null(xmppc_message_body(m, "es"));
	assert_string_equal(xmppc_message_subject(m, NULL), "S");
	assert_string_equal(xmppc_message_thread(m), "T1");
	/* replace and add per language */
	assert_int_equal(xmppc_message_set_body(m, NULL, "Hi"), 0);
	assert_string_equal(xmppc_message_body(m, NULL), "Hi");
	assert_string_equal(xmppc_message_body(m, "de"), "Hallo");
	assert_int_equal(xmppc_message_set_body(m, "es", "Hola"), 0);
	assert_string_equal(xmppc_message_body(m, "es"), "Hola");
	assert_int_equal(xmppc_message_set_body(m, "de", NULL), 0);
	assert_null(xmppc_message_body(m, "de"));
	assert_int_equal(xmppc_message_set_subject(m, NULL, "New"), 0);
	assert_string_equal(xmppc_message_subject(m, NULL), "New");
	assert_int_equal(xmppc_message_set_thread(m, "T2", "P2"), 0);
	assert_string_equal(xmppc_message_thread(m), "T2");
	assert_string_equal(xmppc_stanza_attr(xmppc_stanza_find_child(m, "thread", NULL), "parent"), "P2");
	assert_int_equal(xmppc_message_set_thread(m, NULL, "x"), XMPPC_EINVAL);
	assert_int_equal(xmppc_message_set_thread(m, NULL, NULL), 0);
	assert_null(xmppc_message_thread(m));
	assert_int_equal(xmppc_stanza_set_id(m, "i2"), 0);
	assert_int_equal(xmppc_stanza_set_to(m, NULL), 0);
	assert_int_equal(xmppc_stanza_set_from(m, "x@y"), 0);
	assert_string_equal(xmppc_stanza_id(m), "i2");
	assert_null(xmppc_stanza_to(m));
	assert_string_equal(xmppc_stanza_from(m), "x@y");
	/* a message with an empty body element */
	n = parse("<message xmlns='jabber:client'><body/></message>");
	assert_string_equal(xmppc_message_body(n, NULL), "");
	assert_null(xmppc_message_subject(n, NULL));
	assert_null(xmppc_stanza_unref(n));
	assert_null(xmppc_stanza_unref(m));
}

static void test_constructors(void **state)
{
	xmppc_stanza *m, *p, *iq, *iq2, *res, *err;
	xmppc_buf *b;

	(void)state;
	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	assert_int_equal(xmppc_message_new(&m, ctx, XMPPC_TYPE_CHAT, "juliet@example.com", "Wherefore?"), 0);
	assert_int_equal(xmppc_stanza_get_kind(m), XMPPC_STANZA_MESSAGE);
	assert_int_equal(strlen(xmppc_stanza_id(m)), 16);
	assert_string_equal(xmppc_message_body(m, NULL), "Wherefore?");
	assert_int_equal(xmppc_message_new(&m, ctx, XMPPC_TYPE_GET, NULL, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_presence_new(&p, ctx, XMPPC_TYPE_AVAILABLE, NULL), 0);
	assert_int_equal(xmppc_stanza_to_xml(b, p, XMPPC_NS_CLIENT), 0);
	assert_string_equal(xmppc_buf_data(b), "<presence/>");
	assert_int_equal(xmppc_presence_new(&p, ctx, XMPPC_TYPE_CHAT, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_iq_new(&iq, ctx, XMPPC_TYPE_GET, "example.com", "q1"), 0);
	assert_int_equal(xmppc_iq_new(&iq2, ctx, XMPPC_TYPE_SET, NULL, NULL), 0);
	assert_string_not_equal(xmppc_stanza_id(iq2), xmppc_stanza_id(m));
	assert_int_equal(xmppc_iq_new(&res, ctx, XMPPC_TYPE_CHAT, NULL, NULL), XMPPC_EINVAL);
	/* result reply: same id, addressed back; no from */
	assert_int_equal(xmppc_stanza_set_from(iq, "romeo@example.net/orchard"), 0);
	assert_int_equal(xmppc_iq_new_result(&res, iq), 0);
	xmppc_buf_clear(b);
	assert_int_equal(xmppc_stanza_to_xml(b, res, XMPPC_NS_CLIENT), 0);
	assert_string_equal(xmppc_buf_data(b), "<iq type=\"result\" id=\"q1\" to=\"romeo@example.net/orchard\"/>");
	assert_int_equal(xmppc_iq_new_result(&err, res), XMPPC_EINVAL); /* no result to a result */
	/* error reply */
	assert_int_equal(xmppc_stanza_new_error_reply(&err, iq, XMPPC_ERRTYPE_CANCEL,
	                                              XMPPC_COND_SERVICE_UNAVAILABLE, "not here"), 0);
	xmppc_buf_clear(b);
	assert_int_equal(xmppc_stanza_to_xml(b, err, XMPPC_NS_CLIENT), 0);
	assert_string_equal(xmppc_buf_data(b),
	                    "<iq type=\"error\" id=\"q1\" to=\"romeo@example.net/orchard\"><error "
	                    "type=\"cancel\"><service-unavailable xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
	                    "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\">not here</text></error></iq>");
	{
		xmppc_stanza *again;
		/* never an error in reply to an error or to a result */
		assert_int_equal(xmppc_stanza_new_error_reply(&again, err, XMPPC_ERRTYPE_CANCEL,
		                                              XMPPC_COND_BAD_REQUEST, NULL), XMPPC_EINVAL);
		assert_int_equal(xmppc_stanza_new_error_reply(&again, res, XMPPC_ERRTYPE_CANCEL,
		                                              XMPPC_COND_BAD_REQUEST, NULL), XMPPC_EINVAL);
		assert_int_equal(xmppc_stanza_new_error_reply(&again, iq, 77, XMPPC_COND_BAD_REQUEST, NULL),
		                 XMPPC_EINVAL);
		assert_int_equal(xmppc_stanza_new_error_reply(&again, iq, XMPPC_ERRTYPE_MODIFY, 999, NULL),
		                 XMPPC_EINVAL);
		/* message error reply */
		assert_int_equal(xmppc_stanza_set_from(m, "a@b/c"), 0);
		assert_int_equal(xmppc_stanza_new_error_reply(&again, m, XMPPC_ERRTYPE_MODIFY,
		                                              XMPPC_COND_NOT_ACCEPTABLE, NULL), 0);
		assert_int_equal(xmppc_stanza_get_kind(again), XMPPC_STANZA_MESSAGE);
		assert_int_equal(xmppc_stanza_get_type(again), XMPPC_TYPE_ERROR);
		assert_string_equal(xmppc_stanza_to(again), "a@b/c");
		assert_string_equal(xmppc_stanza_id(again), xmppc_stanza_id(m));
		assert_null(xmppc_message_body(again, NULL)); /* payload not echoed */
		assert_null(xmppc_stanza_unref(again));
	}
	assert_null(xmppc_stanza_unref(err));
	assert_null(xmppc_stanza_unref(res));
	assert_null(xmppc_stanza_unref(iq2));
	assert_null(xmppc_stanza_unref(iq));
	assert_null(xmppc_stanza_unref(p));
	assert_null(xmppc_stanza_unref(m));
	xmppc_buf_free(b);
}

static void test_get_error(void **state)
{
	xmppc_stanza *s = parse("<iq xmlns='jabber:client' type='error' id='1'><error type='modify' by='x.y'>"
	                        "<bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
	                        "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>why</text>"
	                        "<too-many xmlns='urn:app'/></error></iq>");
	xmppc_stanza_error_info info = {XMPPC_STANZA_ERROR_INFO_VERSION, 0, 0, NULL, NULL, NULL};
	xmppc_stanza *t;

	(void)state;
	assert_int_equal(xmppc_stanza_get_error(&info, s), 0);
	assert_int_equal(info.type, XMPPC_ERRTYPE_MODIFY);
	assert_int_equal(info.condition, XMPPC_COND_BAD_REQUEST);
	assert_string_equal(info.text, "why");
	assert_string_equal(info.by, "x.y");
	assert_non_null(info.app_condition);
	assert_string_equal(xmppc_stanza_name(info.app_condition), "too-many");
	assert_null(xmppc_stanza_unref(s));
	/* unknown condition and type */
	s = parse("<message xmlns='jabber:client' type='error'><error type='weird'>"
	          "<brand-new xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
	assert_int_equal(xmppc_stanza_get_error(&info, s), 0);
	assert_int_equal(info.type, XMPPC_ERRTYPE_NONE);
	assert_int_equal(info.condition, XMPPC_COND_UNDEFINED_CONDITION);
	assert_null(info.text);
	assert_null(xmppc_stanza_unref(s));
	/* no error element */
	s = parse("<message xmlns='jabber:client'/>");
	assert_int_equal(xmppc_stanza_get_error(&info, s), XMPPC_ENOTFOUND);
	info.version = 2;
	assert_int_equal(xmppc_stanza_get_error(&info, s), XMPPC_EINVAL);
	assert_null(xmppc_stanza_unref(s));
	/* names */
	for (int c = XMPPC_COND_NONE + 1; c < XMPPC_COND_COUNT; c++)
		assert_int_equal(xmppc_stanza_condition_from_name(xmppc_stanza_condition_name(c)), c);
	assert_int_equal(xmppc_stanza_condition_from_name("zzz"), XMPPC_COND_UNDEFINED_CONDITION);
	assert_int_equal(xmppc_stanza_condition_from_name(NULL), XMPPC_COND_NONE);
	assert_string_equal(xmppc_error_type_name(XMPPC_ERRTYPE_WAIT), "wait");
	assert_null(xmppc_error_type_name(XMPPC_ERRTYPE_NONE));
	(void)t;
}

static void test_copy_and_add_child(void **state)
{
	xmppc_stanza *src = parse("<a xmlns='urn:a' x='1'><b xmlns:p='urn:p' p:y='2'>t<c/>u</b>v</a>");
	xmppc_stanza *copy, *dst, *added;
	xmppc_buf *b1, *b2;

	(void)state;
	assert_int_equal(xmppc_buf_new(&b1, ctx), 0);
	assert_int_equal(xmppc_buf_new(&b2, ctx), 0);
	assert_int_equal(xmppc_stanza_copy(&copy, src), 0);
	assert_int_equal(xmppc_stanza_to_xml(b1, src, NULL), 0);
	assert_int_equal(xmppc_stanza_to_xml(b2, copy, NULL), 0);
	assert_string_equal(xmppc_buf_data(b1), xmppc_buf_data(b2));
	/* the copy is independent */
	assert_null(xmppc_stanza_unref(src));
	assert_int_equal(xmppc_stanza_set_attr(copy, "x", "changed"), 0);
	/* add a subtree of one tree into another */
	assert_int_equal(xmppc_stanza_new(&dst, ctx, "wrap", "urn:w"), 0);
	assert_int_equal(xmppc_stanza_add_child(&added, dst, xmppc_stanza_find_child(copy, "b", NULL)), 0);
	assert_ptr_equal(xmppc_stanza_parent(added), dst);
	assert_null(xmppc_stanza_unref(copy));
	xmppc_buf_clear(b1);
	assert_int_equal(xmppc_stanza_to_xml(b1, dst, NULL), 0);
	assert_string_equal(xmppc_buf_data(b1), "<wrap xmlns=\"urn:w\"><b xmlns=\"urn:a\" "
	                                        "xmlns:ns0=\"urn:p\" ns0:y=\"2\">t<c/>u</b></wrap>");
	assert_null(xmppc_stanza_unref(dst));
	xmppc_buf_free(b1);
	xmppc_buf_free(b2);
}

/* A deep tree built by hand is copied and serialized without recursion. */
static void test_deep_tree(void **state)
{
	xmppc_stanza *root, *n, *copy;
	xmppc_buf *b;
	int i;

	(void)state;
	assert_int_equal(xmppc_stanza_new(&root, ctx, "d", NULL), 0);
	n = root;
	for (i = 0; i < 100000; i++)
		assert_int_equal(xmppc_stanza_new_child(&n, n, "d", NULL), 0);
	assert_int_equal(xmppc_stanza_copy(&copy, root), 0);
	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	assert_int_equal(xmppc_stanza_to_xml(b, copy, NULL), 0);
	assert_int_equal(xmppc_buf_len(b), 100001 * 3 + 100000 * 4 + 1);
	xmppc_buf_free(b);
	assert_null(xmppc_stanza_unref(copy));
	assert_null(xmppc_stanza_unref(root));
}

/* Building with each allocation failing in turn: ENOMEM, no leak. */
static void test_allocation_failures(void **state)
{
	long n;

	(void)state;
	for (n = 1; n < 200; n++) {
		test_alloc a;
		xmppc_ctx *c = test_ctx_new(&a);
		xmppc_stanza *m = NULL, *copy = NULL, *err = NULL;
		int rc;

		a.fail_at = a.calls + n;
		rc = xmppc_message_new(&m, c, XMPPC_TYPE_CHAT, "a@b", "body text");
		if (rc == 0)
			rc = xmppc_stanza_set_attr_ns(m, "urn:x", "y", "z");
		if (rc == 0)
			rc = xmppc_stanza_copy(&copy, m);
		if (rc == 0)
			rc = xmppc_stanza_new_error_reply(&err, m, XMPPC_ERRTYPE_CANCEL,
			                                  XMPPC_COND_GONE, "bye");
		a.fail_at = 0;
		if (rc != 0 && rc != XMPPC_ENOMEM)
			fail_msg("allocation %ld: %s", n, xmppc_error_name(rc));
		xmppc_stanza_unref(err);
		xmppc_stanza_unref(copy);
		xmppc_stanza_unref(m);
		assert_null(xmppc_ctx_unref(c));
		assert_int_equal(a.live, 0);
		if (rc == 0)
			return;
	}
	fail_msg("never succeeded");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_and_navigate),
		cmocka_unit_test(test_invalid_input),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_kinds_and_types),
		cmocka_unit_test(test_set_type),
		cmocka_unit_test(test_message_content),
		cmocka_unit_test(test_constructors),
		cmocka_unit_test(test_get_error),
		cmocka_unit_test(test_copy_and_add_child),
		cmocka_unit_test(test_deep_tree),
		cmocka_unit_test(test_allocation_failures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
