/* Interop of the roster and presence modules (lib/ext/roster) against a
 * real server. Clients in one loop: A and A2 (two resources of user1), B
 * (user2); later V and V2 (user1 again) for versioning.
 *
 *  1. all log in; the rosters are fetched on bind (and emptied of leftovers)
 *  2. A adds user3 with a name and a group, renames it, removes it: A2 sees
 *     each change as a push
 *  3. subscription handshake both ways between A and B (request, approve,
 *     roster pushes with the new subscription states)
 *  4. presence tracking: B sees user1 on two resources with their
 *     priorities and the best one; A2 goes offline; A sees its own A2
 *  5. versioning: V fetches and saves the roster; V2 starts from the saved
 *     copy, sends its version and ends with the same roster
 *  6. cleanup: the items are removed again
 *
 * Public API only. usage: roster-interop SERVER CAFILE JID1 PW1 JID2 PW2 JID3 [SECONDS]
 * Prints "ok NAME detail" / "FAIL NAME: why" lines, then "result=OK|FAIL". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmppc/xmppc.h>

typedef struct client {
	const char *name;
	xmppc_conn *conn;
	int ready, closed, loaded;
	int subscribe_from_peer, subscribed_by_peer;
	int pushes, removals;
	char last_push[256];
} client;

static xmppc_ctx *ctx;
static xmppc_loop *loop;
static client A = {.name = "A"}, A2 = {.name = "A2"}, B = {.name = "B"}, V = {.name = "V"},
              V2 = {.name = "V2"};
static const char *server, *cafile, *jid[3], *pw[2];
static char bare[3][256];
static int failures;
static char *saved; /* the store of V and V2 */
static int saves;

static void check(int ok, const char *name, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "ok" : "FAIL", name, ok ? " " : ": ", detail);
	fflush(stdout);
	if (!ok)
		failures++;
}

static xmppc_session *S(client *c)
{
	return xmppc_conn_session(c->conn);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- module callbacks */

static void on_roster(void *ud, xmppc_session *s, const xmppc_roster_event *ev)
{
	client *c = ud;

	(void)s;
	if (ev->type == XMPPC_ROSTER_EVENT_LOADED) {
		c->loaded = 1;
	} else if (ev->type == XMPPC_ROSTER_EVENT_FETCH_FAILED) {
		check(0, c->name, "roster-fetch-failed");
		c->loaded = -1;
	} else {
		if (ev->type == XMPPC_ROSTER_EVENT_ITEM)
			c->pushes++;
		else
			c->removals++;
		snprintf(c->last_push, sizeof(c->last_push), "%s %s name=%s groups=%zu sub=%s",
		         ev->type == XMPPC_ROSTER_EVENT_ITEM ? "item" : "removed", ev->item->jid,
		         ev->item->name ? ev->item->name : "-", ev->item->n_groups,
		         xmppc_roster_subscription_name(ev->item->subscription));
	}
}

static void on_presence(void *ud, xmppc_session *s, const xmppc_presence_event *ev)
{
	client *c = ud;
	int rc;

	if (ev->type == XMPPC_PRESENCE_EVENT_SUBSCRIBE) {
		c->subscribe_from_peer++;
		/* approve from inside the callback, as an application would */
		if ((rc = xmppc_presence_approve(s, ev->jid)) != 0)
			check(0, "approve", xmppc_error_name(rc));
	} else if (ev->type == XMPPC_PRESENCE_EVENT_SUBSCRIBED) {
		c->subscribed_by_peer++;
	} else if (ev->type == XMPPC_PRESENCE_EVENT_ERROR) {
		check(0, "presence-error", ev->jid);
	}
}

static int st_load(void *ud, xmppc_buf *out)
{
	(void)ud;
	return saved != NULL ? xmppc_buf_append(out, saved, strlen(saved)) : 0;
}

static int st_save(void *ud, const char *data, size_t len)
{
	(void)ud;
	(void)len;
	free(saved);
	saved = strdup(data);
	saves++;
	return saved != NULL ? 0 : XMPPC_ENOMEM;
}

/* ---- connections */

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	client *c = ud;

	(void)conn;
	if (ev->type == XMPPC_CONN_EVENT_READY) {
		c->ready = 1;
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		if (!c->ready || ev->error != 0) {
			char d[300];

			snprintf(d, sizeof(d), "%s: %s", xmppc_error_name(ev->error),
			         ev->text ? ev->text : "");
			check(ev->error == 0, c->name, d);
		}
		c->closed = 1;
	}
}

