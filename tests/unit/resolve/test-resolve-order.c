/* Pure parts of the resolver (lib/net/resolve/order.c): RFC 2782 order,
 * the RFC 6120 / XEP-0368 SRV plan, Happy Eyeballs interleaving, host[:port]
 * parsing, and the DNS error codes. No DNS traffic. */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "net/resolve.h"
#include "util/random.h"

/* A reproducible random source (xorshift64*) for the statistical tests. */
static uint64_t rng_state;

static void xorshift_fill(void *ud, void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t i;

	(void)ud;
	for (i = 0; i < n; i++) {
		rng_state ^= rng_state >> 12;
		rng_state ^= rng_state << 25;
		rng_state ^= rng_state >> 27;
		p[i] = (unsigned char)((rng_state * 2685821657736338717ull) >> 56);
	}
}

static int seed_rng(void **state)
{
	(void)state;
	rng_state = 0x9e3779b97f4a7c15ull;
	xmppc__random_set_override(xorshift_fill, NULL);
	return 0;
}

static int restore_rng(void **state)
{
	(void)state;
	xmppc__random_set_override(NULL, NULL);
	return 0;
}

static xmppc__srv_rec rec(const char *host, uint16_t port, uint16_t prio, uint16_t weight)
{
	xmppc__srv_rec r = {host, port, prio, weight, 0};
	return r;
}

/* ---- RFC 2782 order ---- */

static void test_priority_order(void **state)
{
	int run;

	(void)state;
	for (run = 0; run < 200; run++) {
		xmppc__srv_rec r[5] = {rec("c", 1, 20, 5), rec("a", 1, 10, 1), rec("d", 1, 30, 0),
		                       rec("b", 1, 10, 9), rec("e", 1, 0, 0)};
		size_t i;

		assert_int_equal(xmppc__srv_order(r, 5), 0);
		assert_string_equal(r[0].host, "e");
		assert_int_equal(r[1].priority, 10);
		assert_int_equal(r[2].priority, 10);
		assert_string_equal(r[3].host, "c");
		assert_string_equal(r[4].host, "d");
		for (i = 1; i < 5; i++)
			assert_true(r[i - 1].priority <= r[i].priority);
	}
}

/* The chance of a record being first is proportional to its weight: the
 * draw is uniform in [0, sum], so exactly (w_i [+1 for the first]) /
 * (sum + 1). */
static void test_weights_first_choice(void **state)
{
	const int runs = 40000;
	int first[3] = {0, 0, 0}, run, i;
	const double expect[3] = {11.0 / 101, 30.0 / 101, 60.0 / 101};

	(void)state;
	for (run = 0; run < runs; run++) {
		xmppc__srv_rec r[3] = {rec("a", 1, 5, 10), rec("b", 1, 5, 30), rec("c", 1, 5, 60)};

		assert_int_equal(xmppc__srv_order(r, 3), 0);
		first[r[0].host[0] - 'a']++;
	}
	for (i = 0; i < 3; i++) {
		double got = (double)first[i] / runs;
		if (got < expect[i] - 0.015 || got > expect[i] + 0.015)
			fail_msg("record %c first in %.4f of runs, expected %.4f", 'a' + i, got,
			         expect[i]);
	}
}

/* After the first pick, the rest are picked by their remaining weights:
 * with weights 1 and 3 (and a third of 6), check the whole sequence. */
static void test_weights_full_sequence(void **state)
{
	const int runs = 30000;
	int seq_abc = 0, seq_cba = 0, run;

	(void)state;
	for (run = 0; run < runs; run++) {
		xmppc__srv_rec r[3] = {rec("a", 1, 0, 1), rec("b", 1, 0, 3), rec("c", 1, 0, 6)};
		char s[4];

		assert_int_equal(xmppc__srv_order(r, 3), 0);
		s[0] = r[0].host[0];
		s[1] = r[1].host[0];
		s[2] = r[2].host[0];
		s[3] = '\0';
		if (strcmp(s, "abc") == 0)
			seq_abc++;
		if (strcmp(s, "cba") == 0)
			seq_cba++;
	}
	/* P(a,b,c) = 2/11 * 4/10 ~ 0.0727 (a first needs draw <= 1 of 0..10,
	 * then b needs draw <= 3 of 0..9). P(c,b,a) = 6/11 * 3/5 ~ 0.327
	 * (c first: draws 5..10; then b: draws 2..4 of 0..4, a having the
	 * running sum 1). */
	assert_in_range(seq_abc, (int)(runs * 0.0727 * 0.85), (int)(runs * 0.0727 * 1.15));
	assert_in_range(seq_cba, (int)(runs * 0.327 * 0.95), (int)(runs * 0.327 * 1.05));
}

