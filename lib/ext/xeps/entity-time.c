/* XEP-0202 Entity Time: answer with UTC and our offset; ask others. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <xmppc/entity-time.h>
#include <xmppc/im.h>

#include "util/datetime.h"
#include "xeps.h"

typedef struct time_state {
	xeps_handlers h;
	xmppc_wall_clock_fn clock;
	void *user_data;
	void (*destroy)(void *);
	int utc_only;
} time_state;

/* The system clock; the offset from comparing local and UTC broken-down
 * times (no tm_gmtoff: not in C99/POSIX). */
static int system_clock(void *ud, int64_t *unix_seconds, int *tzo)
{
	time_t now = time(NULL);
	struct tm lt, ut;
	int64_t l, u;

	(void)ud;
	if (now == (time_t)-1 || localtime_r(&now, &lt) == NULL || gmtime_r(&now, &ut) == NULL)
		return XMPPC_ESYSTEM;
	l = xmppc__days_from_civil(lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday) * 86400 +
	    lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec;
	u = xmppc__days_from_civil(ut.tm_year + 1900, ut.tm_mon + 1, ut.tm_mday) * 86400 +
	    ut.tm_hour * 3600 + ut.tm_min * 60 + ut.tm_sec;
	*unix_seconds = (int64_t)now;
	*tzo = (int)((l - u) / 60);
	return 0;
}

static int answer(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	time_state *st = ud;
	xmppc_stanza *res, *t;
	char tzo[16];
	xmppc_buf *utc = NULL;
	int64_t now;
	int off = 0, rc;

	rc = st->clock != NULL ? st->clock(st->user_data, &now, &off)
	                       : system_clock(NULL, &now, &off);
	if (rc != 0)
		return rc < 0 ? rc : XMPPC_EINTERNAL;
	if (st->utc_only)
		off = 0;
	if (now > INT64_MAX / 1000 || now < INT64_MIN / 1000)
		return XMPPC_ERANGE; /* (a clock hook's nonsense) */
	if ((rc = xmppc_buf_new(&utc, xmppc_session_ctx(s))) != 0 ||
	    (rc = xmppc_datetime_format(utc, now * 1000)) != 0 ||
	    (rc = xmppc__tzo_format(tzo, sizeof(tzo), off)) != 0 ||
	    (rc = xmppc_iq_new_result(&res, iq)) != 0) {
		xmppc_buf_free(utc);
		return rc;
	}
	if ((rc = xmppc_stanza_new_child(&t, res, "time", XMPPC_NS_TIME)) == 0 &&
	    (rc = xmppc_stanza_new_text_child(NULL, t, "tzo", NULL, tzo)) == 0 &&
	    (rc = xmppc_stanza_new_text_child(NULL, t, "utc", NULL, xmppc_buf_data(utc))) == 0)
		rc = xmppc_session_send(s, res);
	xmppc_buf_free(utc);
	xmppc_stanza_unref(res);
	return rc;
}

static void detach(xmppc_session *s, void *state)
{
	time_state *st = state;

	xmppc__xeps_unhandle(s, &st->h);
	if (st->destroy != NULL)
		st->destroy(st->user_data);
	xmppc_free(xmppc_session_ctx(s), st);
}

static int attach(xmppc_session *s, void *config, void **state)
{
	const xmppc_entity_time_config *c = config;
	time_state *st;
	int rc;

	if (c != NULL && c->version != XMPPC_ENTITY_TIME_CONFIG_VERSION)
		return XMPPC_EINVAL;
	st = xmppc_calloc(xmppc_session_ctx(s), 1, sizeof(*st));
	if (st == NULL)
		return XMPPC_ENOMEM;
	rc = xmppc__xeps_handle_get(s, &st->h, XMPPC_NS_TIME, "time", answer, st);
	if (rc != 0) {
		detach(s, st);
		return rc;
	}
	if (c != NULL) {
		st->clock = c->clock;
		st->user_data = c->user_data;
		st->destroy = c->destroy;
		st->utc_only = c->utc_only;
	}
	*state = st;
	return 0;
}

static const char *const features[] = {XMPPC_NS_TIME, NULL};

static const xmppc_module module = {
    .version = XMPPC_MODULE_VERSION,
    .name = XMPPC_ENTITY_TIME_MODULE_NAME,
    .features = features,
    .attach = attach,
    .detach = detach,
};

XMPPC_API const xmppc_module *xmppc_entity_time_module(void)
{
	return &module;
}

static void deliver(const xeps_call *c, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	xmppc_entity_time_fn fn = (xmppc_entity_time_fn)c->fn;
	const xmppc_stanza *t = NULL, *u = NULL, *z = NULL;
	xmppc_entity_time et;

	if (error == 0) {
		memset(&et, 0, sizeof(et));
		et.version = XMPPC_ENTITY_TIME_VERSION;
		t = xmppc_stanza_find_child(reply, "time", XMPPC_NS_TIME);
		u = t ? xmppc_stanza_find_child(t, "utc", XMPPC_NS_TIME) : NULL;
		z = t ? xmppc_stanza_find_child(t, "tzo", XMPPC_NS_TIME) : NULL;
		et.utc = xmppc_stanza_text(u);
		et.tzo = xmppc_stanza_text(z);
		if (et.utc == NULL || et.tzo == NULL || xmppc_datetime_parse(&et.unix_ms, et.utc) != 0 ||
		    xmppc__tzo_parse(&et.tzo_minutes, et.tzo) != 0)
			error = XMPPC_EPROTOCOL;
	}
	fn(c->user_data, s, error == 0 ? &et : NULL, reply, error);
}

XMPPC_API int xmppc_entity_time_query(xmppc_session *s, const char *to, xmppc_entity_time_fn fn,
                                      void *user_data, void (*destroy)(void *user_data))
{
	xmppc_stanza *iq, *t;
	int rc;

	if (s == NULL || fn == NULL)
		return XMPPC_EINVAL;
	if ((rc = xmppc__xeps_iq(&iq, &t, s, XMPPC_TYPE_GET, to, "time", XMPPC_NS_TIME)) != 0)
		return rc;
	rc = xmppc__xeps_call(s, iq, 0, deliver, (void (*)(void))fn, user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}
