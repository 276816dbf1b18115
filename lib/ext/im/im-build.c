/* Building the IM extension elements on an outgoing message. */
#include <string.h>

#include <xmppc/im.h>

static int is_message(const xmppc_stanza *m)
{
	return xmppc_stanza_get_kind(m) == XMPPC_STANZA_MESSAGE;
}

/* Remove every child (name NULL: any name) in namespace ns. */
static void remove_children(xmppc_stanza *m, const char *name, const char *ns)
{
	xmppc_stanza *c;

	while ((c = xmppc_stanza_find_child(m, name, ns)) != NULL)
		xmppc_stanza_remove_child(m, c);
}

XMPPC_API int xmppc_im_set_chat_state(xmppc_stanza *message, xmppc_chat_state state)
{
	const char *name = xmppc_chat_state_name(state);

	if (!is_message(message) || (name == NULL && state != XMPPC_CHAT_STATE_NONE))
		return XMPPC_EINVAL;
	remove_children(message, NULL, XMPPC_NS_CHATSTATES);
	return name != NULL ? xmppc_stanza_new_child(NULL, message, name, XMPPC_NS_CHATSTATES) : 0;
}

XMPPC_API int xmppc_im_request_receipt(xmppc_stanza *message)
{
	if (!is_message(message))
		return XMPPC_EINVAL;
	if (xmppc_stanza_find_child(message, "request", XMPPC_NS_RECEIPTS) != NULL)
		return 0;
	return xmppc_stanza_new_child(NULL, message, "request", XMPPC_NS_RECEIPTS);
}

/* Replace the element (name, ns) by a new one with id='id'. */
static int set_id_element(xmppc_stanza *message, const char *name, const char *ns, const char *id)
{
	xmppc_stanza *el;
	int rc;

	if ((rc = xmppc_stanza_new_child(&el, message, name, ns)) != 0)
		return rc;
	if ((rc = xmppc_stanza_set_attr(el, "id", id)) != 0) {
		xmppc_stanza_remove_child(message, el);
		return rc;
	}
	/* only now drop the old one(s): on error the message is unchanged */
	for (;;) {
		xmppc_stanza *old = xmppc_stanza_find_child(message, name, ns);
		if (old == el)
			break;
		xmppc_stanza_remove_child(message, old);
	}
	return 0;
}

XMPPC_API int xmppc_im_set_replace(xmppc_stanza *message, const char *id)
{
	if (!is_message(message) || id == NULL || *id == '\0')
		return XMPPC_EINVAL;
	return set_id_element(message, "replace", XMPPC_NS_CORRECT, id);
}

XMPPC_API int xmppc_im_set_origin_id(xmppc_stanza *message, const char *id)
{
	if (!is_message(message))
		return XMPPC_EINVAL;
	if (id == NULL)
		id = xmppc_stanza_id(message);
	if (id == NULL || *id == '\0')
		return XMPPC_EINVAL;
	return set_id_element(message, "origin-id", XMPPC_NS_SID, id);
}

XMPPC_API int xmppc_im_set_marker(xmppc_stanza *message, xmppc_chat_marker marker, const char *id)
{
	static const char *const names[] = {"markable", "received", "displayed", "acknowledged"};
	xmppc_stanza *el;
	int rc;

	if (!is_message(message) || (int)marker < 0 || (size_t)marker >= 4 ||
	    (marker == XMPPC_MARKER_NONE) != (id == NULL) || (id != NULL && *id == '\0'))
		return XMPPC_EINVAL;
	if (marker == XMPPC_MARKER_NONE &&
	    xmppc_stanza_find_child(message, "markable", XMPPC_NS_CHAT_MARKERS) != NULL)
		return 0;
	if ((rc = xmppc_stanza_new_child(&el, message, names[marker], XMPPC_NS_CHAT_MARKERS)) != 0)
		return rc;
	if (id != NULL && (rc = xmppc_stanza_set_attr(el, "id", id)) != 0)
		xmppc_stanza_remove_child(message, el);
	return rc;
}

XMPPC_API int xmppc_im_add_hints(xmppc_stanza *message, unsigned hints)
{
	static const char *const names[] = {"no-permanent-store", "no-store", "no-copy", "store"};
	unsigned i;
	int rc;

	if (!is_message(message) || (hints & ~0xfu) != 0)
		return XMPPC_EINVAL;
	for (i = 0; i < 4; i++) {
		if (!(hints & (1u << i)) ||
		    xmppc_stanza_find_child(message, names[i], XMPPC_NS_HINTS) != NULL)
			continue;
		if ((rc = xmppc_stanza_new_child(NULL, message, names[i], XMPPC_NS_HINTS)) != 0)
			return rc;
	}
	return 0;
}
