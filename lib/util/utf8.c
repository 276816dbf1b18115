#include "util/utf8.h"

#include <string.h>
#include <xmppc/error.h>

/* 1 for each byte that the 8-byte fast path cannot pass as is. */
static inline int word_needs_slow_path(uint64_t w)
{
	const uint64_t high = 0x8080808080808080ull;
	/* Any byte >= 0x80, or any byte < 0x20 (the subtraction borrows into
	 * the high bit only for bytes below 0x20 when none is >= 0x80). */
	return ((w & high) | ((w - 0x2020202020202020ull) & ~w & high)) != 0;
}

size_t xmppc__utf8_scan_xml(xmppc__utf8 *st, const unsigned char *p, size_t len, int *err)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];

		if (st->need == 0) {
			if (c < 0x80) {
				if (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) {
					*err = XMPPC_EXML_INVALID_CHAR;
					return i;
				}
				i++;
				while (i + 8 <= len) {
					uint64_t w;
					memcpy(&w, p + i, 8);
					if (word_needs_slow_path(w))
						break;
					i += 8;
				}
				continue;
			}
			st->lo = 0x80;
			st->hi = 0xBF;
			if (c >= 0xC2 && c <= 0xDF) {
				st->need = 1;
				st->cp = c & 0x1Fu;
			} else if (c >= 0xE0 && c <= 0xEF) {
				st->need = 2;
				st->cp = c & 0x0Fu;
				if (c == 0xE0)
					st->lo = 0xA0; /* no overlong */
				else if (c == 0xED)
					st->hi = 0x9F; /* no surrogates */
			} else if (c >= 0xF0 && c <= 0xF4) {
				st->need = 3;
				st->cp = c & 0x07u;
				if (c == 0xF0)
					st->lo = 0x90; /* no overlong */
				else if (c == 0xF4)
					st->hi = 0x8F; /* <= U+10FFFF */
			} else {
				*err = XMPPC_EXML_INVALID_UTF8;
				return i;
			}
			i++;
			continue;
		}
		if (c < st->lo || c > st->hi) {
			*err = XMPPC_EXML_INVALID_UTF8;
			return i;
		}
		st->cp = (st->cp << 6) | (c & 0x3Fu);
		st->lo = 0x80;
		st->hi = 0xBF;
		if (--st->need == 0 && (st->cp == 0xFFFE || st->cp == 0xFFFF)) {
			*err = XMPPC_EXML_INVALID_CHAR;
			return i;
		}
		i++;
	}
	return len;
}

int xmppc__utf8_check_xml(const char *s, size_t len)
{
	xmppc__utf8 st;
	int err = 0;

	xmppc__utf8_init(&st);
	if (xmppc__utf8_scan_xml(&st, (const unsigned char *)s, len, &err) != len)
		return err;
	return st.need == 0 ? 0 : XMPPC_EXML_INVALID_UTF8;
}

int xmppc__utf8_valid(const char *s, size_t len)
{
	xmppc__utf8 st;
	size_t i;

	xmppc__utf8_init(&st);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int err = 0;

		if (c == 0)
			return 0;
		if (c < 0x80 && st.need == 0)
			continue; /* controls are valid UTF-8, only not valid XML */
		if (xmppc__utf8_scan_xml(&st, &c, 1, &err) != 1 && err == XMPPC_EXML_INVALID_UTF8)
			return 0;
	}
	return st.need == 0;
}
