/**
 * @file jid.h
 * @brief XMPP addresses (JIDs) per RFC 7622.
 *
 * A JID is `[localpart@]domainpart[/resourcepart]`. xmppc_jid_new() parses
 * and enforces it: the domainpart by IDNA2008 (libidn2, UTS #46
 * non-transitional mapping; `[IPv6]` and dotted-quad IPv4 literals
 * allowed; one trailing dot removed; the DNS limits of 63 octets per label
 * and 253 per name apply), the localpart by the PRECIS UsernameCaseMapped
 * profile plus RFC 7622's extra exclusions (`"&'/:<>@`), the resourcepart
 * by OpaqueString; each part at most 1023 bytes after enforcement. The
 * stored form is normalised, so two JIDs that compare equal have identical
 * strings, and the full string of a JID parses back to an equal JID.
 * See doc/jid.md for the details and the deliberate deviations.
 *
 * #xmppc_jid objects are immutable and reference-counted; references may be
 * taken and dropped from any thread.
 */
#ifndef XMPPC_JID_H
#define XMPPC_JID_H

#include <xmppc/ctx.h>

XMPPC_BEGIN_DECLS

/** Opaque, immutable, reference-counted JID. */
typedef struct xmppc_jid xmppc_jid;

/** Longest allowed part (localpart, domainpart, resourcepart) in bytes. */
#define XMPPC_JID_PART_MAX 1023

/**
 * Parse, validate and normalise a JID string.
 *
 * @param[out] out receives the JID (reference count 1); the caller owns
 *        it. Unchanged on error.
 * @param ctx context (its allocator is used; a reference is held).
 * @param str the JID as UTF-8, NUL-terminated.
 * @return 0; #XMPPC_EINVAL for NULL arguments; a specific
 *         `XMPPC_EJID_*` code saying which part is wrong and how
 *         (#XMPPC_EJID_EMPTY, #XMPPC_EJID_INVALID_UTF8, and for each part
 *         EMPTY_, INVALID_ or _TOO_LONG; a domainpart beyond the DNS limits
 *         is #XMPPC_EJID_INVALID_DOMAIN unless its input was over 1023
 *         bytes); #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_jid_new(xmppc_jid **out, xmppc_ctx *ctx, const char *str);

/**
 * Build a JID from its parts, each enforced as in xmppc_jid_new().
 *
 * @param[out] out receives the JID.
 * @param ctx context.
 * @param local localpart or NULL for none ("" is #XMPPC_EJID_EMPTY_LOCAL).
 * @param domain domainpart; required (NULL is #XMPPC_EINVAL).
 * @param resource resourcepart or NULL for none; may contain '@' and '/'.
 * @return as xmppc_jid_new().
 */
XMPPC_API int xmppc_jid_new_from_parts(xmppc_jid **out, xmppc_ctx *ctx, const char *local,
                                       const char *domain, const char *resource);

/** Take a reference; returns @p jid. */
XMPPC_API xmppc_jid *xmppc_jid_ref(xmppc_jid *jid);

/** Drop a reference; returns NULL if this freed the JID, else @p jid. */
XMPPC_API xmppc_jid *xmppc_jid_unref(xmppc_jid *jid);

/** Normalised localpart, or NULL when the JID has none. Borrowed. */
XMPPC_API const char *xmppc_jid_local(const xmppc_jid *jid);

/** Normalised domainpart (Unicode form, U-labels). Borrowed; never NULL for a valid JID. */
XMPPC_API const char *xmppc_jid_domain(const xmppc_jid *jid);

/**
 * Domainpart in ASCII (A-label) form, as needed for DNS and for matching
 * TLS certificates. Borrowed.
 */
XMPPC_API const char *xmppc_jid_domain_ascii(const xmppc_jid *jid);

/** Normalised resourcepart, or NULL when the JID has none. Borrowed. */
XMPPC_API const char *xmppc_jid_resource(const xmppc_jid *jid);

/** The whole normalised JID as a string. Borrowed. */
XMPPC_API const char *xmppc_jid_full(const xmppc_jid *jid);

/** The bare JID (`local@domain` or `domain`) as a string. Borrowed. */
XMPPC_API const char *xmppc_jid_bare(const xmppc_jid *jid);

/** 1 if the JID has no resourcepart, 0 otherwise (also for NULL). */
XMPPC_API int xmppc_jid_is_bare(const xmppc_jid *jid);

/**
 * A new JID without the resourcepart.
 *
 * @param[out] out receives the bare JID (a new reference to @p jid itself
 *        when it is already bare).
 * @param jid the JID.
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_jid_to_bare(xmppc_jid **out, const xmppc_jid *jid);

/**
 * A new JID with the bare part of @p jid and the given resource.
 *
 * @return 0, #XMPPC_EINVAL, #XMPPC_EJID_EMPTY_RESOURCE,
 *         #XMPPC_EJID_INVALID_RESOURCE, #XMPPC_EJID_RESOURCE_TOO_LONG or
 *         #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_jid_with_resource(xmppc_jid **out, const xmppc_jid *jid, const char *resource);

/** 1 if both JIDs are equal in all parts (after normalisation), else 0
 *  (also when either is NULL). */
XMPPC_API int xmppc_jid_equal(const xmppc_jid *a, const xmppc_jid *b);

/** 1 if both JIDs have equal bare parts (resources ignored), else 0
 *  (also when either is NULL). */
XMPPC_API int xmppc_jid_bare_equal(const xmppc_jid *a, const xmppc_jid *b);

/**
 * Total order on JIDs (domain, then local, then resource, bytewise; an
 * absent part sorts before any present one, NULL before any JID), for
 * sorting and tree keys.
 *
 * @return negative, 0 or positive.
 */
XMPPC_API int xmppc_jid_compare(const xmppc_jid *a, const xmppc_jid *b);

XMPPC_END_DECLS

#endif /* XMPPC_JID_H */
