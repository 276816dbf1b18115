/* Shared command-line handling of the example programs (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "PROG: what ARG (try --help)", exit 2. */
static void usage_error(const cli_options *o, const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s (try --help)\n", o->prog, what, arg ? " " : "", arg ? arg : "");
	exit(CLI_EXIT_USAGE);
}

static char *read_password_file(const cli_options *o, const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "%s: cannot read password file %s: %s\n", o->prog, path, strerror(errno));
		exit(CLI_EXIT_USAGE);
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the first line is the password */
	buf[strcspn(buf, "\r\n")] = '\0';
	return strdup(buf);
}

static void add_list(cli_options *o, const char **list, const char *opt, const char *val)
{
	int i;

	for (i = 0; i < CLI_MAX_LIST && list[i] != NULL; i++)
		;
	if (i == CLI_MAX_LIST)
		usage_error(o, "too many options", opt);
	list[i] = val;
}

/* A non-negative decimal number for option `name`, or a usage error. */
static unsigned long parse_number(const cli_options *o, const char *name, const char *val)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno != 0 || *end != '\0' || val[0] == '-' || val[0] == '\0')
		usage_error(o, "needs a non-negative number:", name);
	return v;
}

void cli_parse(cli_options *o, int argc, char **argv, const char *usage, int max_args,
               const char *accept_max)
{
	cli_parse_flags(o, argc, argv, usage, max_args, accept_max, 0);
}

void cli_parse_flags(cli_options *o, int argc, char **argv, const char *usage, int max_args,
                     const char *accept_max, unsigned flags)
{
	const char *pw = NULL, *pw_file = NULL;
	int i;
	const int rec = (flags & CLI_RECONNECT_OPTIONS) != 0;

	memset(o, 0, sizeof(*o));
	o->keepalive = 15;
	o->reconnect_max = 15000;
	o->prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		/* options that take a value: "--opt VALUE" or "--opt=VALUE" */
		static const char *const valued[] = {"--jid", "--password", "--password-file", "--server",
		                                     "--cafile", "--pin", "--max", "--mechanism",
		                                     "--tls-priority", "--dns-server", "--resource",
		                                     "--wait-reply", NULL};
		static const char *const rec_valued[] = {"--reconnect-max", "--keepalive", NULL};
		size_t k;
		char name[32];
		int takes_value;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			printf("Usage: %s %s", o->prog, usage);
			exit(CLI_EXIT_OK);
		}
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++) {
				if (o->nargs >= max_args)
					usage_error(o, "unexpected argument", argv[i]);
				o->args[o->nargs++] = argv[i];
			}
			break;
		}
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(a, "="), a);
		for (k = 0; valued[k] != NULL; k++)
			if (strcmp(name, valued[k]) == 0)
				break;
		takes_value = valued[k] != NULL;
		for (k = 0; rec && !takes_value && rec_valued[k] != NULL; k++)
			takes_value = strcmp(name, rec_valued[k]) == 0;
		if (takes_value || (accept_max != NULL && strcmp(name, accept_max) == 0)) {
			if (a[strlen(name)] == '=')
				val = a + strlen(name) + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				usage_error(o, "missing value for option", name);
		}
		if (strcmp(name, "--jid") == 0)
			o->jid = val;
		else if (strcmp(name, "--password") == 0)
			pw = val;
		else if (strcmp(name, "--password-file") == 0)
			pw_file = val;
		else if (strcmp(name, "--server") == 0)
			o->server = val;
		else if (strcmp(name, "--cafile") == 0)
			o->cafile = val;
		else if (strcmp(name, "--pin") == 0)
			add_list(o, o->pins, "--pin", val);
		else if (strcmp(name, "--mechanism") == 0)
			add_list(o, o->mechanisms, "--mechanism", val);
		else if (strcmp(name, "--tls-priority") == 0)
			o->tls_priority = val;
		else if (strcmp(name, "--dns-server") == 0)
			o->dns_server = val;
		else if (strcmp(name, "--resource") == 0)
			o->resource = val;
		else if (accept_max != NULL && strcmp(name, accept_max) == 0)
			o->max = parse_number(o, name, val);
		else if (rec && strcmp(name, "--reconnect-max") == 0) {
			o->reconnect_max = parse_number(o, name, val);
			if (o->reconnect_max > UINT32_MAX)
				usage_error(o, "too large:", name);
		} else if (rec && strcmp(name, "--keepalive") == 0) {
			o->keepalive = parse_number(o, name, val);
			if (o->keepalive > UINT32_MAX / 1000)
				usage_error(o, "too large:", name);
		} else if (rec && strcmp(a, "--no-reconnect") == 0)
			o->no_reconnect = 1;
		else if (rec && strcmp(a, "--tcp-keepalive") == 0)
			o->tcp_keepalive = 1;
		else if (strcmp(a, "--direct-tls") == 0)
			o->direct_tls = 1;
		else if (strcmp(a, "--insecure-plaintext") == 0)
			o->insecure_plaintext = 1;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			o->verbose = 1;
		else if (a[0] == '-' && a[1] != '\0')
			usage_error(o, "unknown option", a);
		else if (o->nargs < max_args)
			o->args[o->nargs++] = a;
		else
			usage_error(o, "unexpected argument", a);
	}
	if (o->jid == NULL)
		usage_error(o, "--jid is required", NULL);
	if ((pw != NULL) + (pw_file != NULL) > 1)
		usage_error(o, "give either --password or --password-file, not both", NULL);
	if (pw != NULL)
		o->password = strdup(pw);
	else if (pw_file != NULL)
		o->password = read_password_file(o, pw_file);
	else if (getenv("XMPPC_PASSWORD") != NULL)
		o->password = strdup(getenv("XMPPC_PASSWORD"));
	else
		usage_error(o, "no password: use --password, --password-file or XMPPC_PASSWORD", NULL);
	if (o->password == NULL) {
		fprintf(stderr, "%s: out of memory\n", o->prog);
		exit(CLI_EXIT_FAILURE);
	}
	if (o->insecure_plaintext)
		fprintf(stderr, "%s: warning: --insecure-plaintext: no TLS, password sent in the clear "
		                "(loopback tests and benchmarks only)\n", o->prog);
}

