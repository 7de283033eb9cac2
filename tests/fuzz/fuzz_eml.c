/*
 * fuzz_eml.c - fuzz target for the whole evaluation of one message: the
 * .eml reader, the message model and its caps, DKIM header and signature
 * parsing (libopendkim through dkimv), From parsing for DMARC, relay
 * walking, SPF, DMARC, the attachment scan (MIME, archives, names), the
 * rules and verdict, recognition of forged Authentication-Results, the
 * headers we add and the JSON report.
 *
 * The input is a message file (LF or CRLF).  When its first line starts
 * with "#!" it is an envelope, "#!CLIENT-IP HELO MAIL-FROM", and is not
 * part of the message; otherwise client 192.0.2.10, HELO
 * mail.example.com, MAIL FROM <user@example.com>.
 * DNS is local data only ("$STATIC ." - no query leaves the machine)
 * with SPF, DMARC and a DKIM key (selector "fuzz" at example.com and
 * example.net; the seeds are signed with its private key).  Internal
 * relays: 10.0.0.0/8, so a client in it makes the Received walk count.
 * Caps are lowered (max_headers 50, max_header_length 4000; attachments
 * 3 s, 16 MB, 50 parts) so the fuzzer reaches them and inputs stay fast.
 *
 * Invariants: evaluation succeeds; the Authentication-Results value
 * obeys the hdrout rules and claims our authserv-id; a header marked for
 * removal is an Authentication-Results claiming our id or an
 * X-Relaywarden; the JSON report is one valid JSON object (a strict
 * RFC 8259 reader here) in valid UTF-8; the log line has no control
 * byte.
 */
#include <strings.h>
#include <unistd.h>

#include "auth/authres.h"
#include "config/config.h"
#include "eml.h"
#include "fuzz.h"
#include "util/log.h"
#include "mail/message.h"
#include "policy.h"
#include "report.h"

#define OUR_ID		"mx.example.net"
#define ENVELOPE_MAX	1024

/* RSA-1024 public key (SubjectPublicKeyInfo); its private half signed
 * the seed corpus and is not needed here. */
#define DKIM_KEY	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC+rGOyIibA25H7" \
	"uk6IGXM9HofWRTuKgQnnhpCXxSpZldJhukxSjHxspKIXm4Da7jkI/q8cB3k36ANiE" \
	"anxACmnjm3vAOAyx7Dl4KJtzDxvLhCiDmRvv2QfgEKqUhYrykpMK3Z9S8aDhMhLXv" \
	"X3oSJzg3xjwkaOnyDUVBG3uHRkQwIDAQAB"

static const char zone_text[] =
	"$STATIC .\n"
	"example.com. TXT \"v=spf1 ip4:192.0.2.0/24 mx "
	    "include:_spf.example.net -all\"\n"
	"example.com. MX 10 mail.example.com.\n"
	"mail.example.com. A 192.0.2.25\n"
	"_spf.example.net. TXT \"v=spf1 ip6:2001:db8::/32 a:relay.example.net ~all\"\n"
	"relay.example.net. A 198.51.100.7\n"
	"example.net. TXT \"v=spf1 redirect=_spf.example.net\"\n"
	"_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:d@example.com\"\n"
	"_dmarc.example.net. TXT \"v=DMARC1; p=quarantine; sp=none; pct=50\"\n"
	"fuzz._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=" DKIM_KEY "\"\n"
	"fuzz._domainkey.example.net. TXT \"v=DKIM1; p=" DKIM_KEY "\"\n"
	"bad._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=AAAA\"\n"
	"revoked._domainkey.example.com. TXT \"v=DKIM1; p=\"\n"
	"10.1.1.10.in-addr.arpa. PTR relay.example.com.\n";

static struct policy *pol;
static int verbose;		/* FUZZ_VERBOSE set: print each result */
static char zone[64];

