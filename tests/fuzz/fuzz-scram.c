/* libFuzzer target: the SCRAM client (lib/sasl/scram.c) fed arbitrary
 * server-first and server-final messages.
 *
 * Input layout:
 *   byte 0   mode: bits 0-2 the variant (mod 6: SCRAM-SHA-1, -256, -512,
 *            then their -PLUS forms), bit 3 the server-final comes as a
 *            challenge instead of <success/> data, bit 4 the GS2 'y' flag,
 *            bit 5 an authzid, bit 6 XEP-0474 mechanism/cb lists
 *   byte 1   allocation failure: 0 none, n > 0 the n-th allocation after
 *            start fails
 *   rest     server-first-message, a NUL byte, server-final-message
 *
 * The client nonce is fixed (24 zero bytes from the random override, so
 * "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") so that inputs can extend it; the
 * credentials are fixed and the iteration bounds small so that each input
 * stays fast.
 *
 * Checks: no crash, no leak (the counting allocator of fuzz-common), every
 * error is one the mechanism documents and leaves an empty response, and
 * the exchange is never accepted: a fuzzed server cannot produce the
 * server signature, so success() must fail and no v= may verify. */
#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "sasl/sasl-internal.h"
#include "util/random.h"
#include <xmppc/sys/sasl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void zero_random(void *ud, void *buf, size_t n)
{
	(void)ud;
	memset(buf, 0, n);
}

static int expected_error(int rc, int may_fail_alloc)
{
	switch (rc) {
	case XMPPC_ESASL_MALFORMED:
	case XMPPC_ESASL_NONCE:
	case XMPPC_ESASL_ITERATIONS:
	case XMPPC_ESASL_DOWNGRADE:
	case XMPPC_ESASL_SERVER_SIGNATURE:
	case XMPPC_ESASL_SERVER_ERROR:
		return 1;
	case XMPPC_ENOMEM:
		return may_fail_alloc;
	default:
		return 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const variants[] = {
	    "SCRAM-SHA-1",      "SCRAM-SHA-256",      "SCRAM-SHA-512",
	    "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-512-PLUS",
	};
	static const char *const mechs[] = {"SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256",
	                                    "SCRAM-SHA-512", "PLAIN"};
	static const char *const cbs[] = {"tls-exporter", "tls-server-end-point"};
	static const unsigned char cb[] = "fuzzed channel binding data";
	const xmppc_sasl_mechanism *m;
	const uint8_t *first, *final, *nul;
	size_t first_len, final_len;
	xmppc_sasl_params p;
	xmppc_buf *out = NULL;
	fuzz_alloc a;
	xmppc_ctx *ctx;
	void *st = NULL;
	int mode, fail, has = 0, rc, alloc_armed = 0;

	if (size < 2 || size > 65536)
		return 0;
	mode = data[0];
	fail = data[1];
	first = data + 2;
	nul = memchr(first, '\0', size - 2);
	first_len = nul != NULL ? (size_t)(nul - first) : size - 2;
	final = nul != NULL ? nul + 1 : first + first_len;
	final_len = (size_t)(data + size - final);

	m = xmppc_sasl_builtin(variants[(mode & 7) % 6]);
	FUZZ_CHECK(m != NULL);
	ctx = fuzz_ctx_new(&a);
	FUZZ_CHECK(xmppc_buf_new(&out, ctx) == 0);

	memset(&p, 0, sizeof(p));
	p.version = XMPPC_SASL_PARAMS_VERSION;
	p.ctx = ctx;
	p.authcid = "user";
	p.authzid = (mode & 0x20) ? "admin@example.org" : NULL;
	p.password = "pencil";
	p.password_len = 6;
	p.domain = "example.org";
	p.secure = 1;
	p.cb_type = XMPPC_CB_TLS_EXPORTER;
	p.cb_data = cb;
	p.cb_data_len = sizeof(cb) - 1;
	p.cb_supported_not_offered = (mode & 0x10) != 0;
	if (mode & 0x40) {
		p.server_mechanisms = mechs;
		p.n_server_mechanisms = sizeof(mechs) / sizeof(mechs[0]);
		p.server_cb_types = cbs;
		p.n_server_cb_types = sizeof(cbs) / sizeof(cbs[0]);
	}
	p.min_iterations = 1;
	p.max_iterations = 64;

	xmppc__random_set_override(zero_random, NULL);
	rc = m->start(&st, m, &p, out, &has);
	xmppc__random_set_override(NULL, NULL);
	FUZZ_CHECK(rc == 0 && st != NULL && has == 1);
	FUZZ_CHECK(memmem(xmppc_buf_data(out), xmppc_buf_len(out),
	                  ",r=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 35) != NULL);

	if (fail != 0) {
		fuzz_alloc_fail_in(&a, fail);
		alloc_armed = 1;
	}
	rc = m->step(st, first, first_len, out);
	if (rc != 0) {
		FUZZ_CHECK(expected_error(rc, alloc_armed));
		FUZZ_CHECK(xmppc_buf_len(out) == 0);
		/* the exchange is over */
		FUZZ_CHECK(m->step(st, final, final_len, out) == XMPPC_ESTATE);
		FUZZ_CHECK(m->success(st, final, final_len) == XMPPC_ESTATE);
		goto done;
	}
	FUZZ_CHECK(xmppc_buf_len(out) > 2 && memcmp(xmppc_buf_data(out), "c=", 2) == 0);

	if (mode & 0x08) {
		rc = m->step(st, final, final_len, out);
		/* no fuzzed v= can be the server signature */
		FUZZ_CHECK(rc != 0);
		FUZZ_CHECK(expected_error(rc, alloc_armed));
		FUZZ_CHECK(xmppc_buf_len(out) == 0);
		FUZZ_CHECK(m->success(st, NULL, 0) == XMPPC_ESTATE);
	} else {
		rc = m->success(st, final, final_len);
		FUZZ_CHECK(rc != 0);
		FUZZ_CHECK(expected_error(rc, alloc_armed));
		FUZZ_CHECK(m->success(st, final, final_len) == XMPPC_ESTATE);
	}
done:
	m->free_state(st);
	xmppc_buf_free(out);
	fuzz_ctx_done(ctx, &a);
	return 0;
}
