/* xmpp-disco: browse an XMPP entity with service discovery (XEP-0030):
 * its identities, features, extension forms and items, optionally
 * following the items (--depth N). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"--jid JID [options] [TARGET [NODE]]\n"
	"\n"
	"Log in and show what TARGET (default: the account's server) says about\n"
	"itself with service discovery: identities, features, extension forms\n"
	"(XEP-0128) and items. NODE asks about a node of TARGET.\n"
	"\n"
	"Account and connection options are those of xmpp-echo-bot:\n"
	"  --jid JID, --password PW, --password-file FILE (or XMPPC_PASSWORD),\n"
	"  --resource RES, --mechanism NAME, --server HOST[:PORT], --direct-tls,\n"
	"  --cafile FILE, --pin SHA256, --tls-priority STR, --dns-server IP[:PORT],\n"
	"  --insecure-plaintext (loopback tests only), -v, -h/--help.\n"
	"\n"
	"  --depth N   also browse the items, N levels deep (0-16, default 0; at\n"
	"              most 200 entities in all)\n"
	"\n"
	"Output: one line per fact, indented by depth:\n"
	"  entity JID [node NODE]\n"
	"    identity CATEGORY/TYPE [NAME]\n"
	"    feature VAR\n"
	"    form FORM_TYPE VAR=VALUE[,VALUE...] ...\n"
	"    item JID [node NODE] [NAME]\n"
	"    error info|items: CONDITION\n"
	"\n"
	"Exit status: 0 TARGET answered; 1 it did not (error reply, timeout) or the\n"
	"connection was lost; 2 bad command line; 3 authentication refused; 4 TLS\n"
	"or certificate failure; 5 the server could not be reached.\n";

#define MAX_ENTITIES 200

typedef struct entity {
	char *jid;
	char *node;
	unsigned depth;
	int parent;
	xmppc_stanza *info;  /* the result's <query/> (a reference on its tree) */
	xmppc_stanza *items;
	char info_error[64];
	char items_error[64];
} entity;

typedef struct browser {
	cli_options opt;
	xmppc_ctx *ctx;
	xmppc_loop *loop;
	xmppc_conn *conn;
	entity ents[MAX_ENTITIES];
	int n;
	int outstanding;
	int done;
	int status;
} browser;

typedef struct ask {
	browser *b;
	int index;
	int items;
} ask;

static void start(browser *b, xmppc_session *s, const char *jid, const char *node,
                  unsigned depth, int parent);

static void error_text(char *out, size_t size, const xmppc_stanza *reply, int error)
{
	xmppc_stanza_error_info ei;

	ei.version = XMPPC_STANZA_ERROR_INFO_VERSION;
	if (error == XMPPC_IQ_ERROR_REPLY && xmppc_stanza_get_error(&ei, reply) == 0)
		snprintf(out, size, "%s", xmppc_stanza_condition_name(ei.condition));
	else
		snprintf(out, size, "%s", xmppc_error_name(error));
}

static void follow_items(browser *b, xmppc_session *s, int index, const xmppc_stanza *q)
{
	const xmppc_stanza *it;

	if (b->ents[index].depth >= b->opt.max)
		return;
	for (it = xmppc_stanza_find_child(q, "item", XMPPC_NS_DISCO_ITEMS); it != NULL;
	     it = xmppc_stanza_find_next(it, "item", XMPPC_NS_DISCO_ITEMS))
		if (xmppc_stanza_attr(it, "jid") != NULL)
			start(b, s, xmppc_stanza_attr(it, "jid"), xmppc_stanza_attr(it, "node"),
			      b->ents[index].depth + 1, index);
}

static void on_result(void *ud, xmppc_session *s, const xmppc_stanza *q, const xmppc_stanza *reply,
                      int error)
{
	ask *a = ud;
	browser *b = a->b;
	entity *e = &b->ents[a->index];

	if (error != 0)
		error_text(a->items ? e->items_error : e->info_error, sizeof(e->info_error), reply,
		           error);
	else if (a->items) {
		e->items = xmppc_stanza_ref((xmppc_stanza *)q);
		follow_items(b, s, a->index, q);
	} else
		e->info = xmppc_stanza_ref((xmppc_stanza *)q);
}

static void ask_done(void *ud)
{
	ask *a = ud;
	browser *b = a->b;

	free(a);
	if (--b->outstanding == 0)
		xmppc_conn_close(b->conn);
}

