/* The list of built-in mechanisms, strongest first. The session walks it
 * (intersected with what the server offers and what the policy allows) to
 * choose; the strengths are in each table. */
#include <string.h>

#include "sasl/sasl-internal.h"

static const xmppc_sasl_mechanism *const builtins[] = {
    &xmppc__sasl_scram_sha512_plus, /* 100 */
    &xmppc__sasl_scram_sha256_plus, /* 95 */
    &xmppc__sasl_scram_sha1_plus,   /* 90 */
    &xmppc__sasl_scram_sha512,      /* 80 */
    &xmppc__sasl_scram_sha256,      /* 75 */
    &xmppc__sasl_scram_sha1,        /* 70 */
    &xmppc__sasl_external,          /* 60 */
    &xmppc__sasl_plain,             /* 10 */
    &xmppc__sasl_anonymous,         /* 5 */
};

#define N_BUILTINS (sizeof(builtins) / sizeof(builtins[0]))

XMPPC_API const xmppc_sasl_mechanism *xmppc_sasl_builtin(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	/* Mechanism names are upper case (RFC 4422 §3.1) and compared
	 * exactly, as the server's list is. */
	for (i = 0; i < N_BUILTINS; i++)
		if (strcmp(builtins[i]->name, name) == 0)
			return builtins[i];
	return NULL;
}

XMPPC_API const xmppc_sasl_mechanism *const *xmppc_sasl_builtins(size_t *count)
{
	if (count != NULL)
		*count = N_BUILTINS;
	return builtins;
}
