/* Stream parser: events, restricted XML, encodings, namespaces, pausing.
 * Every case is fed whole, split in two at every byte, and byte by byte;
 * the event log (including the error) must be the same each time. */
#include <stdio.h>

#include "testutil.h"

#define STREAM_OPEN                                                                           \
	"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' " \
	"from='example.com' id='s1' version='1.0' xml:lang='en'>"

typedef struct {
	xmppc_ctx *ctx;
	char log[16384];
	size_t len;
	int pause_on; /* pause after the stanza named so (0 = never) */
	const char *pause_name;
	int stanzas;
} events;

static void logf_(events *e, const char *s)
{
	size_t n = strlen(s);
	if (e->len + n + 1 < sizeof(e->log)) {
		memcpy(e->log + e->len, s, n + 1);
		e->len += n;
	}
}

static int on_header(void *ud, const xmppc_stanza *h, const char *ns)
{
	events *e = ud;
	char line[512];
	snprintf(line, sizeof(line), "H[%s|%s|from=%s|id=%s|version=%s|lang=%s]", xmppc_stanza_name(h),
	         ns ? ns : "-", xmppc_stanza_attr(h, "from"), xmppc_stanza_attr(h, "id"),
	         xmppc_stanza_attr(h, "version"), xmppc_stanza_lang(h));
	logf_(e, line);
	return 0;
}

static int on_stanza(void *ud, xmppc_stanza *s)
{
	events *e = ud;
	xmppc_buf *b;

	assert_int_equal(xmppc_buf_new(&b, e->ctx), 0);
	assert_int_equal(xmppc_stanza_to_xml(b, s, XMPPC_NS_CLIENT), 0);
	logf_(e, "S");
	logf_(e, xmppc_buf_data(b));
	xmppc_buf_free(b);
	e->stanzas++;
	if (e->pause_name != NULL && strcmp(xmppc_stanza_name(s), e->pause_name) == 0)
		return XMPPC_PARSER_PAUSE;
	return 0;
}

static int on_end(void *ud)
{
	logf_(ud, "E");
	return 0;
}

static const xmppc_parser_callbacks cbs = {XMPPC_PARSER_CALLBACKS_VERSION, on_header, on_stanza, on_end};

/* Feed data in pieces cut at cuts[0..ncuts); log the result. */
static void run(events *e, xmppc_ctx *ctx, const char *data, size_t len, const size_t *cuts,
                size_t ncuts, const char *pause_name)
{
	xmppc_parser *p;
	size_t pos = 0, i;
	char line[128];

	memset(e, 0, sizeof(*e));
	e->ctx = ctx;
	e->pause_name = pause_name;
	assert_int_equal(xmppc_parser_new(&p, ctx, NULL, XMPPC_PARSER_AUTHENTICATED, &cbs, e), 0);
	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len, consumed = 0;
		int rc;
		if (end < pos)
			continue;
		rc = xmppc_parser_feed(&consumed, p, data + pos, end - pos);
		if (rc < 0) {
			assert_int_equal(consumed, 0);
			snprintf(line, sizeof(line), "ERR:%s", xmppc_error_name(rc));
			logf_(e, line);
			/* dead parsers stay dead */
			assert_int_equal(xmppc_parser_feed(NULL, p, "<a/>", 4), rc);
			assert_int_equal(xmppc_parser_error(p), rc);
			break;
		}
		if (rc == XMPPC_PARSER_PAUSED || rc == XMPPC_PARSER_ENDED) {
			snprintf(line, sizeof(line), "%s@%zu", rc == XMPPC_PARSER_PAUSED ? "PAUSE" : "END",
			         pos + consumed);
			logf_(e, line);
			assert_int_equal(xmppc_parser_feed(NULL, p, "x", 1), XMPPC_ESTATE);
			break;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(consumed, end - pos);
		pos = end;
	}
	xmppc_parser_free(p);
}

/* Run whole, at every single split point, and byte by byte; all logs must
 * equal the whole-feed log, which must contain `expect`. */
