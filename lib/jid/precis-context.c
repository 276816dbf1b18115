/* Contextual rules for CONTEXTJ and CONTEXTO code points (RFC 5892
 * Appendix A), which PRECIS reuses (RFC 8264 §4.2.3 and §4.3.3: a code
 * point with a contextual rule is allowed only where its rule holds). They
 * are evaluated on the string after mapping and normalisation. */
#include "jid/precis-internal.h"

#include <unictype.h>
#include <uninorm.h>

/* Canonical_Combining_Class Virama (UAX #44). */
#define CCC_VIRAMA 9

static int is_script(uint32_t cp, const uc_script_t *script)
{
	return script != NULL && uc_script(cp) == script;
}

/* RFC 5892 A.1: the regular expression
 *   (Joining_Type:{L,D})(Joining_Type:T)*\u200C(Joining_Type:T)*(Joining_Type:{R,D})
 * i.e. skipping transparent code points, the nearest one before must join
 * to the left (L or D) and the nearest one after must join to the right
 * (R or D). */
static int zwnj_joining_context(const uint32_t *s, size_t n, size_t i)
{
	size_t k;
	int jt;
	int left = 0, right = 0;

	for (k = i; k-- > 0;) {
		jt = uc_joining_type(s[k]);
		if (jt == UC_JOINING_TYPE_T)
			continue;
		left = jt == UC_JOINING_TYPE_L || jt == UC_JOINING_TYPE_D;
		break;
	}
	if (!left)
		return 0;
	for (k = i + 1; k < n; k++) {
		jt = uc_joining_type(s[k]);
		if (jt == UC_JOINING_TYPE_T)
			continue;
		right = jt == UC_JOINING_TYPE_R || jt == UC_JOINING_TYPE_D;
		break;
	}
	return right;
}

static void scan_string(const uint32_t *s, size_t n, xmppc__precis_scan *scan)
{
	const uc_script_t *hira = uc_script_byname("Hiragana");
	const uc_script_t *kata = uc_script_byname("Katakana");
	const uc_script_t *han = uc_script_byname("Han");
	size_t k;

	for (k = 0; k < n; k++) {
		uint32_t c = s[k];
		const uc_script_t *sc;

		if (c >= 0x0660 && c <= 0x0669)
			scan->has_arabic_indic = 1;
		else if (c >= 0x06F0 && c <= 0x06F9)
			scan->has_ext_arabic = 1;
		sc = uc_script(c);
		if (sc != NULL && (sc == hira || sc == kata || sc == han))
			scan->has_hkh = 1;
	}
	scan->done = 1;
}

int xmppc__precis_context_ok(const uint32_t *s, size_t n, size_t i, xmppc__precis_scan *scan)
{
	uint32_t cp = s[i];

	switch (cp) {
	case 0x200C: /* A.1 ZERO WIDTH NON-JOINER */
		/* After a virama (Indic conjunct control) or between
		 * joining letters (e.g. Persian). */
		if (i > 0 && uc_combining_class(s[i - 1]) == CCC_VIRAMA)
			return 1;
		return zwnj_joining_context(s, n, i);
	case 0x200D: /* A.2 ZERO WIDTH JOINER: only after a virama */
		return i > 0 && uc_combining_class(s[i - 1]) == CCC_VIRAMA;
	case 0x00B7: /* A.3 MIDDLE DOT: between two 'l' (Catalan ela geminada) */
		return i > 0 && i + 1 < n && s[i - 1] == 0x006C && s[i + 1] == 0x006C;
	case 0x0375: /* A.4 GREEK LOWER NUMERAL SIGN: followed by Greek */
		return i + 1 < n && is_script(s[i + 1], uc_script_byname("Greek"));
	case 0x05F3: /* A.5 HEBREW PUNCTUATION GERESH */
	case 0x05F4: /* A.6 HEBREW PUNCTUATION GERSHAYIM: preceded by Hebrew */
		return i > 0 && is_script(s[i - 1], uc_script_byname("Hebrew"));
	case 0x30FB:
		/* A.7 KATAKANA MIDDLE DOT: some Hiragana, Katakana or Han in
		 * the string (its own script is Common) */
		if (!scan->done)
			scan_string(s, n, scan);
		return scan->has_hkh;
	default:
		break;
	}
	/* A.8 and A.9: the two sets of Arabic-Indic digits may not be mixed. */
	if (cp >= 0x0660 && cp <= 0x0669) {
		if (!scan->done)
			scan_string(s, n, scan);
		return !scan->has_ext_arabic;
	}
	if (cp >= 0x06F0 && cp <= 0x06F9) {
		if (!scan->done)
			scan_string(s, n, scan);
		return !scan->has_arabic_indic;
	}
	/* A code point that needs a contextual rule but has none is never
	 * in a valid context (the same stance as RFC 5891 §5.4 for IDNA). */
	return 0;
}
