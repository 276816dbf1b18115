/* Loop core timers: a binary min-heap of armed timers keyed by (deadline,
 * start sequence). Every timer reserves its heap slot when it is created,
 * so arming never allocates and never fails: the conn timer hook that
 * arms it has no way to report an error.
 *
 * The start sequence gives equal deadlines first-started-first-fired
 * order, and bounds a dispatch pass: a timer (re)started while timers are
 * firing, even with delay 0, waits for the next pass, so a callback that
 * re-arms itself with 0 cannot keep the loop in one pass forever. */
#include "loop/core-internal.h"

#include "util/ctx.h"
#include <xmppc/error.h>

/* Heap order: earlier deadline first, then earlier start. */
static int timer_before(const xmppc__loop_timer *a, const xmppc__loop_timer *b)
{
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

/* Put @p t at heap slot @p i. */
static void heap_set(xmppc__loop_core *c, size_t i, xmppc__loop_timer *t)
{
	c->heap[i] = t;
	t->index = i;
}

/* Move the timer at @p i towards the root while it is before its parent. */
static void sift_up(xmppc__loop_core *c, size_t i)
{
	xmppc__loop_timer *t = c->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!timer_before(t, c->heap[parent]))
			break;
		heap_set(c, i, c->heap[parent]);
		i = parent;
	}
	heap_set(c, i, t);
}

/* Move the timer at @p i towards the leaves while a child is before it. */
static void sift_down(xmppc__loop_core *c, size_t i)
{
	xmppc__loop_timer *t = c->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= c->nheap)
			break;
		if (child + 1 < c->nheap && timer_before(c->heap[child + 1], c->heap[child]))
			child++;
		if (!timer_before(c->heap[child], t))
			break;
		heap_set(c, i, c->heap[child]);
		i = child;
	}
	heap_set(c, i, t);
}

/* Take an armed timer out of the heap. */
static void heap_remove(xmppc__loop_core *c, xmppc__loop_timer *t)
{
	size_t i = t->index;
	xmppc__loop_timer *last = c->heap[--c->nheap];

	t->index = SIZE_MAX;
	if (last == t)
		return;
	heap_set(c, i, last);
	if (i > 0 && timer_before(last, c->heap[(i - 1) / 2]))
		sift_up(c, i);
	else
		sift_down(c, i);
}

int xmppc__loop_timer_new(xmppc__loop_timer **out, xmppc__loop_core *core, xmppc__loop_timer_fn fn,
                          void *user_data)
{
	xmppc__loop_timer *t;

	if (out == NULL || core == NULL || fn == NULL)
		return XMPPC_EINVAL;
	if (core->ntimers == core->heap_cap) {
		size_t cap = core->heap_cap != 0 ? core->heap_cap * 2 : 16;
		xmppc__loop_timer **heap;

		if (cap > SIZE_MAX / sizeof(*heap))
			return XMPPC_ENOMEM;
		heap = xmppc__realloc(core->ctx, core->heap, cap * sizeof(*heap));
		if (heap == NULL)
			return XMPPC_ENOMEM;
		core->heap = heap;
		core->heap_cap = cap;
	}
	t = xmppc__calloc(core->ctx, 1, sizeof(*t));
	if (t == NULL)
		return XMPPC_ENOMEM;
	t->fn = fn;
	t->ud = user_data;
	t->index = SIZE_MAX;
	t->next = core->timers;
	if (core->timers != NULL)
		core->timers->prev = t;
	core->timers = t;
	core->ntimers++;
	*out = t;
	return 0;
}

void xmppc__loop_timer_start(xmppc__loop_core *core, xmppc__loop_timer *t, uint64_t delay_ms)
{
	uint64_t now = xmppc_ctx_now(core->ctx);

	if (t->index != SIZE_MAX)
		heap_remove(core, t);
	t->deadline = delay_ms > UINT64_MAX - now ? UINT64_MAX : now + delay_ms;
	t->seq = core->timer_seq++;
	/* The slot was reserved by xmppc__loop_timer_new(): nheap < heap_cap. */
	heap_set(core, core->nheap++, t);
	sift_up(core, t->index);
}

void xmppc__loop_timer_stop(xmppc__loop_core *core, xmppc__loop_timer *t)
{
	if (t != NULL && t->index != SIZE_MAX)
		heap_remove(core, t);
}

int xmppc__loop_timer_armed(const xmppc__loop_timer *t)
{
	return t != NULL && t->index != SIZE_MAX;
}

void xmppc__loop_timer_free(xmppc__loop_core *core, xmppc__loop_timer *t)
{
	if (t == NULL)
		return;
	xmppc__loop_timer_stop(core, t);
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		core->timers = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	core->ntimers--;
	xmppc__free(core->ctx, t);
}

void xmppc__loop_timer_free_all(xmppc__loop_core *c)
{
	while (c->timers != NULL)
		xmppc__loop_timer_free(c, c->timers);
	xmppc__free(c->ctx, c->heap);
	c->heap = NULL;
	c->nheap = c->heap_cap = 0;
}

uint64_t xmppc__loop_timer_next(const xmppc__loop_core *c)
{
	return c->nheap != 0 ? c->heap[0]->deadline : UINT64_MAX;
}

int xmppc__loop_timer_dispatch(xmppc__loop_core *c, uint64_t now)
{
	uint64_t limit = c->timer_seq; /* started from here on: next pass */
	int fired = 0;

	/* One timer at a time, re-reading the root each time: a callback may
	 * stop, free or start any timer. The fired timer is out of the heap
	 * before its callback runs and is not touched after it. */
	while (c->nheap != 0 && c->heap[0]->deadline <= now && c->heap[0]->seq < limit) {
		xmppc__loop_timer *t = c->heap[0];

		heap_remove(c, t);
		fired++;
		t->fn(t->ud, t);
	}
	return fired;
}
