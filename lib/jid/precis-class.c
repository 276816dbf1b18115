/* The PRECIS derived property of a code point (RFC 8264 §8), computed from
 * the Unicode properties libunistring provides. The order of the tests is
 * the order of the algorithm in §8: the first category a code point falls
 * into decides. */
#include "jid/precis-internal.h"

#include <stdlib.h>
#include <unictype.h>
#include <uninorm.h>

/* RFC 8264 §9.6 Exceptions: the table of RFC 5892 §2.6, which PRECIS
 * reuses unchanged. Returns -1 for a code point that is not listed. */
static int exception_value(uint32_t cp)
{
	switch (cp) {
	/* PVALID: would otherwise be DISALLOWED */
	case 0x00DF: /* LATIN SMALL LETTER SHARP S */
	case 0x03C2: /* GREEK SMALL LETTER FINAL SIGMA */
	case 0x06FD: /* ARABIC SIGN SINDHI AMPERSAND */
	case 0x06FE: /* ARABIC SIGN SINDHI POSTPOSITION MEN */
	case 0x0F0B: /* TIBETAN MARK INTERSYLLABIC TSHEG */
	case 0x3007: /* IDEOGRAPHIC NUMBER ZERO */
		return XMPPC__PRECIS_PVALID;
	/* CONTEXTO: would otherwise be DISALLOWED */
	case 0x00B7: /* MIDDLE DOT */
	case 0x0375: /* GREEK LOWER NUMERAL SIGN (KERAIA) */
	case 0x05F3: /* HEBREW PUNCTUATION GERESH */
	case 0x05F4: /* HEBREW PUNCTUATION GERSHAYIM */
	case 0x30FB: /* KATAKANA MIDDLE DOT */
		return XMPPC__PRECIS_CONTEXTO;
	/* DISALLOWED: would otherwise be PVALID */
	case 0x0640: /* ARABIC TATWEEL */
	case 0x07FA: /* NKO LAJANYALAN */
	case 0x302E: /* HANGUL SINGLE DOT TONE MARK */
	case 0x302F: /* HANGUL DOUBLE DOT TONE MARK */
	case 0x3031: /* VERTICAL KANA REPEAT MARK */
	case 0x3032: /* VERTICAL KANA REPEAT WITH VOICED SOUND MARK */
	case 0x3033: /* VERTICAL KANA REPEAT MARK UPPER HALF */
	case 0x3034: /* VERTICAL KANA REPEAT WITH VOICED SOUND MARK UPPER HALF */
	case 0x3035: /* VERTICAL KANA REPEAT MARK LOWER HALF */
	case 0x303B: /* VERTICAL IDEOGRAPHIC ITERATION MARK */
		return XMPPC__PRECIS_DISALLOWED;
	default:
		break;
	}
	/* CONTEXTO, would otherwise be PVALID: ARABIC-INDIC DIGITs and
	 * EXTENDED ARABIC-INDIC DIGITs (the two may not be mixed). */
	if ((cp >= 0x0660 && cp <= 0x0669) || (cp >= 0x06F0 && cp <= 0x06F9))
		return XMPPC__PRECIS_CONTEXTO;
	return -1;
}

/* RFC 8264 §9.9 OldHangulJamo: Hangul_Syllable_Type L, V or T. The ranges
 * are closed (the Hangul Jamo blocks are fully allocated since Unicode 5.2),
 * so listing them is as good as a property lookup, which libunistring lacks. */
static int is_old_hangul_jamo(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x11FF) || /* L, V and T in Hangul Jamo */
	       (cp >= 0xA960 && cp <= 0xA97C) || /* L in Hangul Jamo Extended-A */
	       (cp >= 0xD7B0 && cp <= 0xD7C6) || /* V in Hangul Jamo Extended-B */
	       (cp >= 0xD7CB && cp <= 0xD7FB);   /* T in Hangul Jamo Extended-B */
}

