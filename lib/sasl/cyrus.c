/* Bridge to Cyrus SASL (libsasl2) client plugins, for mechanisms xmppc
 * does not implement itself (GSSAPI, GS2-KRB5, ...).
 *
 * xmppc, not Cyrus, chooses the mechanism: each table names exactly one
 * mechanism and sasl_client_start() is given only that name. Each exchange
 * has its own sasl_conn_t whose callbacks answer from the exchange's
 * xmppc_sasl_params. Security layers are switched off (max_ssf 0): XMPP
 * runs over TLS and the session has no way to apply a SASL layer.
 *
 * Cyrus is initialised once per process under pthread_once and never
 * finalised: an application may use Cyrus itself, and sasl_client_done()
 * would pull the plugins from under it. */
#include "config.h"

#include <xmppc/error.h>
#include <xmppc/sys/sasl-cyrus.h>

#if XMPPC_HAVE_CYRUS_SASL

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include "sasl/crypto.h"
#include "sasl/sasl-internal.h"
#include "util/buf.h"
#include "util/ctx.h"

/* RFC 4422 §3.1: at most 20 characters. */
#define MECH_NAME_MAX 20
/* Distinct mechanisms the bridge keeps tables for (tables are static and
 * live as long as the process; an application needs a handful). */
#define MAX_TABLES 32

typedef struct cyrus_table {
	xmppc_sasl_mechanism mech;
	char name[MECH_NAME_MAX + 1];
} cyrus_table;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc = SASL_FAIL;
static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;
static cyrus_table tables[MAX_TABLES];
static size_t n_tables;

enum { CY_RUNNING, CY_COMPLETE, CY_DONE, CY_FAILED };

typedef struct cyrus_state {
	const xmppc_ctx *ctx;
	const xmppc_sasl_mechanism *mech;
	xmppc_sasl_params params; /* shallow copy; pointees borrowed until free_state */
	sasl_conn_t *conn;
	sasl_callback_t callbacks[6];
	sasl_channel_binding_t cb;
	sasl_secret_t *secret; /* prepared password, wiped before it is freed */
	size_t secret_size;
	int cb_error; /* an xmppc error a callback ran into, reported instead of Cyrus's */
	int phase;
	unsigned challenges;
	unsigned max_challenges;
} cyrus_state;

/* ---- process-wide initialisation -------------------------------------- */

/* Cyrus logs to syslog unless told otherwise; before a connection exists
 * there is no xmppc context to log to, so those messages are dropped. */
static int global_log(void *context, int level, const char *message)
{
	(void)context;
	(void)level;
	(void)message;
	return SASL_OK;
}

static const sasl_callback_t global_callbacks[] = {
    {SASL_CB_LOG, (int (*)(void))(uintptr_t)global_log, NULL},
    {SASL_CB_LIST_END, NULL, NULL},
};

static void do_init(void)
{
	init_rc = sasl_client_init(global_callbacks);
}

/* ---- callbacks of one exchange ---------------------------------------- */

static int cb_simple(void *context, int id, const char **result, unsigned *len)
{
	cyrus_state *st = context;
	const char *s;

	if (result == NULL)
		return SASL_BADPARAM;
	switch (id) {
	case SASL_CB_AUTHNAME:
		s = st->params.authcid;
		break;
	case SASL_CB_USER:
		s = st->params.authzid;
		break;
	default:
		return SASL_BADPARAM;
	}
	if (s == NULL)
		s = "";
	*result = s;
	if (len != NULL)
		*len = (unsigned)strnlen(s, UINT_MAX);
	return SASL_OK;
}

static void free_secret(cyrus_state *st)
{
	if (st->secret != NULL) {
		xmppc__sasl_wipe(st->secret, st->secret_size);
		xmppc__free(st->ctx, st->secret);
		st->secret = NULL;
		st->secret_size = 0;
	}
}

/* The password, prepared with OpaqueString like the built-ins do. Only
 * prepared when a plugin asks (GSSAPI never does). */
