/* Shared test helpers: a counting allocator that can fail the N-th
 * allocation (allocation-failure runs) and reports live/peak bytes; the
 * answer a test playing the server gives to a bind request. */
#ifndef XMPPC_TESTUTIL_H
#define XMPPC_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <xmppc/xmppc.h>

typedef struct {
	long calls;     /* allocations attempted */
	long fail_at;   /* 1-based allocation number that fails; 0: never */
	long live;      /* blocks alive */
	size_t bytes;   /* bytes alive */
	size_t peak;    /* most bytes alive at once */
} test_alloc;

/* Each block carries its size in front so live bytes can be tracked. */
static inline void *test_malloc_fn(void *ud, size_t size)
{
	test_alloc *a = ud;
	size_t *p;

	if (a->fail_at != 0 && ++a->calls == a->fail_at)
		return NULL;
	if (a->fail_at == 0)
		a->calls++;
	p = malloc(size + sizeof(size_t) * 2);
	if (p == NULL)
		return NULL;
	p[0] = size;
	a->live++;
	a->bytes += size;
	if (a->bytes > a->peak)
		a->peak = a->bytes;
	return p + 2;
}

static inline void test_free_fn(void *ud, void *ptr)
{
	test_alloc *a = ud;
	size_t *p;

	if (ptr == NULL)
		return;
	p = (size_t *)ptr - 2;
	a->live--;
	a->bytes -= p[0];
	free(p);
}

static inline void *test_realloc_fn(void *ud, void *ptr, size_t size)
{
	test_alloc *a = ud;
	size_t old;
	void *n;

	if (ptr == NULL)
		return test_malloc_fn(ud, size);
	old = ((size_t *)ptr)[-2];
	n = test_malloc_fn(ud, size);
	if (n == NULL)
		return NULL;
	memcpy(n, ptr, old < size ? old : size);
	test_free_fn(a, ptr);
	return n;
}

static inline xmppc_ctx *test_ctx_new(test_alloc *a)
{
	xmppc_allocator al = {XMPPC_ALLOCATOR_VERSION, test_malloc_fn, test_realloc_fn, test_free_fn, a};
	xmppc_ctx *ctx = NULL;

	memset(a, 0, sizeof(*a));
	assert_int_equal(xmppc_ctx_new(&ctx, &al), 0);
	return ctx;
}

/* The server's result for the bind request found in @p client_out (what
 * the client wrote), binding @p jid: XML written to @p buf. */
static inline void test_bind_result(char *buf, size_t cap, const char *client_out, const char *jid)
{
	static const char req[] = "<iq type=\"set\" id=\"";
	const char *id = strstr(client_out, req);
	size_t n;
	int len;

	assert_non_null(id);
	id += sizeof(req) - 1;
	n = strcspn(id, "\"");
	len = snprintf(buf, cap,
	               "<iq type='result' id='%.*s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
	               "<jid>%s</jid></bind></iq>", (int)n, id, jid);
	assert_true(len > 0 && (size_t)len < cap);
}

/* Under valgrind the exhaustive split loops are thinned out (every n-th
 * split point) so the run stays within the CI budget; the full sweep runs
 * natively and under ASan. */
static inline size_t test_split_step(void)
{
	const char *v = getenv("XMPPC_UNDER_VALGRIND");
	return (v != NULL && v[0] == '1') ? 7 : 1;
}

#endif