static void
zone_remove(void)
{
	if (zone[0] != '\0')
		unlink(zone);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config *cfg;
	char err[512], conf[80];
	FILE *fp;
	int fd;

	log_set_level(LOG_L_ERR);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	snprintf(zone, sizeof(zone), "%s/rwfuzz-eml-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemp(zone)) == -1 || (fp = fdopen(fd, "w")) == NULL ||
	    fputs(zone_text, fp) == EOF || fclose(fp) != 0) {
		perror("fuzz_eml: zone");
		abort();
	}
	atexit(zone_remove);
	/* The config goes through the loader, as an admin's would. */
	snprintf(conf, sizeof(conf), "%s.conf", zone);
	if ((fp = fopen(conf, "w")) == NULL) {
		perror("fuzz_eml: config");
		abort();
	}
	fprintf(fp, "authserv_id = \"%s\";\n"
	    "dns_local_data = \"%s\";\n"
	    "dns_forwarders = [ \"127.0.0.1@9\" ];\n"
	    "dns_timeout_ms = 1000;\n"
	    "internal_relays = [ \"10.0.0.0/8\" ];\n"
	    "max_headers = 50;\nmax_header_length = 4000;\n"
	    "max_received_walk = 5;\n"
	    /* Never a Redis of the machine's: the state has its own
	     * tests.  The lookalike, identity and partner checks run. */
	    "state_enable = false;\n"
	    "protected_domains = [ \"example.com\", \"paypal.com\" ];\n"
	    "partners = ( { domain = \"example.net\"; relays = "
	    "[ \"192.0.2.0/24\", \"example.com\" ]; signers = "
	    "[ \"example.net\" ]; must_align = true; } );\n"
	    "people = ( { name = \"Jane Doe\"; addresses = "
	    "[ \"jane@example.com\" ]; } );\n"
	    "recipient_policies = ( { recipients = [ \"@example.com\" ]; "
	    "quarantine_score = 6; } );\n"
	    "tag_subject = \"[SUSPICIOUS] \";\n"
	    /* attachments: caps that keep one input fast */
	    "attach_max_time_ms = 3000;\n"
	    "attach_max_decoded_bytes = 16777216;\n"
	    "attach_archive_max_bytes = 16777216;\n"
	    "attach_max_mime_parts = 50;\n", OUR_ID, zone);
	if (fclose(fp) != 0 ||
	    config_load(conf, &cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz_eml: %s\n", err);
		abort();
	}
	unlink(conf);
	if ((pol = policy_new(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_eml: %s\n", err);
		abort();
	}
	return 0;
}

/* Reads "#!IP HELO FROM\n" at the start; returns the bytes it took. */
static size_t
envelope(const uint8_t *data, size_t size, char *ip, char *helo,
    char *from)
{
	char line[ENVELOPE_MAX];
	const uint8_t *nl;
	size_t n;

	strcpy(ip, "192.0.2.10");
	strcpy(helo, "mail.example.com");
	strcpy(from, "<user@example.com>");
	if (size < 2 || data[0] != '#' || data[1] != '!' ||
	    (nl = memchr(data, '\n', size)) == NULL ||
	    (n = (size_t)(nl - data)) >= sizeof(line))
		return 0;
	memcpy(line, data + 2, n - 2);
	line[n - 2] = '\0';
	ip[0] = helo[0] = from[0] = '\0';
	/* each %1023s fits its ENVELOPE_MAX buffer */
	(void)sscanf(line, "%1023s %1023s %1023s", ip, helo, from);
	return n + 1;
}

/* ---- a strict JSON reader (RFC 8259), to check report_json ---- */

struct jr {
	const char *p, *end;
	int depth;
};

static int json_value(struct jr *);

static void
json_ws(struct jr *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
json_lit(struct jr *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

static int
json_string(struct jr *j)
{
	if (j->p >= j->end || *j->p++ != '"')
		return -1;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;

		if (c < 0x20)
			return -1;
		if (c != '\\')
			continue;
		if (j->p >= j->end)
			return -1;
		c = (unsigned char)*j->p++;
		if (c == 'u') {
			int k;

			for (k = 0; k < 4; k++, j->p++)
				if (j->p >= j->end || !strchr(
				    "0123456789abcdefABCDEF", *j->p) ||
				    *j->p == '\0')
					return -1;
		} else if (!strchr("\"\\/bfnrt", c) || c == '\0')
			return -1;
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	return 0;
}

static int
json_number(struct jr *j)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	while (j->p < j->end && ((*j->p >= '0' && *j->p <= '9') ||
	    *j->p == '.' || *j->p == 'e' || *j->p == 'E' || *j->p == '+' ||
	    *j->p == '-'))
		j->p++;
	return j->p > s ? 0 : -1;
}

/* '{' members '}' or '[' values ']' */
static int
json_container(struct jr *j, char close)
{
	int first = 1;

	if (++j->depth > 64)
		return -1;
	j->p++;
	for (;;) {
		json_ws(j);
		if (j->p < j->end && *j->p == close && first) {
			j->p++;
			break;
		}
		if (close == '}') {
			if (json_string(j) == -1)
				return -1;
			json_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return -1;
		}
		if (json_value(j) == -1)
			return -1;
		json_ws(j);
		first = 0;
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			break;
		}
		return -1;
	}
	j->depth--;
	return 0;
}

static int
json_value(struct jr *j)
{
	json_ws(j);
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '{':
		return json_container(j, '}');
	case '[':
		return json_container(j, ']');
	case '"':
		return json_string(j);
	case 't':
		return json_lit(j, "true");
	case 'f':
		return json_lit(j, "false");
	case 'n':
		return json_lit(j, "null");
	default:
		return json_number(j);
	}
}

/* 1 when buf[0..len) is one JSON object, valid UTF-8, nothing after. */
static int
json_valid(const char *buf, size_t len)
{
	struct jr j = { buf, buf + len, 0 };

	if (memchr(buf, '\0', len) != NULL || !fuzz_utf8_valid(buf))
		return 0;
	json_ws(&j);
	if (j.p >= j.end || *j.p != '{' || json_value(&j) == -1)
		return 0;
	json_ws(&j);
	return j.p == j.end;
}

static void
check(const struct message *m, const struct evaluation *e)
{
	size_t i;

	if (e->authres != NULL) {
		FUZZ_CHECK(fuzz_no_controls(e->authres, 1));
		FUZZ_CHECK(fuzz_utf8_valid(e->authres));
		FUZZ_CHECK(fuzz_longest_line(e->authres,
		    sizeof("Authentication-Results: ") - 1) < 998);
		FUZZ_CHECK(authres_claims_id(e->authres, OUR_ID));
	}
	if (e->verdict_header != NULL) {
		FUZZ_CHECK(fuzz_no_controls(e->verdict_header, 1));
		FUZZ_CHECK(fuzz_longest_line(e->verdict_header,
		    sizeof("X-Relaywarden: ") - 1) < 998);
	}
	for (i = 0; i < m->nheaders; i++) {
		const struct header *h = &m->headers[i];

		if (!h->deleted)
			continue;
		FUZZ_CHECK(strcasecmp(h->name, "X-Relaywarden") == 0 ||
		    (strcasecmp(h->name, "Authentication-Results") == 0 &&
		    authres_claims_id(h->value, OUR_ID)));
	}
	FUZZ_CHECK(m->nheaders <= 50);
	FUZZ_CHECK(e->dkim.count == 0 || e->dkim.sigs != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ip[ENVELOPE_MAX], helo[ENVELOPE_MAX], from[ENVELOPE_MAX];
	char err[256];
	const struct evaluation *e;
	const struct config *cfg = policy_config(pol);
	struct message *m;
	struct scan *s;
	size_t skip, jsonlen;
	FILE *fp, *out;
	char *json;
	const char *line;

	skip = envelope(data, size, ip, helo, from);
	if ((m = message_new(cfg->max_headers, cfg->max_header_length)) ==
	    NULL)
		return 0;
	if (message_set_id(m, "fuzz") == -1 ||
	    message_set_client(m, ip[0] ? ip : NULL, NULL) == -1 ||
	    message_set_helo(m, helo[0] ? helo : NULL) == -1 ||
	    message_set_mail_from(m, from) == -1 ||
	    message_add_rcpt(m, "<postmaster@example.org>") == -1 ||
	    (s = policy_scan_new(pol, m)) == NULL) {
		message_free(m);
		return 0;
	}
	/* fmemopen cannot open an empty buffer on every libc */
	if (size - skip == 0 ||
	    (fp = fmemopen((void *)(data + skip), size - skip, "r")) == NULL) {
		policy_scan_free(s);
		return 0;
	}
	if (eml_feed(s, fp, err, sizeof(err)) == 0) {
		FUZZ_CHECK(policy_scan_finish(s, &e) == 0);
		check(m, e);
		if (verbose)
			fprintf(stderr, "A-R: %s\nverdict: %s\n",
			    e->authres ? e->authres : "-",
			    e->verdict_header ? e->verdict_header : "-");
		if ((out = open_memstream(&json, &jsonlen)) != NULL) {
			FUZZ_CHECK(report_json(out, m, e) == 0);
			FUZZ_CHECK(fclose(out) == 0);
			if (!json_valid(json, jsonlen)) {
				fprintf(stderr, "report_json:\n%s\n", json);
				FUZZ_CHECK(!"report_json writes valid JSON");
			}
			free(json);
		}
		line = report_logline(m, e);
		FUZZ_CHECK(line != NULL && fuzz_no_controls(line, 0));
	}
	fclose(fp);
	policy_scan_free(s);
	return 0;
}
