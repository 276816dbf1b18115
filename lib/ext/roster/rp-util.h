/* Helpers shared by the roster and presence modules (lib/ext/roster).
 * Built only on the public API; hidden (xmppc__ prefix, not in the
 * symbol map). */
#ifndef XMPPC_EXT_RP_UTIL_H
#define XMPPC_EXT_RP_UTIL_H

#include <xmppc/module.h>

/* The normalized form of @jid (its bare form when @bare), allocated on
 * @ctx; 0 or the XMPPC_EJID_* / ENOMEM error. */
int xmppc__rp_norm(char **out, xmppc_ctx *ctx, const char *jid, int bare);

/* 1 if @st comes from our own account as RFC 6121 §2.1.6 demands of a
 * roster push: no 'from', or exactly our bare JID. */
int xmppc__rp_from_account(const xmppc_session *s, const xmppc_stanza *st);

/* Index where @key is, or would be inserted, in the sorted array @v of
 * @n elements whose key (a string) is at byte @off of each element
 * (@v holds pointers to elements). *found tells which. */
size_t xmppc__rp_search(void *const *v, size_t n, size_t off, const char *key, int *found);

/* Make room at @pos in the pointer array *@v of *@n (capacity *@cap). */
int xmppc__rp_insert(xmppc_ctx *ctx, void ***v, size_t *n, size_t *cap, size_t pos, void *p);

/* Remove the element at @pos of the pointer array @v of *@n. */
void xmppc__rp_erase(void **v, size_t *n, size_t pos);

/* Send a presence of @type to @to (NULL: none) with an optional status. */
int xmppc__rp_send_presence(xmppc_session *s, xmppc_stanza_type type, const char *to,
                            const char *status);

#endif
