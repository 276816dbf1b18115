/* libFuzzer target: JID parsing and PRECIS enforcement.
 *
 * The input is parsed as a JID (up to its first NUL, as a C string) and
 * enforced with every PRECIS profile (all of it, NULs included). Besides
 * "no crash, no leak" it checks the invariants the rest of the library
 * relies on:
 *  - a parsed JID's full string parses to an equal JID with the same
 *    string (enforcement is idempotent);
 *  - bare/full/parts are consistent, and so are to_bare, with_resource and
 *    new_from_parts built from the parts;
 *  - the A-label form of the domain parses to the same domain;
 *  - no part is longer than 1023 bytes;
 *  - a refusal is one of the documented codes;
 *  - a PRECIS result is non-empty, valid UTF-8 and enforces to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xmppc/buf.h>
#include <xmppc/ctx.h>
#include <xmppc/error.h>
#include <xmppc/jid.h>
#include <xmppc/precis.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static xmppc_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_jid_error(int rc)
{
	return rc == XMPPC_ENOMEM || (rc <= XMPPC_EJID_EMPTY && rc >= XMPPC_EJID_INVALID_UTF8);
}

static int is_precis_error(int rc)
{
	return rc == XMPPC_ENOMEM ||
	       (rc <= XMPPC_EPRECIS_DISALLOWED && rc >= XMPPC_EPRECIS_INVALID_UTF8);
}

/* Strict UTF-8 without NUL (what the library promises for its output). */
static int utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], need, k;
		uint32_t cp;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + need >= n)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += need + 1;
	}
	return 1;
}

static void check_jid(const xmppc_jid *j)
{
	const char *local = xmppc_jid_local(j), *domain = xmppc_jid_domain(j);
	const char *res = xmppc_jid_resource(j), *bare = xmppc_jid_bare(j);
	const char *full = xmppc_jid_full(j);
	xmppc_jid *again = NULL, *b = NULL, *w = NULL, *p = NULL, *a = NULL;
	size_t bl = strlen(bare);

	CHECK(domain != NULL && *domain != '\0' && strlen(domain) <= XMPPC_JID_PART_MAX);
	CHECK(local == NULL || (*local != '\0' && strlen(local) <= XMPPC_JID_PART_MAX));
	CHECK(res == NULL || (*res != '\0' && strlen(res) <= XMPPC_JID_PART_MAX));
	CHECK(utf8_ok(full, strlen(full)));
	CHECK(strchr(domain, '/') == NULL && strchr(domain, '@') == NULL);
	CHECK(local == NULL || (strchr(local, '/') == NULL && strchr(local, '@') == NULL));

	/* bare and full are made of the parts */
	if (local != NULL) {
		size_t ll = strlen(local);

		CHECK(strncmp(bare, local, ll) == 0 && bare[ll] == '@');
		CHECK(strcmp(bare + ll + 1, domain) == 0);
	} else {
		CHECK(strcmp(bare, domain) == 0);
	}
	CHECK(strncmp(full, bare, bl) == 0);
	if (res == NULL)
		CHECK(full[bl] == '\0' && xmppc_jid_is_bare(j));
	else
		CHECK(full[bl] == '/' && strcmp(full + bl + 1, res) == 0 && !xmppc_jid_is_bare(j));

	/* idempotence */
	if (xmppc_jid_new(&again, ctx, full) == 0) {
		CHECK(xmppc_jid_equal(j, again));
		CHECK(xmppc_jid_compare(j, again) == 0);
		CHECK(strcmp(xmppc_jid_full(again), full) == 0);
		CHECK(strcmp(xmppc_jid_domain_ascii(again), xmppc_jid_domain_ascii(j)) == 0);
		xmppc_jid_unref(again);
	} else {
		CHECK(0);
	}

	if (xmppc_jid_to_bare(&b, j) == 0) {
		CHECK(xmppc_jid_bare_equal(b, j));
		CHECK(strcmp(xmppc_jid_full(b), bare) == 0 && xmppc_jid_is_bare(b));
		if (res != NULL && xmppc_jid_with_resource(&w, b, res) == 0) {
			CHECK(xmppc_jid_equal(w, j));
			xmppc_jid_unref(w);
		}
		xmppc_jid_unref(b);
	}
	if (xmppc_jid_new_from_parts(&p, ctx, local, domain, res) == 0) {
		CHECK(xmppc_jid_equal(p, j));
		xmppc_jid_unref(p);
	} else {
		CHECK(0);
	}
	/* the A-label form names the same domain */
	if (xmppc_jid_new(&a, ctx, xmppc_jid_domain_ascii(j)) == 0) {
		CHECK(strcmp(xmppc_jid_domain(a), domain) == 0);
		xmppc_jid_unref(a);
	} else {
		CHECK(0);
	}
}

static void check_precis(const uint8_t *data, size_t size)
{
	static const xmppc_precis_profile profiles[] = {
	    XMPPC_PRECIS_USERNAME_CASE_MAPPED, XMPPC_PRECIS_USERNAME_CASE_PRESERVED,
	    XMPPC_PRECIS_OPAQUE_STRING, XMPPC_PRECIS_NICKNAME};
	xmppc_buf *out = NULL, *again = NULL;
	size_t i;
	int rc;

	if (xmppc_buf_new(&out, ctx) != 0 || xmppc_buf_new(&again, ctx) != 0)
		goto done;
	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		rc = xmppc_precis_enforce(out, profiles[i], (const char *)data, size);
		if (rc != 0) {
			CHECK(is_precis_error(rc));
			continue;
		}
		CHECK(xmppc_buf_len(out) > 0);
		CHECK(utf8_ok(xmppc_buf_data(out), xmppc_buf_len(out)));
		rc = xmppc_precis_enforce(again, profiles[i], xmppc_buf_data(out),
		                          xmppc_buf_len(out));
		CHECK(rc == 0 || rc == XMPPC_ENOMEM);
		if (rc == 0)
			CHECK(xmppc_buf_len(again) == xmppc_buf_len(out) &&
			      memcmp(xmppc_buf_data(again), xmppc_buf_data(out),
			             xmppc_buf_len(out)) == 0);
	}
done:
	xmppc_buf_free(again);
	xmppc_buf_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmppc_jid *j = NULL;
	char *s;
	int rc;

	if (ctx == NULL && xmppc_ctx_new(&ctx, NULL) != 0)
		return 0;
	/* Longer inputs only exercise the length limits, already covered. */
	if (size > 16384)
		return 0;
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = xmppc_jid_new(&j, ctx, s);
	if (rc == 0) {
		check_jid(j);
		CHECK(xmppc_jid_unref(j) == NULL);
	} else {
		CHECK(is_jid_error(rc));
	}
	free(s);
	check_precis(data, size);
	return 0;
}
