/* Helpers shared by the roster and presence modules: JID normalization,
 * the roster-push provenance rule, sorted pointer arrays. */
#include <stddef.h>
#include <string.h>

#include "rp-util.h"

int xmppc__rp_norm(char **out, xmppc_ctx *ctx, const char *jid, int bare)
{
	xmppc_jid *j;
	int rc;

	*out = NULL;
	if (jid == NULL)
		return XMPPC_EINVAL;
	if ((rc = xmppc_jid_new(&j, ctx, jid)) != 0)
		return rc;
	*out = xmppc_strdup(ctx, bare ? xmppc_jid_bare(j) : xmppc_jid_full(j));
	xmppc_jid_unref(j);
	return *out == NULL ? XMPPC_ENOMEM : 0;
}

int xmppc__rp_from_account(const xmppc_session *s, const xmppc_stanza *st)
{
	const char *from = xmppc_stanza_from(st);
	const xmppc_jid *me = xmppc_session_jid(s);
	xmppc_jid *j;
	int ok;

	if (from == NULL)
		return 1;
	if (me == NULL || xmppc_jid_new(&j, xmppc_session_ctx(s), from) != 0)
		return 0;
	/* Our full JID, our domain or a contact are all refused: only the
	 * account itself may change the roster (RFC 6121 §2.1.6). */
	ok = xmppc_jid_is_bare(j) && xmppc_jid_bare_equal(j, me);
	xmppc_jid_unref(j);
	return ok;
}

size_t xmppc__rp_search(void *const *v, size_t n, size_t off, const char *key, int *found)
{
	size_t lo = 0, hi = n;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = *(const char *const *)((const char *)v[mid] + off);
		int c = strcmp(k, key);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int xmppc__rp_insert(xmppc_ctx *ctx, void ***v, size_t *n, size_t *cap, size_t pos, void *p)
{
	if (*n == *cap) {
		size_t nc = *cap != 0 ? *cap * 2 : 8;
		void **nv = xmppc_realloc(ctx, *v, nc * sizeof(*nv));

		if (nv == NULL)
			return XMPPC_ENOMEM;
		*v = nv;
		*cap = nc;
	}
	memmove(*v + pos + 1, *v + pos, (*n - pos) * sizeof(**v));
	(*v)[pos] = p;
	(*n)++;
	return 0;
}

void xmppc__rp_erase(void **v, size_t *n, size_t pos)
{
	memmove(v + pos, v + pos + 1, (*n - pos - 1) * sizeof(*v));
	(*n)--;
}

int xmppc__rp_send_presence(xmppc_session *s, xmppc_stanza_type type, const char *to,
                            const char *status)
{
	xmppc_stanza *p;
	int rc;

	if (s == NULL)
		return XMPPC_EINVAL;
	if ((rc = xmppc_presence_new(&p, xmppc_session_ctx(s), type, to)) != 0)
		return rc;
	if (status != NULL)
		rc = xmppc_stanza_new_text_child(NULL, p, "status", NULL, status);
	if (rc == 0)
		rc = xmppc_session_send(s, p);
	xmppc_stanza_unref(p);
	return rc;
}
