/* XEP-0082 DateTime and time-zone offsets, shared by the session core
 * (XEP-0203 stamps on messages resent after a failed resumption), the IM
 * module (delay stamps; the public xmppc_datetime_parse() and
 * xmppc_datetime_format() of im.h) and entity time (XEP-0202). Parsing is
 * strict (every field fixed-width and range-checked, a time zone required)
 * so a malformed stamp is refused rather than read as another instant. No
 * locale, no timegm(), no time zone database. */
#include <stdio.h>
#include <string.h>

#include <xmppc/error.h>
#include <xmppc/im.h>

#include "util/datetime.h"

static int digits(int *v, const char *s, int n)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
int64_t xmppc__days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

XMPPC_API int xmppc_datetime_parse(int64_t *ms, const char *s)
{
	int y, mo, d, h, mi, sec, frac = 0, tzh = 0, tzm = 0, sign = 0, n;
	int64_t t;

	if (ms == NULL || s == NULL || strlen(s) < 20)
		return XMPPC_EINVAL;
	if (digits(&y, s, 4) || s[4] != '-' || digits(&mo, s + 5, 2) || s[7] != '-' ||
	    digits(&d, s + 8, 2) || s[10] != 'T' || digits(&h, s + 11, 2) || s[13] != ':' ||
	    digits(&mi, s + 14, 2) || s[16] != ':' || digits(&sec, s + 17, 2))
		return XMPPC_EINVAL;
	s += 19;
	if (*s == '.') {
		/* at least one digit; milliseconds kept, the rest truncated */
		for (s++, n = 0; *s >= '0' && *s <= '9'; s++, n++)
			if (n < 3)
				frac = frac * 10 + (*s - '0');
		if (n == 0)
			return XMPPC_EINVAL;
		for (; n < 3; n++)
			frac *= 10;
	}
	if (*s == 'Z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		if (digits(&tzh, s + 1, 2) || s[3] != ':' || digits(&tzm, s + 4, 2) || tzh > 23 ||
		    tzm > 59)
			return XMPPC_EINVAL;
		s += 6;
	} else {
		return XMPPC_EINVAL;
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return XMPPC_EINVAL;
	if (sec == 60) { /* a leap second: the last instant of the minute before */
		sec = 59;
		frac = 999;
	}
	t = xmppc__days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + sec;
	t -= (int64_t)sign * (tzh * 3600 + tzm * 60);
	*ms = t * 1000 + frac;
	return 0;
}

int xmppc__datetime_print(char *tmp, size_t cap, int64_t ms)
{
	/* 0000-01-01 and 9999-12-31T23:59:59.999 */
	const int64_t lo = -62167219200000LL, hi = 253402300799999LL;
	int64_t days, secs, z, era, doe, yoe, y, doy, mp;
	int m, d, frac;
	int n;

	if (tmp == NULL || cap < XMPPC__DATETIME_MAX || ms < lo || ms > hi)
		return XMPPC_EINVAL;
	days = (ms >= 0 ? ms : ms - 86399999) / 86400000;
	secs = (ms - days * 86400000) / 1000;
	frac = (int)((ms - days * 86400000) % 1000);
	/* civil_from_days (H. Hinnant) */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	n = snprintf(tmp, cap, "%04d-%02d-%02dT%02d:%02d:%02d", (int)y, m, d,
	             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	if (frac != 0)
		n += snprintf(tmp + n, cap - (size_t)n, ".%03d", frac);
	tmp[n++] = 'Z';
	tmp[n] = '\0';
	return n;
}

XMPPC_API int xmppc_datetime_format(xmppc_buf *out, int64_t ms)
{
	char tmp[XMPPC__DATETIME_MAX];
	int n;

	if (out == NULL)
		return XMPPC_EINVAL;
	if ((n = xmppc__datetime_print(tmp, sizeof(tmp), ms)) < 0)
		return n;
	return xmppc_buf_append(out, tmp, (size_t)n);
}

/* ---- time-zone offsets (XEP-0202 tzo) ------------------------------------ */

int xmppc__tzo_format(char *out, size_t cap, int minutes)
{
	int a = minutes < 0 ? -minutes : minutes;
	int n;

	if (a >= 24 * 60)
		return XMPPC_ERANGE;
	n = snprintf(out, cap, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
	return n > 0 && (size_t)n < cap ? 0 : XMPPC_ERANGE;
}

int xmppc__tzo_parse(int *minutes, const char *s)
{
	int h, m;

	if (strcmp(s, "Z") == 0) {
		*minutes = 0;
		return 0;
	}
	if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || digits(&h, s + 1, 2) ||
	    digits(&m, s + 4, 2) || h > 23 || m > 59)
		return XMPPC_EPROTOCOL;
	*minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
	return 0;
}