static int cb_pass(sasl_conn_t *conn, void *context, int id, sasl_secret_t **psecret)
{
	cyrus_state *st = context;
	xmppc_buf pw;
	int rc;

	(void)conn;
	if (psecret == NULL || id != SASL_CB_PASS)
		return SASL_BADPARAM;
	if (st->secret == NULL) {
		xmppc__buf_init(&pw, st->ctx);
		rc = xmppc__sasl_prepare_password(&pw, &st->params);
		if (rc == 0 && pw.len > SIZE_MAX - sizeof(sasl_secret_t))
			rc = XMPPC_ENOMEM;
		if (rc == 0) {
			st->secret_size = sizeof(sasl_secret_t) + pw.len;
			st->secret = xmppc__malloc(st->ctx, st->secret_size);
			if (st->secret == NULL)
				rc = XMPPC_ENOMEM;
		}
		if (rc == 0) {
			st->secret->len = pw.len;
			memcpy(st->secret->data, pw.data + pw.off, pw.len);
			st->secret->data[pw.len] = '\0';
		}
		xmppc__sasl_buf_wipe_fini(&pw);
		if (rc != 0) {
			st->secret_size = 0;
			st->cb_error = rc;
			return rc == XMPPC_ENOMEM ? SASL_NOMEM : SASL_FAIL;
		}
	}
	*psecret = st->secret;
	return SASL_OK;
}

/* DIGEST-MD5 asks for a realm: the first the server offers, or the domain. */
static int cb_realm(void *context, int id, const char **availrealms, const char **result)
{
	cyrus_state *st = context;

	if (id != SASL_CB_GETREALM || result == NULL)
		return SASL_BADPARAM;
	if (availrealms != NULL && availrealms[0] != NULL)
		*result = availrealms[0];
	else
		*result = st->params.domain != NULL ? st->params.domain : "";
	return SASL_OK;
}

static int cb_log(void *context, int level, const char *message)
{
	cyrus_state *st = context;
	xmppc_log_level l;

	switch (level) {
	case SASL_LOG_ERR:
		l = XMPPC_LOG_ERROR;
		break;
	case SASL_LOG_WARN:
		l = XMPPC_LOG_WARN;
		break;
	case SASL_LOG_NOTE:
	case SASL_LOG_FAIL:
		l = XMPPC_LOG_DEBUG;
		break;
	case SASL_LOG_DEBUG:
	case SASL_LOG_TRACE:
		l = XMPPC_LOG_TRACE;
		break;
	default:
		/* SASL_LOG_PASS carries passwords: never passed on. */
		return SASL_OK;
	}
	if (message != NULL)
		XMPPC_LOG(st->ctx, l, XMPPC__SASL_AREA, "cyrus: %s", message);
	return SASL_OK;
}

/* ---- error mapping ----------------------------------------------------- */

static int map_error(cyrus_state *st, int rc)
{
	if (st->cb_error != 0)
		return st->cb_error;
	if (st->conn != NULL)
		XMPPC_LOG(st->ctx, XMPPC_LOG_DEBUG, XMPPC__SASL_AREA, "cyrus %s: %s",
		          st->mech->name, sasl_errdetail(st->conn));
	switch (rc) {
	case SASL_NOMEM:
		return XMPPC_ENOMEM;
	case SASL_BADSERV:
		/* The server failed mutual authentication. */
		return XMPPC_ESASL_SERVER_SIGNATURE;
	case SASL_BADPROT:
		return XMPPC_ESASL_MALFORMED;
	case SASL_NOMECH:
	case SASL_TOOWEAK:
		return XMPPC_ESASL_NO_MECHANISM;
	case SASL_INTERACT:
	case SASL_NOUSER:
		return XMPPC_ESASL_NO_CREDENTIALS;
	case SASL_BADAUTH:
		/* On the client side the only party a mutual mechanism
		 * authenticates is the server (Cyrus's SCRAM reports a wrong
		 * v= this way). */
		return (st->mech->flags & XMPPC_SASL_MUTUAL) != 0 ? XMPPC_ESASL_SERVER_SIGNATURE
		                                                  : XMPPC_EAUTH_NOT_AUTHORIZED;
	case SASL_BADPARAM:
		return XMPPC_EINVAL;
	default:
		return XMPPC_EAUTH_FAILURE;
	}
}

static int put_output(xmppc_buf *response, const char *out, unsigned outlen)
{
	if (out == NULL || outlen == 0)
		return 0;
	return xmppc__buf_put(response, out, outlen);
}

/* ---- the mechanism interface ------------------------------------------ */

static int name_ends_plus(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, "-PLUS") == 0;
}

