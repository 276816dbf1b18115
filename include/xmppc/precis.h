/**
 * @file precis.h
 * @brief PRECIS string preparation (RFC 8264) with the profiles XMPP uses.
 *
 * UsernameCaseMapped / UsernameCasePreserved (RFC 8265 §3) prepare JID
 * localparts, OpaqueString (RFC 8265 §4) prepares resourceparts and
 * passwords (SCRAM normalises the password with it), Nickname (RFC 8266)
 * prepares MUC nicknames. Enforcement maps, normalises and then checks the
 * result against the profile's string class; the output is what a
 * comparison or a wire format should use. The rules are re-applied until
 * the output is stable, so an output enforces to itself. The Unicode data
 * come from libunistring (Unicode 14.0 on Debian 12).
 */
#ifndef XMPPC_PRECIS_H
#define XMPPC_PRECIS_H

#include <xmppc/buf.h>

XMPPC_BEGIN_DECLS

/** A PRECIS profile. */
typedef enum xmppc_precis_profile {
	XMPPC_PRECIS_USERNAME_CASE_MAPPED = 1,    /**< RFC 8265 §3.3 (JID localparts) */
	XMPPC_PRECIS_USERNAME_CASE_PRESERVED = 2, /**< RFC 8265 §3.4 */
	XMPPC_PRECIS_OPAQUE_STRING = 3,           /**< RFC 8265 §4.2 (resourceparts, passwords) */
	XMPPC_PRECIS_NICKNAME = 4                 /**< RFC 8266 §2.3 (MUC nicknames; case kept) */
} xmppc_precis_profile;

/**
 * Enforce a PRECIS profile on a UTF-8 string.
 *
 * @param out buffer that receives the enforced string (its contents are
 *        replaced); unchanged on error. Its context's allocator is used.
 * @param profile the profile.
 * @param in the input, UTF-8, need not be NUL-terminated (an embedded
 *        U+0000 is refused as a control code point); may be NULL if
 *        @p len is 0.
 * @param len length of @p in in bytes.
 * @return 0 on success; #XMPPC_EPRECIS_INVALID_UTF8,
 *         #XMPPC_EPRECIS_DISALLOWED, #XMPPC_EPRECIS_CONTEXT,
 *         #XMPPC_EPRECIS_BIDI, #XMPPC_EPRECIS_EMPTY when the string is
 *         refused; #XMPPC_EINVAL for a NULL argument or unknown profile;
 *         #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_precis_enforce(xmppc_buf *out, xmppc_precis_profile profile, const char *in,
                                   size_t len);

XMPPC_END_DECLS

#endif /* XMPPC_PRECIS_H */