static void check_case(const char *data, size_t len, const char *expect, const char *pause_name)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	events whole, split;
	size_t i, step = test_split_step();
	size_t *cuts = malloc((len + 1) * sizeof(size_t));

	if (cuts == NULL)
		abort();

	run(&whole, ctx, data, len, NULL, 0, pause_name);
	if (strstr(whole.log, expect) == NULL) {
		fprintf(stderr, "expected: %s\nlog:      %s\n", expect, whole.log);
		fail_msg("expected text not in the event log");
	}
	for (i = 1; i < len; i += step) {
		run(&split, ctx, data, len, &i, 1, pause_name);
		if (strcmp(split.log, whole.log) != 0) {
			fprintf(stderr, "whole: %s\nsplit: %s\n", whole.log, split.log);
			fail_msg("split at %zu differs", i);
		}
	}
	for (i = 0; i < len; i++)
		cuts[i] = i + 1;
	run(&split, ctx, data, len, cuts, len, pause_name);
	if (strcmp(split.log, whole.log) != 0) {
		fprintf(stderr, "whole: %s\nbytes: %s\n", whole.log, split.log);
		fail_msg("byte-by-byte feed differs");
	}
	free(cuts);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

#define CHECK(data, expect) check_case(data, sizeof(data) - 1, expect, NULL)

static void test_valid_stream(void **state)
{
	(void)state;
	CHECK("<?xml version='1.0' encoding='UTF-8'?>" STREAM_OPEN
	      "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
	      "</stream:features>\n  \t"
	      "<message from='a@b/c' to='d@e' type='chat' id='m1'>"
	      "<body>h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 &lt;&gt;&amp;&quot;&apos;&#65;&#x42;</body>"
	      "<active xmlns='http://jabber.org/protocol/chatstates'/></message> "
	      "<iq type='get' id='x&amp;y&#38;&lt;'><query xmlns='jabber:iq:version'/></iq>"
	      "<presence><![CDATA[<not> &a; tag]]></presence>"
	      "<p:x xmlns:p='urn:p' p:a='1' xml:lang='fr' b='&quot;&apos;'>t<y>u</y>v</p:x>"
	      "</stream:stream>",
	      "H[stream|jabber:client|from=example.com|id=s1|version=1.0|lang=en]"
	      "S<features xmlns=\"http://etherx.jabber.org/streams\"><starttls "
	      "xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"><required/></starttls></features>"
	      "S<message from=\"a@b/c\" to=\"d@e\" type=\"chat\" id=\"m1\">"
	      "<body>h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 &lt;&gt;&amp;\"'AB</body>"
	      "<active xmlns=\"http://jabber.org/protocol/chatstates\"/></message>"
	      "S<iq type=\"get\" id=\"x&amp;y&amp;&lt;\"><query "
	      "xmlns=\"jabber:iq:version\"/></iq>"
	      "S<presence>&lt;not&gt; &amp;a; tag</presence>"
	      "S<x xmlns=\"urn:p\" xmlns:ns0=\"urn:p\" ns0:a=\"1\" xml:lang=\"fr\" "
	      "b=\"&quot;&apos;\">t<y xmlns=\"jabber:client\">u</y>v</x>"
	      "E");
}

static void test_stream_end_and_trailing(void **state)
{
	(void)state;
	/* bytes after </stream:stream> are not consumed */
	CHECK(STREAM_OPEN "<a/></stream:stream>GARBAGE", "S<a/>EEND@160");
}