static int open_client(client *c, int account, const char *resource, int versioned)
{
	xmppc_roster_store store = {XMPPC_ROSTER_STORE_VERSION, st_load, st_save, NULL, NULL};
	xmppc_roster_config rc_ = {XMPPC_ROSTER_CONFIG_VERSION, 0, NULL};
	xmppc_session_config sc;
	xmppc_conn_config cc;
	int rc;

	if (versioned) {
		rc_.flags = XMPPC_ROSTER_VERSIONING;
		rc_.store = &store;
	}
	memset(&sc, 0, sizeof(sc));
	sc.version = XMPPC_SESSION_CONFIG_VERSION;
	sc.jid = jid[account];
	sc.password = pw[account];
	sc.resource = resource;
	sc.iq_timeout_ms = 10000;
	memset(&cc, 0, sizeof(cc));
	cc.version = XMPPC_CONN_CONFIG_VERSION;
	cc.session = &sc;
	cc.server = server;
	cc.ca_file = cafile;
	cc.flags = XMPPC_CONN_NO_SYSTEM_TRUST;
	if ((rc = xmppc_conn_new(&c->conn, ctx, &cc)) != 0 ||
	    (rc = xmppc_conn_set_event_fn(c->conn, on_event, c, NULL)) != 0 ||
	    (rc = xmppc_session_add_module(S(c), xmppc_roster_module(), &rc_)) != 0 ||
	    (rc = xmppc_roster_set_event_fn(S(c), on_roster, c, NULL)) != 0 ||
	    (rc = xmppc_session_add_module(S(c), xmppc_presence_module(), NULL)) != 0 ||
	    (rc = xmppc_presence_set_event_fn(S(c), on_presence, c, NULL)) != 0 ||
	    (rc = xmppc_loop_add(loop, c->conn)) != 0)
		return rc;
	return xmppc_conn_connect(c->conn);
}

/* ---- steps: an action, then a condition polled until it holds or 8 s pass */

static const xmppc_roster_item *item(client *c, int account)
{
	return xmppc_roster_find(S(c), bare[account]);
}

static int has_sub(client *c, int account, xmppc_roster_subscription sub)
{
	const xmppc_roster_item *it = item(c, account);

	return it != NULL && it->subscription == sub;
}

static int outstanding; /* roster sets without their answer yet */

static void req_done(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	(void)s;
	outstanding--;
	(void)reply;
	if (error != 0)
		check(0, ud, xmppc_error_name(error));
}

static void set_item(client *c, int account, const char *name, const char *group)
{
	const char *groups[1] = {group};
	xmppc_roster_item it = {
	    XMPPC_ROSTER_ITEM_VERSION, NULL, NULL, XMPPC_SUBSCRIPTION_NONE, 0, 0, NULL, 0};
	int rc;

	it.jid = bare[account];
	it.name = name;
	if (group != NULL) {
		it.groups = groups;
		it.n_groups = 1;
	}
	if ((rc = xmppc_roster_set_item(S(c), &it, req_done, "roster-set", NULL)) != 0)
		check(0, "roster-set", xmppc_error_name(rc));
	else
		outstanding++;
}

static void remove_item(client *c, int account)
{
	int rc = xmppc_roster_remove_item(S(c), bare[account], req_done, "roster-remove", NULL);

	if (rc != 0)
		check(0, "roster-remove", xmppc_error_name(rc));
	else
		outstanding++;
}

static void must(int rc, const char *what)
{
	if (rc != 0)
		check(0, what, xmppc_error_name(rc));
}

static void a_login(void)
{
}
static int c_login(void)
{
	return A.ready && A2.ready && B.ready && A.loaded && A2.loaded && B.loaded;
}

static void a_clean(void)
{
	if (item(&A, 1) != NULL)
		remove_item(&A, 1);
	if (item(&A, 2) != NULL)
		remove_item(&A, 2);
	if (item(&B, 0) != NULL)
		remove_item(&B, 0);
}
static int c_clean(void)
{
	return item(&A, 1) == NULL && item(&A, 2) == NULL && item(&B, 0) == NULL &&
	       item(&A2, 1) == NULL && outstanding == 0;
}

static void a_presence(void)
{
	must(xmppc_presence_send_available(S(&A), NULL, XMPPC_SHOW_NONE, "A here", 1),
	     "A-presence");
	must(xmppc_presence_send_available(S(&A2), NULL, XMPPC_SHOW_AWAY, "A2 away", 5),
	     "A2-presence");
	must(xmppc_presence_send_available(S(&B), NULL, XMPPC_SHOW_NONE, NULL, 0), "B-presence");
}
/* A sees its other resource A2, A2 sees A */
static int c_presence(void)
{
	return xmppc_presence_resource_count(S(&A), bare[0]) == 2 &&
	       xmppc_presence_resource_count(S(&A2), bare[0]) == 2;
}

