/* XEP-0082 date and time (see datetime.c). */
#ifndef XMPPC_UTIL_DATETIME_H
#define XMPPC_UTIL_DATETIME_H

#include <stddef.h>
#include <stdint.h>

/* Room for "YYYY-MM-DDThh:mm:ss.mmmZ" and its NUL. */
#define XMPPC__DATETIME_MAX 32

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian calendar. */
int64_t xmppc__days_from_civil(int64_t y, int m, int d);
/* Write the UTC DateTime of @p ms (".mmm" only when not 0) and a NUL into
 * @p out (@p cap >= XMPPC__DATETIME_MAX): its length, or XMPPC_EINVAL
 * outside the years 0000-9999. */
int xmppc__datetime_print(char *out, size_t cap, int64_t ms);
/* "+hh:mm" / "-hh:mm": 0 or XMPPC_ERANGE. */
int xmppc__tzo_format(char *out, size_t cap, int minutes);
/* "Z" or "+hh:mm" / "-hh:mm" into minutes east of UTC: 0 or XMPPC_EPROTOCOL. */
int xmppc__tzo_parse(int *minutes, const char *s);

#endif