/* RFC 2782: weight-0 records have "a very small chance of being
 * selected" while others have weight: they end up last nearly always. */
static void test_weight_zero_last(void **state)
{
	const int runs = 20000;
	int heavy_first = 0, zero_last_two = 0, run;

	(void)state;
	for (run = 0; run < runs; run++) {
		xmppc__srv_rec r[3] = {rec("z1", 1, 1, 0), rec("h", 1, 1, 100), rec("z2", 1, 1, 0)};

		assert_int_equal(xmppc__srv_order(r, 3), 0);
		if (strcmp(r[0].host, "h") == 0)
			heavy_first++;
		if (r[1].weight == 0 && r[2].weight == 0)
			zero_last_two++;
	}
	/* h first unless the draw is 0 of 0..100. */
	assert_true(heavy_first > runs * 0.97);
	assert_int_equal(heavy_first, zero_last_two);
}

/* All weights 0: nothing to weigh; the records keep the order they came
 * in (the RFC allows "any order"; received order is reproducible). */
static void test_all_zero_weights_stable(void **state)
{
	xmppc__srv_rec r[4] = {rec("a", 1, 3, 0), rec("b", 1, 3, 0), rec("c", 1, 1, 0),
	                       rec("d", 1, 3, 0)};

	(void)state;
	assert_int_equal(xmppc__srv_order(r, 4), 0);
	assert_string_equal(r[0].host, "c");
	assert_string_equal(r[1].host, "a");
	assert_string_equal(r[2].host, "b");
	assert_string_equal(r[3].host, "d");
	assert_int_equal(xmppc__srv_order(r, 0), 0);
}

static void test_order_too_many(void **state)
{
	static xmppc__srv_rec r[2 * XMPPC__RESOLVE_MAX_SRV + 1];

	(void)state;
	assert_int_equal(xmppc__srv_order(r, 2 * XMPPC__RESOLVE_MAX_SRV + 1), XMPPC_ERANGE);
	assert_int_equal(xmppc__srv_order(r, 2 * XMPPC__RESOLVE_MAX_SRV), 0);
}

/* ---- plan: merging _xmpps-client and _xmpp-client ---- */

static const xmppc__srv_answer absent = {XMPPC_ENOTFOUND, NULL, 0};

static void test_plan_merge_both(void **state)
{
	xmppc__srv_rec xs[] = {rec("tls.example", 5223, 5, 0)};
	xmppc__srv_rec x[] = {rec("plain.example", 5222, 10, 0), rec("plain2.example", 5222, 1, 0)};
	xmppc__srv_answer ax = {0, xs, 1}, a = {0, x, 2};
	xmppc__srv_rec out[8];
	size_t n;

	(void)state;
	assert_int_equal(xmppc__srv_plan(out, 8, &n, &ax, &a), XMPPC__RESOLVE_SRV);
	assert_int_equal(n, 3);
	/* one order across both services: priority 1, 5, 10 */
	assert_string_equal(out[0].host, "plain2.example");
	assert_int_equal(out[0].direct_tls, 0);
	assert_string_equal(out[1].host, "tls.example");
	assert_int_equal(out[1].direct_tls, 1);
	assert_int_equal(out[1].port, 5223);
	assert_string_equal(out[2].host, "plain.example");
	assert_int_equal(out[2].direct_tls, 0);
}

/* Same priority: weights are mixed across the two services (XEP-0368 §3). */
static void test_plan_mixed_weights(void **state)
{
	int tls_first = 0, run;

	(void)state;
	for (run = 0; run < 10000; run++) {
		xmppc__srv_rec xs[] = {rec("tls", 5223, 0, 75)};
		xmppc__srv_rec x[] = {rec("plain", 5222, 0, 25)};
		xmppc__srv_answer ax = {0, xs, 1}, a = {0, x, 1};
		xmppc__srv_rec out[2];
		size_t n;

		assert_int_equal(xmppc__srv_plan(out, 2, &n, &ax, &a), XMPPC__RESOLVE_SRV);
		assert_int_equal(n, 2);
		if (out[0].direct_tls)
			tls_first++;
	}
	assert_in_range(tls_first, 7200, 7700); /* 76/101 */
}

