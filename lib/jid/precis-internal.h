/* Internal pieces of the PRECIS implementation (RFC 8264): the derived
 * property of a code point, the contextual rules of RFC 5892 Appendix A and
 * the Bidi Rule of RFC 5893. They work on UTF-32 strings because every rule
 * is stated per code point. */
#ifndef XMPPC_JID_PRECIS_INTERNAL_H
#define XMPPC_JID_PRECIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Derived property values (RFC 8264 §8). ID_DIS and FREE_PVAL are one
 * value: which of the two it means depends on the string class. */
typedef enum xmppc__precis_prop {
	XMPPC__PRECIS_PVALID = 0,
	XMPPC__PRECIS_FREE_PVAL, /* ID_DIS in IdentifierClass, PVALID in FreeformClass */
	XMPPC__PRECIS_CONTEXTJ,
	XMPPC__PRECIS_CONTEXTO,
	XMPPC__PRECIS_DISALLOWED,
	XMPPC__PRECIS_UNASSIGNED
} xmppc__precis_prop;

/* RFC 8264 §8 for one code point (Unicode version of libunistring). */
xmppc__precis_prop xmppc__precis_property(uint32_t cp);

/* State for the whole-string contextual rules (KATAKANA MIDDLE DOT, the two
 * Arabic-Indic digit ranges), filled on first use so a string with many
 * such code points is still scanned only once. */
typedef struct xmppc__precis_scan {
	int done;
	int has_hkh;          /* a Hiragana, Katakana or Han code point */
	int has_arabic_indic; /* U+0660..U+0669 */
	int has_ext_arabic;   /* U+06F0..U+06F9 */
} xmppc__precis_scan;

/* 1 if the CONTEXTJ/CONTEXTO code point s[i] satisfies its rule in
 * RFC 5892 Appendix A, 0 if not (also for a code point without a rule).
 * scan must be zeroed before the first call for a string. */
int xmppc__precis_context_ok(const uint32_t *s, size_t n, size_t i, xmppc__precis_scan *scan);

/* 1 if the string holds a right-to-left code point (Bidi class R, AL or
 * AN), the trigger for applying the Bidi Rule (RFC 8265 §3.3.1 rule 5). */
int xmppc__bidi_has_rtl(const uint32_t *s, size_t n);

/* 1 if the string satisfies all six conditions of the Bidi Rule
 * (RFC 5893 §2), 0 otherwise. */
int xmppc__bidi_rule_ok(const uint32_t *s, size_t n);

#endif