static void cyrus_free(void *state)
{
	cyrus_state *st = state;

	if (st == NULL)
		return;
	if (st->conn != NULL)
		sasl_dispose(&st->conn);
	free_secret(st);
	xmppc__free(st->ctx, st);
}

static int cyrus_fail(cyrus_state *st, xmppc_buf *response, int rc)
{
	st->phase = CY_FAILED;
	free_secret(st);
	if (response != NULL)
		xmppc__sasl_buf_wipe(response);
	return rc;
}

static int cyrus_start(void **state, const xmppc_sasl_mechanism *mech,
                       const xmppc_sasl_params *params, xmppc_buf *response, int *has_response)
{
	sasl_security_properties_t props;
	sasl_interact_t *interact = NULL;
	const char *out = NULL, *chosen = NULL;
	unsigned outlen = 0;
	cyrus_state *st;
	int plus, rc;

	rc = xmppc__sasl_check_start(state, mech, params, response, has_response);
	if (rc != 0)
		return rc;
	*state = NULL;
	*has_response = 0;
	xmppc_buf_clear(response);
	pthread_once(&init_once, do_init);
	if (init_rc != SASL_OK)
		return XMPPC_EUNSUPPORTED;
	plus = name_ends_plus(mech->name);
	if (plus &&
	    (params->cb_data == NULL || params->cb_data_len == 0 ||
	     params->cb_data_len > ULONG_MAX || xmppc_cb_type_name(params->cb_type) == NULL))
		return XMPPC_ESASL_CHANNEL_BINDING;

	st = xmppc__calloc(params->ctx, 1, sizeof(*st));
	if (st == NULL)
		return XMPPC_ENOMEM;
	st->ctx = params->ctx;
	st->mech = mech;
	st->params = *params;
	st->phase = CY_RUNNING;
	st->max_challenges = xmppc__sasl_max_challenges(params);
	st->callbacks[0] =
	    (sasl_callback_t){SASL_CB_AUTHNAME, (int (*)(void))(uintptr_t)cb_simple, st};
	st->callbacks[1] = (sasl_callback_t){SASL_CB_USER, (int (*)(void))(uintptr_t)cb_simple, st};
	st->callbacks[2] = (sasl_callback_t){SASL_CB_PASS, (int (*)(void))(uintptr_t)cb_pass, st};
	st->callbacks[3] =
	    (sasl_callback_t){SASL_CB_GETREALM, (int (*)(void))(uintptr_t)cb_realm, st};
	st->callbacks[4] = (sasl_callback_t){SASL_CB_LOG, (int (*)(void))(uintptr_t)cb_log, st};
	st->callbacks[5] = (sasl_callback_t){SASL_CB_LIST_END, NULL, NULL};

	/* SASL_SUCCESS_DATA: XMPP can carry additional data with <success/>
	 * (RFC 6120 §6.3.10). */
	rc = sasl_client_new("xmpp", params->domain, NULL, NULL, st->callbacks, SASL_SUCCESS_DATA,
	                     &st->conn);
	if (rc != SASL_OK) {
		rc = map_error(st, rc);
		goto fail;
	}
	memset(&props, 0, sizeof(props));
	props.min_ssf = 0;
	props.max_ssf = 0; /* no security layer */
	props.maxbufsize = 0;
	props.security_flags = 0; /* policy is the session's business */
	rc = sasl_setprop(st->conn, SASL_SEC_PROPS, &props);
	/* Binding data only for -PLUS, or to have Cyrus send the GS2 'y'
	 * flag when the session says the server offered no -PLUS: handing it
	 * over in other cases would make Cyrus send 'y' to a server that did
	 * offer -PLUS, which then rightly fails the exchange. */
	if (rc == SASL_OK && params->cb_data != NULL && params->cb_data_len > 0 &&
	    params->cb_data_len <= ULONG_MAX && xmppc_cb_type_name(params->cb_type) != NULL &&
	    (plus || params->cb_supported_not_offered)) {
		st->cb.name = xmppc_cb_type_name(params->cb_type);
		st->cb.critical = plus;
		st->cb.len = params->cb_data_len;
		st->cb.data = params->cb_data;
		rc = sasl_setprop(st->conn, SASL_CHANNEL_BINDING, &st->cb);
	}
	if (rc != SASL_OK) {
		rc = map_error(st, rc);
		goto fail;
	}

	rc = sasl_client_start(st->conn, mech->name, &interact, &out, &outlen, &chosen);
	if (rc != SASL_OK && rc != SASL_CONTINUE) {
		rc = map_error(st, rc);
		goto fail;
	}
	/* Cyrus names the plugin it ran; for "X-PLUS" that is "X" (the
	 * GS2 header it sent says p=). Anything else would mean Cyrus chose. */
	if (chosen == NULL || (strcmp(chosen, mech->name) != 0 &&
	                       !(plus && strlen(chosen) == strlen(mech->name) - 5 &&
	                         strncmp(chosen, mech->name, strlen(chosen)) == 0))) {
		rc = XMPPC_EINTERNAL;
		goto fail;
	}
	if (rc == SASL_OK)
		st->phase = CY_COMPLETE;
	/* out == NULL: the mechanism has no initial response (server first). */
	if (out != NULL) {
		rc = put_output(response, out, outlen);
		if (rc != 0)
			goto fail;
		*has_response = 1;
	}
	*state = st;
	return 0;
fail:
	xmppc__sasl_buf_wipe(response);
	*has_response = 0;
	cyrus_free(st);
	return rc;
}

