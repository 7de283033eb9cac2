/*
 * fuzz_spfscreen.c - fuzz target for the SPF record screen
 * (policy/auth/spfscreen.c, an internal header of the SPF module) and the
 * libspf2 code behind it: the screen exists so that libspf2 1.2.10 never
 * compiles a record that breaks it (CVE-2023-42118 and its kin), so what
 * the screen passes is compiled and evaluated here by libspf2 itself.
 * Link it against an ASan-built libspf2 to see memory errors inside
 * libspf2 (tests/fuzz/README); the Debian library shows only crashes.
 *
 * Input: byte 0 is flags, the rest is the text (any bytes):
 *   bit 0   the client is IPv6 (2001:db8::25), else 192.0.2.10
 *   bit 1   the text is an explanation (spfscreen_exp), published at
 *           exp.example.com for "v=spf1 -all exp=exp.example.com"
 *   else    the text is the SPF record of example.com (spfscreen_record);
 *           "v=spf1 " is put in front unless it starts as spfdns.c's
 *           record pick wants ("v=spf1" and a space or the end)
 * Evaluation uses libspf2's own zone DNS (no network): a few A, MX and
 * TXT records so include, a, mx and exists find something.  In
 * production every explanation TXT libspf2 fetches passes spfscreen_exp
 * first (spfdns.c); the zone has no such hook, so a record's exp= (the
 * screen writes it last) is evaluated as "exp=exp.example.com" with the
 * most hostile text there that production could see: the record itself
 * after spfscreen_exp.  The record as screened, exp= and all, is still
 * what libspf2 must compile.
 *
 * Invariants: the screen's output fits its buffer and is a C string
 * starting "v=spf1" (records); libspf2 compiles whatever the screen
 * passed (spfscreen.h: "the record libspf2 compiles"); evaluation ends
 * with a result; nothing crashes, leaks or reads out of bounds.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

/* arpa/nameser.h has ns_type; spf_dns.h would define its own */
#define HAVE_NS_TYPE 1
#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#include <strings.h>

#include "fuzz.h"
#include "auth/spfscreen.h"

#define RECORD_MAX	4096		/* spf_options.max_record_len */

static int verbose;			/* FUZZ_VERBOSE set: print results */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* SPF_error precedes an abort (a broken libspf2 invariant): keep it
	 * on stderr; the rest is silent, as spf.c sets it. */
	SPF_warning_handler = NULL;
	SPF_info_handler = NULL;
	SPF_debug_handler = NULL;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return 0;
}

/* Compiles record (already screened), then evaluates zone_record (the
 * same, or its exp= redirected) for the client, with the explanation exp
 * (screened, or NULL) at exp.example.com. */
