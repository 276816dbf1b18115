/* XEP-0115 §5 verification strings: the examples of §5.2 and §5.3 with
 * the hashes the XEP gives, and the §5.4 checks. */
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <xmppc/xmppc.h>

/* XEP-0115 §5.2 */
static const char simple[] =
	"<query xmlns='http://jabber.org/protocol/disco#info'"
	" node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='>"
	"<identity category='client' name='Exodus 0.9.1' type='pc'/>"
	"<feature var='http://jabber.org/protocol/caps'/>"
	"<feature var='http://jabber.org/protocol/disco#info'/>"
	"<feature var='http://jabber.org/protocol/disco#items'/>"
	"<feature var='http://jabber.org/protocol/muc'/>"
	"</query>";

/* XEP-0115 §5.3, in a different order than the hash uses */
static const char complex_[] =
	"<query xmlns='http://jabber.org/protocol/disco#info'"
	" node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>"
	"<identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>"
	"<identity xml:lang='el' category='client' name='\xce\xa8 0.11' type='pc'/>"
	"<feature var='http://jabber.org/protocol/disco#items'/>"
	"<feature var='http://jabber.org/protocol/caps'/>"
	"<feature var='http://jabber.org/protocol/muc'/>"
	"<feature var='http://jabber.org/protocol/disco#info'/>"
	"<x xmlns='jabber:x:data' type='result'>"
	"<field var='ip_version' type='text-multi'><value>ipv4</value><value>ipv6</value></field>"
	"<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>"
	"<field var='software'><value>Psi</value></field>"
	"<field var='software_version'><value>0.11</value></field>"
	"<field var='os'><value>Mac</value></field>"
	"<field var='os_version'><value>10.5.1</value></field>"
	"</x></query>";

static xmppc_ctx *ctx;

static int setup(void **state)
{
	(void)state;
	return xmppc_ctx_new(&ctx, NULL);
}

static int teardown(void **state)
{
	(void)state;
	xmppc_ctx_unref(ctx);
	return 0;
}

/* The ver of `xml` with `hash`, into `out`; returns the error code. */
static int ver_of(char *out, size_t size, const char *xml, const char *hash)
{
	xmppc_stanza *q;
	xmppc_buf *b;
	int rc;

	assert_int_equal(xmppc_stanza_from_xml(&q, ctx, xml, strlen(xml)), 0);
	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	rc = xmppc_caps_ver(b, ctx, q, hash);
	out[0] = '\0';
	if (rc == 0) {
		assert_true(xmppc_buf_len(b) < size);
		memcpy(out, xmppc_buf_data(b), xmppc_buf_len(b) + 1);
	}
	xmppc_buf_free(b);
	xmppc_stanza_unref(q);
	return rc;
}

static void test_simple(void **state)
{
	char v[128];

	(void)state;
	assert_int_equal(ver_of(v, sizeof(v), simple, "sha-1"), 0);
	assert_string_equal(v, "QgayPKawpkPSDYmwT/WM94uAlu0=");
}

static void test_complex_with_form(void **state)
{
	char v[128];

	(void)state;
	assert_int_equal(ver_of(v, sizeof(v), complex_, "sha-1"), 0);
	assert_string_equal(v, "q07IKJEyjvHSyhy//CH0CxmKi8w=");
}

static void test_other_hashes(void **state)
{
	char v[128];

	(void)state;
	/* sha-256 of the §5.2 string S (computed independently with python hashlib) */
	assert_int_equal(ver_of(v, sizeof(v), simple, "sha-256"), 0);
	assert_string_equal(v, "Wr6IGEKhx6b9627gBmi/cCmpxXBc/GYq5zWuYfWGWoc=");
	assert_int_equal(ver_of(v, sizeof(v), simple, "md5"), XMPPC_EUNSUPPORTED);
	assert_int_equal(ver_of(v, sizeof(v), simple, "SHA-1"), XMPPC_EUNSUPPORTED);
}

static void test_ill_formed(void **state)
{
	char v[128];

	(void)state;
	/* §5.4 3.4: a feature twice */
	assert_int_equal(ver_of(v, sizeof(v),
	                        "<query xmlns='http://jabber.org/protocol/disco#info'>"
	                        "<identity category='client' type='pc'/>"
	                        "<feature var='a'/><feature var='a'/></query>", "sha-1"),
	                 XMPPC_EPROTOCOL);
	/* §5.4 3.3: an identity twice */
	assert_int_equal(ver_of(v, sizeof(v),
	                        "<query xmlns='http://jabber.org/protocol/disco#info'>"
	                        "<identity category='client' type='pc' name='x'/>"
	                        "<identity category='client' type='pc' name='x'/></query>", "sha-1"),
	                 XMPPC_EPROTOCOL);
	/* §5.4 3.5: two forms with one FORM_TYPE; a FORM_TYPE with two values */
	assert_int_equal(ver_of(v, sizeof(v),
	                        "<query xmlns='http://jabber.org/protocol/disco#info'>"
	                        "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' "
	                        "type='hidden'><value>urn:a</value></field></x>"
	                        "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' "
	                        "type='hidden'><value>urn:a</value></field></x></query>", "sha-1"),
	                 XMPPC_EPROTOCOL);
	assert_int_equal(ver_of(v, sizeof(v),
	                        "<query xmlns='http://jabber.org/protocol/disco#info'>"
	                        "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' "
	                        "type='hidden'><value>urn:a</value><value>urn:b</value></field></x>"
	                        "</query>", "sha-1"),
	                 XMPPC_EPROTOCOL);
	/* not a disco#info query */
	assert_int_equal(ver_of(v, sizeof(v), "<query xmlns='urn:x'/>", "sha-1"), XMPPC_EINVAL);
}

static void test_form_without_hidden_form_type_ignored(void **state)
{
	char v[128];
	char xml[2048];

	(void)state;
	/* §5.4 3.6: the form is left out, the rest hashes as §5.2 */
	snprintf(xml, sizeof(xml), "%.*s<x xmlns='jabber:x:data' type='result'>"
	         "<field var='FORM_TYPE'><value>urn:a</value></field>"
	         "<field var='b'><value>c</value></field></x></query>",
	         (int)(strlen(simple) - strlen("</query>")), simple);
	assert_int_equal(ver_of(v, sizeof(v), xml, "sha-1"), 0);
	assert_string_equal(v, "QgayPKawpkPSDYmwT/WM94uAlu0=");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simple),
	    cmocka_unit_test(test_complex_with_form),
	    cmocka_unit_test(test_other_hashes),
	    cmocka_unit_test(test_ill_formed),
	    cmocka_unit_test(test_form_without_hidden_form_type_ignored),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
