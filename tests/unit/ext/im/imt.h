/* Shared bits of the im/carbons tests: a message recorder for the im
 * module's callback (copies of the fields, so they outlive the stanza). */
#ifndef XMPPC_TESTS_IMT_H
#define XMPPC_TESTS_IMT_H

#include <stdio.h>
#include <string.h>

#include <xmppc/xmppc.h>

typedef struct imt_msg {
	int count;
	xmppc_im_message m; /* strings below replace the borrowed ones */
	char from[256], body[256], id[128], stanza_id[128], origin_id[128], replace_id[128];
	char receipt_id[128], marker_id[128], thread[128], parent_thread[128], subject[128];
} imt_msg;

static inline void imt_copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "(null)");
}

static inline int imt_record(void *ud, xmppc_session *s, const xmppc_im_message *m)
{
	imt_msg *r = ud;

	(void)s;
	r->count++;
	r->m = *m;
	r->m.stanza = NULL;
	imt_copy(r->from, sizeof(r->from), m->from);
	imt_copy(r->body, sizeof(r->body), m->body);
	imt_copy(r->id, sizeof(r->id), m->id);
	imt_copy(r->stanza_id, sizeof(r->stanza_id), m->stanza_id);
	imt_copy(r->origin_id, sizeof(r->origin_id), m->origin_id);
	imt_copy(r->replace_id, sizeof(r->replace_id), m->replace_id);
	imt_copy(r->receipt_id, sizeof(r->receipt_id), m->receipt_id);
	imt_copy(r->marker_id, sizeof(r->marker_id), m->marker_id);
	imt_copy(r->thread, sizeof(r->thread), m->thread);
	imt_copy(r->parent_thread, sizeof(r->parent_thread), m->parent_thread);
	imt_copy(r->subject, sizeof(r->subject), m->subject);
	return XMPPC_CB_OK;
}

#endif
