/* The Bidi Rule of RFC 5893 §2, which the Username profiles apply to
 * strings containing right-to-left code points (RFC 8265 §3.3.1 and
 * §3.4.1, directionality rule). */
#include "jid/precis-internal.h"

#include <unictype.h>

/* One bit per Bidi class, so each condition of the rule is a mask test. */
#define B(c) (1u << (c))
/* Code points without an assigned Bidi class. An unassigned code point
 * (General_Category Cn) has only a default class, which differs by block;
 * such a code point is refused by the string class anyway, so treating it
 * as "no class" only keeps it out of the RTL detection and out of every
 * allowed set, which is the conservative reading. */
#define NONE 0u

static unsigned bidi_bit(uint32_t cp)
{
	if (uc_is_general_category(cp, UC_CATEGORY_Cn))
		return NONE;
	return B(uc_bidi_category(cp));
}

#define RTL_ANY (B(UC_BIDI_R) | B(UC_BIDI_AL) | B(UC_BIDI_AN))
/* Condition 2: classes allowed in an RTL label. */
#define RTL_ALLOWED                                                                                \
	(B(UC_BIDI_R) | B(UC_BIDI_AL) | B(UC_BIDI_AN) | B(UC_BIDI_EN) | B(UC_BIDI_ES) |            \
	 B(UC_BIDI_CS) | B(UC_BIDI_ET) | B(UC_BIDI_ON) | B(UC_BIDI_BN) | B(UC_BIDI_NSM))
/* Condition 3: how an RTL label may end (before trailing NSMs). */
#define RTL_END (B(UC_BIDI_R) | B(UC_BIDI_AL) | B(UC_BIDI_EN) | B(UC_BIDI_AN))
/* Condition 5: classes allowed in an LTR label. */
#define LTR_ALLOWED                                                                                \
	(B(UC_BIDI_L) | B(UC_BIDI_EN) | B(UC_BIDI_ES) | B(UC_BIDI_CS) | B(UC_BIDI_ET) |            \
	 B(UC_BIDI_ON) | B(UC_BIDI_BN) | B(UC_BIDI_NSM))
/* Condition 6: how an LTR label may end (before trailing NSMs). */
#define LTR_END (B(UC_BIDI_L) | B(UC_BIDI_EN))

int xmppc__bidi_has_rtl(const uint32_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (bidi_bit(s[i]) & RTL_ANY)
			return 1;
	return 0;
}

int xmppc__bidi_rule_ok(const uint32_t *s, size_t n)
{
	unsigned first, allowed, end, seen = 0, b;
	size_t last, i;

	if (n == 0)
		return 1;
	/* Condition 1: the first code point decides the direction. */
	first = bidi_bit(s[0]);
	if (first & B(UC_BIDI_L)) {
		allowed = LTR_ALLOWED;
		end = LTR_END;
	} else if (first & (B(UC_BIDI_R) | B(UC_BIDI_AL))) {
		allowed = RTL_ALLOWED;
		end = RTL_END;
	} else {
		return 0;
	}
	/* Conditions 3 and 6: skip trailing NSMs; what precedes them must be
	 * an allowed end. */
	last = n;
	while (last > 0 && (bidi_bit(s[last - 1]) & B(UC_BIDI_NSM)))
		last--;
	if (last == 0 || !(bidi_bit(s[last - 1]) & end))
		return 0;
	for (i = 0; i < n; i++) {
		b = bidi_bit(s[i]);
		/* Conditions 2 and 5. */
		if (!(b & allowed))
			return 0;
		/* Condition 4 (RTL only: an LTR label allows no AN at all). */
		seen |= b & (B(UC_BIDI_EN) | B(UC_BIDI_AN));
	}
	if (allowed == RTL_ALLOWED && seen == (B(UC_BIDI_EN) | B(UC_BIDI_AN)))
		return 0;
	return 1;
}
