/* Small helpers shared by the network benchmark programs (pseudo-server,
 * xmppc and libstrophe clients, SAX floor client). No xmppc dependency. */
#ifndef XMPPC_BENCH_BENCHUTIL_H
#define XMPPC_BENCH_BENCHUTIL_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in seconds. */
double bu_now(void);

/* A field of /proc/self/status in KiB ("VmHWM", "VmRSS"), or -1. VmHWM is
 * this program image's peak resident set (unlike ru_maxrss it does not
 * include what the process held before execve). */
long bu_proc_status_kib(const char *field);

/* Raise RLIMIT_NOFILE's soft limit to at least @want (up to the hard
 * limit; as root the hard limit too). Returns the new soft limit. */
long bu_raise_nofile(long want);

/* Split "host:port" (or "[v6]:port"); @host gets at most @cap bytes.
 * Returns 0 or -1. */
int bu_split_hostport(const char *s, char *host, size_t cap, unsigned *port);

/* Find @needle (length @nlen) in @hay (length @len), or NULL. */
const char *bu_memmem(const char *hay, size_t len, const char *needle, size_t nlen);

/* Count non-overlapping occurrences of @needle in @hay. */
size_t bu_count(const char *hay, size_t len, const char *needle, size_t nlen);

/* Print a message and exit with status 1 (or 2 for usage errors). */
void bu_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
