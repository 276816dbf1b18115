/* lib/util: context hooks, error table, buffers, hash table, base64, ids. */
#include <stdio.h>

#include "testutil.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/hash.h"
#include "util/random.h"

/* ---- context ------------------------------------------------------- */

typedef struct {
	int calls;
	int destroyed;
	xmppc_log_level last_level;
	char last_area[32];
	char last_msg[128];
} log_sink;

static void sink_fn(void *ud, xmppc_log_level level, const char *area, const char *msg)
{
	log_sink *s = ud;
	s->calls++;
	s->last_level = level;
	snprintf(s->last_area, sizeof(s->last_area), "%s", area);
	snprintf(s->last_msg, sizeof(s->last_msg), "%s", msg);
}

static void sink_destroy(void *ud)
{
	((log_sink *)ud)->destroyed++;
}

static int evaluated;
static int side_effect(void)
{
	return ++evaluated;
}

static void test_ctx_log(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	log_sink s1 = {0}, s2 = {0};

	(void)state;
	assert_int_equal(xmppc_ctx_set_log(ctx, XMPPC_LOG_INFO, sink_fn, &s1, sink_destroy), 0);
	XMPPC_LOG(ctx, XMPPC_LOG_WARN, "test", "value %d", 42);
	assert_int_equal(s1.calls, 1);
	assert_int_equal(s1.last_level, XMPPC_LOG_WARN);
	assert_string_equal(s1.last_area, "test");
	assert_string_equal(s1.last_msg, "value 42");
	/* levels above the threshold are not formatted, nor their arguments evaluated */
	XMPPC_LOG(ctx, XMPPC_LOG_DEBUG, "test", "%d", side_effect());
	assert_int_equal(s1.calls, 1);
	assert_int_equal(evaluated, 0);
	/* replacing the hook destroys the old user data */
	assert_int_equal(xmppc_ctx_set_log(ctx, XMPPC_LOG_TRACE, sink_fn, &s2, sink_destroy), 0);
	assert_int_equal(s1.destroyed, 1);
	XMPPC_LOG(ctx, XMPPC_LOG_TRACE, "x", "t");
	assert_int_equal(s2.calls, 1);
	assert_int_equal(xmppc_ctx_set_log(ctx, 99, sink_fn, &s2, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_ctx_set_log(NULL, XMPPC_LOG_INFO, NULL, NULL, NULL), XMPPC_EINVAL);
	/* freeing the context destroys the current hook's data */
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(s2.destroyed, 1);
	assert_int_equal(a.live, 0);
}

static uint64_t fake_clock(void *ud)
{
	return *(uint64_t *)ud;
}

static void test_ctx_clock_and_refs(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	uint64_t now = 12345, t0, t1;
	xmppc_allocator bad = {XMPPC_ALLOCATOR_VERSION, test_malloc_fn, NULL, test_free_fn, &a};
	xmppc_ctx *other = NULL;

	(void)state;
	t0 = xmppc_ctx_now(ctx);
	t1 = xmppc_ctx_now(ctx);
	assert_true(t1 >= t0);
	assert_int_equal(xmppc_ctx_set_clock(ctx, fake_clock, &now, NULL), 0);
	assert_int_equal(xmppc_ctx_now(ctx), 12345);
	now = 99999;
	assert_int_equal(xmppc_ctx_now(ctx), 99999);
	assert_int_equal(xmppc_ctx_set_clock(ctx, NULL, NULL, NULL), 0);
	assert_true(xmppc_ctx_now(ctx) >= t1);
	assert_int_equal(xmppc_ctx_now(NULL), 0);
	/* references */
	assert_ptr_equal(xmppc_ctx_ref(ctx), ctx);
	assert_ptr_equal(xmppc_ctx_unref(ctx), ctx);
	/* bad allocators are refused */
	assert_int_equal(xmppc_ctx_new(&other, &bad), XMPPC_EINVAL);
	bad.realloc_fn = test_realloc_fn;
	bad.version = 7;
	assert_int_equal(xmppc_ctx_new(&other, &bad), XMPPC_EINVAL);
	assert_int_equal(xmppc_ctx_new(NULL, NULL), XMPPC_EINVAL);
	assert_null(other);
	/* a failing allocator gives ENOMEM */
	bad.version = XMPPC_ALLOCATOR_VERSION;
	a.fail_at = a.calls + 1;
	assert_int_equal(xmppc_ctx_new(&other, &bad), XMPPC_ENOMEM);
	a.fail_at = 0;
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
	assert_string_equal(xmppc_version(), "0.1.0");
}

/* ---- errors --------------------------------------------------------- */

static void test_errors(void **state)
{
	static const int xml_errors[] = {
		XMPPC_EXML_NOT_WELL_FORMED, XMPPC_EXML_RESTRICTED, XMPPC_EXML_INVALID_UTF8,
		XMPPC_EXML_INVALID_CHAR, XMPPC_EXML_UNSUPPORTED_ENCODING, XMPPC_EXML_UNSUPPORTED_VERSION,
		XMPPC_EXML_BAD_PREFIX, XMPPC_EXML_DUPLICATE_ATTR, XMPPC_EXML_INVALID_NAMESPACE,
		XMPPC_EXML_DEPTH_LIMIT, XMPPC_EXML_SIZE_LIMIT, XMPPC_EXML_ATTR_LIMIT,
		XMPPC_EXML_ELEMENT_LIMIT, XMPPC_EXML_TEXT_AT_TOP, XMPPC_EXML_NAME_LIMIT,
	};
	size_t i;
	int code;

	(void)state;
	for (i = 0; i < sizeof(xml_errors) / sizeof(xml_errors[0]); i++) {
		assert_true(xmppc_is_fatal(xml_errors[i]));
		assert_string_not_equal(xmppc_strerror(xml_errors[i]), "unknown error");
		assert_int_not_equal(xmppc_error_stream_condition(xml_errors[i]), XMPPC_STREAM_COND_NONE);
	}
	/* every code in the general, XML and JID/PRECIS ranges that has a
	 * name has a text, and names are unique */
	for (code = 0; code > -300; code--) {
		const char *name = xmppc_error_name(code);
		if (strcmp(name, "XMPPC_E?") == 0) {
			assert_string_equal(xmppc_strerror(code), "unknown error");
			continue;
		}
		assert_string_not_equal(xmppc_strerror(code), "unknown error");
		assert_true(strncmp(name, "XMPPC_", 6) == 0);
	}
	assert_string_equal(xmppc_error_name(XMPPC_EINVAL), "XMPPC_EINVAL");
	assert_false(xmppc_is_fatal(XMPPC_EINVAL));
	assert_false(xmppc_is_fatal(0));
	assert_false(xmppc_is_fatal(-12345));
	assert_int_equal(xmppc_error_stream_condition(XMPPC_EXML_RESTRICTED), XMPPC_STREAM_COND_RESTRICTED_XML);
	assert_int_equal(xmppc_error_stream_condition(XMPPC_EXML_UNSUPPORTED_ENCODING),
	                 XMPPC_STREAM_COND_UNSUPPORTED_ENCODING);
	assert_int_equal(xmppc_error_stream_condition(XMPPC_EXML_BAD_PREFIX),
	                 XMPPC_STREAM_COND_BAD_NAMESPACE_PREFIX);
	assert_int_equal(xmppc_error_stream_condition(XMPPC_EXML_SIZE_LIMIT),
	                 XMPPC_STREAM_COND_POLICY_VIOLATION);
	assert_int_equal(xmppc_error_stream_condition(XMPPC_EXML_INVALID_NAMESPACE),
	                 XMPPC_STREAM_COND_INVALID_NAMESPACE);
	assert_int_equal(xmppc_error_stream_condition(XMPPC_EXML_INVALID_UTF8),
	                 XMPPC_STREAM_COND_NOT_WELL_FORMED);
	/* condition names round-trip */
	for (code = XMPPC_STREAM_COND_NONE + 1; code < XMPPC_STREAM_COND_COUNT; code++) {
		const char *n = xmppc_stream_condition_name((xmppc_stream_condition)code);
		assert_non_null(n);
		assert_int_equal(xmppc_stream_condition_from_name(n, strlen(n)), code);
	}
	assert_null(xmppc_stream_condition_name(XMPPC_STREAM_COND_NONE));
	assert_null(xmppc_stream_condition_name(XMPPC_STREAM_COND_COUNT));
	assert_int_equal(xmppc_stream_condition_from_name("bogus", 5), XMPPC_STREAM_COND_UNDEFINED_CONDITION);
	assert_int_equal(xmppc_stream_condition_from_name("reset-x", 5), XMPPC_STREAM_COND_RESET);
	assert_int_equal(xmppc_stream_condition_from_name(NULL, 0), XMPPC_STREAM_COND_NONE);
}

/* ---- buffers ---------------------------------------------------------- */

static void test_buf(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_buf *b;
	char big[5000];
	int i;

	(void)state;
	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	assert_string_equal(xmppc_buf_data(b), "");
	assert_int_equal(xmppc_buf_len(b), 0);
	assert_int_equal(xmppc_buf_append(b, "hello", 5), 0);
	assert_int_equal(xmppc_buf_append(b, " world", 6), 0);
	assert_string_equal(xmppc_buf_data(b), "hello world");
	assert_int_equal(xmppc_buf_consume(b, 6), 0);
	assert_string_equal(xmppc_buf_data(b), "world");
	assert_int_equal(xmppc_buf_len(b), 5);
	memset(big, 'x', sizeof(big));
	for (i = 0; i < 10; i++)
		assert_int_equal(xmppc_buf_append(b, big, sizeof(big)), 0);
	assert_int_equal(xmppc_buf_len(b), 5 + 50000);
	assert_memory_equal(xmppc_buf_data(b), "worldxxxx", 9);
	assert_int_equal(xmppc_buf_data(b)[xmppc_buf_len(b)], '\0');
	assert_int_equal(xmppc_buf_consume(b, 1000000), 0);
	assert_int_equal(xmppc_buf_len(b), 0);
	assert_int_equal(xmppc_buf_reserve(b, 100000), 0);
	assert_int_equal(xmppc_buf_append(b, "a", 1), 0);
	xmppc_buf_clear(b);
	assert_string_equal(xmppc_buf_data(b), "");
	assert_int_equal(xmppc_buf_append(b, NULL, 0), 0);
	assert_int_equal(xmppc_buf_append(b, NULL, 3), XMPPC_EINVAL);
	assert_int_equal(xmppc_buf_append(NULL, "a", 1), XMPPC_EINVAL);
	assert_int_equal(xmppc_buf_consume(NULL, 1), XMPPC_EINVAL);
	assert_int_equal(xmppc_buf_reserve(NULL, 1), XMPPC_EINVAL);
	assert_int_equal(xmppc_buf_new(NULL, ctx), XMPPC_EINVAL);
	assert_int_equal(xmppc_buf_new(&b, NULL), XMPPC_EINVAL);
	/* a failed append leaves the buffer unchanged */
	xmppc_buf_free(b);
	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	assert_int_equal(xmppc_buf_append(b, "keep", 4), 0);
	a.fail_at = a.calls + 1;
	assert_int_equal(xmppc_buf_append(b, big, sizeof(big)), XMPPC_ENOMEM);
	a.fail_at = 0;
	assert_string_equal(xmppc_buf_data(b), "keep");
	xmppc_buf_free(b);
	xmppc_buf_free(NULL);
	assert_string_equal(xmppc_buf_data(NULL), "");
	assert_int_equal(xmppc_buf_len(NULL), 0);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

/* ---- hash table --------------------------------------------------------- */

static void test_hash(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc__hash h;
	char key[32];
	size_t pos = 0, seen = 0;
	const char *k;
	size_t kl;
	void *v;
	long i;

	(void)state;
	xmppc__hash_init(&h, ctx);
	assert_null(xmppc__hash_get(&h, "a", 1));
	assert_null(xmppc__hash_remove(&h, "a", 1));
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key-%ld", i);
		assert_int_equal(xmppc__hash_insert(&h, key, strlen(key), (void *)(i + 1)), 0);
	}
	assert_int_equal(xmppc__hash_insert(&h, "key-7", 5, (void *)1), XMPPC_EEXIST);
	assert_ptr_equal(xmppc__hash_get(&h, "key-7", 5), (void *)8);
	for (i = 0; i < 5000; i += 2) {
		snprintf(key, sizeof(key), "key-%ld", i);
		assert_ptr_equal(xmppc__hash_remove(&h, key, strlen(key)), (void *)(i + 1));
	}
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key-%ld", i);
		if (i % 2)
			assert_ptr_equal(xmppc__hash_get(&h, key, strlen(key)), (void *)(i + 1));
		else
			assert_null(xmppc__hash_get(&h, key, strlen(key)));
	}
	/* keys are not confused by prefixes or embedded lengths */
	assert_null(xmppc__hash_get(&h, "key-1", 4));
	assert_null(xmppc__hash_get(&h, "key-11x", 7));
	while (xmppc__hash_next(&h, &pos, &k, &kl, &v)) {
		assert_true(kl > 4);
		seen++;
	}
	assert_int_equal(seen, 2500);
	/* reinsert after removal (tombstones reused) */
	for (i = 0; i < 5000; i += 2) {
		snprintf(key, sizeof(key), "key-%ld", i);
		assert_int_equal(xmppc__hash_insert(&h, key, strlen(key), (void *)1), 0);
	}
	assert_int_equal(h.count, 5000);
	xmppc__hash_fini(&h);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

/* ---- base64 ---------------------------------------------------------------- */

static void test_base64(void **state)
{
	/* RFC 4648 §10 test vectors */
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const bad[] = {
		"Zg=", "Zm9v\n", " Zm9v", "Zm9v====", "Z===", "Zm9v*mFy", "Zh==", "Zm9=", "=Zm9",
		"Zm=v", "Zm9vYg=a",
	};
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_buf *b;
	unsigned char bin[256];
	size_t i;

	(void)state;
	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	for (i = 0; i < 7; i++) {
		xmppc_buf_clear(b);
		assert_int_equal(xmppc__base64_encode(b, plain[i], strlen(plain[i])), 0);
		assert_string_equal(xmppc_buf_data(b), coded[i]);
		xmppc_buf_clear(b);
		assert_int_equal(xmppc__base64_decode(b, coded[i], strlen(coded[i])), 0);
		assert_string_equal(xmppc_buf_data(b), plain[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		xmppc_buf_clear(b);
		if (xmppc__base64_decode(b, bad[i], strlen(bad[i])) != XMPPC_EBASE64)
			fail_msg("accepted bad base64 '%s'", bad[i]);
		assert_int_equal(xmppc_buf_len(b), 0);
	}
	/* all byte values round-trip */
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)i;
	for (i = 0; i <= sizeof(bin); i += 17) {
		xmppc_buf *c;
		assert_int_equal(xmppc_buf_new(&c, ctx), 0);
		xmppc_buf_clear(b);
		assert_int_equal(xmppc__base64_encode(b, bin, i), 0);
		assert_int_equal(xmppc__base64_decode(c, xmppc_buf_data(b), xmppc_buf_len(b)), 0);
		assert_int_equal(xmppc_buf_len(c), i);
		assert_memory_equal(xmppc_buf_data(c), bin, i);
		xmppc_buf_free(c);
	}
	xmppc_buf_free(b);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

/* ---- random ids --------------------------------------------------------------- */

static void test_ids(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc__hash seen;
	char id[XMPPC__ID_LEN + 1];
	unsigned char r1[32], r2[32];
	int i, j;

	(void)state;
	xmppc__hash_init(&seen, ctx);
	for (i = 0; i < 20000; i++) {
		assert_int_equal(xmppc__id_generate(id), 0);
		assert_int_equal(strlen(id), XMPPC__ID_LEN);
		for (j = 0; j < XMPPC__ID_LEN; j++)
			assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
			                       id[j]));
		assert_int_equal(xmppc__hash_insert(&seen, id, XMPPC__ID_LEN, NULL), 0);
	}
	assert_int_equal(xmppc__random(r1, sizeof(r1)), 0);
	assert_int_equal(xmppc__random(r2, sizeof(r2)), 0);
	assert_memory_not_equal(r1, r2, sizeof(r1));
	xmppc__hash_fini(&seen);
	assert_null(xmppc_ctx_unref(ctx));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctx_log),
		cmocka_unit_test(test_ctx_clock_and_refs),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