static void test_plan_dot_target(void **state)
{
	xmppc__srv_rec dot[] = {rec("", 0, 0, 0)};
	xmppc__srv_rec dot2[] = {rec(".", 1, 0, 0)};
	xmppc__srv_rec x[] = {rec("plain.example", 5222, 0, 0)};
	xmppc__srv_rec xs[] = {rec("tls.example", 5223, 0, 0)};
	xmppc__srv_answer adot = {0, dot, 1}, adot2 = {0, dot2, 1}, a = {0, x, 1}, ax = {0, xs, 1};
	xmppc__srv_rec out[4];
	size_t n;

	(void)state;
	/* _xmpps-client "." + _xmpp-client records: the latter only */
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &adot, &a), XMPPC__RESOLVE_SRV);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].host, "plain.example");
	/* _xmpp-client "." and no direct TLS: decidedly no service, no fallback */
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &absent, &adot2), XMPPC_EDNS_NO_SERVICE);
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &adot, &adot), XMPPC_EDNS_NO_SERVICE);
	assert_int_equal(xmppc__srv_plan(out, 4, &n, NULL, &adot), XMPPC_EDNS_NO_SERVICE);
	/* _xmpp-client "." but direct TLS offered: use that */
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &ax, &adot), XMPPC__RESOLVE_SRV);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].direct_tls, 1);
	/* _xmpps-client "." only rules out direct TLS: no _xmpp-client -> fallback */
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &adot, &absent), XMPPC__RESOLVE_FALLBACK);
	assert_int_equal(n, 0);
}

static void test_plan_dot_among_records(void **state)
{
	xmppc__srv_rec x[] = {rec(".", 5222, 0, 0), rec("a.example", 5222, 1, 0),
	                      rec("b.example", 0, 0, 0)};
	xmppc__srv_answer a = {0, x, 3};
	xmppc__srv_rec out[4];
	size_t n;

	(void)state;
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &absent, &a), XMPPC__RESOLVE_SRV);
	assert_int_equal(n, 1); /* "." and port 0 are skipped */
	assert_string_equal(out[0].host, "a.example");
}

static void test_plan_absent_and_errors(void **state)
{
	xmppc__srv_rec xs[] = {rec("tls.example", 5223, 0, 0)};
	xmppc__srv_answer ax = {0, xs, 1}, timeout = {XMPPC_EDNS_TIMEOUT, NULL, 0},
	                  servfail = {XMPPC_EDNS_SERVER_FAILURE, NULL, 0}, nodata = {0, NULL, 0};
	xmppc__srv_rec out[4];
	size_t n;

	(void)state;
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &absent, &absent), XMPPC__RESOLVE_FALLBACK);
	assert_int_equal(xmppc__srv_plan(out, 4, &n, NULL, &absent), XMPPC__RESOLVE_FALLBACK);
	assert_int_equal(xmppc__srv_plan(out, 4, &n, NULL, NULL), XMPPC__RESOLVE_FALLBACK);
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &nodata, &nodata), XMPPC__RESOLVE_FALLBACK);
	/* the RFC 6120 lookup failed: nothing known, report it */
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &absent, &timeout), XMPPC_EDNS_TIMEOUT);
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &servfail, &servfail),
	                 XMPPC_EDNS_SERVER_FAILURE);
	/* ... unless direct TLS records came anyway */
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &ax, &timeout), XMPPC__RESOLVE_SRV);
	assert_int_equal(n, 1);
	/* the optional XEP-0368 lookup failing does not block the fallback */
	assert_int_equal(xmppc__srv_plan(out, 4, &n, &timeout, &absent), XMPPC__RESOLVE_FALLBACK);
	assert_int_equal(xmppc__srv_plan(out, 4, NULL, &ax, &absent), XMPPC_EINVAL);
}