static int pushes0;
static void a_add(void)
{
	pushes0 = A2.pushes;
	set_item(&A, 2, "Three", "Interop");
}
static int c_add(void)
{
	const xmppc_roster_item *it = item(&A2, 2);

	return A2.pushes > pushes0 && it != NULL && it->name != NULL &&
	       strcmp(it->name, "Three") == 0 && it->n_groups == 1 &&
	       strcmp(it->groups[0], "Interop") == 0 && item(&A, 2) != NULL;
}

static void a_rename(void)
{
	pushes0 = A2.pushes;
	set_item(&A, 2, "Drei", NULL);
}
static int c_rename(void)
{
	const xmppc_roster_item *it = item(&A2, 2);

	return A2.pushes > pushes0 && it != NULL && it->name != NULL &&
	       strcmp(it->name, "Drei") == 0 && it->n_groups == 0;
}

static void a_remove(void)
{
	remove_item(&A, 2);
}
static int c_remove(void)
{
	return A2.removals > 0 && item(&A2, 2) == NULL && item(&A, 2) == NULL;
}

static void a_sub_ab(void)
{
	must(xmppc_presence_subscribe(S(&A), bare[1], "interop"), "A-subscribe");
}
/* B was asked and approved (from its callback); A got 'subscribed' and
 * the push with subscription 'to' */
static int c_sub_ab(void)
{
	return B.subscribe_from_peer > 0 && A.subscribed_by_peer > 0 &&
	       has_sub(&A, 1, XMPPC_SUBSCRIPTION_TO) && has_sub(&A2, 1, XMPPC_SUBSCRIPTION_TO) &&
	       has_sub(&B, 0, XMPPC_SUBSCRIPTION_FROM);
}

static void a_sub_ba(void)
{
	must(xmppc_presence_subscribe(S(&B), bare[0], NULL), "B-subscribe");
}
static int c_sub_ba(void)
{
	return A.subscribe_from_peer > 0 && B.subscribed_by_peer > 0 &&
	       has_sub(&A, 1, XMPPC_SUBSCRIPTION_BOTH) && has_sub(&B, 0, XMPPC_SUBSCRIPTION_BOTH);
}

/* after the approval the server sends B user1's presence from both resources */
static void a_track(void)
{
}
static int c_track(void)
{
	const xmppc_presence_info *best = xmppc_presence_best(S(&B), bare[0]);

	return xmppc_presence_resource_count(S(&B), bare[0]) == 2 && best != NULL &&
	       strcmp(best->resource, "ra2") == 0 && best->priority == 5 &&
	       best->show == XMPPC_SHOW_AWAY && xmppc_presence_best(S(&A), bare[1]) != NULL;
}

static void a_a2_off(void)
{
	must(xmppc_presence_send_unavailable(S(&A2), NULL, "bye"), "A2-unavailable");
}
static int c_a2_off(void)
{
	const xmppc_presence_info *best = xmppc_presence_best(S(&B), bare[0]);

	return xmppc_presence_resource_count(S(&B), bare[0]) == 1 && best != NULL &&
	       strcmp(best->resource, "ra1") == 0 && best->priority == 1 &&
	       xmppc_presence_resource_count(S(&A), bare[0]) == 1;
}

static void a_v1(void)
{
	must(open_client(&V, 0, "rv1", 1), "V-connect");
}
static int c_v1(void)
{
	return V.loaded && saves > 0 && saved != NULL && strstr(saved, " ver=") != NULL &&
	       strstr(saved, bare[1]) != NULL && xmppc_roster_ver(S(&V)) != NULL;
}

static size_t v1_count;
static void a_v2(void)
{
	v1_count = xmppc_roster_count(S(&V));
	must(xmppc_conn_close(V.conn), "V-close");
	must(open_client(&V2, 0, "rv2", 1), "V2-connect");
}
static int c_v2(void)
{
	return V2.loaded && xmppc_roster_count(S(&V2)) == v1_count &&
	       has_sub(&V2, 1, XMPPC_SUBSCRIPTION_BOTH);
}

static void a_cleanup(void)
{
	remove_item(&A, 1);
	remove_item(&B, 0);
}
static int c_cleanup(void)
{
	return item(&A, 1) == NULL && item(&B, 0) == NULL && outstanding == 0;
}

