/* Loop core wakeup and posted functions: the only parts of the loop that
 * other threads touch.
 *
 * The wakeup fd is an eventfd (Linux) or, where that is missing or when
 * asked, the read end of a non-blocking pipe. Both ends are non-blocking:
 * a full pipe or a saturated eventfd counter means a wakeup is pending
 * already, so EAGAIN on write is success.
 *
 * Posting takes the lock, appends, and writes the wakeup fd only when the
 * queue was empty: the loop checks the queue under the same lock before it
 * blocks (a non-empty queue makes it poll with timeout 0), so an append to
 * a non-empty queue always has a wakeup (or a zero timeout) ahead of it. */
#include "loop/core-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#ifdef XMPPC__LOOP_HAVE_EVENTFD
#include <sys/eventfd.h>
#endif

#include "util/ctx.h"
#include <xmppc/error.h>

/* Make @p fd non-blocking and close-on-exec. 0 or -1 (errno set). */
static int set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

int xmppc__loop_wake_open(xmppc__loop_core *c, unsigned flags)
{
	int p[2];

	c->wake_rfd = c->wake_wfd = -1;
#ifdef XMPPC__LOOP_HAVE_EVENTFD
	if (!(flags & XMPPC__LOOP_PIPE)) {
		int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (fd >= 0) {
			c->wake_rfd = c->wake_wfd = fd;
			return 0;
		}
		XMPPC_LOG(c->ctx, XMPPC_LOG_WARN, XMPPC__LOOP_AREA,
		          "eventfd: %s; waking through a pipe", strerror(errno));
	}
#else
	(void)flags;
#endif
	if (pipe(p) < 0) {
		XMPPC_LOG(c->ctx, XMPPC_LOG_ERROR, XMPPC__LOOP_AREA, "pipe: %s", strerror(errno));
		return XMPPC_ESYSTEM;
	}
	if (set_nonblock_cloexec(p[0]) < 0 || set_nonblock_cloexec(p[1]) < 0) {
		XMPPC_LOG(c->ctx, XMPPC_LOG_ERROR, XMPPC__LOOP_AREA, "fcntl on the wakeup pipe: %s",
		          strerror(errno));
		close(p[0]);
		close(p[1]);
		return XMPPC_ESYSTEM;
	}
	c->wake_rfd = p[0];
	c->wake_wfd = p[1];
	return 0;
}

void xmppc__loop_wake_close(xmppc__loop_core *c)
{
	if (c->wake_wfd >= 0 && c->wake_wfd != c->wake_rfd)
		close(c->wake_wfd);
	if (c->wake_rfd >= 0)
		close(c->wake_rfd);
	c->wake_rfd = c->wake_wfd = -1;
}

/* Async-signal-safe: write(2) only, errno preserved, nothing logged. */
int xmppc__loop_core_wakeup(xmppc__loop_core *core)
{
	int saved = errno, r = 0;
	ssize_t n;

	if (core == NULL)
		return XMPPC_EINVAL;
	if (core->wake_rfd == core->wake_wfd) {
		uint64_t one = 1;
		do
			n = write(core->wake_wfd, &one, sizeof(one));
		while (n < 0 && errno == EINTR);
	} else {
		char b = 0;
		do
			n = write(core->wake_wfd, &b, 1);
		while (n < 0 && errno == EINTR);
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		r = XMPPC_ESYSTEM;
	errno = saved;
	return r;
}

void xmppc__loop_wake_drain(xmppc__loop_core *c)
{
	char buf[64];
	ssize_t n;

	/* One read resets an eventfd; a pipe is read until it is empty. */
	do
		n = read(c->wake_rfd, buf, sizeof(buf));
	while ((n > 0 && c->wake_rfd != c->wake_wfd) || (n < 0 && errno == EINTR));
}

int xmppc__loop_core_post(xmppc__loop_core *core, void (*fn)(void *data), void *data)
{
	xmppc__loop_post *p;
	int was_empty;

	if (core == NULL || fn == NULL)
		return XMPPC_EINVAL;
	p = xmppc__malloc(core->ctx, sizeof(*p));
	if (p == NULL)
		return XMPPC_ENOMEM;
	p->fn = fn;
	p->data = data;
	p->next = NULL;
	pthread_mutex_lock(&core->post_lock);
	was_empty = core->post_head == NULL;
	if (core->post_tail != NULL)
		core->post_tail->next = p;
	else
		core->post_head = p;
	core->post_tail = p;
	pthread_mutex_unlock(&core->post_lock);
	/* The function is queued and will run even if this write fails (the
	 * loop sees the queue at its next iteration), so that is not an error
	 * of the post. */
	if (was_empty)
		(void)xmppc__loop_core_wakeup(core);
	return 0;
}

int xmppc__loop_posts_pending(xmppc__loop_core *c)
{
	int pending;

	pthread_mutex_lock(&c->post_lock);
	pending = c->post_head != NULL;
	pthread_mutex_unlock(&c->post_lock);
	return pending;
}

/* Take the whole queue under the lock. */
static xmppc__loop_post *posts_take(xmppc__loop_core *c)
{
	xmppc__loop_post *head;

	pthread_mutex_lock(&c->post_lock);
	head = c->post_head;
	c->post_head = c->post_tail = NULL;
	pthread_mutex_unlock(&c->post_lock);
	return head;
}

void xmppc__loop_posts_run(xmppc__loop_core *c)
{
	/* Only what was queued when this started runs now: a function posted
	 * by a posted function waits for the next iteration, so a function
	 * that re-posts itself cannot starve fd events and timers. The lock is
	 * not held while the functions run (they may post). */
	xmppc__loop_post *p = posts_take(c);

	while (p != NULL) {
		xmppc__loop_post *next = p->next;
		void (*fn)(void *) = p->fn;
		void *data = p->data;

		xmppc__free(c->ctx, p);
		fn(data);
		p = next;
	}
}

void xmppc__loop_posts_drop(xmppc__loop_core *c)
{
	xmppc__loop_post *p = posts_take(c);

	while (p != NULL) {
		xmppc__loop_post *next = p->next;
		xmppc__free(c->ctx, p);
		p = next;
	}
}
