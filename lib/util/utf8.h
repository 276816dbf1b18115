/* Strict, incremental UTF-8 validation (RFC 3629) with XML 1.0 character
 * rules (XML 1.0 §2.2: no NUL, no C0 control but TAB/LF/CR, no U+FFFE/FFFF).
 * Overlong forms, surrogates and code points above U+10FFFF are refused. */
#ifndef XMPPC_UTIL_UTF8_H
#define XMPPC_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint32_t cp;      /* code point decoded so far */
	unsigned need;    /* continuation bytes still expected */
	unsigned char lo; /* bounds for the next continuation byte */
	unsigned char hi;
} xmppc__utf8;

static inline void xmppc__utf8_init(xmppc__utf8 *st)
{
	st->cp = 0;
	st->need = 0;
	st->lo = 0x80;
	st->hi = 0xBF;
}

/* Scan len bytes continuing from *st. Returns len when all are acceptable
 * (a sequence may remain open in *st), otherwise the offset of the first
 * byte that is not, with *err set to XMPPC_EXML_INVALID_UTF8 or
 * XMPPC_EXML_INVALID_CHAR. */
size_t xmppc__utf8_scan_xml(xmppc__utf8 *st, const unsigned char *p, size_t len, int *err);

/* Whole-string checks: 0 or the XMPPC_EXML_* code. */
int xmppc__utf8_check_xml(const char *s, size_t len);

/* 1 if s is complete, valid UTF-8 (any scalar value, NUL excluded). */
int xmppc__utf8_valid(const char *s, size_t len);

#endif
