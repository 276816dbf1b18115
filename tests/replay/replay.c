/* Replay runner: drives one xmppc_session through a transcript (see
 * README.md) with a fake clock and a fixed random source, and checks the
 * exact client bytes, events, states and callbacks. Exit 0 on success,
 * 1 with a message naming the failing line otherwise. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmppc/xmppc.h>

#include "util/base64.h"
#include "util/buf.h"
#include "util/random.h"

#define MAX_EVENTS 32
#define STAMP_MARK "\x01" /* {stamp} in an 'out' text */
#define MAX_LOG 64

static const char *file;
static int lineno;
static char current[65536];

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file, lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n  line: %s\n", current);
	exit(1);
}

/* ---- world state --------------------------------------------------- */

static xmppc_ctx *ctx;
static xmppc_session *sess;
static uint64_t now = 1000000, t0 = 1000000;
static unsigned char rnd[256];
static size_t rnd_len, rnd_pos;
static int last_rc;
static size_t last_consumed;
static xmppc_buf *trace;

static struct {
	xmppc_session_event_type type;
	int error;
	xmppc_stanza_condition c_unused;
	xmppc_stream_condition cond;
	char detail[256];
} events[MAX_EVENTS];
static int n_events;

static struct {
	char id[128];
	int error;
} iq_log[MAX_LOG];
static int n_iq;

/* stream-management acknowledgement callbacks, in order */
static struct {
	uint64_t seq;
	xmppc_sm_status status;
	char name[16];
} ack_log[MAX_LOG];
static int n_ack;
static xmppc_sm_config sm_cfg;

typedef struct {
	char name[32];
	char ids[MAX_LOG][128];
	int n, read;
	int action;
} observer;
static observer observers[8];
static int n_observers;
static int destroys_expected, destroys_done;

/* config */
static xmppc_session_config cfg;
static char *mech_list[16], *deny_list[16];
static char jid_s[512], pw_s[512], res_s[512], authzid_s[512];

static uint64_t clock_fn(void *ud)
{
	(void)ud;
	return now;
}

static void random_fn(void *ud, void *buf, size_t n)
{
	unsigned char *b = buf;
	size_t i;

	(void)ud;
	for (i = 0; i < n; i++) {
		b[i] = rnd_len ? rnd[rnd_pos % rnd_len] : (unsigned char)(rnd_pos * 37 + 11);
		rnd_pos++;
	}
}

static void trace_fn(void *ud, xmppc_trace_dir dir, const char *data, size_t len)
{
	(void)ud;
	xmppc_buf_append(trace, dir == XMPPC_TRACE_IN ? "\n<<" : "\n>>", 3);
	xmppc_buf_append(trace, data, len);
}

static void event_fn(void *ud, xmppc_session *s, const xmppc_session_event *ev)
{
	(void)ud;
	(void)s;
	if (n_events == MAX_EVENTS)
		die("too many queued events");
	events[n_events].type = ev->type;
	events[n_events].error = ev->error;
	events[n_events].cond = ev->condition;
	snprintf(events[n_events].detail, sizeof(events[n_events].detail), "%s",
	         ev->host ? ev->host : "");
	n_events++;
}

static void count_destroy(void *ud)
{
	(void)ud;
	destroys_done++;
}

static int drains;
static void drain_fn(void *ud, xmppc_session *s)
{
	(void)ud;
	(void)s;
	drains++;
}

/* ---- parsing helpers --------------------------------------------------- */

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

static size_t parse_hex(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;

	while (isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1])) {
		if (n == cap)
			die("hex too long");
		out[n++] = (unsigned char)(hexval(s[0]) * 16 + hexval(s[1]));
		s += 2;
	}
	return n;
}

/* Expand {b64:...} and {nl} in a transcript text. */
static void expand(const char *in, xmppc_buf *out)
{
	xmppc_buf_clear(out);
	while (*in) {
		if (strncmp(in, "{nl}", 4) == 0) {
			xmppc_buf_append(out, "\n", 1);
			in += 4;
		} else if (strncmp(in, "{stamp}", 7) == 0) {
			xmppc_buf_append(out, STAMP_MARK, 1); /* matched by cmd_out */
			in += 7;
		} else if (strncmp(in, "{b64:", 5) == 0) {
			char raw[4096];
			size_t n = 0;
			in += 5;
			while (*in && *in != '}') {
				char c = *in++;
				if (c == '\\') {
					c = *in++;
					c = c == '0' ? '\0' : c == 'n' ? '\n' : c;
				}
				if (n == sizeof(raw))
					die("b64 block too long");
				raw[n++] = c;
			}
			if (*in != '}')
				die("unterminated {b64:");
			in++;
			if (xmppc__base64_encode(out, raw, n) != 0)
				die("base64");
		} else {
			xmppc_buf_append(out, in++, 1);
		}
	}
}

