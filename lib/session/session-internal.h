/* Internal layout of the session, shared by the files of lib/session:
 *   session.c   life cycle, public I/O calls, failure and close
 *   negotiate.c stream headers, features, STARTTLS, bind, element routing
 *   auth.c      SASL mechanism choice and exchange
 *   iq.c        outgoing IQ tracking, reply matching, timeouts
 *   dispatch.c  IQ handlers, observers, incoming stanza dispatch
 *   trace.c     wire trace with redaction */
#ifndef XMPPC_SESSION_INTERNAL_H
#define XMPPC_SESSION_INTERNAL_H

#include "util/buf.h"
#include "util/hash.h"
#include <xmppc/session.h>

#include "session/sm-internal.h"

typedef struct pending_iq pending_iq;
typedef struct handler handler;
typedef struct attached attached;

/* Features we act on, noted from the last <stream:features/>. */
typedef struct {
	int starttls;
	int starttls_required;
	int bind;
	int session_required;
	char **mechanisms; /* offered SASL mechanism names */
	size_t n_mechanisms;
	char **cb_types; /* XEP-0440 list, or NULL when absent */
	size_t n_cb_types;
	int has_cb_list;
	xmppc_stanza *element; /* a copy of the whole <stream:features/> */
} features;

struct xmppc_session {
	xmppc_ctx *ctx;

	/* configuration */
	xmppc_jid *account;  /* bare account JID */
	char *resource;      /* requested resource or NULL */
	char *password;
	size_t password_len;
	xmppc_password_fn password_fn;
	void *password_ud;
	char *authzid;
	unsigned flags;
	char *lang;
	xmppc_xml_limits limits;
	unsigned scram_min_iter, scram_max_iter, max_challenges;
	uint32_t negotiation_timeout, close_timeout, iq_timeout;
	const xmppc_sasl_mechanism **mechs; /* candidates in preference order */
	size_t n_mechs;
	char **denied;
	size_t n_denied;
	int explicit_order; /* the config gave the order */

	/* state */
	xmppc_session_state state;
	int started;
	int secured;
	unsigned tls_version;
	int peer_verified;
	xmppc_buf cb[XMPPC_CB_TYPE_COUNT];
	int has_cb[XMPPC_CB_TYPE_COUNT];
	int starttls_sent;
	int authenticated;
	int restart_pending; /* restart the stream once the parser pauses */
	int stream_open;     /* our header is sent and not yet closed */
	int features_seen;   /* this stream's <stream:features/> arrived */
	int peer_closed;
	xmppc_parser *parser;
	xmppc_buf out;
	uint64_t negotiation_deadline;
	uint64_t close_deadline;
	features feat;
	char *stream_id;

	/* SASL */
	const xmppc_sasl_mechanism *mech;
	void *mech_state;
	xmppc_sasl_params sasl_params; /* what mech_state may point into */
	xmppc_buf pw_tmp;              /* a password from the callback, wiped after use */
	unsigned challenges;
	int in_sasl; /* between <auth/> and the end of the exchange: trace redacted */
	int wipe_output; /* SASL bytes are queued: wipe output memory as it is consumed */

	/* binding */
	xmppc_jid *bound;
	int bind_iq_done;

	/* XEP-0077 registration before authentication (XMPPC_SESSION_REGISTER) */
	int registering;     /* our request is out */
	int registered;      /* done: later connections only log in */
	char reg_id[24];

	/* re-entry */
	int depth;
	int doomed;

	/* output back-pressure */
	size_t high_water;
	int out_blocked;   /* a send was refused: tell the app when there is room */
	int drain_pending; /* room came while inside a callback: fire on leaving */
	xmppc_drain_fn drain_fn;
	void *drain_ud;
	void (*drain_destroy)(void *);

	/* events */
	xmppc_session_event_fn event_fn;
	void *event_ud;
	void (*event_destroy)(void *);

	/* last error */
	int err_code;
	char err_text[256];
	xmppc_stream_condition err_condition;
	int err_sent;
	char *err_condition_text;
	char *err_see_other_host;
	char *err_sasl_condition;
	char *err_sasl_text;

	/* handlers and observers */
	xmppc__hash iq_handlers; /* key: type|ns|element */
	handler *handlers;       /* every handler and observer, by token */
	handler *observers;      /* observers, in dispatch order */
	unsigned next_token;
	int dispatching;
	int sweep_needed;

	/* modules (module.c) */
	attached *modules;

	/* outgoing IQs */
	xmppc__hash pending; /* id -> pending_iq */
	pending_iq *pending_list;