static int cyrus_step(void *state, const unsigned char *challenge, size_t len, xmppc_buf *response)
{
	cyrus_state *st = state;
	sasl_interact_t *interact = NULL;
	const char *out = NULL;
	unsigned outlen = 0;
	int rc;

	if (st == NULL || response == NULL || (challenge == NULL && len > 0))
		return XMPPC_EINVAL;
	xmppc_buf_clear(response);
	if (st->phase == CY_FAILED)
		return XMPPC_ESTATE;
	if (++st->challenges > st->max_challenges)
		return cyrus_fail(st, response, XMPPC_ESASL_TOO_MANY_CHALLENGES);
	if (st->phase != CY_RUNNING || len > UINT_MAX)
		return cyrus_fail(st, response, XMPPC_ESASL_MALFORMED);
	rc = sasl_client_step(st->conn, (const char *)challenge, (unsigned)len, &interact, &out,
	                      &outlen);
	if (rc != SASL_OK && rc != SASL_CONTINUE)
		return cyrus_fail(st, response, map_error(st, rc));
	if (rc == SASL_OK)
		st->phase = CY_COMPLETE;
	rc = put_output(response, out, outlen);
	if (rc != 0)
		return cyrus_fail(st, response, rc);
	return 0;
}

static int cyrus_success(void *state, const unsigned char *data, size_t len)
{
	cyrus_state *st = state;
	sasl_interact_t *interact = NULL;
	const char *out = NULL;
	unsigned outlen = 0;
	int rc;

	if (st == NULL || (data == NULL && len > 0))
		return XMPPC_EINVAL;
	if (st->phase == CY_FAILED)
		return XMPPC_ESTATE;
	if (st->phase == CY_DONE)
		return cyrus_fail(st, NULL, XMPPC_ESASL_MALFORMED);
	if (st->phase == CY_COMPLETE) {
		/* The plugin has finished; data it never asked for cannot be
		 * checked by anyone. */
		if (len != 0)
			return cyrus_fail(st, NULL, XMPPC_ESASL_MALFORMED);
		st->phase = CY_DONE;
		free_secret(st);
		return 0;
	}
	if (len > UINT_MAX)
		return cyrus_fail(st, NULL, XMPPC_ESASL_MALFORMED);
	/* The outcome data goes to the plugin as a last challenge (this is
	 * where a mutual mechanism checks the server); it must then be done
	 * and have nothing more to say. */
	rc =
	    sasl_client_step(st->conn, (const char *)data, (unsigned)len, &interact, &out, &outlen);
	if (rc == SASL_OK && outlen == 0) {
		st->phase = CY_DONE;
		free_secret(st);
		return 0;
	}
	if (rc == SASL_OK || rc == SASL_CONTINUE)
		rc = (st->mech->flags & XMPPC_SASL_MUTUAL) != 0 ? XMPPC_ESASL_SERVER_SIGNATURE
		                                                : XMPPC_ESASL_MALFORMED;
	else
		rc = map_error(st, rc);
	return cyrus_fail(st, NULL, rc);
}

/* ---- tables ------------------------------------------------------------ */

static int valid_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > MECH_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

typedef struct plug_query {
	const char *name;
	int found;
	unsigned security_flags;
	unsigned features;
} plug_query;