static const struct {
	const char *name;
	int value;
} result_names[] = {
	{"0", 0}, {"OK", 0}, {"STARTTLS", XMPPC_SESSION_STARTTLS}, {"CLOSED", XMPPC_SESSION_CLOSED},
};

static int parse_code(const char *s)
{
	size_t i;
	int c;

	for (i = 0; i < sizeof(result_names) / sizeof(result_names[0]); i++)
		if (strcmp(s, result_names[i].name) == 0)
			return result_names[i].value;
	for (c = 0; c > -1000; c--)
		if (strcmp(xmppc_error_name(c), s) == 0)
			return c;
	die("unknown code '%s'", s);
}

static const char *code_name(int c)
{
	if (c == XMPPC_SESSION_STARTTLS)
		return "STARTTLS";
	if (c == XMPPC_SESSION_CLOSED)
		return "CLOSED";
	return c == 0 ? "0" : xmppc_error_name(c);
}

static const char *const event_names[] = {
	NULL, "STARTTLS", "AUTHENTICATED", "BOUND", "STREAM_ERROR", "SEE_OTHER_HOST", "DISCONNECTED",
	"RESUMED",
};
static const char *const state_names[] = {
	"NEW", "NEGOTIATING", "TLS", "AUTHENTICATING", "BINDING", "READY", "CLOSING", "CLOSED", "FAILED",
};

/* Split "KEY=VALUE" words; returns the value of key or NULL. */
static const char *kv(char *args, const char *key, char *buf, size_t cap)
{
	size_t kl = strlen(key);
	char *p = args;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == args || p[-1] == ' ') && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, " ");
			if (n >= cap)
				die("value too long");
			memcpy(buf, p + kl + 1, n);
			buf[n] = '\0';
			return buf;
		}
		p += kl;
	}
	return NULL;
}

static void split_list(char *v, char **list, size_t cap)
{
	size_t n = 0;
	char *tok = strtok(v, ",");

	while (tok != NULL && n + 1 < cap) {
		list[n++] = strdup(tok);
		tok = strtok(NULL, ",");
	}
	list[n] = NULL;
}

/* ---- application callbacks ---------------------------------------------- */

static void iq_reply_fn(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	(void)s;
	(void)reply;
	if (n_iq == MAX_LOG)
		die("iq log full");
	snprintf(iq_log[n_iq].id, sizeof(iq_log[n_iq].id), "%s", (const char *)ud);
	iq_log[n_iq].error = error;
	n_iq++;
}

static void ack_fn(void *ud, xmppc_session *s, const xmppc_sm_item *it)
{
	(void)ud;
	(void)s;
	if (n_ack == MAX_LOG)
		die("ack log full");
	ack_log[n_ack].seq = it->seq;
	ack_log[n_ack].status = it->status;
	snprintf(ack_log[n_ack].name, sizeof(ack_log[n_ack].name), "%s", it->name);
	n_ack++;
}

static const char *const ack_names[] = {NULL, "ACKED", "RETURNED", "DISCARDED"};

/* 'sm KEY=VALUE ...': xmppc_sm_configure() with the acknowledgement log. */
static void cmd_sm(char *args)
{
	char v[256];

	sm_cfg.version = XMPPC_SM_CONFIG_VERSION;
	sm_cfg.ack_fn = ack_fn;
	if (kv(args, "ack-every", v, sizeof(v)))
		sm_cfg.ack_every = (unsigned)strtoul(v, NULL, 10);
	if (kv(args, "ack-interval", v, sizeof(v)))
		sm_cfg.ack_interval_ms = (uint32_t)strtoul(v, NULL, 10);
	if (kv(args, "max-unacked", v, sizeof(v)))
		sm_cfg.max_unacked = strtoul(v, NULL, 10);
	if (kv(args, "max-failed-resends", v, sizeof(v)))
		sm_cfg.max_failed_resends = (unsigned)strtoul(v, NULL, 10);
	if (kv(args, "resume-max", v, sizeof(v)))
		sm_cfg.resume_max_s = (uint32_t)strtoul(v, NULL, 10);
	if (kv(args, "flags", v, sizeof(v))) {
		sm_cfg.flags = 0;
		if (strstr(v, "disable"))
			sm_cfg.flags |= XMPPC_SM_DISABLE;
		if (strstr(v, "no-resume"))
			sm_cfg.flags |= XMPPC_SM_NO_RESUME;
		if (strstr(v, "return"))
			sm_cfg.flags |= XMPPC_SM_RETURN_ON_FAILURE;
	}
	if (xmppc_sm_configure(sess, &sm_cfg) != 0)
		die("xmppc_sm_configure");
}