static void
evaluate(const char *record, const char *zone_record, const char *exp,
    int v6)
{
	SPF_dns_server_t *dns;
	SPF_server_t *server = NULL;
	SPF_request_t *req = NULL;
	SPF_response_t *resp = NULL;
	SPF_record_t *rec = NULL;
	SPF_errcode_t err;

	if ((dns = SPF_dns_zone_new(NULL, "fuzz", 0)) == NULL)
		return;
	(void)SPF_dns_zone_add_str(dns, "example.com", ns_t_txt,
	    NETDB_SUCCESS, zone_record);
	(void)SPF_dns_zone_add_str(dns, "example.com", ns_t_mx,
	    NETDB_SUCCESS, "mail.example.com");
	(void)SPF_dns_zone_add_str(dns, "mail.example.com", ns_t_a,
	    NETDB_SUCCESS, "192.0.2.10");
	(void)SPF_dns_zone_add_str(dns, "mail.example.com", ns_t_aaaa,
	    NETDB_SUCCESS, "2001:db8::25");
	(void)SPF_dns_zone_add_str(dns, "_spf.example.com", ns_t_txt,
	    NETDB_SUCCESS, "v=spf1 ip4:198.51.100.0/24 ?all");
	(void)SPF_dns_zone_add_str(dns, "*.in.example.com", ns_t_a,
	    NETDB_SUCCESS, "127.0.0.2");
	if (exp != NULL)
		(void)SPF_dns_zone_add_str(dns, "exp.example.com", ns_t_txt,
		    NETDB_SUCCESS, exp);
	if ((server = SPF_server_new_dns(dns, 0)) == NULL)
		goto out;
	if (SPF_server_set_explanation(server, "", &resp) != SPF_E_SUCCESS)
		goto out;
	SPF_response_free(resp);
	resp = NULL;
	SPF_server_set_rec_dom(server, "mx.example.net");

	/* what the screen passed must compile */
	if ((resp = SPF_response_new(NULL)) == NULL)
		goto out;
	err = SPF_record_compile(server, resp, &rec, record);
	if (err != SPF_E_SUCCESS)
		fprintf(stderr, "libspf2: %s\nrecord: %s\n", SPF_strerror(err),
		    record);
	FUZZ_CHECK(err == SPF_E_SUCCESS);
	SPF_record_free(rec);
	SPF_response_free(resp);
	resp = NULL;

	if ((req = SPF_request_new(server)) == NULL)
		goto out;
	if (v6) {
		if (SPF_request_set_ipv6_str(req, "2001:db8::25") !=
		    SPF_E_SUCCESS)
			goto out;
	} else if (SPF_request_set_ipv4_str(req, "192.0.2.10") !=
	    SPF_E_SUCCESS)
		goto out;
	if (SPF_request_set_helo_dom(req, "mail.example.com") !=
	    SPF_E_SUCCESS || SPF_request_set_env_from(req,
	    "user@example.com") != 0)
		goto out;
	(void)SPF_request_query_mailfrom(req, &resp);
	FUZZ_CHECK(resp != NULL);
	if (verbose)
		fprintf(stderr, "result=%s exp=%s\n",
		    SPF_strresult(SPF_response_result(resp)),
		    SPF_response_get_explanation(resp) ?
		    SPF_response_get_explanation(resp) : "-");
out:
	SPF_response_free(resp);
	if (req != NULL)
		SPF_request_free(req);
	if (server != NULL)
		SPF_server_free(server);
	SPF_dns_free(dns);
}

/* A screened record: its exp= as production would see it (above). */
static void
evaluate_record(const char *out, int v6)
{
	const char *e = strstr(out, " exp=");
	char *zrec, *exp;
	size_t n;

	if (e == NULL) {
		evaluate(out, out, NULL, v6);
		return;
	}
	n = (size_t)(e - out);
	if ((zrec = malloc(n + sizeof(" exp=exp.example.com"))) == NULL)
		return;
	memcpy(zrec, out, n);
	strcpy(zrec + n, " exp=exp.example.com");
	if ((exp = malloc(4 * strlen(out) + 1)) != NULL) {
		evaluate(out, zrec, spfscreen_exp(out, strlen(out), exp) == 0 ?
		    exp : NULL, v6);
		free(exp);
	}
	free(zrec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	const char *text;
	char *out, *rec = NULL;
	size_t len;
	int v6;

	if (size < 1 || size - 1 > RECORD_MAX * 2)
		return 0;
	v6 = data[0] & 1;
	text = (const char *)data + 1;
	len = size - 1;
	if (data[0] & 2) {
		if ((out = malloc(4 * len + 1)) == NULL)
			return 0;
		if (spfscreen_exp(text, len, out) == 0) {
			FUZZ_CHECK(strlen(out) <= 4 * len);
			evaluate("v=spf1 -all exp=exp.example.com",
			    "v=spf1 -all exp=exp.example.com", out, v6);
		} else if (verbose)
			fprintf(stderr, "exp refused\n");
		free(out);
		return 0;
	}
	if (!(len >= 6 && strncasecmp(text, "v=spf1", 6) == 0 &&
	    (len == 6 || text[6] == ' '))) {
		if ((rec = malloc(len + 7)) == NULL)
			return 0;
		memcpy(rec, "v=spf1 ", 7);
		memcpy(rec + 7, text, len);
		text = rec;
		len += 7;
	}
	if ((out = malloc(len + SPFSCREEN_GROWTH)) == NULL) {
		free(rec);
		return 0;
	}
	if (spfscreen_record(text, len, RECORD_MAX, v6, out, &why) == 0) {
		FUZZ_CHECK(strlen(out) < len + SPFSCREEN_GROWTH);
		FUZZ_CHECK(strncasecmp(out, "v=spf1", 6) == 0);
		if (verbose)
			fprintf(stderr, "screened: %s\n", out);
		evaluate_record(out, v6);
	} else {
		FUZZ_CHECK(why != NULL);
		if (verbose)
			fprintf(stderr, "refused: %s\n", why);
	}
	free(out);
	free(rec);
	return 0;
}