static void test_pause_after_proceed(void **state)
{
	static const char data[] = STREAM_OPEN "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
	                                       "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
	char expect[64];

	(void)state;
	/* The TLS bytes after <proceed/> must not reach this parser (they are
	 * not even valid XML); the feed reports where the boundary was. */
	snprintf(expect, sizeof(expect), "PAUSE@%zu", sizeof(STREAM_OPEN) - 1 + 50);
	check_case(data, sizeof(data) - 1, expect, "proceed");
	/* pausing on a later stanza, with more stanzas in the same read */
	check_case(STREAM_OPEN "<a/><success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/><b/>",
	           sizeof(STREAM_OPEN) - 1 + 55,
	           "S<a/>S<success xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"/>PAUSE@195", "success");
}

static void test_restricted_xml(void **state)
{
	(void)state;
	CHECK("<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY x 'boom'>]>" STREAM_OPEN,
	      "ERR:XMPPC_EXML_RESTRICTED");
	CHECK("<!DOCTYPE s SYSTEM 'file:///etc/passwd'>" STREAM_OPEN, "ERR:XMPPC_EXML_RESTRICTED");
	CHECK("<!-- before -->" STREAM_OPEN, "ERR:XMPPC_EXML_RESTRICTED");
	CHECK(STREAM_OPEN "<a/><!-- between --><b/>", "S<a/>ERR:XMPPC_EXML_RESTRICTED");
	CHECK(STREAM_OPEN "<message><body>x<!-- inside --></body></message>",
	      "ERR:XMPPC_EXML_RESTRICTED");
	CHECK("<?php echo 1; ?>" STREAM_OPEN, "ERR:XMPPC_EXML_RESTRICTED");
	CHECK(STREAM_OPEN "<?target data?>", "ERR:XMPPC_EXML_RESTRICTED");
	CHECK(STREAM_OPEN "<message><?pi x?></message>", "ERR:XMPPC_EXML_RESTRICTED");
	CHECK(STREAM_OPEN "<message><body>&foo;</body></message>", "ERR:XMPPC_EXML_RESTRICTED");
	CHECK(STREAM_OPEN "<message a='&ent;'/>", "ERR:XMPPC_EXML_RESTRICTED");
	CHECK(STREAM_OPEN "<message><body>&nbsp;</body></message>", "ERR:XMPPC_EXML_RESTRICTED");
	/* no stanza after the error, even a complete one in the same read */
	CHECK(STREAM_OPEN "<a/><!--x--><b/><c/>", "S<a/>ERR:XMPPC_EXML_RESTRICTED");
}

static void test_encodings(void **state)
{
	(void)state;
	CHECK("<?xml version='1.0' encoding='utf-8'?>" STREAM_OPEN "<a/>", "S<a/>");
	CHECK("<?xml version='1.0' encoding='ISO-8859-1'?>" STREAM_OPEN,
	      "ERR:XMPPC_EXML_UNSUPPORTED_ENCODING");
	CHECK("<?xml version='1.0' encoding='UTF-16'?>" STREAM_OPEN,
	      "ERR:XMPPC_EXML_UNSUPPORTED_ENCODING");
	CHECK("<?xml version='1.0' encoding='US-ASCII'?>" STREAM_OPEN,
	      "ERR:XMPPC_EXML_UNSUPPORTED_ENCODING");
	CHECK("<?xml version='1.1'?>" STREAM_OPEN, "ERR:XMPPC_EXML_UNSUPPORTED_VERSION");
	CHECK("<?xml version='2.0'?>" STREAM_OPEN, "ERR:XMPPC_EXML_UNSUPPORTED_VERSION");
	CHECK("\xfe\xff\x00<\x00s", "ERR:XMPPC_EXML_UNSUPPORTED_ENCODING");
	CHECK("\xff\xfe<\x00s\x00", "ERR:XMPPC_EXML_UNSUPPORTED_ENCODING");
	CHECK("<\x00s\x00t\x00", "ERR:XMPPC_EXML_UNSUPPORTED_ENCODING");
	check_case("\x00\x00\xfe\xff\x00\x00\x00<", 8, "ERR:XMPPC_EXML_UNSUPPORTED_ENCODING", NULL);
	check_case("\xff\xfe\x00\x00<\x00\x00\x00", 8, "ERR:XMPPC_EXML_UNSUPPORTED_ENCODING", NULL);
	CHECK("\xef\xbb\xbf" STREAM_OPEN, "ERR:XMPPC_EXML_NOT_WELL_FORMED");
}

static void test_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\x80",             /* lone continuation */
		"\xc0\xaf",         /* overlong '/' */
		"\xc1\xbf",         /* overlong */
		"\xe0\x80\xaf",     /* overlong 3-byte */
		"\xf0\x80\x80\xaf", /* overlong 4-byte */
		"\xed\xa0\x80",     /* surrogate D800 */
		"\xed\xbf\xbf",     /* surrogate DFFF */
		"\xf4\x90\x80\x80", /* > U+10FFFF */
		"\xf5\x80\x80\x80", /* invalid lead */
		"\xff",
		"\xc3\x41",         /* truncated, then ASCII */
		"\xe2\x82",         /* truncated before '<' */
	};
	char data[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = snprintf(data, sizeof(data), STREAM_OPEN "<a/><message><body>x%sy</body></message>",
		                 bad[i]);
		check_case(data, (size_t)n, "S<a/>ERR:XMPPC_EXML_INVALID_UTF8", NULL);
		/* in an attribute value and in a name too */
		n = snprintf(data, sizeof(data), STREAM_OPEN "<message id='%s'/>", bad[i]);
		check_case(data, (size_t)n, "ERR:XMPPC_EXML_INVALID_UTF8", NULL);
	}
}