/* 'acked SEQ STATUS [NAME]': the next acknowledgement callback. */
static void cmd_acked(char *args)
{
	char status[32] = "", name[16] = "";
	unsigned long long seq = 0;
	int i;

	if (sscanf(args, "%llu %31s %15s", &seq, status, name) < 2)
		die("acked SEQ STATUS [NAME]");
	if (n_ack == 0)
		die("no acknowledgement callback fired, want %llu %s", seq, status);
	if (ack_log[0].seq != seq || strcmp(ack_names[ack_log[0].status], status) != 0 ||
	    (name[0] != '\0' && strcmp(ack_log[0].name, name) != 0))
		die("acknowledgement %llu %s %s, want %llu %s %s", (unsigned long long)ack_log[0].seq,
		    ack_names[ack_log[0].status], ack_log[0].name, seq, status, name);
	for (i = 1; i < n_ack; i++)
		ack_log[i - 1] = ack_log[i];
	n_ack--;
}

static void free_id(void *ud)
{
	free(ud);
	destroys_done++;
}

typedef enum { ACT_RESULT, ACT_PASS, ACT_FAIL, ACT_DEFER, ACT_OK, ACT_REMOVE } action;
static xmppc_stanza *deferred; /* a request kept by a 'defer' handler */

static int iq_handler_fn(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	action a = (action)(intptr_t)ud;
	xmppc_stanza *r;

	switch (a) {
	case ACT_RESULT:
		if (xmppc_iq_new_result(&r, iq) != 0)
			die("iq_new_result");
		if (xmppc_session_send(s, r) != 0)
			die("send from handler");
		xmppc_stanza_unref(r);
		return XMPPC_CB_OK;
	case ACT_PASS:
		return XMPPC_CB_PASS;
	case ACT_FAIL:
		return XMPPC_EINVAL;
	case ACT_DEFER:
		/* answer later: keep the request (it is borrowed otherwise) */
		if (deferred != NULL)
			die("a deferred request is already pending");
		deferred = xmppc_stanza_ref((xmppc_stanza *)iq);
		return XMPPC_CB_OK;
	default:
		return XMPPC_CB_OK;
	}
}

static int observer_fn(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	observer *o = ud;
	const char *id = xmppc_stanza_id(st);

	(void)s;
	if (o->n == MAX_LOG)
		die("observer log full");
	snprintf(o->ids[o->n++], 128, "%s", id ? id : "-");
	return o->action == ACT_OK ? XMPPC_CB_OK : o->action == ACT_REMOVE ? XMPPC_CB_REMOVE : XMPPC_CB_PASS;
}

/* ---- commands --------------------------------------------------------------- */

static void ensure_session(void)
{
	int rc;

	if (sess != NULL)
		return;
	cfg.version = XMPPC_SESSION_CONFIG_VERSION;
	if (mech_list[0] != NULL)
		cfg.mechanisms = (const char *const *)mech_list;
	if (deny_list[0] != NULL)
		cfg.mechanisms_denied = (const char *const *)deny_list;
	rc = xmppc_session_new(&sess, ctx, &cfg);
	if (rc != 0)
		die("xmppc_session_new: %s", xmppc_error_name(rc));
	if (xmppc_session_set_event_fn(sess, event_fn, NULL, count_destroy) != 0)
		die("set_event_fn");
	if (xmppc_session_set_drain_fn(sess, drain_fn, NULL, count_destroy) != 0)
		die("set_drain_fn");
	destroys_expected += 2;
}

static void cmd_config(char *args)
{
	char v[512];

	if (kv(args, "jid", jid_s, sizeof(jid_s)))
		cfg.jid = jid_s;
	if (kv(args, "password", pw_s, sizeof(pw_s)))
		cfg.password = pw_s;
	if (kv(args, "resource", res_s, sizeof(res_s)))
		cfg.resource = res_s;
	if (kv(args, "authzid", authzid_s, sizeof(authzid_s)))
		cfg.authzid = authzid_s;
	if (kv(args, "mechanisms", v, sizeof(v)))
		split_list(v, mech_list, 16);
	if (kv(args, "denied", v, sizeof(v)))
		split_list(v, deny_list, 16);
	if (kv(args, "flags", v, sizeof(v))) {
		cfg.flags = 0;
		if (strstr(v, "plaintext"))
			cfg.flags |= XMPPC_SESSION_ALLOW_PLAINTEXT;
		if (strstr(v, "plain-without-tls"))
			cfg.flags |= XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS;
		if (strstr(v, "no-cb"))
			cfg.flags |= XMPPC_SESSION_NO_CHANNEL_BINDING;
	}
	if (kv(args, "min-iter", v, sizeof(v)))
		cfg.scram_min_iterations = (unsigned)strtoul(v, NULL, 10);
	if (kv(args, "max-iter", v, sizeof(v)))
		cfg.scram_max_iterations = (unsigned)strtoul(v, NULL, 10);
	if (kv(args, "challenges", v, sizeof(v)))
		cfg.max_sasl_challenges = (unsigned)strtoul(v, NULL, 10);
	if (kv(args, "negotiation-timeout", v, sizeof(v)))
		cfg.negotiation_timeout_ms = (uint32_t)strtoul(v, NULL, 10);
	if (kv(args, "close-timeout", v, sizeof(v)))
		cfg.close_timeout_ms = (uint32_t)strtoul(v, NULL, 10);
	if (kv(args, "iq-timeout", v, sizeof(v)))
		cfg.iq_timeout_ms = (uint32_t)strtoul(v, NULL, 10);
	if (kv(args, "output-limit", v, sizeof(v)))
		cfg.output_high_water = strtoul(v, NULL, 10);
}

