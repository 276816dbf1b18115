/* Counting allocators (see memcount.h). Each block carries its size in a
 * header of max_align_t's size, so alignment is preserved. */
#include <libxml/xmlmemory.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "memcount.h"

mem_counter mem_xmppc;
mem_counter mem_libxml;
mem_counter mem_total;

#define HDR (sizeof(max_align_t) > sizeof(size_t) ? sizeof(max_align_t) : sizeof(size_t))

static void grew(mem_counter *c, size_t n)
{
	c->live += n;
	if (c->live > c->peak)
		c->peak = c->live;
	mem_total.live += n;
	if (mem_total.live > mem_total.peak)
		mem_total.peak = mem_total.live;
}

static void shrank(mem_counter *c, size_t n)
{
	c->live -= n;
	mem_total.live -= n;
}

static void *count_malloc(mem_counter *c, size_t size)
{
	char *p;

	if (size > (size_t)-1 - HDR)
		return NULL;
	p = malloc(HDR + size);
	if (p == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	c->calls++;
	mem_total.calls++;
	grew(c, size);
	return p + HDR;
}

static void count_free(mem_counter *c, void *ptr)
{
	char *p;
	size_t size;

	if (ptr == NULL)
		return;
	p = (char *)ptr - HDR;
	memcpy(&size, p, sizeof(size));
	shrank(c, size);
	free(p);
}

static void *count_realloc(mem_counter *c, void *ptr, size_t size)
{
	char *p;
	size_t old;

	if (ptr == NULL)
		return count_malloc(c, size);
	if (size > (size_t)-1 - HDR)
		return NULL;
	p = (char *)ptr - HDR;
	memcpy(&old, p, sizeof(old));
	p = realloc(p, HDR + size);
	if (p == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	c->calls++;
	mem_total.calls++;
	shrank(c, old);
	grew(c, size);
	return p + HDR;
}

/* ---- libxml2 ------------------------------------------------------------- */

static void *lx_malloc(size_t size)
{
	return count_malloc(&mem_libxml, size);
}

static void *lx_realloc(void *ptr, size_t size)
{
	return count_realloc(&mem_libxml, ptr, size);
}

static void lx_free(void *ptr)
{
	count_free(&mem_libxml, ptr);
}

static char *lx_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = count_malloc(&mem_libxml, n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

int mem_install_libxml(void)
{
	return xmlMemSetup(lx_free, lx_malloc, lx_realloc, lx_strdup) == 0 ? 0 : -1;
}

/* ---- xmppc ------------------------------------------------------------------ */

static void *xc_malloc(void *ud, size_t size)
{
	return count_malloc(ud, size);
}

static void *xc_realloc(void *ud, void *ptr, size_t size)
{
	return count_realloc(ud, ptr, size);
}

static void xc_free(void *ud, void *ptr)
{
	count_free(ud, ptr);
}

void mem_xmppc_allocator(xmppc_allocator *out)
{
	out->version = XMPPC_ALLOCATOR_VERSION;
	out->malloc_fn = xc_malloc;
	out->realloc_fn = xc_realloc;
	out->free_fn = xc_free;
	out->user_data = &mem_xmppc;
}

void mem_reset(void)
{
	mem_xmppc.peak = mem_xmppc.live;
	mem_libxml.peak = mem_libxml.live;
	mem_total.peak = mem_total.live;
	mem_xmppc.calls = mem_libxml.calls = mem_total.calls = 0;
}