static void test_invalid_chars(void **state)
{
	static const char *const bad[] = {"\x01", "\x08", "\x0b", "\x0c", "\x1f", "\xef\xbf\xbe",
	                                  "\xef\xbf\xbf"};
	char data[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = snprintf(data, sizeof(data), STREAM_OPEN "<a/><message><body>x%sy</body></message>",
		                 bad[i]);
		check_case(data, (size_t)n, "S<a/>ERR:XMPPC_EXML_INVALID_CHAR", NULL);
	}
	/* NUL cannot go through snprintf */
	{
		static const char nul[] = STREAM_OPEN "<a/><message><body>x\0y</body></message>";
		check_case(nul, sizeof(nul) - 1, "S<a/>ERR:XMPPC_EXML_INVALID_CHAR", NULL);
	}
	/* as character references they are not well-formed */
	CHECK(STREAM_OPEN "<message><body>&#1;</body></message>", "ERR:XMPPC_EXML_NOT_WELL_FORMED");
	CHECK(STREAM_OPEN "<message><body>&#0;</body></message>", "ERR:XMPPC_EXML_NOT_WELL_FORMED");
	CHECK(STREAM_OPEN "<message><body>&#xFFFE;</body></message>", "ERR:XMPPC_EXML_NOT_WELL_FORMED");
	CHECK(STREAM_OPEN "<message><body>&#xD800;</body></message>", "ERR:XMPPC_EXML_NOT_WELL_FORMED");
	/* tab, LF, CR are fine; CR LF is normalised to LF (XML 1.0 §2.11) */
	CHECK(STREAM_OPEN "<m>\t\n\r\nx</m>", "S<m>\t\n\nx</m>");
}

static void test_namespaces(void **state)
{
	(void)state;
	CHECK(STREAM_OPEN "<a/><foo:bar/>", "S<a/>ERR:XMPPC_EXML_BAD_PREFIX");
	CHECK(STREAM_OPEN "<message><x foo:y='1'/></message>", "ERR:XMPPC_EXML_BAD_PREFIX");
	CHECK(STREAM_OPEN "<message><x:y xmlns:z='u'/></message>", "ERR:XMPPC_EXML_BAD_PREFIX");
	CHECK(STREAM_OPEN "<message a='1' a='2'/>", "ERR:XMPPC_EXML_DUPLICATE_ATTR");
	CHECK(STREAM_OPEN "<message xmlns:p='u' xmlns:q='u' p:a='1' q:a='2'/>",
	      "ERR:XMPPC_EXML_DUPLICATE_ATTR");
	/* same local name in different namespaces is fine */
	CHECK(STREAM_OPEN "<m xmlns:p='u' a='1' p:a='2'/>",
	      "S<m a=\"1\" xmlns:ns0=\"u\" ns0:a=\"2\"/>");
	/* a prefix declared on the stream is in scope inside stanzas */
	CHECK("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
	      "<stream:error><x xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
	      "S<error xmlns=\"http://etherx.jabber.org/streams\"><x "
	      "xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/></error>");
	/* wrong stream root */
	CHECK("<stream xmlns='jabber:client'>", "ERR:XMPPC_EXML_INVALID_NAMESPACE");
	CHECK("<stream:stream xmlns:stream='urn:wrong'>", "ERR:XMPPC_EXML_INVALID_NAMESPACE");
	CHECK("<html><body/>", "ERR:XMPPC_EXML_INVALID_NAMESPACE");
}

static void test_not_well_formed(void **state)
{
	(void)state;
	CHECK(STREAM_OPEN "<a></b>", "ERR:XMPPC_EXML_NOT_WELL_FORMED");
	CHECK(STREAM_OPEN "<a b=c/>", "ERR:XMPPC_EXML_NOT_WELL_FORMED");
	CHECK(STREAM_OPEN "<a><b></a>", "ERR:XMPPC_EXML_NOT_WELL_FORMED");
	/* libxml2 decides these only when later bytes arrive (a ';', a '<'):
	 * the error comes then, never a stanza. */
	CHECK(STREAM_OPEN "<a>x & y;</a>", "ERR:XMPPC_EXML_NOT_WELL_FORMED");
	CHECK(STREAM_OPEN "<a x='<'/><b/>", "ERR:XMPPC_EXML_NOT_WELL_FORMED");
	CHECK("HTTP/1.1 400 Bad Request\r\n\r\n", "ERR:XMPPC_EXML_NOT_WELL_FORMED");
	CHECK(STREAM_OPEN "hello<a/>", "ERR:XMPPC_EXML_TEXT_AT_TOP");
	CHECK(STREAM_OPEN "<a/> \n\t\r <b/>", "S<a/>S<b/>");
	CHECK(STREAM_OPEN "<a/></stream:stream><b/>", "S<a/>EEND@160");
}

