/* XEP-0082 time-zone offsets and the DateTime parsing of entity time (no
 * locale, no timegm(), no time zone database). UTC DateTimes are written
 * with the public xmppc_datetime_format() (im.h). */
#include <stdio.h>
#include <string.h>

#include <xmppc/error.h>

#include "datetime.h"

/* Howard Hinnant's days_from_civil. */
int64_t xmppc__dt_days(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int xmppc__dt_format_tzo(char *out, size_t cap, int minutes)
{
	int a = minutes < 0 ? -minutes : minutes;
	int n;

	if (a >= 24 * 60)
		return XMPPC_ERANGE;
	n = snprintf(out, cap, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
	return n > 0 && (size_t)n < cap ? 0 : XMPPC_ERANGE;
}

/* @n decimal digits at @s; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

int xmppc__dt_parse_tzo(int *minutes, const char *s)
{
	int h, m;

	if (strcmp(s, "Z") == 0) {
		*minutes = 0;
		return 0;
	}
	if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
		return XMPPC_EPROTOCOL;
	h = digits(s + 1, 2);
	m = digits(s + 4, 2);
	if (h < 0 || m < 0 || h > 23 || m > 59)
		return XMPPC_EPROTOCOL;
	*minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
	return 0;
}

int xmppc__dt_parse(int64_t *unix_ms, const char *s)
{
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, se, ms = 0, tzo, scale = 100;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':')
		return XMPPC_EPROTOCOL;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || (unsigned)d > mdays[mo - 1] || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return XMPPC_EPROTOCOL;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return XMPPC_EPROTOCOL;
	s += 19;
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return XMPPC_EPROTOCOL;
		for (s++; *s >= '0' && *s <= '9'; s++) {
			ms += (*s - '0') * scale;
			scale /= 10;
		}
	}
	if (xmppc__dt_parse_tzo(&tzo, s) != 0)
		return XMPPC_EPROTOCOL;
	*unix_ms = ((xmppc__dt_days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
	             (se > 59 ? 59 : se)) - (int64_t)tzo * 60) * 1000 + ms;
	return 0;
}
