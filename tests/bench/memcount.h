/* Counting allocators for the benchmarks: one for the xmppc context's
 * allocator hook, one installed into libxml2 with xmlMemSetup(). Each
 * tracks live and peak bytes, and so does their sum. Single-threaded. */
#ifndef XMPPC_BENCH_MEMCOUNT_H
#define XMPPC_BENCH_MEMCOUNT_H

#include <stddef.h>
#include <xmppc/ctx.h>

typedef struct {
	size_t live;         /* bytes alive */
	size_t peak;         /* most bytes alive at once since the last reset */
	unsigned long calls; /* allocations (malloc, realloc, strdup) */
} mem_counter;

extern mem_counter mem_xmppc;  /* through the xmppc allocator hook */
extern mem_counter mem_libxml; /* through libxml2's xmlMalloc and friends */
extern mem_counter mem_total;  /* both */

/* Route libxml2's allocations through the counters. Must be called before
 * anything else touches libxml2. Returns 0 or -1. */
int mem_install_libxml(void);

/* Peaks restart from the bytes alive now; call counts restart from 0. */
void mem_reset(void);

/* An allocator hook for xmppc_ctx_new() that counts into mem_xmppc. */
void mem_xmppc_allocator(xmppc_allocator *out);

#endif
