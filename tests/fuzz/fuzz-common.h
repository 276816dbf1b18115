/* Helpers shared by the fuzz targets: a counting allocator (so every input
 * also checks that xmppc released all it allocated and every reference to
 * the context, with or without LeakSanitizer), invariant checks that abort,
 * a serialize / re-parse round-trip check, and a walk over the stanza
 * accessors that looks for crashes. Public API only. */
#ifndef XMPPC_FUZZ_COMMON_H
#define XMPPC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <xmppc/xmppc.h>

/* abort() with a message when an invariant does not hold. */
#define FUZZ_CHECK(cond)                                         \
	do {                                                     \
		if (!(cond))                                     \
			fuzz_fail(#cond, __FILE__, __LINE__);    \
	} while (0)

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noreturn))
#endif
void fuzz_fail(const char *what, const char *file, int line);

/* Allocation hook state. fail_at is the 1-based number of the one
 * allocation that fails (0: none fails). */
typedef struct fuzz_alloc {
	long calls;
	long fail_at;
	long live;
} fuzz_alloc;

/* A context whose allocator is counted in *a (zeroed here). */
xmppc_ctx *fuzz_ctx_new(fuzz_alloc *a);
/* Let the allocation number `calls + n` (n >= 1) fail. */
void fuzz_alloc_fail_in(fuzz_alloc *a, long n);
/* Drop the last reference: the context must be freed and no block of its
 * allocator may be left. */
void fuzz_ctx_done(xmppc_ctx *ctx, fuzz_alloc *a);

/* Serialize node (default_ns NULL) into a new buffer. Returns 0 or the
 * error; on error *out is NULL. */
int fuzz_serialize(xmppc_buf **out, xmppc_ctx *ctx, const xmppc_stanza *node);

/* Check that xml (the serialization of node with default_ns NULL) parses
 * back with xmppc_stanza_from_xml() into a tree that serializes to the same
 * bytes, and that xmppc_stanza_copy() of node serializes to them too.
 * When may_fail_alloc is set an XMPPC_ENOMEM anywhere ends the check
 * quietly (allocation-failure runs). */
void fuzz_check_roundtrip(xmppc_ctx *ctx, const xmppc_stanza *node, const char *xml, size_t len,
                          int may_fail_alloc);

/* Call every read accessor on the tree (and the reply constructors on a
 * top-level stanza), checking the consistency of what they return. */
void fuzz_exercise(xmppc_ctx *ctx, const xmppc_stanza *node, int may_fail_alloc);

/* Deepest element nesting of a tree (root = 1), most attributes on one
 * element, and number of elements. */
void fuzz_tree_shape(const xmppc_stanza *root, unsigned *depth, size_t *max_attrs,
                     size_t *elements);

#endif
