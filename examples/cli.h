/* Command-line handling shared by the example programs: the connection
 * options every program takes (--jid, password sources, --server, TLS
 * options, -v), the connection set-up from them, and the one-line exit
 * reasons. Only the public API is used (this is example code). */
#ifndef XMPPC_EXAMPLES_CLI_H
#define XMPPC_EXAMPLES_CLI_H

#include <xmppc/xmppc.h>

#define CLI_MAX_LIST 16

/* Exit statuses (documented in every program's --help). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1   /* other failures (lost connection, bad reply) */
#define CLI_EXIT_USAGE 2     /* bad command line */
#define CLI_EXIT_AUTH 3      /* authentication or binding refused */
#define CLI_EXIT_TLS 4       /* TLS or certificate failure */
#define CLI_EXIT_CONNECT 5   /* DNS or TCP: the server could not be reached */

typedef struct cli_options {
	const char *prog;
	const char *jid;
	char *password; /* from --password, --password-file or XMPPC_PASSWORD */
	const char *server;
	int direct_tls;
	const char *cafile;
	const char *pins[CLI_MAX_LIST + 1];
	int insecure_plaintext;
	int verbose;
	const char *mechanisms[CLI_MAX_LIST + 1];
	const char *tls_priority;
	const char *dns_server;
	const char *resource;
	unsigned long max;    /* xmpp-echo-bot --max N, xmpp-send --wait-reply SECONDS */
	/* with CLI_RECONNECT_OPTIONS (xmpp-echo-bot) */
	int no_reconnect;            /* --no-reconnect */
	unsigned long reconnect_max; /* --reconnect-max MS (default 15000; 0: the library's, 60000) */
	unsigned long keepalive;     /* --keepalive SECONDS (default 15, 0: off) */
	int tcp_keepalive;           /* --tcp-keepalive */
	const char *args[4];  /* positional arguments */
	int nargs;
} cli_options;

/* Parse argv. usage: the program's --help text, printed after "Usage: PROG ". max_args: positional arguments allowed;
 * accept_max: the name of the numeric option stored in max ("--max",
 * "--wait-reply") or NULL. Exits on --help (0) and on a bad
 * command line (2, with a one-line reason). */
void cli_parse(cli_options *o, int argc, char **argv, const char *usage, int max_args,
               const char *accept_max);

/* cli_parse() flag: also accept --no-reconnect, --reconnect-max MS,
 * --keepalive SECONDS and --tcp-keepalive. */
#define CLI_RECONNECT_OPTIONS 0x1u

/* cli_parse() with the option groups of `flags` (CLI_* above). */
void cli_parse_flags(cli_options *o, int argc, char **argv, const char *usage, int max_args,
                     const char *accept_max, unsigned flags);

/* Reconnection and liveness as the CLI_RECONNECT_OPTIONS say: the
 * reconnection manager on unless --no-reconnect, liveness probes after
 * --keepalive seconds of silence (10 s to answer), TCP keepalive with
 * --tcp-keepalive. Exits on failure. */
void cli_setup_reconnect(const cli_options *o, xmppc_conn *conn);

/* A stage as the one-line reasons name it ("TLS", "authentication", ...). */
const char *cli_stage_name(xmppc_conn_stage s);

/* A context with logging to stderr with -v (else the one-line exit reason
 * is all that is printed) and,
 * with -v, the wire trace. Exits on failure. */
xmppc_ctx *cli_ctx(const cli_options *o);

/* A connection configured from the options, added to loop. The event
 * callback is the caller's. Exits with a one-line reason on failure. */
xmppc_conn *cli_conn(const cli_options *o, xmppc_ctx *ctx, xmppc_loop *loop);

/* The exit status for a connection that ended with error code `err`, and
 * the one-line reason printed to stderr ("prog: TLS failed: ..."). */
int cli_report_closed(const cli_options *o, const xmppc_conn_event *ev);

/* Ask the loop to stop on SIGINT/SIGTERM; cli_signalled() tells if one came. */
void cli_handle_signals(xmppc_loop *loop);
int cli_signalled(void);

void cli_free(cli_options *o);

#endif
