/* SCRAM-SHA-1/256/512 and -PLUS (lib/sasl/scram.c).
 *
 * Vectors: RFC 5802 §5 (SHA-1) and RFC 7677 §3 (SHA-256) byte for byte;
 * the others were computed once by gen-vectors.py in this directory, an
 * independent implementation (Python's hashlib.pbkdf2_hmac and hmac, the
 * password prepared by Debian's python3-precis-i18n), which also checks
 * itself against the two RFC vectors before printing. */
#include "exchange.h"

#include <stdio.h>

#include "sasl/sasl-internal.h"
#include "util/buf.h"
#include "util/random.h"
#include <xmppc/sys/sasl.h>

/* ---- harness ------------------------------------------------------------ */

static void exch_init(exch *e, const char *mech)
{
	exch_init_mech(e, xmppc_sasl_builtin(mech));
	assert_non_null(e->m);
	e->p.secure = 1;
}

static int start_nonce(exch *e, const char *nonce)
{
	int has = -1, rc;

	rc = xmppc__sasl_scram_start_with_nonce(&e->st, e->m, &e->p, nonce, e->out, &has);
	if (rc == 0)
		assert_int_equal(has, 1);
	else
		assert_null(e->st);
	return rc;
}

static int step(exch *e, const char *challenge)
{
	return e->m->step(e->st, (const unsigned char *)challenge, strlen(challenge), e->out);
}

static int success(exch *e, const char *data)
{
	return e->m->success(e->st, (const unsigned char *)data, strlen(data));
}

static void assert_out(exch *e, const char *expect)
{
	assert_int_equal(xmppc_buf_len(e->out), strlen(expect));
	assert_string_equal(xmppc_buf_data(e->out), expect);
}

/* ---- RFC vectors -------------------------------------------------------- */