/* How much of got[0..len) `want` matches, or 0 if it does not: literal
 * bytes, and STAMP_MARK for a XEP-0082 UTC DateTime (the wall-clock delay
 * stamp of a resent message: digits, '-', ':', 'T', '.', then 'Z'). */
static size_t match_out(const char *want, size_t wlen, const char *got, size_t len)
{
	size_t i = 0, j = 0;

	while (i < wlen) {
		if (want[i] == STAMP_MARK[0]) {
			size_t k = j;
			while (k < len && (isdigit((unsigned char)got[k]) || strchr("-:T.", got[k]) != NULL))
				k++;
			if (k - j < 20 || k >= len || got[k] != 'Z')
				return 0;
			j = k + 1;
			i++;
		} else if (j < len && got[j] == want[i]) {
			i++;
			j++;
		} else {
			return 0;
		}
	}
	return j;
}

static void cmd_out(const char *text)
{
	xmppc_buf *want;
	size_t len, n;
	const char *got;

	xmppc_buf_new(&want, ctx);
	expand(text, want);
	got = xmppc_session_output(sess, &len);
	n = match_out(xmppc_buf_data(want), xmppc_buf_len(want), got, got ? len : 0);
	if (n == 0)
		die("output differs\n  want: %s\n  got:  %.*s", xmppc_buf_data(want), (int)len,
		    got ? got : "");
	xmppc_session_output_consume(sess, n);
	xmppc_buf_free(want);
}

static void cmd_in(const unsigned char *data, size_t len)
{
	last_consumed = 0;
	last_rc = xmppc_session_feed(&last_consumed, sess, data, len);
}

static void cmd_secured(char *args, int expect)
{
	xmppc_tls_info info;
	static unsigned char cb[4][256];
	char v[600];
	int rc;

	memset(&info, 0, sizeof(info));
	info.version = XMPPC_TLS_INFO_VERSION;
	info.tls_version = 0x0304;
	info.peer_verified = 1;
	if (kv(args, "tls", v, sizeof(v)))
		info.tls_version = strcmp(v, "1.2") == 0 ? 0x0303 : 0x0304;
	if (kv(args, "unique", v, sizeof(v))) {
		info.cb_len[XMPPC_CB_TLS_UNIQUE] = parse_hex(v, cb[1], sizeof(cb[1]));
		info.cb_data[XMPPC_CB_TLS_UNIQUE] = cb[1];
	}
	if (kv(args, "endpoint", v, sizeof(v))) {
		info.cb_len[XMPPC_CB_TLS_SERVER_END_POINT] = parse_hex(v, cb[2], sizeof(cb[2]));
		info.cb_data[XMPPC_CB_TLS_SERVER_END_POINT] = cb[2];
	}
	if (kv(args, "exporter", v, sizeof(v))) {
		info.cb_len[XMPPC_CB_TLS_EXPORTER] = parse_hex(v, cb[3], sizeof(cb[3]));
		info.cb_data[XMPPC_CB_TLS_EXPORTER] = cb[3];
	}
	ensure_session();
	rc = xmppc_session_transport_secured(sess, &info);
	if (rc != expect)
		die("transport_secured: got %s, want %s", code_name(rc), code_name(expect));
}

static void cmd_event(char *args)
{
	char name[64] = "", detail[256] = "";
	int i;

	sscanf(args, "%63s %255s", name, detail);
	if (n_events == 0)
		die("no event queued, want %s", name);
	if (event_names[events[0].type] == NULL || strcmp(event_names[events[0].type], name) != 0)
		die("event %s, want %s", event_names[events[0].type], name);
	if (detail[0] != '\0') {
		const char *cond = xmppc_stream_condition_name(events[0].cond);
		if (!(cond != NULL && strcmp(cond, detail) == 0) && strcmp(events[0].detail, detail) != 0 &&
		    strcmp(code_name(events[0].error), detail) != 0)
			die("event %s detail: condition %s, host '%s', error %s; want %s", name,
			    cond ? cond : "-", events[0].detail, code_name(events[0].error), detail);
	}
	for (i = 1; i < n_events; i++)
		events[i - 1] = events[i];
	n_events--;
}

