/* The connection's side of event-loop integration: the table of fds it
 * uses (resolver sockets, TCP attempts, the stream), the io hooks that
 * hear about changes to it, the one timer, and the poll() convenience. */
#include <string.h>

#include "net/conn-internal.h"
#include "util/ctx.h"

conn_fd *xmppc__conn_find_fd(xmppc_conn *c, int fd)
{
	size_t i;

	for (i = 0; i < c->nfds; i++)
		if (c->fds[i].fd == fd)
			return &c->fds[i];
	return NULL;
}

static int tell_watch(xmppc_conn *c, conn_fd *f, unsigned events)
{
	int rc;

	if (!c->has_hooks)
		return 0;
	c->in_hook++;
	rc = c->hooks.watch(c->hooks_ud, c, f->fd, events, f->fd_data);
	c->in_hook--;
	return rc < 0 ? rc : 0;
}

int xmppc__conn_watch(xmppc_conn *c, int fd, unsigned events, fd_owner owner)
{
	conn_fd *f = xmppc__conn_find_fd(c, fd);
	int rc = 0;

	events &= XMPPC_IO_IN | XMPPC_IO_OUT;
	if (f == NULL) {
		if (events == 0)
			return 0;
		if (c->nfds == CONN_MAX_FDS)
			return XMPPC_ERANGE;
		f = &c->fds[c->nfds++];
		f->fd = fd;
		f->events = 0;
		f->fd_data = NULL;
		f->owner = owner;
	}
	if (events == 0) {
		/* a resolver socket being closed, an attempt given up, the
		 * stream closed: the loop must forget it before the close */
		tell_watch(c, f, 0);
		*f = c->fds[--c->nfds];
		return 0;
	}
	f->owner = owner;
	if (f->events != events) {
		f->events = events;
		rc = tell_watch(c, f, events);
	}
	return rc;
}

uint64_t xmppc__conn_next_deadline(xmppc_conn *c)
{
	uint64_t d = c->stage_deadline;

	if (c->resolver != NULL) {
		uint64_t r = xmppc__resolver_next_timeout(c->resolver);
		if (r != UINT64_MAX)
			d = xmppc__deadline_min(d, r == 0 ? 1 : r);
	}
	if (c->nattempts > 0 || c->stage == XMPPC_CONN_STAGE_TCP)
		d = xmppc__deadline_min(d, xmppc__conn_attempts_deadline(c));
	if (c->stage >= XMPPC_CONN_STAGE_TLS && c->stage != XMPPC_CONN_STAGE_WAITING)
		d = xmppc__deadline_min(d, xmppc_session_next_deadline(c->session));
	d = xmppc__deadline_min(d, xmppc__reconnect_deadline(c));
	return d;
}

void xmppc__conn_update_timer(xmppc_conn *c)
{
	uint64_t at = xmppc__conn_next_deadline(c), now;
	int64_t ms;

	if (!c->has_hooks) {
		c->timer_at = at;
		return;
	}
	now = xmppc_ctx_now(c->ctx);
	/* The hook's timer is one-shot: a deadline equal to the one it was
	 * set for is news only while that has not passed. Once it has, the
	 * timer may have fired already (a new deadline in the same
	 * millisecond as the one just handled), so it is set again. */
	if (at == c->timer_at && (at != 0 || c->timer_told == -1) && (at == 0 || at > now))
		return;
	c->timer_at = at;
	if (at == 0)
		ms = -1;
	else
		ms = at > now ? (int64_t)(at - now) : 0;
	c->timer_told = ms;
	c->in_hook++;
	c->hooks.timer(c->hooks_ud, c, ms);
	c->in_hook--;
}