static void test_rfc5802_sha1(void **unused)
{
	exch e;

	(void)unused;
	exch_init(&e, "SCRAM-SHA-1");
	assert_int_equal(start_nonce(&e, "fyko+d2lbbFgONRv9qkxdawL"), 0);
	assert_out(&e, "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
	assert_int_equal(step(&e, "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
	                          "s=QSXCR+Q6sek8bf92,i=4096"),
	                 0);
	assert_out(&e, "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
	               "p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
	assert_int_equal(success(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), 0);
	exch_done(&e);
}

static void test_rfc7677_sha256(void **unused)
{
	exch e;

	(void)unused;
	exch_init(&e, "SCRAM-SHA-256");
	assert_int_equal(start_nonce(&e, "rOprNGfwEbeRWgbNEkqO"), 0);
	assert_out(&e, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
	assert_int_equal(step(&e, "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	                          "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
	                 0);
	assert_out(&e, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	               "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
	assert_int_equal(success(&e, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), 0);
	exch_done(&e);
}

/* ---- vectors from gen-vectors.py ------------------------------------------ */

typedef struct vector {
	const char *title;
	const char *mech;
	const char *user;
	const char *authzid;
	const char *password;
	xmppc_cb_type cb_type;
	const unsigned char *cb;
	size_t cb_len;
	int y;
	const char *const *mechs; /* XEP-0474 lists, NULL-terminated */
	const char *const *cbs;
	const char *client_first, *server_first, *client_final, *server_final;
} vector;

static const unsigned char cb_tse[] = {
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f};
static const unsigned char cb_exp[] = {
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
    0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f};
static const unsigned char cb_uniq[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

static const char *const xep474_mechs[] = {"SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", NULL};
static const char *const xep474_cbs[] = {"tls-server-end-point", "tls-exporter", NULL};

static const vector vectors[] = {
    {"SCRAM-SHA-512", "SCRAM-SHA-512", "user", NULL, "pencil", XMPPC_CB_NONE, NULL, 0, 0, NULL,
     NULL, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
     "r=rOprNGfwEbeRWgbNEkqO3rfcNHYJY1ZVvWVs7j,s=AQIDBAUGBwgJCgsMDQ4PEA==,i=4096",
     "c=biws,r=rOprNGfwEbeRWgbNEkqO3rfcNHYJY1ZVvWVs7j,p=MWRRAB3EYP76uYy8hW+pCe6iv+yo61C8DU+"
     "F3wuRHHweB6gaEaC3l+8gItGda3IMO6RrTWrZN0RnRTSk4ToeTQ==",
     "v=N33W1xFtv39HT+puiy31Z0tgho6lK5jEM0CJ5jDaO3rCre5RzlZI6kGSrrlDYUl6r+kASFy+bWBijrSpKywhKw=="},
    {"SCRAM-SHA-512, OpaqueString password (NBSP -> SP, NFC)", "SCRAM-SHA-512", "user", NULL,
     "pe\xc2\xa0nce\xcc\x81il", XMPPC_CB_NONE, NULL, 0, 0, NULL, NULL,
     "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
     "r=rOprNGfwEbeRWgbNEkqOxyz,s=AQIDBAUGBwgJCgsMDQ4PEA==,i=4096",
     "c=biws,r=rOprNGfwEbeRWgbNEkqOxyz,p=GOwfE3pMKtJKrdtnGhk6D+NZIAQaK1DyuYWnBbTThJkL5j3G2Ek3M"
     "ZlWQyM9c0VGfK1MEdWhrO5mH8oxlWquJA==",
     "v=O2fzNLqUYQR5NtZCB3TtoaH/L7bUE5/RNJf3lPDlafjGoG4XdtxV73haZ3PaN1T1N17BVjLWzVU03k5kWVt66Q=="},
    {"SCRAM-SHA-1-PLUS tls-server-end-point", "SCRAM-SHA-1-PLUS", "user", NULL, "pencil",
     XMPPC_CB_TLS_SERVER_END_POINT, cb_tse, sizeof(cb_tse), 0, NULL, NULL,
     "p=tls-server-end-point,,n=user,r=rOprNGfwEbeRWgbNEkqO",
     "r=rOprNGfwEbeRWgbNEkqOsrv,s=AQIDBAUGBwgJCgsMDQ4PEA==,i=4096",
     "c=cD10bHMtc2VydmVyLWVuZC1wb2ludCwsICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=,"
     "r=rOprNGfwEbeRWgbNEkqOsrv,p=bcXsvY2/34XpSZ0oi0btbwXmwhc=",
     "v=om4jW6hg+tS9WQD+fE+K0eu36/g="},
    {"SCRAM-SHA-256-PLUS tls-exporter", "SCRAM-SHA-256-PLUS", "user", NULL, "pencil",
     XMPPC_CB_TLS_EXPORTER, cb_exp, sizeof(cb_exp), 0, NULL, NULL,
     "p=tls-exporter,,n=user,r=rOprNGfwEbeRWgbNEkqO",
     "r=rOprNGfwEbeRWgbNEkqOsrv,s=AQIDBAUGBwgJCgsMDQ4PEA==,i=4096",
     "c=cD10bHMtZXhwb3J0ZXIsLICBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6f,"
     "r=rOprNGfwEbeRWgbNEkqOsrv,p=z7Rgp5nNqTSgbxceUbhyWqOJqnCrzuxyKzIlREYmU6Q=",
     "v=SWGAM04c8AGFR6h4jMDgUJAkS0CnWMBHM2pRXJPRvgc="},
    {"SCRAM-SHA-512-PLUS tls-unique", "SCRAM-SHA-512-PLUS", "user", NULL, "pencil",
     XMPPC_CB_TLS_UNIQUE, cb_uniq, sizeof(cb_uniq), 0, NULL, NULL,
     "p=tls-unique,,n=user,r=rOprNGfwEbeRWgbNEkqO",
     "r=rOprNGfwEbeRWgbNEkqOsrv,s=AQIDBAUGBwgJCgsMDQ4PEA==,i=4096",
     "c=cD10bHMtdW5pcXVlLCwAAQIDBAUGBwgJCgs=,r=rOprNGfwEbeRWgbNEkqOsrv,p=9bD4quLXyR3xA1fKqjEjcC"
     "/IQ60BK61k1ZwGCVtKcT33ZWV3CyZt30UcnX/oiVwkNQQKQ00jygVdPunOoAtC6w==",
     "v=B7gKwRmY8lWFKVQxgpRKLcvLvBV67JNzcGa0BHzNf3D/0i0p+GGmQaaraVrsUWDCTmVwdFtJjlpgAnVGDzkV4A=="},
    {"SCRAM-SHA-256, 'y' flag, escaped authzid and username", "SCRAM-SHA-256",
     "us,er=", "ad=min,x@example.org", "pencil", XMPPC_CB_NONE, NULL, 0, 1, NULL, NULL,
     "y,a=ad=3Dmin=2Cx@example.org,n=us=2Cer=3D,r=rOprNGfwEbeRWgbNEkqO",
     "r=rOprNGfwEbeRWgbNEkqOsrv,s=AQIDBAUGBwgJCgsMDQ4PEA==,i=4096",
     "c=eSxhPWFkPTNEbWluPTJDeEBleGFtcGxlLm9yZyw=,r=rOprNGfwEbeRWgbNEkqOsrv,"
     "p=kTAGmP+rrYD+bm6Wc3rP4WvgHfHr8nHeiKq+RH7mWWk=",
     "v=1UDm1o9URWvjLr9tGiNRn+e7xeRvPheCbSdnSUDJv2Q="},
    {"SCRAM-SHA-1 with XEP-0474 h=", "SCRAM-SHA-1", "user", NULL, "pencil", XMPPC_CB_NONE, NULL, 0,
     0, xep474_mechs, xep474_cbs, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
     "r=rOprNGfwEbeRWgbNEkqOsrv,s=AQIDBAUGBwgJCgsMDQ4PEA==,i=4096,"
     "h=G6k/rBLDqgOhRRaCuuatSDFkJ08=",
     "c=biws,r=rOprNGfwEbeRWgbNEkqOsrv,p=8Wrnkss7HR+6LclpAb9sj2Jvhak=",
     "v=JQ11veKRCK1ORr4OPvEq775qTzA="},
};

static size_t count(const char *const *list)
{
	size_t n = 0;

	while (list != NULL && list[n] != NULL)
		n++;
	return n;
}

static void vector_params(exch *e, const vector *v)
{
	e->p.authcid = v->user;
	e->p.authzid = v->authzid;
	e->p.password = v->password;
	e->p.password_len = strlen(v->password);
	e->p.cb_type = v->cb_type;
	e->p.cb_data = v->cb;
	e->p.cb_data_len = v->cb_len;
	e->p.cb_supported_not_offered = v->y;
	e->p.server_mechanisms = v->mechs;
	e->p.n_server_mechanisms = count(v->mechs);
	e->p.server_cb_types = v->cbs;
	e->p.n_server_cb_types = count(v->cbs);
}

static void run_vector(const vector *v, int final_as_challenge)
{
	const char *nonce;
	exch e;

	/* the nonce is what follows the first ",r=" of the client-first */
	nonce = strstr(v->client_first, ",r=") + 3;
	exch_init(&e, v->mech);
	vector_params(&e, v);
	assert_int_equal(start_nonce(&e, nonce), 0);
	assert_out(&e, v->client_first);
	assert_int_equal(step(&e, v->server_first), 0);
	assert_out(&e, v->client_final);
	if (final_as_challenge) {
		assert_int_equal(step(&e, v->server_final), 0);
		assert_int_equal(xmppc_buf_len(e.out), 0);
		assert_int_equal(success(&e, ""), 0);
	} else {
		assert_int_equal(success(&e, v->server_final), 0);
	}
	exch_done(&e);
}

static void test_vectors(void **unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		print_message("%s\n", vectors[i].title);
		run_vector(&vectors[i], 0);
		run_vector(&vectors[i], 1);
	}
}

/* A -PLUS exchange proves the binding data: other data, other proof. */
static void test_plus_other_cb_data(void **unused)
{
	static const unsigned char other[] = {0x80, 0x81};
	vector v = vectors[3];
	exch e;

	(void)unused;
	exch_init(&e, v.mech);
	vector_params(&e, &v);
	e.p.cb_data = other;
	e.p.cb_data_len = sizeof(other);
	assert_int_equal(start_nonce(&e, "rOprNGfwEbeRWgbNEkqO"), 0);
	assert_int_equal(step(&e, v.server_first), 0);
	assert_non_null(strstr(xmppc_buf_data(e.out), "c=cD10bHMtZXhwb3J0ZXIsLICB,"));
	assert_null(
	    strstr(xmppc_buf_data(e.out), "p=z7Rgp5nNqTSgbxceUbhyWqOJqnCrzuxyKzIlREYmU6Q="));
	assert_int_equal(success(&e, v.server_final), XMPPC_ESASL_SERVER_SIGNATURE);
	exch_done(&e);
}

/* The full example of XEP-0474 §4.3: SCRAM-SHA-1-PLUS with tls-exporter
 * and fake binding data. Its client-final carries an extra x= attribute
 * that this client does not send, so the proof differs; the client-first,
 * the c= attribute and the h= verification are checked. */
static void test_xep0474_example(void **unused)
{
	static const char cb[] = "THIS IS FAKE CB DATA";
	exch e;

	(void)unused;
	exch_init(&e, "SCRAM-SHA-1-PLUS");
	e.p.cb_type = XMPPC_CB_TLS_EXPORTER;
	e.p.cb_data = (const unsigned char *)cb;
	e.p.cb_data_len = strlen(cb);
	e.p.server_mechanisms = xep474_mechs;
	e.p.n_server_mechanisms = 2;
	e.p.server_cb_types = xep474_cbs;
	e.p.n_server_cb_types = 2;
	assert_int_equal(start_nonce(&e, "12C4CD5C-E38E-4A98-8F6D-15C38F51CCC6"), 0);
	assert_out(&e, "p=tls-exporter,,n=user,r=12C4CD5C-E38E-4A98-8F6D-15C38F51CCC6");
	assert_int_equal(step(&e, "r=12C4CD5C-E38E-4A98-8F6D-15C38F51CCC6a09117a6-ac50-4f2f-93f1-"
	                          "93799c2bddf6,s=QSXCR+Q6sek8bf92,i=4096,"
	                          "h=G6k/rBLDqgOhRRaCuuatSDFkJ08="),
	                 0);
	assert_memory_equal(xmppc_buf_data(e.out),
	                    "c=cD10bHMtZXhwb3J0ZXIsLFRISVMgSVMgRkFLRSBDQiBEQVRB,r=12C4CD5C-E38E-"
	                    "4A98-8F6D-15C38F51CCC6a09117a6-ac50-4f2f-93f1-93799c2bddf6,p=",
	                    strlen("c=cD10bHMtZXhwb3J0ZXIsLFRISVMgSVMgRkFLRSBDQiBEQVRB,r=12C4CD5C-"
	                           "E38E-4A98-8F6D-15C38F51CCC6a09117a6-ac50-4f2f-93f1-"
	                           "93799c2bddf6,p="));
	exch_done(&e);
}

/* ---- XEP-0474 ---------------------------------------------------------- */

static int ssdp_run(const char *mech, const char *const *mechs, size_t n_mechs,
                    const char *const *cbs, size_t n_cbs, const char *h)
{
	char sf[256];
	exch e;
	int rc;

	exch_init(&e, mech);
	e.p.server_mechanisms = mechs;
	e.p.n_server_mechanisms = n_mechs;
	e.p.server_cb_types = cbs;
	e.p.n_server_cb_types = n_cbs;
	assert_int_equal(start_nonce(&e, "abc"), 0);
	snprintf(sf, sizeof(sf), "r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,h=%s", h);
	rc = step(&e, sf);
	if (rc == 0)
		assert_true(xmppc_buf_len(e.out) > 0);
	else
		assert_int_equal(xmppc_buf_len(e.out), 0);
	exch_done(&e);
	return rc;
}

static void test_xep0474(void **unused)
{
	static const char *const m3[] = {"SCRAM-SHA-256", "PLAIN", "SCRAM-SHA-1"};
	static const char *const m3b[] = {"SCRAM-SHA-1", "SCRAM-SHA-256", "PLAIN"};
	static const char *const m512[] = {"SCRAM-SHA-512-PLUS", "SCRAM-SHA-512", "SCRAM-SHA-1"};
	static const char *const exporter[] = {"tls-exporter"};
	static const char *const no_plus[] = {"SCRAM-SHA-1"};
	static const char *const none[] = {NULL};
	const char *h256 = "J++Diu+JubnE6dLVvZjjI5KHnheOLsUSQWiw/prdbAA=";
	const char *h256_empty_cbs = "WiSnARrQ/BXMwS96fSZUw2+8zqtdZEfeP47qS66pu+U=";
	const char *h512 = "p5S5t3ox/aYIpQwqDHLSnpVPifas41RGHcEoohnV7DVErdW7latg8IMuILO9ARB3t4zj"
	                   "JxTt18HOI8oF+0zePQ==";

	(void)unused;
	/* the XEP's vector, in either order */
	assert_int_equal(
	    ssdp_run("SCRAM-SHA-1", xep474_mechs, 2, xep474_cbs, 2, "G6k/rBLDqgOhRRaCuuatSDFkJ08="),
	    0);
	/* a stripped -PLUS mechanism or channel-binding type is detected */
	assert_int_equal(
	    ssdp_run("SCRAM-SHA-1", no_plus, 1, xep474_cbs, 2, "G6k/rBLDqgOhRRaCuuatSDFkJ08="),
	    XMPPC_ESASL_DOWNGRADE);
	assert_int_equal(
	    ssdp_run("SCRAM-SHA-1", xep474_mechs, 2, xep474_cbs, 1, "G6k/rBLDqgOhRRaCuuatSDFkJ08="),
	    XMPPC_ESASL_DOWNGRADE);
	/* no XEP-0440 list at all is not the same as the list */
	assert_int_equal(
	    ssdp_run("SCRAM-SHA-1", xep474_mechs, 2, NULL, 0, "G6k/rBLDqgOhRRaCuuatSDFkJ08="),
	    XMPPC_ESASL_DOWNGRADE);
	/* a hash of another algorithm, or not base64 */
	assert_int_equal(ssdp_run("SCRAM-SHA-256", xep474_mechs, 2, xep474_cbs, 2,
	                          "G6k/rBLDqgOhRRaCuuatSDFkJ08="),
	                 XMPPC_ESASL_DOWNGRADE);
	assert_int_equal(ssdp_run("SCRAM-SHA-1", xep474_mechs, 2, xep474_cbs, 2, "%%%"),
	                 XMPPC_ESASL_DOWNGRADE);
	/* SHA-256 without an XEP-0440 list, any input order */
	assert_int_equal(ssdp_run("SCRAM-SHA-256", m3, 3, NULL, 0, h256), 0);
	assert_int_equal(ssdp_run("SCRAM-SHA-256", m3b, 3, NULL, 0, h256), 0);
	/* an empty XEP-0440 list still appends the 0x1F separator */
	assert_int_equal(ssdp_run("SCRAM-SHA-256", m3, 3, none, 0, h256_empty_cbs), 0);
	assert_int_equal(ssdp_run("SCRAM-SHA-256", m3, 3, none, 0, h256), XMPPC_ESASL_DOWNGRADE);
	assert_int_equal(ssdp_run("SCRAM-SHA-256", m3, 3, NULL, 0, h256_empty_cbs),
	                 XMPPC_ESASL_DOWNGRADE);
	/* SHA-512 */
	assert_int_equal(ssdp_run("SCRAM-SHA-512", m512, 3, exporter, 1, h512), 0);
	/* the session told us nothing: nothing can match */
	assert_int_equal(ssdp_run("SCRAM-SHA-512", NULL, 0, NULL, 0, h512), XMPPC_ESASL_DOWNGRADE);
	/* a NULL entry in a list is a caller bug */
	assert_int_equal(ssdp_run("SCRAM-SHA-256", none, 1, NULL, 0, h256), XMPPC_EINVAL);
}

/* Without h= the exchange goes on (servers that do not implement it). */
static void test_xep0474_absent(void **unused)
{
	exch e;

	(void)unused;
	exch_init(&e, "SCRAM-SHA-1");
	e.p.server_mechanisms = xep474_mechs;
	e.p.n_server_mechanisms = 2;
	assert_int_equal(start_nonce(&e, "abc"), 0);
	assert_int_equal(step(&e, "r=abcdef,s=QSXCR+Q6sek8bf92,i=4096"), 0);
	exch_done(&e);
}

/* ---- random nonce -------------------------------------------------------- */

static void fill_pattern(void *ud, void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t i;

	(void)ud;
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(0xF8 + i); /* makes '+' and '/' appear */
}

static void test_random_nonce(void **unused)
{
	char first[64];
	const char *d, *r;
	size_t i;
	int has;
	exch e;

	(void)unused;
	/* deterministic with the test override: base64 of 24 bytes */
	xmppc__random_set_override(fill_pattern, NULL);
	exch_init(&e, "SCRAM-SHA-256");
	assert_int_equal(e.m->start(&e.st, e.m, &e.p, e.out, &has), 0);
	xmppc__random_set_override(NULL, NULL);
	assert_string_equal(xmppc_buf_data(e.out), "n,,n=user,r=+Pn6+/z9/v8AAQIDBAUGBwgJCgsMDQ4P");
	exch_done(&e);

	/* from GnuTLS: 32 printable characters without ',', different each time */
	for (i = 0; i < 2; i++) {
		exch_init(&e, "SCRAM-SHA-1");
		assert_int_equal(e.m->start(&e.st, e.m, &e.p, e.out, &has), 0);
		d = xmppc_buf_data(e.out);
		r = strstr(d, ",r=") + 3;
		assert_int_equal(strlen(r), 32);
		assert_null(strchr(r, ','));
		for (const char *c = r; *c != '\0'; c++)
			assert_true(*c > 0x20 && *c < 0x7F);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", r);
		else
			assert_string_not_equal(first, r);
		exch_done(&e);
	}
}

/* ---- failures at start --------------------------------------------------- */

static void test_start_failures(void **unused)
{
	static const unsigned char cb[] = {1, 2, 3};
	xmppc_sasl_params saved;
	int has;
	exch e;

	(void)unused;
	exch_init(&e, "SCRAM-SHA-256-PLUS");
	saved = e.p;
	/* -PLUS without binding data */
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_ESASL_CHANNEL_BINDING);
	e.p.cb_type = XMPPC_CB_TLS_EXPORTER;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_ESASL_CHANNEL_BINDING);
	e.p.cb_data = cb;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_ESASL_CHANNEL_BINDING); /* len 0 */
	e.p.cb_data_len = sizeof(cb);
	e.p.cb_type = XMPPC_CB_NONE;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_ESASL_CHANNEL_BINDING);
	e.p.cb_type = (xmppc_cb_type)9;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_ESASL_CHANNEL_BINDING);
	e.p.cb_type = XMPPC_CB_TLS_EXPORTER;
	assert_int_equal(start_nonce(&e, "abc"), 0);
	e.m->free_state(e.st);
	e.st = NULL;

	/* credentials */
	e.p = saved;
	e.m = xmppc_sasl_builtin("SCRAM-SHA-1");
	e.p.password = NULL;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_ESASL_NO_CREDENTIALS);
	e.p = saved;
	e.p.password_len = 0;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_EPRECIS_EMPTY);
	e.p.password = "bell\a";
	e.p.password_len = 5;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_EPRECIS_DISALLOWED);
	e.p.password = "\xff\xfe";
	e.p.password_len = 2;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_EPRECIS_INVALID_UTF8);
	e.p.password = "pen\0cil";
	e.p.password_len = 7;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_EPRECIS_DISALLOWED);
	assert_false(xmppc_error_retryable(XMPPC_EPRECIS_DISALLOWED));
	e.p = saved;
	e.p.authcid = NULL;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_EINVAL);
	e.p.authcid = "";
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_EINVAL);

	/* arguments */
	e.p = saved;
	e.p.version = 2;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_EINVAL);
	e.p = saved;
	e.p.ctx = NULL;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_EINVAL);
	e.p = saved;
	e.p.min_iterations = 5000;
	e.p.max_iterations = 4096;
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_EINVAL);
	e.p.max_iterations = 0;
	e.p.min_iterations = 2000000; /* above the default maximum */
	assert_int_equal(start_nonce(&e, "abc"), XMPPC_EINVAL);
	e.p = saved;
	assert_int_equal(start_nonce(&e, "a,c"), XMPPC_EINVAL);
	assert_int_equal(start_nonce(&e, ""), XMPPC_EINVAL);
	assert_int_equal(e.m->start(NULL, e.m, &e.p, e.out, &has), XMPPC_EINVAL);
	assert_int_equal(e.m->start(&e.st, e.m, NULL, e.out, &has), XMPPC_EINVAL);
	assert_int_equal(e.m->start(&e.st, e.m, &e.p, NULL, &has), XMPPC_EINVAL);
	assert_int_equal(e.m->start(&e.st, e.m, &e.p, e.out, NULL), XMPPC_EINVAL);
	assert_int_equal(e.m->step(NULL, (const unsigned char *)"x", 1, e.out), XMPPC_EINVAL);
	assert_int_equal(e.m->success(NULL, NULL, 0), XMPPC_EINVAL);
	e.m->free_state(NULL);
	exch_done(&e);
}