/* Noncharacter_Code_Point: U+FDD0..U+FDEF and the last two code points of
 * every plane. The set is closed by Unicode's stability policy; libunistring
 * 1.0 has no accessor for it. */
static int is_noncharacter(uint32_t cp)
{
	return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

/* RFC 8264 §9.17 HasCompat: toNFKC(cp) != cp. Computed by normalising the
 * single code point rather than from its decomposition type, because a
 * canonical decomposition may recompose to the same code point (é) or
 * contain a compatibility character (U+1E9B). */
static int has_compat(uint32_t cp)
{
	uint32_t buf[UC_DECOMPOSITION_MAX_LENGTH];
	size_t len = UC_DECOMPOSITION_MAX_LENGTH;
	uint32_t *res = u32_normalize(UNINORM_NFKC, &cp, 1, buf, &len);

	/* With a result buffer as large as the longest decomposition and a
	 * single input code point libunistring needs no memory, so this
	 * cannot fail; treat a failure as "has compat" (refuse) anyway. */
	if (res == NULL)
		return 1;
	if (res != buf) {
		free(res); /* allocated by libunistring */
		return 1;
	}
	return len != 1 || buf[0] != cp;
}

xmppc__precis_prop xmppc__precis_property(uint32_t cp)
{
	uint32_t gc;
	int ex = exception_value(cp);

	if (ex >= 0)
		return (xmppc__precis_prop)ex;
	/* §9.7 BackwardCompatible is empty for the Unicode versions so far. */
	gc = uc_general_category(cp).bitmask;
	/* §9.10 Unassigned: General_Category Cn, but not a noncharacter (those
	 * are Cn too, and DISALLOWED by §9.13 below). */
	if ((gc & UC_CATEGORY_MASK_Cn) && !is_noncharacter(cp))
		return XMPPC__PRECIS_UNASSIGNED;
	/* §9.11 ASCII7: printable ASCII without SPACE. */
	if (cp >= 0x21 && cp <= 0x7E)
		return XMPPC__PRECIS_PVALID;
	/* §9.8 JoinControl (ZWNJ, ZWJ). */
	if (uc_is_property_join_control(cp))
		return XMPPC__PRECIS_CONTEXTJ;
	if (is_old_hangul_jamo(cp))
		return XMPPC__PRECIS_DISALLOWED;
	/* §9.13 PrecisIgnorableProperties. */
	if (uc_is_property_default_ignorable_code_point(cp) || is_noncharacter(cp))
		return XMPPC__PRECIS_DISALLOWED;
	/* §9.12 Controls. */
	if (gc & UC_CATEGORY_MASK_Cc)
		return XMPPC__PRECIS_DISALLOWED;
	if (has_compat(cp))
		return XMPPC__PRECIS_FREE_PVAL;
	/* §9.1 LetterDigits. */
	if (gc &
	    (UC_CATEGORY_MASK_Ll | UC_CATEGORY_MASK_Lu | UC_CATEGORY_MASK_Lo | UC_CATEGORY_MASK_Nd |
	     UC_CATEGORY_MASK_Lm | UC_CATEGORY_MASK_Mn | UC_CATEGORY_MASK_Mc))
		return XMPPC__PRECIS_PVALID;
	/* §9.18 OtherLetterDigits, §9.14 Spaces, §9.15 Symbols,
	 * §9.16 Punctuation: all ID_DIS or FREE_PVAL. */
	if (gc &
	    (UC_CATEGORY_MASK_Lt | UC_CATEGORY_MASK_Nl | UC_CATEGORY_MASK_No | UC_CATEGORY_MASK_Me |
	     UC_CATEGORY_MASK_Zs | UC_CATEGORY_MASK_S | UC_CATEGORY_MASK_P))
		return XMPPC__PRECIS_FREE_PVAL;
	/* Everything else: Cf, Co, Cs, Zl, Zp. */
	return XMPPC__PRECIS_DISALLOWED;
}
