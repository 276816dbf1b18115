/* Line-oriented front end to xmppc_precis_enforce() for the differential
 * test (precis-diff.py).
 *
 * Input lines:  PROFILE <TAB> hex-of-UTF-8
 * Output lines: OK <TAB> hex-of-UTF-8   or   ERR <TAB> error-name
 *
 * PROFILE is UsernameCaseMapped, UsernameCasePreserved, OpaqueString,
 * Nickname, or JID (parse the string as a JID; the output is its full
 * form). The empty string is an empty hex field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xmppc/buf.h>
#include <xmppc/ctx.h>
#include <xmppc/error.h>
#include <xmppc/jid.h>
#include <xmppc/precis.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", (unsigned char)s[i]);
}

static int profile_by_name(const char *name)
{
	if (strcmp(name, "UsernameCaseMapped") == 0)
		return XMPPC_PRECIS_USERNAME_CASE_MAPPED;
	if (strcmp(name, "UsernameCasePreserved") == 0)
		return XMPPC_PRECIS_USERNAME_CASE_PRESERVED;
	if (strcmp(name, "OpaqueString") == 0)
		return XMPPC_PRECIS_OPAQUE_STRING;
	if (strcmp(name, "Nickname") == 0)
		return XMPPC_PRECIS_NICKNAME;
	if (strcmp(name, "JID") == 0)
		return 0;
	return -1;
}

int main(void)
{
	xmppc_ctx *ctx = NULL;
	xmppc_buf *out = NULL;
	char *line = NULL, *bytes = NULL;
	size_t cap = 0, bcap = 0;
	ssize_t got;
	int status = 0;

	if (xmppc_ctx_new(&ctx, NULL) != 0 || xmppc_buf_new(&out, ctx) != 0) {
		fprintf(stderr, "precis-tool: out of memory\n");
		return 2;
	}
	while ((got = getline(&line, &cap, stdin)) >= 0) {
		char *tab, *hex;
		size_t hl, n = 0, i;
		int profile, rc;

		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		tab = strchr(line, '\t');
		if (tab == NULL) {
			fprintf(stderr, "precis-tool: bad line: %s\n", line);
			status = 2;
			break;
		}
		*tab = '\0';
		hex = tab + 1;
		hl = strlen(hex);
		profile = profile_by_name(line);
		if (profile < 0 || hl % 2 != 0) {
			fprintf(stderr, "precis-tool: bad line for %s\n", line);
			status = 2;
			break;
		}
		if (hl / 2 + 1 > bcap) {
			bcap = hl / 2 + 1;
			free(bytes);
			bytes = malloc(bcap);
			if (bytes == NULL) {
				status = 2;
				break;
			}
		}
		for (i = 0; i < hl; i += 2) {
			int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

			if (hi < 0 || lo < 0) {
				fprintf(stderr, "precis-tool: bad hex\n");
				status = 2;
				goto done;
			}
			bytes[n++] = (char)(hi << 4 | lo);
		}
		bytes[n] = '\0';
		if (profile == 0) {
			xmppc_jid *jid = NULL;

			/* A JID is a C string: stop at an embedded NUL. */
			rc = xmppc_jid_new(&jid, ctx, bytes);
			if (rc == 0) {
				fputs("OK\t", stdout);
				put_hex(xmppc_jid_full(jid), strlen(xmppc_jid_full(jid)));
				putchar('\n');
				xmppc_jid_unref(jid);
			} else {
				printf("ERR\t%s\n", xmppc_error_name(rc));
			}
			continue;
		}
		rc = xmppc_precis_enforce(out, (xmppc_precis_profile)profile, bytes, n);
		if (rc == 0) {
			fputs("OK\t", stdout);
			put_hex(xmppc_buf_data(out), xmppc_buf_len(out));
			putchar('\n');
		} else {
			printf("ERR\t%s\n", xmppc_error_name(rc));
		}
	}
done:
	free(line);
	free(bytes);
	xmppc_buf_free(out);
	xmppc_ctx_unref(ctx);
	return status;
}
