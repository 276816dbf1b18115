/* The module-test harness itself: READY without I/O, output capture, an
 * unhandled IQ answered with service-unavailable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "xh.h"

static void test_ready_and_unhandled_iq(void **state)
{
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	assert_string_equal(xmppc_jid_full(xmppc_session_jid(h.s)), "juliet@example.com/balcony");
	xh_expect_none(&h);
	xh_in(&h, "<iq type='get' id='q1' from='romeo@example.net/orchard'>"
	          "<query xmlns='urn:example:unknown'/></iq>");
	xh_expect(&h, "<service-unavailable xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>");
	xh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ready_and_unhandled_iq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