static void cmd_handler(char *args, int dup)
{
	char type[8], ns[256], el[128], act[16] = "result";
	action a;
	int rc;

	if (sscanf(args, "%7s %255s %127s %15s", type, ns, el, act) < 3)
		die("handler: bad arguments");
	a = strcmp(act, "pass") == 0 ? ACT_PASS : strcmp(act, "fail") == 0 ? ACT_FAIL
	    : strcmp(act, "defer") == 0 ? ACT_DEFER : ACT_RESULT;
	ensure_session();
	rc = xmppc_session_add_iq_handler(sess, ns, el, strcmp(type, "get") == 0 ? XMPPC_TYPE_GET : XMPPC_TYPE_SET,
	                                  iq_handler_fn, (void *)(intptr_t)a, count_destroy, NULL);
	if (dup) {
		if (rc != XMPPC_EEXIST)
			die("duplicate handler: got %s", code_name(rc));
		destroys_done++; /* no destroy for a refused handler: keep the books even */
		destroys_expected++;
		return;
	}
	if (rc != 0)
		die("add_iq_handler: %s", code_name(rc));
	destroys_expected++;
}

static void cmd_observer(char *args)
{
	xmppc_stanza_filter f = {XMPPC_STANZA_FILTER_VERSION, XMPPC_STANZA_OTHER, XMPPC_TYPE_NONE, NULL, NULL};
	static char ns[8][256], from[8][256];
	char v[256], name[32];
	observer *o;
	int prio = 0, rc;

	if (n_observers == 8)
		die("too many observers");
	o = &observers[n_observers];
	sscanf(args, "%31s", name);
	snprintf(o->name, sizeof(o->name), "%s", name);
	if (kv(args, "kind", v, sizeof(v)))
		f.kind = strcmp(v, "message") == 0 ? XMPPC_STANZA_MESSAGE : XMPPC_STANZA_PRESENCE;
	if (kv(args, "ns", ns[n_observers], sizeof(ns[0])))
		f.child_ns = ns[n_observers];
	if (kv(args, "from", from[n_observers], sizeof(from[0])))
		f.from = from[n_observers];
	if (kv(args, "prio", v, sizeof(v)))
		prio = atoi(v);
	o->action = ACT_PASS;
	if (kv(args, "action", v, sizeof(v)))
		o->action = strcmp(v, "ok") == 0 ? ACT_OK : strcmp(v, "remove") == 0 ? ACT_REMOVE : ACT_PASS;
	ensure_session();
	rc = xmppc_session_add_observer(sess, &f, prio, observer_fn, o, count_destroy, NULL);
	if (rc != 0)
		die("add_observer: %s", code_name(rc));
	destroys_expected++;
	n_observers++;
}

static observer *find_observer(const char *name)
{
	int i;

	for (i = 0; i < n_observers; i++)
		if (strcmp(observers[i].name, name) == 0)
			return &observers[i];
	die("no observer %s", name);
}

