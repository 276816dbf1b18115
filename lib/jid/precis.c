/* PRECIS enforcement (RFC 8264 §7) for the profiles XMPP uses:
 * UsernameCaseMapped and UsernameCasePreserved (RFC 8265 §3.3, §3.4),
 * OpaqueString (RFC 8265 §4.2) and Nickname (RFC 8266 §2.3).
 *
 * The string is decoded to UTF-32 once; the profile's mapping rules run on
 * that, then the Bidi Rule, the emptiness test and finally the string class
 * on the result, in the order RFC 8264 §7 lays down (mappings and
 * normalisation first, behavioural rules of the string class last). */
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "jid/precis-internal.h"
#include "util/buf.h"
#include "util/ctx.h"
#include <xmppc/precis.h>

/* RFC 8266 §5: apply the rules until the output is stable, giving up after
 * three re-applications. Applied to every profile: for the others one
 * re-application is normally enough, and a result that is a fixed point
 * means a JID or nickname that is enforced again compares equal. */
#define MAX_PASSES 4

/* A UTF-32 string whose memory came either from the context's allocator or
 * (when a libunistring result did not fit the buffer we offered) from
 * libunistring's malloc, which must be released with free(). */
typedef struct u32str {
	uint32_t *p;
	size_t n;
	int libc;
} u32str;

static void u32str_free(const xmppc_ctx *ctx, u32str *s)
{
	if (s->libc)
		free(s->p);
	else
		xmppc__free(ctx, s->p);
	s->p = NULL;
	s->n = 0;
	s->libc = 0;
}

/* Room for n code points, never a zero-size request (an allocator may
 * answer one with NULL). */
static uint32_t *u32_alloc(const xmppc_ctx *ctx, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / sizeof(uint32_t))
		return NULL;
	return xmppc__malloc(ctx, n * sizeof(uint32_t));
}

/* Take the result of a libunistring call that was offered buf. */
static int adopt(const xmppc_ctx *ctx, u32str *dst, uint32_t *res, uint32_t *buf, size_t n)
{
	if (res == NULL) {
		xmppc__free(ctx, buf);
		return XMPPC_ENOMEM;
	}
	if (res != buf)
		xmppc__free(ctx, buf);
	dst->p = res;
	dst->n = n;
	dst->libc = res != buf;
	return 0;
}

static int is_nonascii_space(uint32_t cp)
{
	return cp != 0x20 && cp >= 0x80 && uc_is_general_category(cp, UC_CATEGORY_Zs);
}

/* Width mapping rule (RFC 8265 §3.3.1 rule 1): fullwidth and halfwidth
 * code points become their <wide>/<narrow> decomposition mapping, which is
 * always a single code point. */
static void map_width(uint32_t *s, size_t n)
{
	uint32_t dec[UC_DECOMPOSITION_MAX_LENGTH];
	size_t i;
	int tag;

	for (i = 0; i < n; i++) {
		if (s[i] < 0x3000)
			continue; /* nothing below U+3000 has such a mapping */
		if (uc_decomposition(s[i], &tag, dec) == 1 &&
		    (tag == UC_DECOMP_WIDE || tag == UC_DECOMP_NARROW))
			s[i] = dec[0];
	}
}

/* Additional mapping rule of OpaqueString (RFC 8265 §4.2.1 rule 2):
 * non-ASCII spaces become SPACE. */
static void map_spaces(uint32_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is_nonascii_space(s[i]))
			s[i] = 0x20;
}

/* Additional mapping rule of Nickname (RFC 8266 §2.1 rule 2): non-ASCII
 * spaces become SPACE, leading and trailing SPACEs go, interior runs of
 * SPACE become one. Only U+0020 counts here, not other white space such as
 * TAB, which stays (and is then refused as a control). Returns the new
 * length; works in place. */
static size_t map_nickname_spaces(uint32_t *s, size_t n)
{
	size_t i, o = 0;
	int pending = 0;

	for (i = 0; i < n; i++) {
		uint32_t c = is_nonascii_space(s[i]) ? 0x20 : s[i];

		if (c == 0x20) {
			pending = o > 0;
			continue;
		}
		if (pending)
			s[o++] = 0x20;
		pending = 0;
		s[o++] = c;
	}
	return o;
}

/* One application of the profile's mapping rules in the order of
 * RFC 8264 §7: width mapping, additional mapping, case mapping,
 * normalisation. (The directionality rule is a check, done by the caller
 * on the final string.) out is a new string. */
