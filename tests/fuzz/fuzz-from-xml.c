/* Fuzz target: xmppc_stanza_from_xml() on the whole input.
 *
 * On success the tree is serialized, parsed back and serialized again: the
 * two serializations must be equal, and so must the serialization of
 * xmppc_stanza_copy(). Then every accessor is called on every node. On
 * failure the result must be an error code the function documents. The
 * context must be released and nothing xmppc allocated may be left. */
#include <stdio.h>
#include <string.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int documented(int rc)
{
	/* XMPPC_EINVAL is for NULL arguments only: never here */
	return rc == XMPPC_ENOMEM || (rc <= XMPPC_EXML_NOT_WELL_FORMED && rc >= XMPPC_EXML_NAME_LIMIT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmppc_stanza *s = NULL;
	xmppc_buf *b, *b2;
	fuzz_alloc alloc;
	xmppc_ctx *ctx = fuzz_ctx_new(&alloc);
	int rc;

	rc = xmppc_stanza_from_xml(&s, ctx, (const char *)data, size);
	if (rc != 0) {
		if (!documented(rc)) {
			fprintf(stderr, "xmppc_stanza_from_xml: %s\n", xmppc_error_name(rc));
			fuzz_fail("undocumented error code", __FILE__, __LINE__);
		}
		FUZZ_CHECK(rc != XMPPC_ENOMEM);
		FUZZ_CHECK(s == NULL);
		FUZZ_CHECK(xmppc_is_fatal(rc) == 1);
		goto done;
	}
	FUZZ_CHECK(s != NULL);
	FUZZ_CHECK(xmppc_stanza_parent(s) == NULL);
	FUZZ_CHECK(xmppc_stanza_name(s) != NULL);

	FUZZ_CHECK(fuzz_serialize(&b, ctx, s) == 0);
	fuzz_check_roundtrip(ctx, s, xmppc_buf_data(b), xmppc_buf_len(b), 0);

	/* Declaring the root's namespace as inherited drops only that xmlns. */
	FUZZ_CHECK(xmppc_buf_new(&b2, ctx) == 0);
	FUZZ_CHECK(xmppc_stanza_to_xml(b2, s, xmppc_stanza_ns(s)) == 0);
	FUZZ_CHECK(xmppc_buf_len(b2) <= xmppc_buf_len(b));
	xmppc_buf_clear(b2);
	FUZZ_CHECK(xmppc_stanza_to_xml(b2, s, XMPPC_NS_CLIENT) == 0);
	xmppc_buf_free(b2);
	xmppc_buf_free(b);

	fuzz_exercise(ctx, s, 0);
	FUZZ_CHECK(xmppc_stanza_unref(s) == NULL);
done:
	fuzz_ctx_done(ctx, &alloc);
	return 0;
}