void cli_free(cli_options *o)
{
	if (o->password != NULL) {
		memset(o->password, 0, strlen(o->password));
		free(o->password);
		o->password = NULL;
	}
}

static void log_stderr(void *ud, xmppc_log_level level, const char *area, const char *msg)
{
	static const char *const names[] = {"", "error", "warning", "info", "debug", "trace"};
	const cli_options *o = ud;

	fprintf(stderr, "%s: %s: %s: %s\n", o->prog, names[level <= 5 ? level : 5], area, msg);
}

static void trace_stderr(void *ud, xmppc_trace_dir dir, const char *data, size_t len)
{
	(void)ud;
	fprintf(stderr, "%s %.*s\n", dir == XMPPC_TRACE_IN ? "<<" : ">>", (int)len, data);
}

xmppc_ctx *cli_ctx(const cli_options *o)
{
	xmppc_ctx *ctx;

	if (xmppc_ctx_new(&ctx, NULL) != 0) {
		fprintf(stderr, "%s: out of memory\n", o->prog);
		exit(CLI_EXIT_FAILURE);
	}
	xmppc_ctx_set_log(ctx, o->verbose ? XMPPC_LOG_DEBUG : XMPPC_LOG_NONE, log_stderr, (void *)o,
	                  NULL);
	if (o->verbose)
		xmppc_ctx_set_trace(ctx, trace_stderr, NULL, NULL);
	return ctx;
}

xmppc_conn *cli_conn(const cli_options *o, xmppc_ctx *ctx, xmppc_loop *loop)
{
	xmppc_session_config sc;
	xmppc_conn_config cc;
	xmppc_conn *conn;
	int rc;

	memset(&sc, 0, sizeof(sc));
	sc.version = XMPPC_SESSION_CONFIG_VERSION;
	sc.jid = o->jid;
	sc.password = o->password;
	sc.resource = o->resource;
	sc.mechanisms = o->mechanisms[0] != NULL ? o->mechanisms : NULL;
	if (o->insecure_plaintext)
		sc.flags |= XMPPC_SESSION_ALLOW_PLAINTEXT | XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS;
	memset(&cc, 0, sizeof(cc));
	cc.version = XMPPC_CONN_CONFIG_VERSION;
	cc.session = &sc;
	cc.server = o->server;
	cc.flags = o->direct_tls ? XMPPC_CONN_DIRECT_TLS : 0;
	cc.ca_file = o->cafile;
	cc.pins = o->pins[0] != NULL ? o->pins : NULL;
	cc.tls_priority = o->tls_priority;
	cc.dns_servers = o->dns_server;
	rc = xmppc_conn_new(&conn, ctx, &cc);
	if (rc != 0) {
		fprintf(stderr, "%s: cannot set up the connection: %s: %s\n", o->prog,
		        xmppc_error_name(rc), xmppc_strerror(rc));
		exit(rc == XMPPC_ETLS_CONFIG ? CLI_EXIT_TLS : CLI_EXIT_USAGE);
	}
	if ((rc = xmppc_loop_add(loop, conn)) != 0) {
		fprintf(stderr, "%s: %s\n", o->prog, xmppc_strerror(rc));
		exit(CLI_EXIT_FAILURE);
	}
	return conn;
}

