/* XMPP addresses (RFC 7622): parsing, enforcement of each part, and the
 * immutable, reference-counted xmppc_jid.
 *
 * A JID is stored in one allocation: the struct followed by the NUL-
 * terminated local, domain (U-labels), domain (A-labels), resource, bare
 * and full strings. Every part is enforced before it is stored, so equal
 * JIDs have byte-identical strings and comparison is a strcmp(). */
#include <arpa/inet.h>
#include <idn2.h>
#include <string.h>

#include "util/buf.h"
#include "util/ctx.h"
#include "util/utf8.h"
#include <xmppc/error.h>
#include <xmppc/jid.h>
#include <xmppc/precis.h>

struct xmppc_jid {
	unsigned refs; /* atomic */
	xmppc_ctx *ctx;
	const char *local;  /* NULL when absent */
	const char *domain; /* U-label form */
	const char *domain_ascii;
	const char *resource; /* NULL when absent */
	const char *bare;
	const char *full;
	char data[];
};

/* PRECIS enforcement never shrinks a part to less than a third of its size
 * (the extremes are width mapping and case mapping of three-byte code points
 * to ASCII, and NFC composition of three conjoining jamo into one
 * syllable), so a localpart or resourcepart longer than four times the
 * limit is refused before any work is done on it. For the domainpart it is
 * a guard against pathological input: UTS #46 may drop some code points
 * altogether, so such a domain could in theory have mapped to a valid one. */
#define PART_INPUT_MAX (4 * XMPPC_JID_PART_MAX)

/* DNS limits (RFC 1035 §2.3.4), which RFC 7622 §3.2 says still apply:
 * 63 octets per label, 253 for the name in text form without the root. */
#define DNS_LABEL_MAX 63
#define DNS_NAME_MAX  253

/* Characters RFC 7622 §3.3.1 excludes from localparts on top of the
 * UsernameCaseMapped profile. */
static const char local_excluded[] = "\"&'/:<>@";

/* A string owned by the context's allocator. */
typedef struct part {
	char *s;
	size_t len;
} part;

static void part_free(const xmppc_ctx *ctx, part *p)
{
	xmppc__free(ctx, p->s);
	p->s = NULL;
	p->len = 0;
}

static int part_set(const xmppc_ctx *ctx, part *p, const char *s, size_t len)
{
	p->s = xmppc__strndup(ctx, s, len);
	if (p->s == NULL)
		return XMPPC_ENOMEM;
	p->len = len;
	return 0;
}

/* ---- domainpart --------------------------------------------------------- */

static int is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Check the ASCII (A-label) form of a domain: non-empty labels of at most
 * 63 letters, digits and hyphens (STD 3, RFC 1123 §2.1), no hyphen at
 * either end, no "--" in positions 3 and 4 except for an A-label
 * (RFC 5890 §2.3.1: other such labels are reserved), and the DNS limit on
 * the whole name. libidn2 2.3 does not enforce the STD 3 rules reliably
 * (with IDN2_USE_STD3_ASCII_RULES it silently drops the offending
 * characters), hence this check on its output. */
static int check_ldh(const char *a, size_t len)
{
	size_t start = 0, i;

	if (len > DNS_NAME_MAX)
		return XMPPC_EJID_INVALID_DOMAIN;
	while (start <= len) {
		const char *l = a + start;
		const char *dot = memchr(l, '.', len - start);
		size_t ll = dot != NULL ? (size_t)(dot - l) : len - start;

		if (ll == 0 || ll > DNS_LABEL_MAX)
			return XMPPC_EJID_INVALID_DOMAIN;
		for (i = 0; i < ll; i++)
			if (!is_ldh(l[i]))
				return XMPPC_EJID_INVALID_DOMAIN;
		if (l[0] == '-' || l[ll - 1] == '-')
			return XMPPC_EJID_INVALID_DOMAIN;
		if (ll >= 4 && l[2] == '-' && l[3] == '-' && !(l[0] == 'x' && l[1] == 'n'))
			return XMPPC_EJID_INVALID_DOMAIN;
		start += ll + 1;
	}
	return 0;
}

/* RFC 7622 §3.2 (IP-literal): "[" IPv6address "]", stored in the
 * canonical text form of RFC 5952 so that equal addresses compare equal.
 * IPvFuture and zone identifiers are not accepted. */
