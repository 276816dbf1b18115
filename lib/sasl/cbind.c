/* Channel-binding type names as they appear in the GS2 header and in
 * XEP-0440's <channel-binding type='...'/> (RFC 5929 §3-4, RFC 9266 §2). */
#include <string.h>

#include <xmppc/cbind.h>

static const char *const names[XMPPC_CB_TYPE_COUNT] = {
    NULL,
    "tls-unique",
    "tls-server-end-point",
    "tls-exporter",
};

XMPPC_API const char *xmppc_cb_type_name(xmppc_cb_type type)
{
	if ((int)type <= XMPPC_CB_NONE || (int)type >= XMPPC_CB_TYPE_COUNT)
		return NULL;
	return names[type];
}

XMPPC_API xmppc_cb_type xmppc_cb_type_from_name(const char *name, size_t len)
{
	int i;

	if (name == NULL)
		return XMPPC_CB_NONE;
	/* Exact, case-sensitive: the registry names are lower case and the
	 * GS2 header compares them as octets. */
	for (i = XMPPC_CB_NONE + 1; i < XMPPC_CB_TYPE_COUNT; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return (xmppc_cb_type)i;
	return XMPPC_CB_NONE;
}