static void run_line(char *line)
{
	char *cmd = line, *args;
	xmppc_buf *b;
	int rc;

	args = strchr(line, ' ');
	if (args != NULL)
		*args++ = '\0';
	else
		args = line + strlen(line);
	if (strcmp(cmd, "config") == 0) {
		cmd_config(args);
	} else if (strcmp(cmd, "random") == 0) {
		rnd_len = parse_hex(args, rnd, sizeof(rnd));
		rnd_pos = 0;
	} else if (strcmp(cmd, "new-fails") == 0) {
		xmppc_session *s = NULL;
		cfg.version = XMPPC_SESSION_CONFIG_VERSION;
		if (mech_list[0] != NULL)
			cfg.mechanisms = (const char *const *)mech_list;
		rc = xmppc_session_new(&s, ctx, &cfg);
		if (rc != parse_code(args))
			die("session_new: got %s", code_name(rc));
		xmppc_session_free(s);
	} else if (strcmp(cmd, "start") == 0) {
		ensure_session();
		if ((rc = xmppc_session_start(sess)) != 0)
			die("start: %s", code_name(rc));
	} else if (strcmp(cmd, "out") == 0) {
		cmd_out(args);
	} else if (strcmp(cmd, "drains") == 0) {
		if (drains != atoi(args))
			die("%d drain callbacks, want %s", drains, args);
	} else if (strcmp(cmd, "consume") == 0) {
		size_t len, n = strtoul(args, NULL, 10);
		xmppc_session_output(sess, &len);
		if (n > len)
			die("only %zu bytes pending", len);
		if (xmppc_session_output_consume(sess, n) != 0)
			die("output_consume");
	} else if (strcmp(cmd, "out-none") == 0) {
		size_t len;
		const char *got = xmppc_session_output(sess, &len);
		if (len != 0)
			die("unexpected output: %.*s", (int)len, got);
	} else if (strcmp(cmd, "out-all") == 0) {
		size_t len;
		const char *got = xmppc_session_output(sess, &len);
		printf("out: %.*s\n", (int)len, got ? got : "");
		xmppc_session_output_consume(sess, len);
	} else if (strcmp(cmd, "in") == 0) {
		xmppc_buf_new(&b, ctx);
		expand(args, b);
		cmd_in((const unsigned char *)xmppc_buf_data(b), xmppc_buf_len(b));
		xmppc_buf_free(b);
	} else if (strcmp(cmd, "in-hex") == 0) {
		static unsigned char raw[4096];
		cmd_in(raw, parse_hex(args, raw, sizeof(raw)));
	} else if (strcmp(cmd, "result") == 0) {
		char code[64] = "", extra[64] = "";
		sscanf(args, "%63s %63s", code, extra);
		if (last_rc != parse_code(code))
			die("feed returned %s, want %s", code_name(last_rc), code);
		if (strncmp(extra, "consumed=", 9) == 0 && last_consumed != strtoul(extra + 9, NULL, 10))
			die("feed consumed %zu, want %s", last_consumed, extra + 9);
	} else if (strcmp(cmd, "secured") == 0) {
		cmd_secured(args, 0);
	} else if (strcmp(cmd, "secured-fails") == 0) {
		char code[64];
		sscanf(args, "%63s", code);
		cmd_secured(args, parse_code(code));
	} else if (strcmp(cmd, "event") == 0) {
		cmd_event(args);
	} else if (strcmp(cmd, "no-event") == 0) {
		if (n_events != 0)
			die("unexpected event %s", event_names[events[0].type]);
	} else if (strcmp(cmd, "state") == 0) {
		xmppc_session_state st = xmppc_session_get_state(sess);
		if (strcmp(state_names[st], args) != 0)
			die("state %s, want %s", state_names[st], args);
	} else if (strcmp(cmd, "error") == 0 || strcmp(cmd, "condition") == 0 ||
	           strcmp(cmd, "sasl-condition") == 0 || strcmp(cmd, "see-other-host") == 0) {
		xmppc_session_error_info e;
		e.version = XMPPC_SESSION_ERROR_INFO_VERSION;
		xmppc_session_last_error(&e, sess);
		if (strcmp(cmd, "error") == 0 && e.code != parse_code(args))
			die("last error %s (%s), want %s", code_name(e.code), e.text, args);
		if (strcmp(cmd, "condition") == 0) {
			char name[64] = "", how[16] = "";
			const char *c = xmppc_stream_condition_name(e.condition);
			sscanf(args, "%63s %15s", name, how);
			if (c == NULL || strcmp(c, name) != 0)
				die("condition %s, want %s", c ? c : "none", name);
			if ((strcmp(how, "sent") == 0 && !e.sent) || (strcmp(how, "received") == 0 && e.sent))
				die("condition was %s", e.sent ? "sent" : "received");
		}
		if (strcmp(cmd, "sasl-condition") == 0 &&
		    (e.sasl_condition == NULL || strcmp(e.sasl_condition, args) != 0))
			die("sasl condition %s, want %s", e.sasl_condition ? e.sasl_condition : "none", args);
		if (strcmp(cmd, "see-other-host") == 0 &&
		    (e.see_other_host == NULL || strcmp(e.see_other_host, args) != 0))
			die("see-other-host %s, want %s", e.see_other_host ? e.see_other_host : "none", args);
	} else if (strcmp(cmd, "jid") == 0) {
		const xmppc_jid *j = xmppc_session_jid(sess);
		if (j == NULL || strcmp(xmppc_jid_full(j), args) != 0)
			die("jid %s, want %s", j ? xmppc_jid_full(j) : "none", args);
	} else if (strcmp(cmd, "mechanism") == 0) {
		const char *m = xmppc_session_mechanism(sess);
		if (m == NULL || strcmp(m, args) != 0)
			die("mechanism %s, want %s", m ? m : "none", args);
	} else if (strcmp(cmd, "clock") == 0) {
		now += strtoull(args + (args[0] == '+'), NULL, 10);
	} else if (strcmp(cmd, "deadline") == 0) {
		uint64_t d = xmppc_session_next_deadline(sess);
		uint64_t want = strcmp(args, "none") == 0 ? 0 : t0 + strtoull(args, NULL, 10);
		if (d != want)
			die("deadline %llu, want %llu", (unsigned long long)(d ? d - t0 : 0),
			    (unsigned long long)(want ? want - t0 : 0));
	} else if (strcmp(cmd, "deadlines") == 0) {
		rc = xmppc_session_handle_deadlines(sess);
		if (rc != (args[0] ? parse_code(args) : 0))
			die("handle_deadlines: %s", code_name(rc));
	} else if (strcmp(cmd, "send") == 0 || strcmp(cmd, "send-fails") == 0 ||
	           strcmp(cmd, "send-iq") == 0 || strcmp(cmd, "send-iq-fails") == 0) {
		xmppc_stanza *st;
		int want = 0;
		uint32_t timeout = 0;
		char *text = args;
		if (strcmp(cmd, "send") != 0) {
			char *sp = strchr(args, ' ');
			if (sp == NULL)
				die("missing argument");
			*sp = '\0';
			if (strcmp(cmd, "send-iq") == 0)
				timeout = (uint32_t)strtoul(args, NULL, 10);
			else
				want = parse_code(args);
			text = sp + 1;
		}
		if ((rc = xmppc_stanza_from_xml(&st, ctx, text, strlen(text))) != 0)
			die("bad stanza in transcript: %s", code_name(rc));
		if (strncmp(cmd, "send-iq", 7) == 0) {
			char *id = strdup(xmppc_stanza_id(st) ? xmppc_stanza_id(st) : "");
			rc = xmppc_session_send_iq(sess, st, iq_reply_fn, timeout, id, free_id);
			if (rc == 0)
				destroys_expected++;
			else
				free(id);
		} else {
			rc = xmppc_session_send(sess, st);
		}
		xmppc_stanza_unref(st);
		if (rc != want)
			die("%s: got %s", cmd, code_name(rc));
	} else if (strcmp(cmd, "iq-reply") == 0) {
		char id[128], kind[32];
		int i, want;
		sscanf(args, "%127s %31s", id, kind);
		want = strcmp(kind, "result") == 0 ? 0 : strcmp(kind, "error") == 0 ? XMPPC_IQ_ERROR_REPLY
		       : strcmp(kind, "timeout") == 0 ? XMPPC_ETIMEOUT : XMPPC_EDISCONNECTED;
		if (n_iq == 0)
			die("no IQ reply callback fired");
		if (strcmp(iq_log[0].id, id) != 0 || iq_log[0].error != want)
			die("IQ callback for %s with %d, want %s %s", iq_log[0].id, iq_log[0].error, id, kind);
		for (i = 1; i < n_iq; i++)
			iq_log[i - 1] = iq_log[i];
		n_iq--;
	} else if (strcmp(cmd, "no-iq-reply") == 0) {
		if (n_iq != 0)
			die("unexpected IQ callback for %s", iq_log[0].id);
	} else if (strcmp(cmd, "handler") == 0) {
		cmd_handler(args, 0);
	} else if (strcmp(cmd, "handler-dup") == 0) {
		cmd_handler(args, 1);
	} else if (strcmp(cmd, "observer") == 0) {
		cmd_observer(args);
	} else if (strcmp(cmd, "seen") == 0) {
		char name[32], id[128];
		observer *o;
		sscanf(args, "%31s %127s", name, id);
		o = find_observer(name);
		if (o->read >= o->n || strcmp(o->ids[o->read], id) != 0)
			die("observer %s: saw %s, want %s", name, o->read < o->n ? o->ids[o->read] : "nothing", id);
		o->read++;
	} else if (strcmp(cmd, "not-seen") == 0) {
		observer *o = find_observer(args);
		if (o->read < o->n)
			die("observer %s saw %s", args, o->ids[o->read]);
	} else if (strcmp(cmd, "trace-has") == 0 || strcmp(cmd, "trace-lacks") == 0) {
		int has = strstr(xmppc_buf_data(trace), args) != NULL;
		if (has != (strcmp(cmd, "trace-has") == 0))
			die("trace %s '%s':\n%s", has ? "has" : "lacks", args, xmppc_buf_data(trace));
	} else if (strcmp(cmd, "close") == 0) {
		rc = xmppc_session_close(sess);
		if (rc != (args[0] ? parse_code(args) : 0))
			die("close: %s", code_name(rc));
	} else if (strcmp(cmd, "transport-closed") == 0) {
		if ((rc = xmppc_session_transport_closed(sess, args[0] ? parse_code(args) : 0)) != 0)
			die("transport_closed: %s", code_name(rc));
	} else if (strcmp(cmd, "sm") == 0) {
		ensure_session();
		cmd_sm(args);
	} else if (strcmp(cmd, "acked") == 0) {
		cmd_acked(args);
	} else if (strcmp(cmd, "no-ack") == 0) {
		if (n_ack != 0)
			die("acknowledgement %llu %s fired", (unsigned long long)ack_log[0].seq,
			    ack_names[ack_log[0].status]);
	} else if (strcmp(cmd, "unacked") == 0) {
		if (xmppc_sm_unacked(sess) != strtoul(args, NULL, 10))
			die("unacked %zu, want %s", xmppc_sm_unacked(sess), args);
	} else if (strcmp(cmd, "resumable") == 0) {
		if (xmppc_sm_resumable(sess) != atoi(args))
			die("resumable %d, want %s", xmppc_sm_resumable(sess), args);
	} else if (strcmp(cmd, "sm-import") == 0) {
		static unsigned char blob[4096];
		size_t n = parse_hex(args, blob, sizeof(blob));
		ensure_session();
		if ((rc = xmppc_sm_import(sess, blob, n)) != 0)
			die("xmppc_sm_import: %s", code_name(rc));
	} else if (strcmp(cmd, "restart") == 0) {
		/* the transport reconnected: a new stream on the same session */
		if ((rc = xmppc_session_reset(sess)) != 0 || (rc = xmppc_session_start(sess)) != 0)
			die("restart: %s", code_name(rc));
	} else if (strcmp(cmd, "reply-deferred") == 0) {
		xmppc_stanza *r;
		if (deferred == NULL)
			die("no deferred request");
		if (xmppc_iq_new_result(&r, deferred) != 0 || xmppc_session_send(sess, r) != 0)
			die("deferred reply");
		xmppc_stanza_unref(r);
		xmppc_stanza_unref(deferred);
		deferred = NULL;
	} else if (strcmp(cmd, "reset") == 0) {
		/* a fresh session (and configuration) in the same transcript */
		int i;
		if (n_events != 0)
			die("unchecked event %s left", event_names[events[0].type]);
		if (n_iq != 0)
			die("unchecked IQ callback for %s left", iq_log[0].id);
		if (n_ack != 0)
			die("unchecked acknowledgement %llu left", (unsigned long long)ack_log[0].seq);
		xmppc_session_free(sess);
		sess = NULL;
		if (destroys_done != destroys_expected)
			die("%d destroy functions ran, want %d", destroys_done, destroys_expected);
		n_ack = 0; /* DISCARDED ones of the freed session */
		memset(&sm_cfg, 0, sizeof(sm_cfg));
		memset(&cfg, 0, sizeof(cfg));
		for (i = 0; mech_list[i] != NULL; i++)
			free(mech_list[i]);
		for (i = 0; deny_list[i] != NULL; i++)
			free(deny_list[i]);
		mech_list[0] = deny_list[0] = NULL;
		n_observers = 0;
		rnd_pos = 0;
		drains = 0;
		xmppc_buf_clear(trace);
	} else if (strcmp(cmd, "free") == 0) {
		xmppc_session_free(sess);
		sess = NULL;
		n_ack = 0; /* the DISCARDED ones are checked before 'free', if at all */
		if (destroys_done != destroys_expected)
			die("%d destroy functions ran, want %d", destroys_done, destroys_expected);
	} else {
		die("unknown command '%s'", cmd);
	}
}