static void query(browser *b, xmppc_session *s, int index, int items)
{
	entity *e = &b->ents[index];
	ask *a = calloc(1, sizeof(*a));
	int rc;

	if (a == NULL) {
		snprintf(items ? e->items_error : e->info_error, sizeof(e->info_error), "no memory");
		return;
	}
	a->b = b;
	a->index = index;
	a->items = items;
	b->outstanding++;
	rc = items ? xmppc_disco_get_items(s, e->jid, e->node, 0, on_result, a, ask_done)
	           : xmppc_disco_get_info(s, e->jid, e->node, 0, on_result, a, ask_done);
	if (rc != 0) {
		b->outstanding--;
		free(a);
		snprintf(items ? e->items_error : e->info_error, sizeof(e->info_error), "%s",
		         xmppc_error_name(rc));
	}
}

static void start(browser *b, xmppc_session *s, const char *jid, const char *node,
                  unsigned depth, int parent)
{
	entity *e;
	int i;

	for (i = 0; i < b->n; i++) /* each (JID, node) once */
		if (strcmp(b->ents[i].jid, jid) == 0 &&
		    (b->ents[i].node == NULL ? node == NULL
		                             : node != NULL && strcmp(b->ents[i].node, node) == 0))
			return;
	if (b->n == MAX_ENTITIES)
		return;
	e = &b->ents[b->n];
	e->jid = strdup(jid);
	e->node = node != NULL ? strdup(node) : NULL;
	e->depth = depth;
	e->parent = parent;
	if (e->jid == NULL || (node != NULL && e->node == NULL))
		return;
	b->n++;
	query(b, s, b->n - 1, 0);
	query(b, s, b->n - 1, 1);
}

static void indent(unsigned depth)
{
	unsigned i;

	for (i = 0; i < depth; i++)
		fputs("    ", stdout);
}

static void print_forms(const xmppc_stanza *q, unsigned depth)
{
	const xmppc_stanza *x, *f, *v;

	for (x = xmppc_stanza_find_child(q, "x", XMPPC_NS_DATA_FORMS); x != NULL;
	     x = xmppc_stanza_find_next(x, "x", XMPPC_NS_DATA_FORMS)) {
		indent(depth);
		fputs("  form", stdout);
		for (f = xmppc_stanza_find_child(x, "field", NULL); f != NULL;
		     f = xmppc_stanza_find_next(f, "field", NULL)) {
			const char *var = xmppc_stanza_attr(f, "var");
			int first = 1;
			if (var == NULL)
				continue;
			if (strcmp(var, "FORM_TYPE") == 0)
				putchar(' ');
			else
				printf(" %s=", var);
			for (v = xmppc_stanza_find_child(f, "value", NULL); v != NULL;
			     v = xmppc_stanza_find_next(v, "value", NULL), first = 0)
				printf("%s%s", first ? "" : ",", xmppc_stanza_text(v));
		}
		putchar('\n');
	}
}

static void print_entity(const browser *b, int index)
{
	const entity *e = &b->ents[index];
	const xmppc_stanza *c;
	int i;

	indent(e->depth);
	printf("entity %s%s%s\n", e->jid, e->node ? " node " : "", e->node ? e->node : "");
	for (c = xmppc_stanza_find_child(e->info, "identity", NULL); c != NULL;
	     c = xmppc_stanza_find_next(c, "identity", NULL)) {
		const char *name = xmppc_stanza_attr(c, "name");
		indent(e->depth);
		printf("  identity %s/%s%s%s\n", xmppc_stanza_attr(c, "category"),
		       xmppc_stanza_attr(c, "type"), name ? " " : "", name ? name : "");
	}
	for (c = xmppc_stanza_find_child(e->info, "feature", NULL); c != NULL;
	     c = xmppc_stanza_find_next(c, "feature", NULL)) {
		indent(e->depth);
		printf("  feature %s\n", xmppc_stanza_attr(c, "var"));
	}
	print_forms(e->info, e->depth);
	for (c = xmppc_stanza_find_child(e->items, "item", NULL); c != NULL;
	     c = xmppc_stanza_find_next(c, "item", NULL)) {
		const char *node = xmppc_stanza_attr(c, "node"), *name = xmppc_stanza_attr(c, "name");
		indent(e->depth);
		printf("  item %s%s%s%s%s\n", xmppc_stanza_attr(c, "jid"), node ? " node " : "",
		       node ? node : "", name ? " " : "", name ? name : "");
	}
	if (e->info_error[0] != '\0') {
		indent(e->depth);
		printf("  error info: %s\n", e->info_error);
	}
	if (e->items_error[0] != '\0') {
		indent(e->depth);
		printf("  error items: %s\n", e->items_error);
	}
	for (i = index + 1; i < b->n; i++)
		if (b->ents[i].parent == index)
			print_entity(b, i);
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	browser *b = ud;

	if (ev->type == XMPPC_CONN_EVENT_READY) {
		xmppc_session *s = xmppc_conn_session(conn);
		const char *target = b->opt.nargs > 0 ? b->opt.args[0]
		                                      : xmppc_jid_domain(xmppc_session_jid(s));
		start(b, s, target, b->opt.nargs > 1 ? b->opt.args[1] : NULL, 0, -1);
		if (b->outstanding == 0)
			xmppc_conn_close(conn);
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		b->done = 1;
		if (ev->error != 0 && b->outstanding > 0)
			b->status = cli_report_closed(&b->opt, ev);
		xmppc_loop_stop(b->loop);
	}
}