static void a_close(void)
{
	client *all[] = {&A, &A2, &B, &V2};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->conn != NULL && !all[i]->closed && xmppc_conn_close(all[i]->conn) != 0)
			all[i]->closed = 1;
}
static int c_close(void)
{
	return A.closed && A2.closed && B.closed && (V2.conn == NULL || V2.closed);
}

typedef struct step {
	const char *name;
	void (*action)(void);
	int (*done)(void);
	int fatal; /* stop the run when it fails */
} step;

static const step steps[] = {
    {"login-and-fetch", a_login, c_login, 1},
    {"leftovers-removed", a_clean, c_clean, 1},
    {"own-presence-two-resources", a_presence, c_presence, 0},
    {"roster-add-push-to-A2", a_add, c_add, 0},
    {"roster-rename-push-to-A2", a_rename, c_rename, 0},
    {"roster-remove-push-to-A2", a_remove, c_remove, 0},
    {"subscription-A-to-B", a_sub_ab, c_sub_ab, 0},
    {"subscription-B-to-A", a_sub_ba, c_sub_ba, 0},
    {"tracking-two-resources", a_track, c_track, 0},
    {"tracking-resource-offline", a_a2_off, c_a2_off, 0},
    {"versioning-fetch-save", a_v1, c_v1, 0},
    {"versioning-restart", a_v2, c_v2, 0},
    {"cleanup", a_cleanup, c_cleanup, 0},
    {"close", a_close, c_close, 0},
};

static void bare_of(char *out, size_t cap, const char *j)
{
	xmppc_jid *p;

	if (xmppc_jid_new(&p, ctx, j) == 0) {
		snprintf(out, cap, "%s", xmppc_jid_bare(p));
		xmppc_jid_unref(p);
	} else {
		snprintf(out, cap, "%s", j);
	}
}

int main(int argc, char **argv)
{
	double deadline, step_deadline = 0;
	size_t k = 0;
	int started = 0, rc;

	if (argc < 8) {
		fprintf(stderr,
		        "usage: roster-interop SERVER CAFILE JID1 PW1 JID2 PW2 JID3 [SECONDS]\n");
		return 2;
	}
	server = argv[1];
	cafile = argv[2];
	jid[0] = argv[3];
	pw[0] = argv[4];
	jid[1] = argv[5];
	pw[1] = argv[6];
	jid[2] = argv[7];
	deadline = now_s() + (argc > 8 ? strtod(argv[8], NULL) : 40);
	if ((rc = xmppc_ctx_new(&ctx, NULL)) != 0 || (rc = xmppc_loop_new(&loop, ctx, 0)) != 0) {
		printf("result=FAIL setup: %s\n", xmppc_error_name(rc));
		return 1;
	}
	for (rc = 0; rc < 3; rc++)
		bare_of(bare[rc], sizeof(bare[rc]), jid[rc]);
	if ((rc = open_client(&A, 0, "ra1", 0)) != 0 || (rc = open_client(&A2, 0, "ra2", 0)) != 0 ||
	    (rc = open_client(&B, 1, "rb", 0)) != 0) {
		printf("result=FAIL connect: %s\n", xmppc_error_name(rc));
		return 1;
	}
	while (k < sizeof(steps) / sizeof(steps[0]) && now_s() < deadline) {
		if (!started) {
			steps[k].action();
			started = 1;
			step_deadline = now_s() + 8;
		}
		if (steps[k].done() || now_s() > step_deadline) {
			int ok = steps[k].done();

			check(ok, steps[k].name,
			      ok ? "done" : (A2.last_push[0] ? A2.last_push : "timeout"));
			if (!ok && steps[k].fatal)
				break;
			k++;
			started = 0;
			continue;
		}
		if ((rc = xmppc_loop_run_once(loop, 50)) < 0) {
			check(0, "loop", xmppc_error_name(rc));
			break;
		}
	}
	if (k < sizeof(steps) / sizeof(steps[0]))
		check(0, "timeout", "the steps did not finish");
	printf("result=%s failures=%d step=%zu\n", failures == 0 ? "OK" : "FAIL", failures, k);
	xmppc_conn_free(A.conn);
	xmppc_conn_free(A2.conn);
	xmppc_conn_free(B.conn);
	xmppc_conn_free(V.conn);
	xmppc_conn_free(V2.conn);
	xmppc_loop_free(loop);
	xmppc_ctx_unref(ctx);
	free(saved);
	return failures == 0 ? 0 : 1;
}