static int domain_ipv6(const xmppc_ctx *ctx, const char *s, size_t n, part *u, part *a)
{
	char in[INET6_ADDRSTRLEN + 1], txt[INET6_ADDRSTRLEN + 2];
	unsigned char bin[16];
	size_t tl;
	int rc;

	if (n < 3 || s[n - 1] != ']' || n - 2 > INET6_ADDRSTRLEN)
		return XMPPC_EJID_INVALID_DOMAIN;
	memcpy(in, s + 1, n - 2);
	in[n - 2] = '\0';
	if (inet_pton(AF_INET6, in, bin) != 1)
		return XMPPC_EJID_INVALID_DOMAIN;
	txt[0] = '[';
	if (inet_ntop(AF_INET6, bin, txt + 1, INET6_ADDRSTRLEN) == NULL)
		return XMPPC_EINTERNAL;
	tl = strlen(txt);
	txt[tl++] = ']';
	rc = part_set(ctx, u, txt, tl);
	if (rc == 0 && (rc = part_set(ctx, a, txt, tl)) != 0)
		part_free(ctx, u);
	return rc;
}

/* A domain of digits and dots only is either an IPv4 address in dotted-
 * quad form (RFC 3986 IPv4address, no leading zeros) or refused: an
 * all-numeric top-level label is not a valid host name (RFC 3696 §2), and
 * accepting "1.2.3" or "010.0.0.1" as names would invite confusion with
 * addresses. */
static int domain_ipv4(const xmppc_ctx *ctx, const char *s, size_t n, part *u, part *a)
{
	char in[INET_ADDRSTRLEN + 1];
	unsigned char bin[4];
	int rc;

	if (n > INET_ADDRSTRLEN)
		return XMPPC_EJID_INVALID_DOMAIN;
	memcpy(in, s, n);
	in[n] = '\0';
	if (inet_pton(AF_INET, in, bin) != 1)
		return XMPPC_EJID_INVALID_DOMAIN;
	/* inet_pton accepts only the canonical form, so the input is it. */
	rc = part_set(ctx, u, in, n);
	if (rc == 0 && (rc = part_set(ctx, a, in, n)) != 0)
		part_free(ctx, u);
	return rc;
}

/* An ASCII domain without A-labels: IDNA2008 leaves such labels alone
 * apart from lowercasing (UTS #46 mapping), so libidn2 is not needed. */
