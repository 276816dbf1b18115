/* The harness the SASL mechanism tests share: one exchange with a counting
 * allocator, fixed credentials, and a leak check at the end. */
#ifndef XMPPC_TEST_SASL_EXCHANGE_H
#define XMPPC_TEST_SASL_EXCHANGE_H

#include "testutil.h"
#include <xmppc/sys/sasl.h>

typedef struct exch {
	test_alloc a;
	xmppc_ctx *ctx;
	xmppc_buf *out;
	const xmppc_sasl_mechanism *m;
	xmppc_sasl_params p;
	void *st;
	int has;
} exch;

/* user/pencil at example.org, not secured; mechanism m (may be NULL). */
static inline void exch_init_mech(exch *e, const xmppc_sasl_mechanism *m)
{
	e->ctx = test_ctx_new(&e->a);
	assert_int_equal(xmppc_buf_new(&e->out, e->ctx), 0);
	e->m = m;
	memset(&e->p, 0, sizeof(e->p));
	e->p.version = XMPPC_SASL_PARAMS_VERSION;
	e->p.ctx = e->ctx;
	e->p.authcid = "user";
	e->p.password = "pencil";
	e->p.password_len = 6;
	e->p.domain = "example.org";
	e->st = NULL;
	e->has = -1;
}

static inline void exch_done(exch *e)
{
	if (e->m != NULL)
		e->m->free_state(e->st);
	e->st = NULL;
	xmppc_buf_free(e->out);
	assert_null(xmppc_ctx_unref(e->ctx));
	assert_int_equal(e->a.live, 0);
}

#endif
