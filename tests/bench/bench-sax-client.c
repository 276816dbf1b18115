/* The receive benchmark's floor: a client that negotiates with the
 * pseudo-server by plain string matching (no XML parser), then pushes
 * every byte received after binding, in reads of 64 KiB, through
 * libxml2's SAX2 push parser with callbacks that only track depth, count
 * the top-level <message/> elements and spot the end marker (a message
 * with id 'bench-end'). On the marker it answers "bench-ack <count>".
 *
 *   bench-sax-client --server 127.0.0.1:PORT
 *
 * Prints "result client=sax received=N". Exit 0, or 1 on failure.
 * This is what any client on libxml2 must at least spend: reading the
 * socket and libxml2's own parse (the same parser options as xmppc).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libxml/parser.h>

#include "benchutil.h"
#include "gen.h"

static int fd = -1;
static bench_buf in;
static size_t pos;

static void put(const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			bu_die("sax-client: write: %s", strerror(errno));
		s += n;
		len -= (size_t)n;
	}
}

static size_t wait_for(const char *marker)
{
	size_t ml = strlen(marker);

	for (;;) {
		const char *p = bu_memmem(in.p + pos, in.len - pos, marker, ml);
		char buf[65536];
		ssize_t n;
		if (p != NULL)
			return (size_t)(p - in.p) + ml;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			bu_die("sax-client: server closed during negotiation");
		bench_buf_put(&in, buf, (size_t)n);
	}
}

#define HEADER                                                                                     \
	"<?xml version='1.0'?><stream:stream to='example.net' xmlns='jabber:client' "                   \
	"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"

/* SAX state */
static int depth;
static long messages;
static int in_end_marker, done;

static void on_start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri,
                     int nb_ns, const xmlChar **ns, int nb_attr, int nb_def, const xmlChar **attrs)
{
	(void)ctx, (void)prefix, (void)uri, (void)nb_ns, (void)ns, (void)nb_def;
	depth++;
	if (depth == 2 && name[0] == 'm' && strcmp((const char *)name, "message") == 0) {
		/* attrs: (localname, prefix, URI, value, end) per attribute */
		for (int i = 0; i < nb_attr; i++) {
			const xmlChar **a = attrs + 5 * i;
			if (a[1] == NULL && strcmp((const char *)a[0], "id") == 0) {
				size_t vl = (size_t)(a[4] - a[3]);
				if (vl == 9 && memcmp(a[3], "bench-end", 9) == 0)
					in_end_marker = 1;
				break;
			}
		}
	}
}

static void on_end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	(void)ctx, (void)name, (void)prefix, (void)uri;
	if (depth == 2) {
		if (in_end_marker)
			done = 1;
		else
			messages++;
	}
	depth--;
}

static void on_chars(void *ctx, const xmlChar *ch, int len)
{
	(void)ctx, (void)ch, (void)len;
}

int main(int argc, char **argv)
{
	char host[256];
	unsigned port = 0;
	struct sockaddr_in sa;
	xmlSAXHandler h;
	xmlParserCtxtPtr xml;
	static char buf[65536];
	char ack[256];
	size_t at;

	if (argc != 3 || strcmp(argv[1], "--server") != 0 ||
	    bu_split_hostport(argv[2], host, sizeof(host), &port) != 0) {
		fprintf(stderr, "usage: bench-sax-client --server HOST:PORT\n");
		return 2;
	}
	xmlInitParser();
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (fd < 0 || inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		bu_die("sax-client: connect %s:%u: %s", host, port, strerror(errno));

	put(HEADER);
	pos = wait_for("</stream:features>");
	/* PLAIN: \0bob\0pw */
	put("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGJvYgBwdw==</auth>");
	pos = wait_for("<success");
	pos = wait_for("/>");
	put(HEADER);
	pos = wait_for("</stream:features>");
	put("<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
	    "<resource>laptop-7f3a</resource></bind></iq>");
	at = wait_for("</iq>");

	memset(&h, 0, sizeof(h));
	h.initialized = XML_SAX2_MAGIC;
	h.startElementNs = on_start;
	h.endElementNs = on_end;
	h.characters = on_chars;
	xml = xmlCreatePushParserCtxt(&h, NULL, NULL, 0, NULL);
	if (xml == NULL)
		bu_die("sax-client: xmlCreatePushParserCtxt failed");
	xmlCtxtUseOptions(xml, XML_PARSE_NONET | XML_PARSE_NOENT);
	/* The stream as the parser would have seen it: a header, then what
	 * followed the bind result. */
	static const char hdr[] = "<stream:stream xmlns='jabber:client' "
	                          "xmlns:stream='http://etherx.jabber.org/streams'>";
	if (xmlParseChunk(xml, hdr, (int)sizeof(hdr) - 1, 0) != 0)
		bu_die("sax-client: parse error in the header");
	if (in.len > at && xmlParseChunk(xml, in.p + at, (int)(in.len - at), 0) != 0)
		bu_die("sax-client: parse error");
	while (!done) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			bu_die("sax-client: server closed after %ld messages", messages);
		if (xmlParseChunk(xml, buf, (int)n, 0) != 0 || !xml->wellFormed)
			bu_die("sax-client: parse error after %ld messages", messages);
	}
	snprintf(ack, sizeof(ack),
	         "<message to='bench@example.net/ctl' type='chat' id='bench-ack'>"
	         "<body>bench-ack %ld</body></message></stream:stream>",
	         messages);
	put(ack);
	shutdown(fd, SHUT_WR);
	/* wait for the server's closing tag / EOF */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	xmlFreeParserCtxt(xml);
	bench_buf_free(&in);
	printf("result client=sax received=%ld peak_rss_kib=%ld\n", messages,
	       bu_proc_status_kib("VmHWM"));
	return 0;
}