static void test_plan_cap(void **state)
{
	xmppc__srv_rec x[] = {rec("a", 1, 0, 0), rec("b", 1, 0, 0), rec("c", 1, 0, 0)};
	xmppc__srv_answer a = {0, x, 3};
	xmppc__srv_rec out[2];
	size_t n;

	(void)state;
	assert_int_equal(xmppc__srv_plan(out, 2, &n, NULL, &a), XMPPC__RESOLVE_SRV);
	assert_int_equal(n, 2);
}

/* ---- Happy Eyeballs interleaving ---- */

static xmppc__resolve_addr v4(const char *s)
{
	xmppc__resolve_addr a;
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.sa;

	memset(&a, 0, sizeof(a));
	sin->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, &sin->sin_addr), 1);
	a.len = sizeof(*sin);
	a.family = AF_INET;
	return a;
}

static xmppc__resolve_addr v6(const char *s)
{
	xmppc__resolve_addr a;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.sa;

	memset(&a, 0, sizeof(a));
	sin6->sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, s, &sin6->sin6_addr), 1);
	a.len = sizeof(*sin6);
	a.family = AF_INET6;
	return a;
}

static void addr_str(const xmppc__resolve_addr *a, char *buf, size_t cap)
{
	const void *p = a->family == AF_INET
	                    ? (const void *)&((const struct sockaddr_in *)&a->sa)->sin_addr
	                    : (const void *)&((const struct sockaddr_in6 *)&a->sa)->sin6_addr;
	assert_non_null(inet_ntop(a->family, p, buf, (socklen_t)cap));
}

/* Joins the addresses with spaces. */
static void order_str(const xmppc__resolve_addr *a, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		char buf[INET6_ADDRSTRLEN];

		addr_str(&a[i], buf, sizeof(buf));
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i > 0 ? " " : "", buf);
	}
}

static void test_interleave(void **state)
{
	char s[256];

	(void)state;
	{
		xmppc__resolve_addr a[] = {v6("2001:db8::1"), v6("2001:db8::2"), v6("2001:db8::3"),
		                           v4("192.0.2.1"), v4("192.0.2.2")};
		size_t n = xmppc__addrs_interleave(a, 5);
		order_str(a, n, s, sizeof(s));
		assert_string_equal(s, "2001:db8::1 192.0.2.1 2001:db8::2 192.0.2.2 2001:db8::3");
	}
	{
		/* RFC 6724 put IPv4 first (no IPv6 route): start with IPv4 */
		xmppc__resolve_addr a[] = {v4("192.0.2.1"), v4("192.0.2.2"), v6("2001:db8::1")};
		size_t n = xmppc__addrs_interleave(a, 3);
		order_str(a, n, s, sizeof(s));
		assert_string_equal(s, "192.0.2.1 2001:db8::1 192.0.2.2");
	}
	{
		xmppc__resolve_addr a[] = {v6("2001:db8::1"), v4("192.0.2.1"), v4("192.0.2.2"),
		                           v4("192.0.2.3"), v6("2001:db8::2")};
		size_t n = xmppc__addrs_interleave(a, 5);
		order_str(a, n, s, sizeof(s));
		assert_string_equal(s, "2001:db8::1 192.0.2.1 2001:db8::2 192.0.2.2 192.0.2.3");
	}
	{
		/* duplicates removed, first kept */
		xmppc__resolve_addr a[] = {v6("::1"), v4("127.0.0.1"), v6("::1"), v4("127.0.0.1"),
		                           v4("127.0.0.2")};
		size_t n = xmppc__addrs_interleave(a, 5);
		order_str(a, n, s, sizeof(s));
		assert_string_equal(s, "::1 127.0.0.1 127.0.0.2");
	}
	{
		xmppc__resolve_addr a[] = {v4("192.0.2.9"), v4("192.0.2.8")};
		size_t n = xmppc__addrs_interleave(a, 2);
		order_str(a, n, s, sizeof(s));
		assert_string_equal(s, "192.0.2.9 192.0.2.8");
	}
	assert_int_equal(xmppc__addrs_interleave(NULL, 0), 0);
}

/* ---- host[:port] ---- */