static void test_round_trip(void **state)
{
	static const char in[] =
		STREAM_OPEN "<message to='x@y' xml:lang='de'><body>a&amp;b&lt;c&gt;d\"e'f]]&gt;g&#13;\r\n</body>"
		            "<q xmlns='urn:q' xmlns:r='urn:r' r:att='&#9;&#10;&#13;' att='\"&apos;'>"
		            "mixed<e/>content<f xmlns=''/></q></message>";
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	events first, second;
	char again[4096];
	const char *s;
	int n;

	(void)state;
	run(&first, ctx, in, sizeof(in) - 1, NULL, 0, NULL);
	s = strstr(first.log, "]S");
	assert_non_null(s);
	s += 2;
	/* The serialized stanza, placed back into a stream, parses to the same
	 * serialization (parse -> serialize -> parse is stable). */
	n = snprintf(again, sizeof(again), STREAM_OPEN "%s", s);
	run(&second, ctx, again, (size_t)n, NULL, 0, NULL);
	assert_string_equal(strstr(second.log, "]S") + 2, s);
	assert_non_null(strstr(s, "<body>a&amp;b&lt;c&gt;d\"e'f]]&gt;g&#13;\n</body>"));
	assert_non_null(strstr(s, "ns0:att=\"&#9;&#10;&#13;\""));
	assert_non_null(strstr(s, "<f xmlns=\"\"/>"));
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

static int recursive_feed(void *ud, xmppc_stanza *s)
{
	xmppc_parser *p = *(xmppc_parser **)ud;
	(void)s;
	assert_int_equal(xmppc_parser_feed(NULL, p, "<x/>", 4), XMPPC_ERECURSIVE);
	return 0;
}

static int keep_stanza(void *ud, xmppc_stanza *s)
{
	*(xmppc_stanza **)ud = xmppc_stanza_ref(s);
	return 0;
}

static int refuse(void *ud, xmppc_stanza *s)
{
	(void)ud;
	(void)s;
	return XMPPC_EINVAL;
}

static void test_callbacks(void **state)
{
	static const char data[] = STREAM_OPEN "<message><body>kept</body></message>";
	xmppc_parser_callbacks cb = {XMPPC_PARSER_CALLBACKS_VERSION, NULL, recursive_feed, NULL};
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_parser *p;
	xmppc_stanza *kept = NULL;

	(void)state;
	/* re-entry from a callback is refused */
	assert_int_equal(xmppc_parser_new(&p, ctx, NULL, 0, &cb, &p), 0);
	assert_int_equal(xmppc_parser_feed(NULL, p, data, sizeof(data) - 1), 0);
	xmppc_parser_free(p);
	/* a stanza ref'd in the callback outlives the parser */
	cb.stanza = keep_stanza;
	assert_int_equal(xmppc_parser_new(&p, ctx, NULL, 0, &cb, &kept), 0);
	assert_int_equal(xmppc_parser_feed(NULL, p, data, sizeof(data) - 1), 0);
	xmppc_parser_free(p);
	assert_non_null(kept);
	assert_string_equal(xmppc_message_body(kept, NULL), "kept");
	assert_null(xmppc_stanza_unref(kept));
	/* a negative callback result stops the parser with that error */
	cb.stanza = refuse;
	assert_int_equal(xmppc_parser_new(&p, ctx, NULL, 0, &cb, NULL), 0);
	assert_int_equal(xmppc_parser_feed(NULL, p, data, sizeof(data) - 1), XMPPC_EINVAL);
	assert_int_equal(xmppc_parser_error(p), XMPPC_EINVAL);
	assert_string_not_equal(xmppc_parser_error_text(p), "");
	xmppc_parser_free(p);
	/* bad arguments */
	assert_int_equal(xmppc_parser_new(NULL, ctx, NULL, 0, NULL, NULL), XMPPC_EINVAL);
	cb.version = 99;
	assert_int_equal(xmppc_parser_new(&p, ctx, NULL, 0, &cb, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_parser_feed(NULL, NULL, "x", 1), XMPPC_EINVAL);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

static void test_from_xml(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_stanza *s = NULL;
	static const struct {
		const char *xml;
		int rc;
	} cases[] = {
		{"<message xmlns='jabber:client' to='a@b'><body>hi</body></message>", 0},
		{"<?xml version='1.0'?><a/>", 0},
		{"  <a/>  ", 0},
		{"", XMPPC_EXML_NOT_WELL_FORMED},
		{"<a>", XMPPC_EXML_NOT_WELL_FORMED},
		{"<a/><b/>", XMPPC_EXML_NOT_WELL_FORMED},
		{"<a/>trailing", XMPPC_EXML_NOT_WELL_FORMED},
		{"text", XMPPC_EXML_NOT_WELL_FORMED},
		{"<!DOCTYPE a><a/>", XMPPC_EXML_RESTRICTED},
		{"<a><!--c--></a>", XMPPC_EXML_RESTRICTED},
		{"<a>&x;</a>", XMPPC_EXML_RESTRICTED},
		{"<a>\xc3</a>", XMPPC_EXML_INVALID_UTF8},
		{"<a>\xc3", XMPPC_EXML_INVALID_UTF8},
		{"<p:a/>", XMPPC_EXML_BAD_PREFIX},
		{"<a b='1' b='2'/>", XMPPC_EXML_DUPLICATE_ATTR},
		{"<?xml version='1.0' encoding='latin1'?><a/>", XMPPC_EXML_UNSUPPORTED_ENCODING},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = xmppc_stanza_from_xml(&s, ctx, cases[i].xml, strlen(cases[i].xml));
		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): got %s", i, cases[i].xml, xmppc_error_name(rc));
		if (rc == 0)
			assert_null(xmppc_stanza_unref(s));
	}
	assert_int_equal(xmppc_stanza_from_xml(&s, ctx, cases[0].xml, strlen(cases[0].xml)), 0);
	assert_int_equal(xmppc_stanza_get_kind(s), XMPPC_STANZA_MESSAGE);
	assert_string_equal(xmppc_message_body(s, NULL), "hi");
	assert_null(xmppc_stanza_unref(s));
	assert_int_equal(xmppc_stanza_from_xml(NULL, ctx, "<a/>", 4), XMPPC_EINVAL);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

static int count_stanza(void *ud, xmppc_stanza *s)
{
	(void)s;
	(*(int *)ud)++;
	return 0;
}

/* Every allocation of a full parse fails in turn: each run must end with
 * XMPPC_ENOMEM (or succeed once no allocation fails) and leak nothing. */
static void test_allocation_failures(void **state)
{
	static const char data[] = STREAM_OPEN "<message to='a@b' id='1'><body>x</body><x "
	                                       "xmlns='urn:x' a='b'/></message><iq type='get'/>";
	long n;

	(void)state;
	for (n = 1;; n++) {
		test_alloc a;
		xmppc_ctx *ctx = test_ctx_new(&a);
		xmppc_parser_callbacks cb = {XMPPC_PARSER_CALLBACKS_VERSION, NULL, count_stanza, NULL};
		xmppc_parser *p = NULL;
		int stanzas = 0, rc;

		a.fail_at = n + 1; /* the ctx itself took allocation 1 */
		a.calls = 1;
		rc = xmppc_parser_new(&p, ctx, NULL, 0, &cb, &stanzas);
		if (rc == 0) {
			rc = xmppc_parser_feed(NULL, p, data, sizeof(data) - 1);
			xmppc_parser_free(p);
		}
		a.fail_at = 0;
		assert_null(xmppc_ctx_unref(ctx));
		assert_int_equal(a.live, 0);
		if (rc == 0 && a.calls <= n) {
			assert_int_equal(stanzas, 2);
			break; /* no allocation was left to fail */
		}
		if (rc != 0 && rc != XMPPC_ENOMEM)
			fail_msg("allocation %ld failing gave %s", n, xmppc_error_name(rc));
		assert_true(n < 1000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_stream),
		cmocka_unit_test(test_stream_end_and_trailing),
		cmocka_unit_test(test_pause_after_proceed),
		cmocka_unit_test(test_restricted_xml),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_invalid_chars),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_not_well_formed),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_callbacks),
		cmocka_unit_test(test_from_xml),
		cmocka_unit_test(test_allocation_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