static int apply_rules(const xmppc_ctx *ctx, xmppc_precis_profile profile, const u32str *in,
                       u32str *out)
{
	u32str cur = {NULL, in->n, 0};
	uint32_t *buf, *res;
	size_t len;
	int rc;

	cur.p = u32_alloc(ctx, in->n);
	if (cur.p == NULL)
		return XMPPC_ENOMEM;
	if (in->n > 0)
		memcpy(cur.p, in->p, in->n * sizeof(uint32_t));

	switch (profile) {
	case XMPPC_PRECIS_USERNAME_CASE_MAPPED:
	case XMPPC_PRECIS_USERNAME_CASE_PRESERVED:
		map_width(cur.p, cur.n);
		break;
	case XMPPC_PRECIS_OPAQUE_STRING:
		map_spaces(cur.p, cur.n);
		break;
	case XMPPC_PRECIS_NICKNAME:
		/* No width mapping: NFKC does it (RFC 8266 §2.1 rule 1). No case
		 * mapping either: RFC 8266 §2.3 keeps it for comparison only. */
		cur.n = map_nickname_spaces(cur.p, cur.n);
		break;
	}

	if (profile == XMPPC_PRECIS_USERNAME_CASE_MAPPED && cur.n > 0) {
		/* toLowerCase() with the full (SpecialCasing) mappings and no
		 * language tailoring (RFC 8265 §3.3.1 rule 3). At most two code
		 * points come out of one. */
		len = cur.n * 2;
		buf = u32_alloc(ctx, len);
		if (buf == NULL) {
			u32str_free(ctx, &cur);
			return XMPPC_ENOMEM;
		}
		res = u32_tolower(cur.p, cur.n, NULL, NULL, buf, &len);
		u32str_free(ctx, &cur);
		rc = adopt(ctx, &cur, res, buf, len);
		if (rc != 0)
			return rc;
	}

	if (cur.n > 0) {
		/* NFC for the Username profiles and OpaqueString, NFKC for
		 * Nickname. NFC at most triples the length; a longer NFKC result
		 * is allocated by libunistring. */
		len = cur.n * 3;
		buf = u32_alloc(ctx, len);
		if (buf == NULL) {
			u32str_free(ctx, &cur);
			return XMPPC_ENOMEM;
		}
		res = u32_normalize(profile == XMPPC_PRECIS_NICKNAME ? UNINORM_NFKC : UNINORM_NFC,
		                    cur.p, cur.n, buf, &len);
		u32str_free(ctx, &cur);
		rc = adopt(ctx, &cur, res, buf, len);
		if (rc != 0)
			return rc;
	}
	*out = cur;
	return 0;
}

/* The behavioural rules of the string class (RFC 8264 §4.2.3, §4.3.3)
 * applied to the final string, code point by code point so that the first
 * offending one decides the error. */
static int check_class(const uint32_t *s, size_t n, int freeform)
{
	xmppc__precis_scan scan = {0, 0, 0, 0};
	size_t i;

	for (i = 0; i < n; i++) {
		switch (xmppc__precis_property(s[i])) {
		case XMPPC__PRECIS_PVALID:
			break;
		case XMPPC__PRECIS_FREE_PVAL:
			if (!freeform)
				return XMPPC_EPRECIS_DISALLOWED;
			break;
		case XMPPC__PRECIS_CONTEXTJ:
		case XMPPC__PRECIS_CONTEXTO:
			if (!xmppc__precis_context_ok(s, n, i, &scan))
				return XMPPC_EPRECIS_CONTEXT;
			break;
		case XMPPC__PRECIS_DISALLOWED:
		case XMPPC__PRECIS_UNASSIGNED:
		default:
			return XMPPC_EPRECIS_DISALLOWED;
		}
	}
	return 0;
}

static int same(const u32str *a, const u32str *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n * sizeof(uint32_t)) == 0);
}

/* Replace the buffer's contents with the UTF-8 form of s; the buffer is
 * left as it was if memory runs out. */