static void plug_info(client_sasl_mechanism_t *m, sasl_info_callback_stage_t stage, void *rock)
{
	plug_query *q = rock;

	if (stage != SASL_INFO_LIST_MECH || m == NULL || m->plug == NULL ||
	    m->plug->mech_name == NULL || strcmp(m->plug->mech_name, q->name) != 0)
		return;
	q->found = 1;
	q->security_flags = m->plug->security_flags;
	q->features = m->plug->features;
}

static int is_gss_family(const char *name)
{
	return strcmp(name, "GSSAPI") == 0 || strcmp(name, "GSS-SPNEGO") == 0 ||
	       strncmp(name, "GS2-", 4) == 0;
}

/* Flags and strength from what the plugin declares (see sasl-cyrus.h). */
static void describe(cyrus_table *t, const char *base, const plug_query *q, int plus)
{
	unsigned flags = 0;
	int strength;

	if ((q->security_flags & SASL_SEC_NOPLAINTEXT) == 0)
		flags |= XMPPC_SASL_CLEARTEXT;
	if ((q->security_flags & SASL_SEC_MUTUAL_AUTH) != 0)
		flags |= XMPPC_SASL_MUTUAL;
	if (plus)
		flags |= XMPPC_SASL_CHANNEL_BINDING;
	if (!is_gss_family(base) && strcmp(base, "EXTERNAL") != 0 && strcmp(base, "ANONYMOUS") != 0)
		flags |= XMPPC_SASL_NEEDS_PASSWORD;

	if (is_gss_family(base))
		strength = 50;
	else if ((q->security_flags & SASL_SEC_NOANONYMOUS) == 0)
		strength = 4;
	else if ((flags & XMPPC_SASL_CLEARTEXT) != 0)
		strength = 8;
	else if ((flags & XMPPC_SASL_MUTUAL) != 0)
		strength = 40;
	else
		strength = 20;

	t->mech.version = XMPPC_SASL_MECHANISM_VERSION;
	t->mech.name = t->name;
	t->mech.flags = flags;
	t->mech.strength = strength;
	t->mech.data = NULL;
	t->mech.start = cyrus_start;
	t->mech.step = cyrus_step;
	t->mech.success = cyrus_success;
	t->mech.free_state = cyrus_free;
}

XMPPC_API int xmppc_sasl_cyrus_mechanism(const xmppc_sasl_mechanism **out, const char *name)
{
	char base[MECH_NAME_MAX + 1];
	plug_query q;
	size_t i, n;
	int plus, rc;

	if (out == NULL)
		return XMPPC_EINVAL;
	*out = NULL;
	if (name == NULL || !valid_name(name))
		return XMPPC_EINVAL;
	pthread_once(&init_once, do_init);
	if (init_rc != SASL_OK)
		return XMPPC_EUNSUPPORTED;

	pthread_mutex_lock(&tables_lock);
	for (i = 0; i < n_tables; i++) {
		if (strcmp(tables[i].name, name) == 0) {
			*out = &tables[i].mech;
			pthread_mutex_unlock(&tables_lock);
			return 0;
		}
	}
	/* A -PLUS name is the channel-binding form of the plugin's base
	 * mechanism, which must declare channel-binding support. */
	n = strlen(name);
	plus = name_ends_plus(name);
	memcpy(base, name, n + 1);
	if (plus)
		base[n - 5] = '\0';
	memset(&q, 0, sizeof(q));
	q.name = base;
	rc = sasl_client_plugin_info(base, plug_info, &q);
	if (rc != SASL_OK || !q.found || (plus && (q.features & SASL_FEAT_CHANNEL_BINDING) == 0)) {
		rc = XMPPC_ENOTFOUND;
	} else if (n_tables == MAX_TABLES) {
		rc = XMPPC_ERANGE;
	} else {
		cyrus_table *t = &tables[n_tables];

		memcpy(t->name, name, n + 1);
		describe(t, base, &q, plus);
		n_tables++;
		*out = &t->mech;
		rc = 0;
	}
	pthread_mutex_unlock(&tables_lock);
	return rc;
}

#else /* !XMPPC_HAVE_CYRUS_SASL */

XMPPC_API int xmppc_sasl_cyrus_mechanism(const xmppc_sasl_mechanism **out, const char *name)
{
	(void)name;
	if (out == NULL)
		return XMPPC_EINVAL;
	*out = NULL;
	return XMPPC_EUNSUPPORTED;
}

#endif