XMPPC_API int xmppc_conn_set_io_hooks(xmppc_conn *c, const xmppc_io_hooks *hooks, void *user_data)
{
	size_t i;

	if (c == NULL)
		return XMPPC_EINVAL;
	if (hooks != NULL && (hooks->version != XMPPC_IO_HOOKS_VERSION || hooks->watch == NULL ||
	                      hooks->timer == NULL))
		return XMPPC_EINVAL;
	if (c->in_hook)
		return XMPPC_ERECURSIVE;
	/* the old hooks forget everything */
	if (c->has_hooks) {
		for (i = 0; i < c->nfds; i++) {
			if (c->fds[i].events != 0)
				tell_watch(c, &c->fds[i], 0);
			c->fds[i].fd_data = NULL;
		}
		c->in_hook++;
		if (c->timer_told != -1)
			c->hooks.timer(c->hooks_ud, c, -1);
		if (c->hooks.detach != NULL)
			c->hooks.detach(c->hooks_ud, c);
		c->in_hook--;
	}
	c->has_hooks = hooks != NULL;
	c->timer_told = -1;
	c->timer_at = 0;
	if (hooks == NULL)
		return 0;
	c->hooks = *hooks;
	c->hooks_ud = user_data;
	/* the new ones learn about what is in use */
	for (i = 0; i < c->nfds; i++) {
		int rc;
		if (c->fds[i].events != 0 && (rc = tell_watch(c, &c->fds[i], c->fds[i].events)) != 0)
			return rc;
	}
	xmppc__conn_update_timer(c);
	return 0;
}

XMPPC_API int xmppc_conn_assign(xmppc_conn *c, int fd, void *fd_data)
{
	conn_fd *f;

	if (c == NULL)
		return XMPPC_EINVAL;
	if ((f = xmppc__conn_find_fd(c, fd)) == NULL)
		return XMPPC_ENOTFOUND;
	f->fd_data = fd_data;
	return 0;
}

XMPPC_API int xmppc_conn_get_pollfds(xmppc_conn *c, struct pollfd *fds, size_t cap, size_t *n,
                                     int *timeout_ms)
{
	size_t i, k = 0;

	if (c == NULL || n == NULL || (fds == NULL && cap > 0))
		return XMPPC_EINVAL;
	for (i = 0; i < c->nfds; i++)
		if (c->fds[i].events != 0)
			k++;
	*n = k;
	if (timeout_ms != NULL) {
		uint64_t at = xmppc__conn_next_deadline(c), now = xmppc_ctx_now(c->ctx);
		if (at == 0)
			*timeout_ms = -1;
		else if (at <= now)
			*timeout_ms = 0;
		else
			*timeout_ms = at - now > (uint64_t)INT32_MAX ? INT32_MAX : (int)(at - now);
	}
	if (k > cap)
		return XMPPC_ERANGE;
	for (i = 0, k = 0; i < c->nfds; i++) {
		if (c->fds[i].events == 0)
			continue;
		fds[k].fd = c->fds[i].fd;
		fds[k].events = (short)(((c->fds[i].events & XMPPC_IO_IN) ? POLLIN : 0) |
		                        ((c->fds[i].events & XMPPC_IO_OUT) ? POLLOUT : 0));
		fds[k].revents = 0;
		k++;
	}
	return 0;
}

XMPPC_API int xmppc_conn_process_pollfds(xmppc_conn *c, const struct pollfd *fds, size_t n)
{
	xmppc_io_event ev[CONN_MAX_FDS];
	size_t i, k = 0;

	if (c == NULL || (fds == NULL && n > 0))
		return XMPPC_EINVAL;
	for (i = 0; i < n && k < CONN_MAX_FDS; i++) {
		unsigned e = 0;
		if (fds[i].revents == 0)
			continue;
		if (fds[i].revents & POLLIN)
			e |= XMPPC_IO_IN;
		if (fds[i].revents & POLLOUT)
			e |= XMPPC_IO_OUT;
		if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL))
			e |= XMPPC_IO_ERR;
		ev[k].fd = fds[i].fd;
		ev[k].events = e;
		k++;
	}
	return xmppc_conn_process(c, ev, k);
}