int main(int argc, char **argv)
{
	FILE *f;
	char line[sizeof(current)];

	if (argc != 2) {
		fprintf(stderr, "usage: replay TRANSCRIPT\n");
		return 2;
	}
	file = argv[1];
	f = fopen(file, "r");
	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return 2;
	}
	xmppc_ctx_new(&ctx, NULL);
	xmppc_ctx_set_clock(ctx, clock_fn, NULL, NULL);
	xmppc_buf_new(&trace, ctx);
	xmppc_ctx_set_trace(ctx, trace_fn, NULL, NULL);
	xmppc__random_set_override(random_fn, NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(line);
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		snprintf(current, sizeof(current), "%s", line);
		run_line(line);
	}
	fclose(f);
	lineno++;
	snprintf(current, sizeof(current), "(end of transcript)");
	if (n_events != 0)
		die("unchecked event %s left", event_names[events[0].type]);
	if (n_iq != 0)
		die("unchecked IQ callback for %s left", iq_log[0].id);
	if (n_ack != 0)
		die("unchecked acknowledgement %llu left", (unsigned long long)ack_log[0].seq);
	if (sess != NULL) {
		xmppc_session_free(sess);
		if (destroys_done != destroys_expected)
			die("%d destroy functions ran, want %d", destroys_done, destroys_expected);
	}
	xmppc_buf_free(trace);
	if (xmppc_ctx_unref(ctx) != NULL)
		die("context still referenced at exit: something leaked a reference");
	printf("%s: ok\n", file);
	return 0;
}