static int domain_ascii(const xmppc_ctx *ctx, const char *s, size_t n, part *u, part *a)
{
	size_t i;
	int rc;

	rc = part_set(ctx, u, s, n);
	if (rc != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (u->s[i] >= 'A' && u->s[i] <= 'Z')
			u->s[i] = (char)(u->s[i] - 'A' + 'a');
	rc = check_ldh(u->s, n);
	if (rc == 0)
		rc = part_set(ctx, a, u->s, n);
	if (rc != 0)
		part_free(ctx, u);
	return rc;
}

/* Too long for DNS (IDN2_TOO_BIG_DOMAIN, IDN2_TOO_BIG_LABEL) counts as
 * invalid: XMPPC_EJID_DOMAIN_TOO_LONG is reserved for the 1023-byte limit
 * of RFC 7622. */
static int idn2_error(int rc)
{
	return rc == IDN2_MALLOC ? XMPPC_ENOMEM : XMPPC_EJID_INVALID_DOMAIN;
}

/* An internationalised domain: libidn2 validates it as IDNA2008 with the
 * UTS #46 non-transitional mapping (which lowercases, width-maps and
 * NFC-normalises, and keeps ß and ς as they are) and gives the A-label
 * form; converting that back gives the U-label form that is stored. A
 * domain given with A-labels thus ends up in the same U-label form
 * (RFC 7622 §3.2.1: A-labels are converted to U-labels). */
static int domain_idna(const xmppc_ctx *ctx, const char *s, size_t n, part *u, part *a)
{
	char *tmp, *ulabels = NULL;
	uint8_t *alabels = NULL, *again = NULL;
	int rc;

	tmp = xmppc__strndup(ctx, s, n);
	if (tmp == NULL)
		return XMPPC_ENOMEM;
	rc = idn2_lookup_u8((const uint8_t *)tmp, &alabels, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	xmppc__free(ctx, tmp);
	if (rc != IDN2_OK) {
		XMPPC_LOG(ctx, XMPPC_LOG_DEBUG, "jid", "domainpart refused by IDNA: %s",
		          idn2_strerror_name(rc));
		return idn2_error(rc);
	}
	rc = check_ldh((const char *)alabels, strlen((const char *)alabels));
	if (rc != 0)
		goto out;
	rc = idn2_to_unicode_8z8z((const char *)alabels, &ulabels, 0);
	if (rc != IDN2_OK) {
		rc = idn2_error(rc);
		goto out;
	}
	/* libidn2 2.3 passes an input A-label through without checking that it
	 * decodes to a valid U-label (RFC 5891 §5.3): "xn--hnkhn" decodes to
	 * PARENTHESIZED IDEOGRAPHs, which UTS #46 maps to "(" ... ")". Looking
	 * the U-label form up again must give the same A-labels; this also
	 * makes the stored form parse back to the same JID. */
	rc =
	    idn2_lookup_u8((const uint8_t *)ulabels, &again, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK) {
		rc = idn2_error(rc);
		goto out;
	}
	if (strcmp((const char *)again, (const char *)alabels) != 0) {
		XMPPC_LOG(ctx, XMPPC_LOG_DEBUG, "jid",
		          "domainpart refused: A-label does not round-trip");
		rc = XMPPC_EJID_INVALID_DOMAIN;
		goto out;
	}
	rc = part_set(ctx, u, ulabels, strlen(ulabels));
	if (rc != 0)
		goto out;
	rc = part_set(ctx, a, (const char *)alabels, strlen((const char *)alabels));
	if (rc != 0)
		part_free(ctx, u);
out:
	idn2_free(alabels);
	idn2_free(ulabels);
	idn2_free(again);
	return rc;
}

static int is_numeric(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static int enforce_domain(const xmppc_ctx *ctx, const char *s, size_t n, part *u, part *a)
{
	size_t i;
	int ascii = 1, numeric, alabel = 0, rc;

	/* RFC 7622 §3.2: one final label separator is removed before anything
	 * else. Besides FULL STOP, the separators IDNA treats as dots
	 * (RFC 3490 §3.1, UTS #46 mapping) count too, so that "example.com。"
	 * and "example.com." stay the same JID. */
	if (ends_with(s, n, "."))
		n -= 1;
	else if (ends_with(s, n, "\xE3\x80\x82") || ends_with(s, n, "\xEF\xBC\x8E") ||
	         ends_with(s, n, "\xEF\xBD\xA1"))
		n -= 3; /* U+3002, U+FF0E, U+FF61 */
	if (n == 0)
		return XMPPC_EJID_EMPTY_DOMAIN;
	if (n > PART_INPUT_MAX)
		return XMPPC_EJID_DOMAIN_TOO_LONG;
	if (s[0] == '[')
		return domain_ipv6(ctx, s, n, u, a);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			ascii = 0;
		if ((i == 0 || s[i - 1] == '.') && n - i >= 4 && (s[i] == 'x' || s[i] == 'X') &&
		    (s[i + 1] == 'n' || s[i + 1] == 'N') && s[i + 2] == '-' && s[i + 3] == '-')
			alabel = 1;
	}
	numeric = is_numeric(s, n);
	if (numeric)
		rc = domain_ipv4(ctx, s, n, u, a);
	else if (ascii && !alabel)
		rc = domain_ascii(ctx, s, n, u, a);
	else
		rc = domain_idna(ctx, s, n, u, a);
	/* The UTS #46 mapping can make digits and dots out of other code
	 * points (fullwidth digits, SUBSCRIPT TWO, IDEOGRAPHIC FULL STOP):
	 * such a result obeys the same rule as a numeric input, so that the
	 * stored form parses back to the same JID. */
	if (rc == 0 && !numeric && is_numeric(a->s, a->len)) {
		part num_u = {NULL, 0}, num_a = {NULL, 0};

		rc = domain_ipv4(ctx, a->s, a->len, &num_u, &num_a);
		part_free(ctx, u);
		part_free(ctx, a);
		*u = num_u;
		*a = num_a;
	}
	if (rc == 0 && u->len > XMPPC_JID_PART_MAX) {
		part_free(ctx, u);
		part_free(ctx, a);
		rc = XMPPC_EJID_DOMAIN_TOO_LONG;
	}
	/* A refused domain that was over the limit to begin with is reported
	 * as too long: that is the more useful diagnosis (it would have been
	 * refused for its length by the DNS rules anyway, unless mapping had
	 * shrunk it a lot). */
	if (rc == XMPPC_EJID_INVALID_DOMAIN && n > XMPPC_JID_PART_MAX)
		rc = XMPPC_EJID_DOMAIN_TOO_LONG;
	return rc;
}

/* ---- localpart and resourcepart ---------------------------------------- */

/* Enforce a PRECIS profile into p, mapping its errors to the JID codes of
 * the part (empty, invalid, too long). */
static int enforce_precis(const xmppc_ctx *ctx, xmppc_precis_profile profile, const char *s,
                          size_t n, part *p, int e_empty, int e_invalid, int e_long)
{
	xmppc_buf b;
	int rc;

	if (n == 0)
		return e_empty;
	if (n > PART_INPUT_MAX)
		return e_long;
	xmppc__buf_init(&b, ctx);
	rc = xmppc_precis_enforce(&b, profile, s, n);
	if (rc == XMPPC_EPRECIS_EMPTY) {
		rc = e_empty;
	} else if (rc < 0 && rc != XMPPC_ENOMEM) {
		XMPPC_LOG(ctx, XMPPC_LOG_DEBUG, "jid", "%s refused: %s",
		          profile == XMPPC_PRECIS_OPAQUE_STRING ? "resourcepart" : "localpart",
		          xmppc_error_name(rc));
		rc = e_invalid;
	} else if (rc == 0 && b.len > XMPPC_JID_PART_MAX) {
		rc = e_long;
	} else if (rc == 0) {
		/* The buffer's memory becomes the part: no copy. b.off is 0
		 * because nothing was ever consumed from it. */
		p->s = b.data;
		p->len = b.len;
		return 0;
	}
	xmppc__buf_fini(&b);
	return rc;
}

static int enforce_local(const xmppc_ctx *ctx, const char *s, size_t n, part *p)
{
	int rc =
	    enforce_precis(ctx, XMPPC_PRECIS_USERNAME_CASE_MAPPED, s, n, p, XMPPC_EJID_EMPTY_LOCAL,
	                   XMPPC_EJID_INVALID_LOCAL, XMPPC_EJID_LOCAL_TOO_LONG);

	/* Checked on the enforced string: width mapping turns FULLWIDTH
	 * COMMERCIAL AT into '@'. */
	if (rc == 0 && strpbrk(p->s, local_excluded) != NULL) {
		part_free(ctx, p);
		rc = XMPPC_EJID_INVALID_LOCAL;
	}
	return rc;
}

static int enforce_resource(const xmppc_ctx *ctx, const char *s, size_t n, part *p)
{
	return enforce_precis(ctx, XMPPC_PRECIS_OPAQUE_STRING, s, n, p, XMPPC_EJID_EMPTY_RESOURCE,
	                      XMPPC_EJID_INVALID_RESOURCE, XMPPC_EJID_RESOURCE_TOO_LONG);
}

/* ---- assembly ----------------------------------------------------------- */

static char *put(char **cursor, const char *s, size_t n)
{
	char *start = *cursor;

	memcpy(start, s, n);
	start[n] = '\0';
	*cursor = start + n + 1;
	return start;
}

/* Build the JID object from enforced parts (local and resource may have a
 * NULL string for "absent"). */
static int assemble(xmppc_jid **out, xmppc_ctx *ctx, const part *local, const part *dom,
                    const part *ascii, const part *res)
{
	size_t bare_len, full_len, size;
	xmppc_jid *jid;
	char *c;

	bare_len = (local->s != NULL ? local->len + 1 : 0) + dom->len;
	full_len = bare_len + (res->s != NULL ? res->len + 1 : 0);
	/* Each part is at most 1023 bytes, so this cannot overflow. */
	size = sizeof(*jid) + (local->s != NULL ? local->len + 1 : 0) + dom->len + 1 + ascii->len +
	       1 + (res->s != NULL ? res->len + 1 : 0) + bare_len + 1 + full_len + 1;
	jid = xmppc__malloc(ctx, size);
	if (jid == NULL)
		return XMPPC_ENOMEM;
	jid->refs = 1;
	jid->ctx = xmppc_ctx_ref(ctx);
	c = jid->data;
	jid->local = local->s != NULL ? put(&c, local->s, local->len) : NULL;
	jid->domain = put(&c, dom->s, dom->len);
	jid->domain_ascii = put(&c, ascii->s, ascii->len);
	jid->resource = res->s != NULL ? put(&c, res->s, res->len) : NULL;
	jid->bare = c;
	if (local->s != NULL) {
		memcpy(c, local->s, local->len);
		c += local->len;
		*c++ = '@';
	}
	memcpy(c, dom->s, dom->len);
	c += dom->len;
	*c++ = '\0';
	jid->full = c;
	memcpy(c, jid->bare, bare_len);
	c += bare_len;
	if (res->s != NULL) {
		*c++ = '/';
		memcpy(c, res->s, res->len);
		c += res->len;
	}
	*c = '\0';
	*out = jid;
	return 0;
}

/* Enforce the three parts (local and resource may be NULL for "absent")
 * and build the JID. Left to right, so the first bad part is reported. */
static int build(xmppc_jid **out, xmppc_ctx *ctx, const char *l, size_t ll, const char *d,
                 size_t dl, const char *r, size_t rl)
{
	part local = {NULL, 0}, dom = {NULL, 0}, ascii = {NULL, 0}, res = {NULL, 0};
	int rc = 0;

	if (l != NULL)
		rc = enforce_local(ctx, l, ll, &local);
	if (rc == 0)
		rc = enforce_domain(ctx, d, dl, &dom, &ascii);
	if (rc == 0 && r != NULL)
		rc = enforce_resource(ctx, r, rl, &res);
	if (rc == 0)
		rc = assemble(out, ctx, &local, &dom, &ascii, &res);
	part_free(ctx, &local);
	part_free(ctx, &dom);
	part_free(ctx, &ascii);
	part_free(ctx, &res);
	return rc;
}

/* ---- public API --------------------------------------------------------- */

XMPPC_API int xmppc_jid_new(xmppc_jid **out, xmppc_ctx *ctx, const char *str)
{
	const char *slash, *at, *local = NULL, *domain = str, *res = NULL;
	size_t len, bare_len, ll = 0, dl, rl = 0;

	if (out == NULL || ctx == NULL || str == NULL)
		return XMPPC_EINVAL;
	len = strlen(str);
	if (len == 0)
		return XMPPC_EJID_EMPTY;
	if (!xmppc__utf8_valid(str, len))
		return XMPPC_EJID_INVALID_UTF8;
	/* RFC 7622 §3.1: the first '/' starts the resourcepart (which may
	 * contain '/' and '@'); the first '@' before it ends the localpart. */
	slash = memchr(str, '/', len);
	bare_len = slash != NULL ? (size_t)(slash - str) : len;
	at = memchr(str, '@', bare_len);
	if (at != NULL) {
		local = str;
		ll = (size_t)(at - str);
		domain = at + 1;
	}
	dl = (size_t)(str + bare_len - domain);
	if (slash != NULL) {
		res = slash + 1;
		rl = len - bare_len - 1;
	}
	return build(out, ctx, local, ll, domain, dl, res, rl);
}

XMPPC_API int xmppc_jid_new_from_parts(xmppc_jid **out, xmppc_ctx *ctx, const char *local,
                                       const char *domain, const char *resource)
{
	size_t ll = 0, dl, rl = 0;

	if (out == NULL || ctx == NULL || domain == NULL)
		return XMPPC_EINVAL;
	if (local != NULL) {
		ll = strlen(local);
		if (!xmppc__utf8_valid(local, ll))
			return XMPPC_EJID_INVALID_UTF8;
	}
	dl = strlen(domain);
	if (!xmppc__utf8_valid(domain, dl))
		return XMPPC_EJID_INVALID_UTF8;
	if (resource != NULL) {
		rl = strlen(resource);
		if (!xmppc__utf8_valid(resource, rl))
			return XMPPC_EJID_INVALID_UTF8;
	}
	/* A domain with '@' or '/' is refused by the LDH check; a localpart
	 * with them by the RFC 7622 exclusions, so the full string of the
	 * result always parses back into the same parts. */
	return build(out, ctx, local, ll, domain, dl, resource, rl);
}

XMPPC_API xmppc_jid *xmppc_jid_ref(xmppc_jid *jid)
{
	if (jid != NULL)
		__atomic_add_fetch(&jid->refs, 1, __ATOMIC_RELAXED);
	return jid;
}

XMPPC_API xmppc_jid *xmppc_jid_unref(xmppc_jid *jid)
{
	xmppc_ctx *ctx;

	if (jid == NULL || __atomic_sub_fetch(&jid->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return jid;
	ctx = jid->ctx;
	xmppc__free(ctx, jid);
	xmppc_ctx_unref(ctx);
	return NULL;
}

XMPPC_API const char *xmppc_jid_local(const xmppc_jid *jid)
{
	return jid != NULL ? jid->local : NULL;
}

XMPPC_API const char *xmppc_jid_domain(const xmppc_jid *jid)
{
	return jid != NULL ? jid->domain : NULL;
}

XMPPC_API const char *xmppc_jid_domain_ascii(const xmppc_jid *jid)
{
	return jid != NULL ? jid->domain_ascii : NULL;
}

XMPPC_API const char *xmppc_jid_resource(const xmppc_jid *jid)
{
	return jid != NULL ? jid->resource : NULL;
}

XMPPC_API const char *xmppc_jid_full(const xmppc_jid *jid)
{
	return jid != NULL ? jid->full : NULL;
}

XMPPC_API const char *xmppc_jid_bare(const xmppc_jid *jid)
{
	return jid != NULL ? jid->bare : NULL;
}

XMPPC_API int xmppc_jid_is_bare(const xmppc_jid *jid)
{
	return jid != NULL && jid->resource == NULL;
}

static part borrow(const char *s)
{
	part p = {(char *)s, s != NULL ? strlen(s) : 0};

	return p;
}

XMPPC_API int xmppc_jid_to_bare(xmppc_jid **out, const xmppc_jid *jid)
{
	part local, dom, ascii, res = {NULL, 0};

	if (out == NULL || jid == NULL)
		return XMPPC_EINVAL;
	if (jid->resource == NULL) {
		/* Immutable, so sharing is a copy. The reference count is the
		 * one mutable field and is atomic. */
		*out = xmppc_jid_ref((xmppc_jid *)jid);
		return 0;
	}
	local = borrow(jid->local);
	dom = borrow(jid->domain);
	ascii = borrow(jid->domain_ascii);
	return assemble(out, jid->ctx, &local, &dom, &ascii, &res);
}

XMPPC_API int xmppc_jid_with_resource(xmppc_jid **out, const xmppc_jid *jid, const char *resource)
{
	part local, dom, ascii, res = {NULL, 0};
	size_t rl;
	int rc;

	if (out == NULL || jid == NULL || resource == NULL)
		return XMPPC_EINVAL;
	rl = strlen(resource);
	if (!xmppc__utf8_valid(resource, rl))
		return XMPPC_EJID_INVALID_UTF8;
	rc = enforce_resource(jid->ctx, resource, rl, &res);
	if (rc != 0)
		return rc;
	local = borrow(jid->local);
	dom = borrow(jid->domain);
	ascii = borrow(jid->domain_ascii);
	rc = assemble(out, jid->ctx, &local, &dom, &ascii, &res);
	part_free(jid->ctx, &res);
	return rc;
}

/* The full string determines the parts (neither the localpart nor the
 * domainpart can hold '@' or '/'), so string equality is JID equality. */
XMPPC_API int xmppc_jid_equal(const xmppc_jid *a, const xmppc_jid *b)
{
	if (a == NULL || b == NULL)
		return 0;
	return a == b || strcmp(a->full, b->full) == 0;
}

XMPPC_API int xmppc_jid_bare_equal(const xmppc_jid *a, const xmppc_jid *b)
{
	if (a == NULL || b == NULL)
		return 0;
	return a == b || strcmp(a->bare, b->bare) == 0;
}

/* An absent part sorts before any present one. */
static int cmp_opt(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

XMPPC_API int xmppc_jid_compare(const xmppc_jid *a, const xmppc_jid *b)
{
	int c;

	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	c = strcmp(a->domain, b->domain);
	if (c == 0)
		c = cmp_opt(a->local, b->local);
	if (c == 0)
		c = cmp_opt(a->resource, b->resource);
	return c;
}
