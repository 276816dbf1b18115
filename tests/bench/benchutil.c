/* Helpers for the network benchmarks (see benchutil.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "benchutil.h"

double bu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long bu_proc_status_kib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t n = strlen(field);
	long v = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

long bu_raise_nofile(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if ((long)rl.rlim_cur >= want)
		return (long)rl.rlim_cur;
	if (rl.rlim_max != RLIM_INFINITY && (long)rl.rlim_max < want) {
		struct rlimit r2 = {(rlim_t)want, (rlim_t)want};
		if (setrlimit(RLIMIT_NOFILE, &r2) == 0) /* root may raise the hard limit */
			return want;
		rl.rlim_cur = rl.rlim_max;
	} else {
		rl.rlim_cur = (rlim_t)want;
	}
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	return (long)rl.rlim_cur;
}

int bu_split_hostport(const char *s, char *host, size_t cap, unsigned *port)
{
	const char *colon;
	size_t hl;
	char *end;
	unsigned long p;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || rb[1] != ':')
			return -1;
		hl = (size_t)(rb - s - 1);
		s++;
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= cap)
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	p = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || p == 0 || p > 65535)
		return -1;
	*port = (unsigned)p;
	return 0;
}

const char *bu_memmem(const char *hay, size_t len, const char *needle, size_t nlen)
{
	return memmem(hay, len, needle, nlen);
}

size_t bu_count(const char *hay, size_t len, const char *needle, size_t nlen)
{
	size_t c = 0;
	const char *p = hay, *end = hay + len;

	while ((size_t)(end - p) >= nlen) {
		const char *q = memchr(p, needle[0], (size_t)(end - p) - nlen + 1);
		if (q == NULL)
			break;
		if (memcmp(q, needle, nlen) == 0) {
			c++;
			p = q + nlen;
		} else {
			p = q + 1;
		}
	}
	return c;
}

void bu_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}