/* ---- failures on the server-first-message -------------------------------- */

static int first_rc(const char *mech, const char *server_first, unsigned min, unsigned max)
{
	exch e;
	int rc;

	exch_init(&e, mech);
	e.p.min_iterations = min;
	e.p.max_iterations = max;
	assert_int_equal(start_nonce(&e, "abc"), 0);
	rc = step(&e, server_first);
	if (rc != 0) {
		assert_int_equal(xmppc_buf_len(e.out), 0);
		/* the exchange is over */
		assert_int_equal(step(&e, server_first), XMPPC_ESTATE);
		assert_int_equal(success(&e, "v=x"), XMPPC_ESTATE);
	}
	exch_done(&e);
	return rc;
}

static void test_server_first_failures(void **unused)
{
	static const struct {
		const char *msg;
		int rc;
	} cases[] = {
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", 0},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,x=ignored,h2=", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,x=ignored,y=too", 0},
	    /* nonce */
	    {"r=abc,s=QSXCR+Q6sek8bf92,i=4096", XMPPC_ESASL_NONCE},
	    {"r=ab,s=QSXCR+Q6sek8bf92,i=4096", XMPPC_ESASL_NONCE},
	    {"r=abXdef,s=QSXCR+Q6sek8bf92,i=4096", XMPPC_ESASL_NONCE},
	    {"r=xyzabc,s=QSXCR+Q6sek8bf92,i=4096", XMPPC_ESASL_NONCE},
	    {"r=abc d,s=QSXCR+Q6sek8bf92,i=4096", XMPPC_ESASL_MALFORMED},
	    {"r=abc\x7f,s=QSXCR+Q6sek8bf92,i=4096", XMPPC_ESASL_MALFORMED},
	    /* structure */
	    {"", XMPPC_ESASL_MALFORMED},
	    {"m=ext,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", XMPPC_ESASL_MALFORMED},
	    {"s=QSXCR+Q6sek8bf92,r=abcdef,i=4096", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,i=4096,s=QSXCR+Q6sek8bf92", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,,x=1", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,junk", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,1=x", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=,i=4096", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=QSXCR+Q6sek8bf9,i=4096", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=QSXC R+Q6sek8bf92,i=4096", XMPPC_ESASL_MALFORMED},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,h=a,h=b", XMPPC_ESASL_MALFORMED},
	    {"R=abcdef,s=QSXCR+Q6sek8bf92,i=4096", XMPPC_ESASL_MALFORMED},
	    {"r=,s=QSXCR+Q6sek8bf92,i=4096", XMPPC_ESASL_MALFORMED},
	    {"e=other-error", XMPPC_ESASL_MALFORMED},
	    /* iteration count */
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=0", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4095", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4294967295", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4294967296", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4294971392", XMPPC_ESASL_ITERATIONS}, /* 2^32+4096 */
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=18446744073709551616", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=18446744073709555712", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=99999999999999999999999999", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=1000001", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=abc", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=-4096", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=+4096", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i= 4096", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=04096", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096x", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=0x1000", XMPPC_ESASL_ITERATIONS},
	    {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096.0", XMPPC_ESASL_ITERATIONS},
	};
	static const char nul_msg[] = "r=abcdef,s=QSXCR+Q6sek8bf92,i=4096\0,x=1";
	size_t i;
	exch e;

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].msg);
		assert_int_equal(first_rc("SCRAM-SHA-1", cases[i].msg, 0, 0), cases[i].rc);
	}
	/* the bounds are the caller's to set */
	assert_int_equal(first_rc("SCRAM-SHA-1", "r=abcdef,s=QSXCR+Q6sek8bf92,i=1", 1, 10), 0);
	assert_int_equal(first_rc("SCRAM-SHA-1", "r=abcdef,s=QSXCR+Q6sek8bf92,i=11", 1, 10),
	                 XMPPC_ESASL_ITERATIONS);
	assert_int_equal(first_rc("SCRAM-SHA-1", "r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", 5000, 0),
	                 XMPPC_ESASL_ITERATIONS);
	/* no wrap-around even with the widest bounds (the count saturates) */
	assert_int_equal(
	    first_rc("SCRAM-SHA-1", "r=abcdef,s=QSXCR+Q6sek8bf92,i=4294967296", 1, 4294967295u),
	    XMPPC_ESASL_ITERATIONS);
	assert_int_equal(first_rc("SCRAM-SHA-1",
	                          "r=abcdef,s=QSXCR+Q6sek8bf92,i=18446744073709551617", 1,
	                          4294967295u),
	                 XMPPC_ESASL_ITERATIONS);

	/* a NUL byte anywhere */
	exch_init(&e, "SCRAM-SHA-1");
	assert_int_equal(start_nonce(&e, "abc"), 0);
	assert_int_equal(
	    e.m->step(e.st, (const unsigned char *)nul_msg, sizeof(nul_msg) - 1, e.out),
	    XMPPC_ESASL_MALFORMED);
	exch_done(&e);
}

