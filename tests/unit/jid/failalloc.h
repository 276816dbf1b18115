/* A counting allocator for the JID/PRECIS tests: it can be told to fail
 * the Nth allocation from now on, and it counts live blocks so a test can
 * check that a failed call leaked nothing. */
#ifndef XMPPC_TEST_JID_FAILALLOC_H
#define XMPPC_TEST_JID_FAILALLOC_H

#include <stdlib.h>
#include <xmppc/ctx.h>

typedef struct failalloc {
	long calls;   /* allocations attempted so far */
	long fail_at; /* fail the allocation with this number (0: never) */
	long live;    /* blocks currently allocated */
	long failed;  /* allocations refused so far */
} failalloc;

static int failalloc_should_fail(failalloc *fa)
{
	fa->calls++;
	if (fa->fail_at != 0 && fa->calls == fa->fail_at) {
		fa->failed++;
		return 1;
	}
	return 0;
}

static void *failalloc_malloc(void *ud, size_t size)
{
	failalloc *fa = ud;
	void *p;

	if (failalloc_should_fail(fa))
		return NULL;
	p = malloc(size != 0 ? size : 1);
	if (p != NULL)
		fa->live++;
	return p;
}

static void *failalloc_realloc(void *ud, void *ptr, size_t size)
{
	failalloc *fa = ud;
	void *p;

	if (failalloc_should_fail(fa))
		return NULL;
	p = realloc(ptr, size != 0 ? size : 1);
	if (p != NULL && ptr == NULL)
		fa->live++;
	return p;
}

static void failalloc_free(void *ud, void *ptr)
{
	failalloc *fa = ud;

	if (ptr != NULL) {
		fa->live--;
		free(ptr);
	}
}

/* Arm: the nth allocation from now fails (n >= 1), or none for n == 0. */
static void failalloc_arm(failalloc *fa, long n)
{
	fa->failed = 0;
	fa->fail_at = n != 0 ? fa->calls + n : 0;
}

static xmppc_allocator failalloc_allocator(failalloc *fa)
{
	xmppc_allocator a = {XMPPC_ALLOCATOR_VERSION, failalloc_malloc, failalloc_realloc,
	                     failalloc_free, fa};

	return a;
}

#endif