	/* XEP-0198, liveness, CSI (sm.c, liveness.c) */
	sm_state sm;

	/* the transport driver's "output became non-empty" hook (lib/net/conn.c) */
	void (*out_notify)(void *user_data);
	void *out_notify_ud;
};

/* Set the hook called whenever the output queue goes from empty to
 * non-empty, so that a driver can write output queued from outside its own
 * calls (an application's xmppc_session_send()). Internal to the library. */
void xmppc__session_set_output_notify(xmppc_session *s, void (*fn)(void *), void *user_data);
/* Call the output hook if the queue was empty before (length `before`). */
void xmppc__session_output_grew(xmppc_session *s, size_t before);

/* session.c */
/* 0, or XMPPC_EAGAIN (and the refusal remembered) when the application may
 * not queue more output now. */
int xmppc__session_output_room(xmppc_session *s);
int xmppc__session_fail(xmppc_session *s, int code, const char *text);
void xmppc__session_emit(xmppc_session *s, xmppc_session_event_type type, int error,
                         xmppc_stream_condition cond, const char *text, const char *host);
int xmppc__session_write_raw(xmppc_session *s, const char *data, size_t len);
int xmppc__session_write(xmppc_session *s, const xmppc_stanza *st);
/* The same, tracked for stream management with the application's
 * sequence number and first-send time (0: none / now). */
int xmppc__session_write_seq(xmppc_session *s, const xmppc_stanza *st, uint64_t seq, int64_t wall_ms);
void xmppc__session_finish(xmppc_session *s, int code);

/* register.c */
/* The features allow going on to SASL: register first when asked to. 1 if
 * a registration request went out (or the stream failed), 0 to go on. */
int xmppc__register_begin(xmppc_session *s, const xmppc_stanza *feats, int *rc);
/* An IQ while registering: 1 if it was the answer (handled), else 0. */
int xmppc__register_on_iq(xmppc_session *s, const xmppc_stanza *iq, int *rc);

/* negotiate.c */
int xmppc__session_open_stream(xmppc_session *s);
int xmppc__session_on_element(xmppc_session *s, xmppc_stanza *el);
/* Bound (or stream management answered): READY, BOUND, then what waits. */
void xmppc__session_ready(xmppc_session *s);
/* Bind a resource now (after a failed resumption). */
int xmppc__session_bind(xmppc_session *s);
void xmppc__features_clear(xmppc_session *s);

/* auth.c */
int xmppc__auth_begin(xmppc_session *s);
int xmppc__auth_on_element(xmppc_session *s, xmppc_stanza *el);
void xmppc__auth_reset(xmppc_session *s);

/* iq.c */
typedef void (*xmppc__iq_internal_fn)(xmppc_session *s, const xmppc_stanza *reply, int error);
int xmppc__iq_send_internal(xmppc_session *s, xmppc_stanza *iq, xmppc__iq_internal_fn fn);
int xmppc__iq_on_reply(xmppc_session *s, const xmppc_stanza *iq);
uint64_t xmppc__iq_next_deadline(const xmppc_session *s);
void xmppc__iq_expire(xmppc_session *s, uint64_t now);
void xmppc__iq_fail_all(xmppc_session *s, int error);
void xmppc__iq_fini(xmppc_session *s);

/* dispatch.c */
int xmppc__dispatch(xmppc_session *s, const xmppc_stanza *st);
void xmppc__handlers_fini(xmppc_session *s);

/* module.c */
void xmppc__modules_fini(xmppc_session *s);
/* Run the send filters: 0 with *out NULL (send st) or a replacement to
 * send (a reference), or a negative error. */
int xmppc__send_filters(xmppc_session *s, const xmppc_stanza *st, xmppc_stanza **out);
/* Tell every event listener (xmppc_session_add_event_listener) about an event. */
void xmppc__listeners_event(xmppc_session *s, const xmppc_session_event *ev);

/* trace.c */
void xmppc__trace(xmppc_session *s, int outgoing, const char *data, size_t len);
/* Trace an element with its SASL payload replaced by "[redacted]". */
void xmppc__trace_redacted(xmppc_session *s, int outgoing, const xmppc_stanza *el);
/* An IQ carrying a password (XEP-0077 jabber:iq:register; a server may
 * echo ours in an error): trace a copy with the password replaced; 1 if
 * done (the caller traces nothing), 0 if the stanza carries none. */
int xmppc__trace_password_redacted(xmppc_session *s, int outgoing, const xmppc_stanza *st);

#endif