/* ---- failures on the server-final-message -------------------------------- */

static const char *const sha1_first = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
                                      "s=QSXCR+Q6sek8bf92,i=4096";

static void sha1_to_final(exch *e)
{
	exch_init(e, "SCRAM-SHA-1");
	assert_int_equal(start_nonce(e, "fyko+d2lbbFgONRv9qkxdawL"), 0);
	assert_int_equal(step(e, sha1_first), 0);
}

static int final_rc(const char *server_final, int as_challenge)
{
	exch e;
	int rc;

	sha1_to_final(&e);
	if (as_challenge) {
		rc = step(&e, server_final);
		if (rc == 0)
			rc = success(&e, "");
	} else {
		rc = success(&e, server_final);
	}
	exch_done(&e);
	return rc;
}

static void test_server_final_failures(void **unused)
{
	static const struct {
		const char *msg;
		int rc;
	} cases[] = {
	    {"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", 0},
	    {"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,x=extension", 0},
	    {"v=rmF9pqV8S7suAoZWja4dJRkFsKR=", XMPPC_ESASL_SERVER_SIGNATURE}, /* bad padding bits */
	    {"v=rmF9pqV8S7suAoZWja4dJRkFsKA=", XMPPC_ESASL_SERVER_SIGNATURE},
	    {"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=", XMPPC_ESASL_SERVER_SIGNATURE},
	    {"v=rmF9pqV8S7suAoZWja4dJRkF", XMPPC_ESASL_SERVER_SIGNATURE}, /* truncated */
	    {"v=rmF9pqV8S7suAoZWja4dJRkFsKQA", XMPPC_ESASL_SERVER_SIGNATURE},
	    {"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=AAAA", XMPPC_ESASL_SERVER_SIGNATURE},
	    {"v=", XMPPC_ESASL_SERVER_SIGNATURE},
	    {"v", XMPPC_ESASL_SERVER_SIGNATURE},
	    {"x=1,v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", XMPPC_ESASL_SERVER_SIGNATURE},
	    {"V=rmF9pqV8S7suAoZWja4dJRkFsKQ=", XMPPC_ESASL_SERVER_SIGNATURE},
	    {"garbage", XMPPC_ESASL_SERVER_SIGNATURE},
	    {"e=invalid-proof", XMPPC_ESASL_SERVER_ERROR},
	    {"e=other-error,x=1", XMPPC_ESASL_SERVER_ERROR},
	    {"e=", XMPPC_ESASL_SERVER_ERROR},
	    {"e=\x01\x02", XMPPC_ESASL_SERVER_ERROR},
	};
	size_t i;
	exch e;

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].msg);
		assert_int_equal(final_rc(cases[i].msg, 0), cases[i].rc);
		assert_int_equal(final_rc(cases[i].msg, 1), cases[i].rc);
	}

	/* success with no additional data: the server proved nothing */
	sha1_to_final(&e);
	assert_int_equal(success(&e, ""), XMPPC_ESASL_SERVER_SIGNATURE);
	assert_int_equal(success(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), XMPPC_ESTATE);
	exch_done(&e);

	/* success before the server-first-message */
	exch_init(&e, "SCRAM-SHA-1");
	assert_int_equal(start_nonce(&e, "fyko+d2lbbFgONRv9qkxdawL"), 0);
	assert_int_equal(success(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="),
	                 XMPPC_ESASL_SERVER_SIGNATURE);
	exch_done(&e);

	/* v= in a challenge, then a success carrying data again */
	sha1_to_final(&e);
	assert_int_equal(step(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), 0);
	assert_int_equal(success(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), XMPPC_ESASL_MALFORMED);
	exch_done(&e);

	/* a challenge after v= was verified */
	sha1_to_final(&e);
	assert_int_equal(step(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), 0);
	assert_int_equal(step(&e, ""), XMPPC_ESASL_MALFORMED);
	exch_done(&e);

	/* anything after completion */
	sha1_to_final(&e);
	assert_int_equal(success(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), 0);
	assert_int_equal(step(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), XMPPC_ESASL_MALFORMED);
	exch_done(&e);
	sha1_to_final(&e);
	assert_int_equal(success(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), 0);
	assert_int_equal(success(&e, ""), XMPPC_ESASL_MALFORMED);
	exch_done(&e);
}