/* Take --depth N / --depth=N out of argv (cli_parse() knows only the
 * shared options); -1 for a bad value. */
static long take_depth(int *argc, char **argv)
{
	long depth = 0;
	int i, j = 1;

	for (i = 1; i < *argc; i++) {
		const char *v = NULL;
		char *end;
		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[j++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--depth") == 0 && i + 1 < *argc)
			v = argv[++i];
		else if (strncmp(argv[i], "--depth=", 8) == 0)
			v = argv[i] + 8;
		else if (strcmp(argv[i], "--depth") == 0)
			return -1;
		if (v == NULL) {
			argv[j++] = argv[i];
			continue;
		}
		depth = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || depth < 0 || depth > 16)
			return -1;
	}
	*argc = j;
	argv[j] = NULL;
	return depth;
}

int main(int argc, char **argv)
{
	browser *b = calloc(1, sizeof(*b));
	long depth = take_depth(&argc, argv);
	int rc, i, status;

	if (b == NULL)
		return CLI_EXIT_FAILURE;
	if (depth < 0) {
		fprintf(stderr, "%s: --depth needs a number from 0 to 16\n", argv[0]);
		return CLI_EXIT_USAGE;
	}
	cli_parse(&b->opt, argc, argv, usage, 2, NULL);
	b->opt.max = (unsigned long)depth;
	b->ctx = cli_ctx(&b->opt);
	if (xmppc_loop_new(&b->loop, b->ctx, 0) != 0) {
		fprintf(stderr, "%s: cannot create the event loop\n", b->opt.prog);
		return CLI_EXIT_FAILURE;
	}
	b->conn = cli_conn(&b->opt, b->ctx, b->loop);
	xmppc_conn_set_event_fn(b->conn, on_event, b, NULL);
	if ((rc = xmppc_session_add_module(xmppc_conn_session(b->conn), xmppc_disco_module(),
	                                   NULL)) != 0) {
		fprintf(stderr, "%s: cannot add the disco module: %s\n", b->opt.prog,
		        xmppc_strerror(rc));
		return CLI_EXIT_FAILURE;
	}
	cli_handle_signals(b->loop);
	if ((rc = xmppc_conn_connect(b->conn)) != 0) {
		fprintf(stderr, "%s: cannot connect: %s: %s\n", b->opt.prog, xmppc_error_name(rc),
		        xmppc_strerror(rc));
		return CLI_EXIT_CONNECT;
	}
	while (!b->done && !cli_signalled())
		if (xmppc_loop_run_once(b->loop, -1) < 0)
			break;
	if (b->n > 0)
		print_entity(b, 0);
	status = b->status;
	if (status == 0 && (b->n == 0 || b->ents[0].info == NULL || !b->done))
		status = CLI_EXIT_FAILURE;
	xmppc_loop_remove(b->loop, b->conn);
	xmppc_conn_free(b->conn);
	for (i = 0; i < b->n; i++) {
		xmppc_stanza_unref(b->ents[i].info);
		xmppc_stanza_unref(b->ents[i].items);
		free(b->ents[i].jid);
		free(b->ents[i].node);
	}
	xmppc_loop_free(b->loop);
	xmppc_ctx_unref(b->ctx);
	cli_free(&b->opt);
	free(b);
	return status;
}