static void test_hostport(void **state)
{
	char h[64];
	uint16_t port;

	(void)state;
	assert_int_equal(xmppc__hostport_parse("example.com", h, sizeof(h), &port), 0);
	assert_string_equal(h, "example.com");
	assert_int_equal(port, 0);
	assert_int_equal(xmppc__hostport_parse("example.com:5223", h, sizeof(h), &port), 0);
	assert_string_equal(h, "example.com");
	assert_int_equal(port, 5223);
	assert_int_equal(xmppc__hostport_parse("[::1]:5222", h, sizeof(h), &port), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(port, 5222);
	assert_int_equal(xmppc__hostport_parse("[2001:db8::1]", h, sizeof(h), &port), 0);
	assert_string_equal(h, "2001:db8::1");
	assert_int_equal(port, 0);
	assert_int_equal(xmppc__hostport_parse("2001:db8::1", h, sizeof(h), &port), 0);
	assert_string_equal(h, "2001:db8::1");
	assert_int_equal(port, 0);
	assert_int_equal(xmppc__hostport_parse("192.0.2.1:65535", h, sizeof(h), &port), 0);
	assert_int_equal(port, 65535);

	assert_int_equal(xmppc__hostport_parse("", h, sizeof(h), &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse(":5222", h, sizeof(h), &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("host:", h, sizeof(h), &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("host:0", h, sizeof(h), &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("host:65536", h, sizeof(h), &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("host:12a", h, sizeof(h), &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("host:-1", h, sizeof(h), &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("[::1", h, sizeof(h), &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("[::1]x", h, sizeof(h), &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("[]:5222", h, sizeof(h), &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("[example.com]:1", h, sizeof(h), &port),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("example.com", h, 11, &port), XMPPC_EINVAL);
	assert_int_equal(xmppc__hostport_parse("example.com", h, 12, &port), 0);
	assert_int_equal(xmppc__hostport_parse(NULL, h, sizeof(h), &port), XMPPC_EINVAL);
}

/* ---- error codes ---- */

static void test_error_codes(void **state)
{
	static const struct {
		int code;
		const char *name;
		int retry;
		int fatal;
	} codes[] = {
	    {XMPPC_EDNS_NXDOMAIN, "XMPPC_EDNS_NXDOMAIN", 0, 1},
	    {XMPPC_EDNS_NO_ADDRESS, "XMPPC_EDNS_NO_ADDRESS", 0, 1},
	    {XMPPC_EDNS_NO_SERVICE, "XMPPC_EDNS_NO_SERVICE", 0, 1},
	    {XMPPC_EDNS_TIMEOUT, "XMPPC_EDNS_TIMEOUT", 1, 1},
	    {XMPPC_EDNS_SERVER_FAILURE, "XMPPC_EDNS_SERVER_FAILURE", 1, 1},
	    {XMPPC_EDNS_BAD_RESPONSE, "XMPPC_EDNS_BAD_RESPONSE", 1, 1},
	    {XMPPC_EDNS_UNREACHABLE, "XMPPC_EDNS_UNREACHABLE", 1, 1},
	    {XMPPC_EDNS_CONFIG, "XMPPC_EDNS_CONFIG", 0, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_true(codes[i].code <= -600 && codes[i].code > -700);
		assert_string_equal(xmppc_error_name(codes[i].code), codes[i].name);
		assert_string_not_equal(xmppc_strerror(codes[i].code), "unknown error");
		assert_int_equal(xmppc_error_retryable(codes[i].code), codes[i].retry);
		assert_int_equal(xmppc_is_fatal(codes[i].code), codes[i].fatal);
		assert_int_equal(xmppc_error_stream_condition(codes[i].code),
		                 XMPPC_STREAM_COND_NONE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_priority_order),
	    cmocka_unit_test(test_weights_first_choice),
	    cmocka_unit_test(test_weights_full_sequence),
	    cmocka_unit_test(test_weight_zero_last),
	    cmocka_unit_test(test_all_zero_weights_stable),
	    cmocka_unit_test(test_order_too_many),
	    cmocka_unit_test(test_plan_merge_both),
	    cmocka_unit_test(test_plan_mixed_weights),
	    cmocka_unit_test(test_plan_dot_target),
	    cmocka_unit_test(test_plan_dot_among_records),
	    cmocka_unit_test(test_plan_absent_and_errors),
	    cmocka_unit_test(test_plan_cap),
	    cmocka_unit_test(test_interleave),
	    cmocka_unit_test(test_hostport),
	    cmocka_unit_test(test_error_codes),
	};
	return cmocka_run_group_tests(tests, seed_rng, restore_rng);
}