static void test_too_many_challenges(void **unused)
{
	exch e;

	(void)unused;
	/* with a cap of 1 the v= challenge is one too many */
	exch_init(&e, "SCRAM-SHA-1");
	e.p.max_challenges = 1;
	assert_int_equal(start_nonce(&e, "fyko+d2lbbFgONRv9qkxdawL"), 0);
	assert_int_equal(step(&e, sha1_first), 0);
	assert_int_equal(step(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="),
	                 XMPPC_ESASL_TOO_MANY_CHALLENGES);
	assert_int_equal(xmppc_buf_len(e.out), 0);
	exch_done(&e);

	/* the cap is counted before anything else is looked at */
	exch_init(&e, "SCRAM-SHA-1");
	e.p.max_challenges = 2;
	assert_int_equal(start_nonce(&e, "fyko+d2lbbFgONRv9qkxdawL"), 0);
	assert_int_equal(step(&e, sha1_first), 0);
	assert_int_equal(step(&e, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), 0);
	assert_int_equal(step(&e, ""), XMPPC_ESASL_TOO_MANY_CHALLENGES);
	exch_done(&e);
}

/* ---- allocation failures ------------------------------------------------- */

/* Run a whole exchange with allocation number n failing. Returns 1 when
 * the failure was hit (and reported as XMPPC_ENOMEM), 0 when the exchange
 * completed without reaching it. */
static int alloc_run(const vector *v, long n)
{
	const char *nonce = strstr(v->client_first, ",r=") + 3;
	long base;
	int rc, has;
	exch e;

	exch_init(&e, v->mech);
	vector_params(&e, v);
	base = e.a.calls;
	e.a.fail_at = base + n;
	rc = xmppc__sasl_scram_start_with_nonce(&e.st, e.m, &e.p, nonce, e.out, &has);
	if (rc == 0) {
		assert_out(&e, v->client_first);
		rc = step(&e, v->server_first);
		if (rc == 0) {
			assert_out(&e, v->client_final);
			rc = success(&e, v->server_final);
		}
	} else {
		assert_null(e.st);
	}
	if (rc != 0)
		assert_int_equal(rc, XMPPC_ENOMEM);
	e.a.fail_at = 0;
	exch_done(&e);
	return rc != 0;
}

static void test_alloc_failures(void **unused)
{
	size_t i;
	long n;

	(void)unused;
	/* the plain vector, a -PLUS one, and the XEP-0474 one (list sorting) */
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		if (i != 0 && i != 3 && i != 5 && i != 6)
			continue;
		for (n = 1; alloc_run(&vectors[i], n); n++)
			assert_true(n < 1000);
		print_message("%s: %ld allocations\n", vectors[i].title, n - 1);
		assert_true(n > 3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc5802_sha1),
	    cmocka_unit_test(test_rfc7677_sha256),
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_plus_other_cb_data),
	    cmocka_unit_test(test_xep0474_example),
	    cmocka_unit_test(test_xep0474),
	    cmocka_unit_test(test_xep0474_absent),
	    cmocka_unit_test(test_random_nonce),
	    cmocka_unit_test(test_start_failures),
	    cmocka_unit_test(test_server_first_failures),
	    cmocka_unit_test(test_server_final_failures),
	    cmocka_unit_test(test_too_many_challenges),
	    cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