static int store_utf8(xmppc_buf *out, const uint32_t *s, size_t n)
{
	uint8_t tmp[6];
	size_t bytes = 0, i;
	int rc, k;

	for (i = 0; i < n; i++)
		bytes += s[i] < 0x80 ? 1 : s[i] < 0x800 ? 2 : s[i] < 0x10000 ? 3 : 4;
	if (out->data == NULL || out->cap < bytes + 1) {
		rc = xmppc__buf_grow(out, bytes);
		if (rc != 0)
			return rc;
	}
	xmppc_buf_clear(out);
	for (i = 0; i < n; i++) {
		k = u8_uctomb(tmp, s[i], (ptrdiff_t)sizeof(tmp));
		if (k < 0)
			return XMPPC_EINTERNAL;
		/* Cannot fail: the room was made above. */
		rc = xmppc__buf_put(out, tmp, (size_t)k);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The ASCII fast path (most JIDs): for an all-ASCII input the profiles
 * reduce to byte rules. Width mapping, NFC and the Bidi Rule change
 * nothing; case mapping is ASCII lowercase; IdentifierClass allows exactly
 * U+0021..U+007E and FreeformClass U+0020..U+007E (RFC 8264 §9.11 ASCII7,
 * §9.14 spaces). Returns 1 when the input is not ASCII (take the general
 * path), else the result. Nickname (trimming, space folding) always takes
 * the general path. */
static int enforce_ascii(xmppc_buf *out, xmppc_precis_profile profile, const char *in, size_t len)
{
	int freeform = profile == XMPPC_PRECIS_OPAQUE_STRING;
	size_t i;
	int rc;

	if (profile == XMPPC_PRECIS_NICKNAME)
		return 1;
	for (i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			return 1;
	if (len == 0)
		return XMPPC_EPRECIS_EMPTY;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c > 0x7e || c < (freeform ? 0x20 : 0x21))
			return XMPPC_EPRECIS_DISALLOWED;
	}
	xmppc_buf_clear(out);
	if ((rc = xmppc__buf_put(out, in, len)) != 0)
		return rc;
	if (profile == XMPPC_PRECIS_USERNAME_CASE_MAPPED)
		for (i = 0; i < len; i++) {
			char *c = (char *)out->data + out->off + i;
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c + ('a' - 'A'));
		}
	return 0;
}

XMPPC_API int xmppc_precis_enforce(xmppc_buf *out, xmppc_precis_profile profile, const char *in,
                                   size_t len)
{
	const xmppc_ctx *ctx;
	u32str cur = {NULL, 0, 0}, next = {NULL, 0, 0};
	uint32_t *buf, *res;
	size_t n;
	int rc, pass, stable = 0;

	if (out == NULL || out->ctx == NULL || (in == NULL && len > 0))
		return XMPPC_EINVAL;
	if (profile != XMPPC_PRECIS_USERNAME_CASE_MAPPED &&
	    profile != XMPPC_PRECIS_USERNAME_CASE_PRESERVED &&
	    profile != XMPPC_PRECIS_OPAQUE_STRING && profile != XMPPC_PRECIS_NICKNAME)
		return XMPPC_EINVAL;
	ctx = out->ctx;
	if ((rc = enforce_ascii(out, profile, in, len)) <= 0)
		return rc;
	/* Strict RFC 3629 UTF-8 (no surrogates, no overlong forms). U+0000 is
	 * valid UTF-8 and is refused later as a control code point. */
	if (len > 0 && u8_check((const uint8_t *)in, len) != NULL)
		return XMPPC_EPRECIS_INVALID_UTF8;

	/* A code point never takes fewer than one byte. */
	n = len;
	buf = u32_alloc(ctx, n);
	if (buf == NULL)
		return XMPPC_ENOMEM;
	if (len > 0) {
		res = u8_to_u32((const uint8_t *)in, len, buf, &n);
		rc = adopt(ctx, &cur, res, buf, n);
		if (rc != 0)
			return rc;
	} else {
		cur.p = buf;
		cur.n = 0;
	}

	for (pass = 0; pass < MAX_PASSES; pass++) {
		rc = apply_rules(ctx, profile, &cur, &next);
		if (rc != 0)
			goto out;
		/* On the first pass this compares with the input: an input that
		 * is its own image is already a fixed point. */
		stable = same(&cur, &next);
		u32str_free(ctx, &cur);
		cur = next;
		next.p = NULL;
		if (stable)
			break;
	}
	if (!stable) {
		/* RFC 8266 §5: refuse a string that does not stabilise. */
		rc = XMPPC_EPRECIS_DISALLOWED;
		goto out;
	}

	if ((profile == XMPPC_PRECIS_USERNAME_CASE_MAPPED ||
	     profile == XMPPC_PRECIS_USERNAME_CASE_PRESERVED) &&
	    xmppc__bidi_has_rtl(cur.p, cur.n) && !xmppc__bidi_rule_ok(cur.p, cur.n)) {
		rc = XMPPC_EPRECIS_BIDI;
		goto out;
	}
	/* Emptiness is judged after all mappings (RFC 8265 §3.3.3, §4.2.3;
	 * RFC 8266 §2.3). */
	if (cur.n == 0) {
		rc = XMPPC_EPRECIS_EMPTY;
		goto out;
	}
	rc = check_class(cur.p, cur.n,
	                 profile == XMPPC_PRECIS_OPAQUE_STRING || profile == XMPPC_PRECIS_NICKNAME);
	if (rc == 0)
		rc = store_utf8(out, cur.p, cur.n);
out:
	u32str_free(ctx, &cur);
	return rc;
}