/* TCP keepalive of --tcp-keepalive: first probe after 60 s of silence,
 * then every 10 s; 3 unanswered probes end the connection. */
#define CLI_TCP_KEEPIDLE 60u
#define CLI_TCP_KEEPINTVL 10u
#define CLI_TCP_KEEPCNT 3u
/* --keepalive: a probe unanswered for this long (or for the keepalive
 * interval, if shorter) means a dead link. */
#define CLI_LIVENESS_TIMEOUT_MS 10000u

void cli_setup_reconnect(const cli_options *o, xmppc_conn *conn)
{
	int rc = 0;

	if (!o->no_reconnect) {
		xmppc_reconnect_config rcfg;
		memset(&rcfg, 0, sizeof(rcfg));
		rcfg.version = XMPPC_RECONNECT_CONFIG_VERSION;
		rcfg.max_ms = (uint32_t)o->reconnect_max;
		rc = xmppc_conn_set_reconnect(conn, &rcfg);
	}
	if (rc == 0 && o->keepalive > 0) {
		xmppc_liveness_config lc;
		memset(&lc, 0, sizeof(lc));
		lc.version = XMPPC_LIVENESS_CONFIG_VERSION;
		lc.idle_ms = (uint32_t)(o->keepalive * 1000u);
		lc.timeout_ms = lc.idle_ms < CLI_LIVENESS_TIMEOUT_MS ? lc.idle_ms : CLI_LIVENESS_TIMEOUT_MS;
		rc = xmppc_session_set_liveness(xmppc_conn_session(conn), &lc);
	}
	if (rc == 0 && o->tcp_keepalive)
		rc = xmppc_conn_set_tcp_keepalive(conn, CLI_TCP_KEEPIDLE, CLI_TCP_KEEPINTVL,
		                                  CLI_TCP_KEEPCNT);
	if (rc != 0) {
		fprintf(stderr, "%s: cannot set up reconnection: %s: %s\n", o->prog,
		        xmppc_error_name(rc), xmppc_strerror(rc));
		exit(CLI_EXIT_FAILURE);
	}
}

const char *cli_stage_name(xmppc_conn_stage s)
{
	switch (s) {
	case XMPPC_CONN_STAGE_DNS:
		return "DNS resolution";
	case XMPPC_CONN_STAGE_TCP:
		return "connection";
	case XMPPC_CONN_STAGE_TLS:
		return "TLS";
	case XMPPC_CONN_STAGE_STREAM:
		return "stream negotiation";
	case XMPPC_CONN_STAGE_AUTH:
		return "authentication";
	case XMPPC_CONN_STAGE_BIND:
		return "resource binding";
	case XMPPC_CONN_STAGE_WAITING:
		return "reconnection";
	default:
		return "connection";
	}
}

int cli_report_closed(const cli_options *o, const xmppc_conn_event *ev)
{
	int status;

	if (ev->error == 0)
		return CLI_EXIT_OK;
	switch (ev->stage) {
	case XMPPC_CONN_STAGE_DNS:
	case XMPPC_CONN_STAGE_TCP:
		status = CLI_EXIT_CONNECT;
		break;
	case XMPPC_CONN_STAGE_TLS:
		status = CLI_EXIT_TLS;
		break;
	case XMPPC_CONN_STAGE_AUTH:
	case XMPPC_CONN_STAGE_BIND:
		status = CLI_EXIT_AUTH;
		break;
	default:
		status = CLI_EXIT_FAILURE;
	}
	fprintf(stderr, "%s: %s failed: %s: %s\n", o->prog, cli_stage_name(ev->stage),
	        xmppc_error_name(ev->error), ev->text != NULL && ev->text[0] ? ev->text
	                                                                    : xmppc_strerror(ev->error));
	return status;
}

static xmppc_loop *signal_loop;
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
	if (signal_loop != NULL)
		xmppc_loop_wakeup(signal_loop);
}

void cli_handle_signals(xmppc_loop *loop)
{
	struct sigaction sa;

	signal_loop = loop;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cli_signalled(void)
{
	return got_signal;
}
