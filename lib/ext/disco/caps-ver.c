/* The XEP-0115 verification string (§5.1), with the checks of §5.4 that
 * keep a forged or ambiguous disco#info answer out of the caps cache. */
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "disco-internal.h"

typedef struct ident {
	const char *category, *type, *lang, *name;
} ident;

typedef struct field {
	const char *var;
	const xmppc_stanza *el;
} field;

typedef struct form {
	const char *form_type;
	const xmppc_stanza *el;
} form;

static const char *nz(const char *s)
{
	return s != NULL ? s : "";
}

static int cmp_ident(const void *a, const void *b)
{
	const ident *x = a, *y = b;
	int c;

	if ((c = strcmp(x->category, y->category)) != 0 || (c = strcmp(x->type, y->type)) != 0 ||
	    (c = strcmp(x->lang, y->lang)) != 0)
		return c;
	return strcmp(x->name, y->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_field(const void *a, const void *b)
{
	return strcmp(((const field *)a)->var, ((const field *)b)->var);
}

static int cmp_form(const void *a, const void *b)
{
	return strcmp(((const form *)a)->form_type, ((const form *)b)->form_type);
}

static size_t count(const xmppc_stanza *parent, const char *name, const char *ns)
{
	const xmppc_stanza *c;
	size_t n = 0;

	for (c = xmppc_stanza_find_child(parent, name, ns); c != NULL;
	     c = xmppc_stanza_find_next(c, name, ns))
		n++;
	return n;
}

static int add(xmppc_buf *b, const char *s)
{
	int rc = xmppc_buf_append(b, s, strlen(s));
	return rc != 0 ? rc : xmppc_buf_append(b, "<", 1);
}

/* Append "value<" for each value of a field, sorted (§5.1 step 7). */
static int add_values(xmppc_buf *b, xmppc_ctx *ctx, const xmppc_stanza *field_el)
{
	size_t n = count(field_el, "value", XMPPC_NS_DATA_FORMS), i = 0;
	const xmppc_stanza *v;
	const char **vals;
	int rc = 0;

	if (n == 0)
		return 0;
	if ((vals = xmppc_calloc(ctx, n, sizeof(*vals))) == NULL)
		return XMPPC_ENOMEM;
	for (v = xmppc_stanza_find_child(field_el, "value", XMPPC_NS_DATA_FORMS); v != NULL;
	     v = xmppc_stanza_find_next(v, "value", XMPPC_NS_DATA_FORMS))
		if ((vals[i++] = xmppc_stanza_text(v)) == NULL)
			rc = XMPPC_ENOMEM;
	if (rc == 0)
		qsort(vals, n, sizeof(*vals), cmp_str);
	for (i = 0; rc == 0 && i < n; i++)
		rc = add(b, vals[i]);
	xmppc_free(ctx, vals);
	return rc;
}

/* The FORM_TYPE of a form, "" when it has none we may use (ignored,
 * §5.4 3.6), or NULL when it makes the answer ill-formed (§5.4 3.5). */
static const char *form_type(const xmppc_stanza *x)
{
	const xmppc_stanza *f, *v;
	const char *val = NULL;

	for (f = xmppc_stanza_find_child(x, "field", XMPPC_NS_DATA_FORMS); f != NULL;
	     f = xmppc_stanza_find_next(f, "field", XMPPC_NS_DATA_FORMS))
		if (xmppc__disco_streq(xmppc_stanza_attr(f, "var"), "FORM_TYPE"))
			break;
	if (f == NULL || !xmppc__disco_streq(xmppc_stanza_attr(f, "type"), "hidden"))
		return "";
	for (v = xmppc_stanza_find_child(f, "value", XMPPC_NS_DATA_FORMS); v != NULL;
	     v = xmppc_stanza_find_next(v, "value", XMPPC_NS_DATA_FORMS)) {
		const char *t = xmppc_stanza_text(v);
		if (t == NULL || (val != NULL && strcmp(val, t) != 0))
			return NULL;
		val = t;
	}
	return val != NULL && val[0] != '\0' ? val : "";
}

static int add_form(xmppc_buf *b, xmppc_ctx *ctx, const form *fm)
{
	size_t n = count(fm->el, "field", XMPPC_NS_DATA_FORMS), k = 0, i;
	const xmppc_stanza *f;
	field *fields;
	int rc;

	if ((rc = add(b, fm->form_type)) != 0 || n == 0)
		return rc;
	if ((fields = xmppc_calloc(ctx, n, sizeof(*fields))) == NULL)
		return XMPPC_ENOMEM;
	for (f = xmppc_stanza_find_child(fm->el, "field", XMPPC_NS_DATA_FORMS); f != NULL;
	     f = xmppc_stanza_find_next(f, "field", XMPPC_NS_DATA_FORMS)) {
		const char *var = xmppc_stanza_attr(f, "var");
		if (var == NULL || strcmp(var, "FORM_TYPE") == 0)
			continue; /* fields without var (fixed) carry nothing to hash */
		fields[k].var = var;
		fields[k++].el = f;
	}
	qsort(fields, k, sizeof(*fields), cmp_field);
	for (i = 0; rc == 0 && i < k; i++)
		if ((rc = add(b, fields[i].var)) == 0)
			rc = add_values(b, ctx, fields[i].el);
	xmppc_free(ctx, fields);
	return rc;
}

/* Build the string S of §5.1 into b. */
static int build(xmppc_buf *b, xmppc_ctx *ctx, const xmppc_stanza *query)
{
	size_t ni = count(query, "identity", XMPPC_NS_DISCO_INFO);
	size_t nf = count(query, "feature", XMPPC_NS_DISCO_INFO);
	size_t nx = count(query, "x", XMPPC_NS_DATA_FORMS), i, k;
	const xmppc_stanza *c;
	ident *ids = xmppc_calloc(ctx, ni + 1, sizeof(*ids));
	const char **feats = xmppc_calloc(ctx, nf + 1, sizeof(*feats));
	form *forms = xmppc_calloc(ctx, nx + 1, sizeof(*forms));
	int rc = 0;

	if (ids == NULL || feats == NULL || forms == NULL) {
		rc = XMPPC_ENOMEM;
		goto out;
	}
	i = 0;
	for (c = xmppc_stanza_find_child(query, "identity", XMPPC_NS_DISCO_INFO); c != NULL;
	     c = xmppc_stanza_find_next(c, "identity", XMPPC_NS_DISCO_INFO), i++) {
		ids[i].category = nz(xmppc_stanza_attr(c, "category"));
		ids[i].type = nz(xmppc_stanza_attr(c, "type"));
		ids[i].lang = nz(xmppc_stanza_attr_ns(c, XMPPC_NS_XML, "lang"));
		ids[i].name = nz(xmppc_stanza_attr(c, "name"));
	}
	qsort(ids, ni, sizeof(*ids), cmp_ident);
	for (i = 0; rc == 0 && i < ni; i++) {
		if (i > 0 && cmp_ident(&ids[i - 1], &ids[i]) == 0) {
			rc = XMPPC_EPROTOCOL; /* §5.4 3.3 */
			break;
		}
		if ((rc = xmppc_buf_append(b, ids[i].category, strlen(ids[i].category))) != 0 ||
		    (rc = xmppc_buf_append(b, "/", 1)) != 0 ||
		    (rc = xmppc_buf_append(b, ids[i].type, strlen(ids[i].type))) != 0 ||
		    (rc = xmppc_buf_append(b, "/", 1)) != 0 ||
		    (rc = xmppc_buf_append(b, ids[i].lang, strlen(ids[i].lang))) != 0 ||
		    (rc = xmppc_buf_append(b, "/", 1)) != 0)
			break;
		rc = add(b, ids[i].name);
	}
	i = 0;
	for (c = xmppc_stanza_find_child(query, "feature", XMPPC_NS_DISCO_INFO); c != NULL;
	     c = xmppc_stanza_find_next(c, "feature", XMPPC_NS_DISCO_INFO))
		feats[i++] = nz(xmppc_stanza_attr(c, "var"));
	qsort(feats, nf, sizeof(*feats), cmp_str);
	for (i = 0; rc == 0 && i < nf; i++)
		rc = i > 0 && strcmp(feats[i - 1], feats[i]) == 0 ? XMPPC_EPROTOCOL /* §5.4 3.4 */
		                                                  : add(b, feats[i]);
	k = 0;
	for (c = xmppc_stanza_find_child(query, "x", XMPPC_NS_DATA_FORMS); rc == 0 && c != NULL;
	     c = xmppc_stanza_find_next(c, "x", XMPPC_NS_DATA_FORMS)) {
		const char *t = form_type(c);
		if (t == NULL)
			rc = XMPPC_EPROTOCOL;
		else if (t[0] != '\0') {
			forms[k].form_type = t;
			forms[k++].el = c;
		}
	}
	if (rc == 0)
		qsort(forms, k, sizeof(*forms), cmp_form);
	for (i = 0; rc == 0 && i < k; i++)
		rc = i > 0 && strcmp(forms[i - 1].form_type, forms[i].form_type) == 0
		         ? XMPPC_EPROTOCOL /* §5.4 3.5 */
		         : add_form(b, ctx, &forms[i]);
out:
	xmppc_free(ctx, ids);
	xmppc_free(ctx, feats);
	xmppc_free(ctx, forms);
	return rc;
}

static int b64(xmppc_buf *out, const unsigned char *d, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i += 3) {
		unsigned v = (unsigned)d[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)d[i + 1] << 8;
		if (i + 2 < n)
			v |= d[i + 2];
		q[0] = al[(v >> 18) & 63];
		q[1] = al[(v >> 12) & 63];
		q[2] = i + 1 < n ? al[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? al[v & 63] : '=';
		rc = xmppc_buf_append(out, q, 4);
	}
	return rc;
}

XMPPC_API int xmppc_caps_ver(xmppc_buf *out, xmppc_ctx *ctx, const xmppc_stanza *query,
                             const char *hash)
{
	gnutls_digest_algorithm_t alg;
	unsigned char digest[64];
	xmppc_buf *s;
	int rc;

	if (out == NULL || ctx == NULL || hash == NULL ||
	    !xmppc_stanza_is(query, "query", XMPPC_NS_DISCO_INFO))
		return XMPPC_EINVAL;
	/* the hash names of the IANA registry (XEP-0115 §5.1 step 8) */
	if (strcmp(hash, "sha-1") == 0)
		alg = GNUTLS_DIG_SHA1;
	else if (strcmp(hash, "sha-256") == 0)
		alg = GNUTLS_DIG_SHA256;
	else if (strcmp(hash, "sha-512") == 0)
		alg = GNUTLS_DIG_SHA512;
	else
		return XMPPC_EUNSUPPORTED;
	if ((rc = xmppc_buf_new(&s, ctx)) != 0)
		return rc;
	if ((rc = build(s, ctx, query)) == 0) {
		if (gnutls_hash_fast(alg, xmppc_buf_data(s), xmppc_buf_len(s), digest) != 0)
			rc = XMPPC_ECRYPTO;
		else
			rc = b64(out, digest, gnutls_hash_get_len(alg));
	}
	xmppc_buf_free(s);
	return rc;
}
