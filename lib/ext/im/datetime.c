/* XEP-0082 DateTime, as used by XEP-0203 delay stamps: strict parsing
 * (every field fixed-width and range-checked, a time zone required) so a
 * malformed stamp is refused rather than read as some other instant. */
#include <stdio.h>
#include <string.h>

#include <xmppc/im.h>

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
static int64_t days_from_civil(int64_t y, int m, int d)
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
	t = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + sec;
	t -= (int64_t)sign * (tzh * 3600 + tzm * 60);
	*ms = t * 1000 + frac;
	return 0;
}

XMPPC_API int xmppc_datetime_format(xmppc_buf *out, int64_t ms)
{
	/* 0000-01-01 and 9999-12-31T23:59:59.999 */
	const int64_t lo = -62167219200000LL, hi = 253402300799999LL;
	int64_t days, secs, z, era, doe, yoe, y, doy, mp;
	int m, d, frac;
	char tmp[40];
	int n;

	if (out == NULL || ms < lo || ms > hi)
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
	n = snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d", (int)y, m, d,
	             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	if (frac != 0)
		n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ".%03d", frac);
	tmp[n++] = 'Z';
	return xmppc_buf_append(out, tmp, (size_t)n);
}
