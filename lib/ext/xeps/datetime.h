/* XEP-0082 date/time formats for the entity-time module. */
#ifndef XMPPC_EXT_XEPS_DATETIME_H
#define XMPPC_EXT_XEPS_DATETIME_H

#include <stddef.h>
#include <stdint.h>

/* "+hh:mm" / "-hh:mm" (7 bytes with NUL). */
int xmppc__dt_format_tzo(char *out, size_t cap, int minutes);
/* Parse a DateTime (fraction optional, 'Z' or an offset) into UTC ms. */
int xmppc__dt_parse(int64_t *unix_ms, const char *s);
/* Parse "Z" or "+hh:mm"/"-hh:mm". */
int xmppc__dt_parse_tzo(int *minutes, const char *s);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t xmppc__dt_days(int64_t y, unsigned m, unsigned d);

#endif
