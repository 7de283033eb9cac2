/*
 * spf.c - SPF (RFC 7208) for MAIL FROM and HELO with libspf2 on our DNS.
 *
 * Exports spf_options_default, spf_check_mailfrom, spf_check_helo.  Owns,
 * per check, one libspf2 server, request and response, and our libspf2
 * DNS layer (struct spfdns_check, spfdns.c): every DNS question libspf2
 * asks reaches dns_query() through it.  The layer fetches SPF records
 * itself, screened by a strict RFC 7208 section 12 grammar with bounded
 * lengths and rewritten before libspf2's compiler sees them (spfscreen.c:
 * Debian's libspf2 1.2.10 lacks the fix for CVE-2023-42118), counts
 * DNS-querying terms and void lookups (RFC 7208 4.6.4), and screens
 * explanation TXT records (6.2); its file says how.  Here: the identities
 * (2.3, 2.4, 4.3), libspf2's results in our words, and the expanded
 * explanation's URL escapes completed (7.3).
 * libspf2's own answer for a loopback client ("localhost is always
 * allowed") is never asked for: such a check is none, "loopback client".
 *
 * Thread rule: a check owns all its objects; the resolver is shared and
 * thread-safe; libspf2's message handlers are process globals, set once
 * (pthread_once) so that it never prints.  Caps: record length
 * (spf_options.max_record_len, default 4096), 128 terms per record
 * (spfscreen.c), 160 DNS lookups and 3 DNS failures per check (further
 * lookups then fail at once, which also bounds the time a check takes;
 * spfdns.c), 512 bytes of explanation text kept.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* arpa/nameser.h has ns_type; spf_dns.h would define its own */
#define HAVE_NS_TYPE 1
#include <spf2/spf.h>

#include "util/arena.h"
#include "dns/dns.h"
#include "auth/spf.h"
#include "auth/spfdns.h"
#include "auth/spfscreen.h"

/* libspf2 results in our words (STYLE 3: the one mapping table). */
static const struct {
	SPF_result_t spf;
	enum auth_result auth;
} result_map[] = {
	{ SPF_RESULT_PASS, AUTH_PASS },
	{ SPF_RESULT_FAIL, AUTH_FAIL },
	{ SPF_RESULT_SOFTFAIL, AUTH_SOFTFAIL },
	{ SPF_RESULT_NEUTRAL, AUTH_NEUTRAL },
	{ SPF_RESULT_NONE, AUTH_NONE },
	{ SPF_RESULT_TEMPERROR, AUTH_TEMPERROR },
	{ SPF_RESULT_PERMERROR, AUTH_PERMERROR },
	{ SPF_RESULT_INVALID, AUTH_TEMPERROR },	/* no result from libspf2 */
};

#define EXPLANATION_MAX		512	/* explanation text we keep */

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void
libspf2_quiet(void)
{
	/* SPF_error only precedes an abort() (a broken invariant): keep
	 * its one line in syslog; everything else is silent. */
	SPF_error_handler = SPF_error_syslog;
	SPF_warning_handler = NULL;
	SPF_info_handler = NULL;
	SPF_debug_handler = NULL;
}

void
spf_options_default(struct spf_options *o)
{
	o->max_dns_terms = 10;
	o->max_void_lookups = 2;
	o->max_record_len = 4096;
	o->receiver = NULL;
}

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 7208 4.3: a domain we can check: multi-label, labels of 1..63
 * octets, <= 253 octets, letters, digits, '-', '_' or 8-bit octets (an
 * address literal is not one); a trailing dot is dropped.  Returns the
 * length without that dot, or 0. */
static size_t
domain_ok(const char *d)
{
	size_t n = strlen(d), i, label = 0, labels = 1;
	int alpha = 0;

	if (n > 0 && d[n - 1] == '.')
		n--;
	if (n == 0 || n > SPFDNS_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch == '.') {
			if (label == 0)
				return 0;
			label = 0;
			labels++;
			alpha = 0;
			continue;
		}
		if (!is_alnum(ch) && ch != '-' && ch != '_' && ch < 0x80)
			return 0;
		if (++label > 63)
			return 0;
		if (!(ch >= '0' && ch <= '9'))
			alpha = 1;
	}
	return label > 0 && labels >= 2 && alpha ? n : 0;
}

static int
result_set(struct spf_result *out, struct arena *a, enum auth_result r,
    const char *reason)
{
	out->result = r;
	out->reason = reason != NULL ? arena_strdup(a, reason) : NULL;
	return reason != NULL && out->reason == NULL ? -1 : 0;
}

/* Parses client_ip: 4 or 6 with the address, an IPv4-mapped IPv6
 * address as IPv4 (RFC 7208 5: "ip4" and "a" see it as IPv4); 0 if bad. */
static int
client_parse(const char *ip, struct in_addr *v4, struct in6_addr *v6)
{
	if (ip == NULL)
		return 0;
	if (inet_pton(AF_INET, ip, v4) == 1)
		return 4;
	if (inet_pton(AF_INET6, ip, v6) != 1)
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(v6)) {
		memcpy(&v4->s_addr, &v6->s6_addr[12], 4);
		return 4;
	}
	return 6;
}

/* The explanation libspf2 expanded, with the URL escapes of uppercase
 * macros completed (see macro_scan in spfscreen.c): uppercase hex, and
 * ! * ' ( ) escaped too (RFC 3986 2.1, 2.3).  Returns arena memory or
 * NULL. */
static char *
url_finish(struct arena *a, const char *in)
{
	size_t n = strnlen(in, EXPLANATION_MAX), i, o = 0;
	char *out = arena_alloc(a, 3 * n + 1);
	int url = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		char ch = in[i];

		if (ch == SPFSCREEN_URL_OPEN || ch == SPFSCREEN_URL_CLOSE) {
			url = ch == SPFSCREEN_URL_OPEN;
			continue;
		}
		if (url && ch == '%' && i + 2 < n) {
			out[o++] = '%';
			out[o++] = (char)(in[i + 1] >= 'a' && in[i + 1] <= 'f' ?
			    in[i + 1] - 32 : in[i + 1]);
			out[o++] = (char)(in[i + 2] >= 'a' && in[i + 2] <= 'f' ?
			    in[i + 2] - 32 : in[i + 2]);
			i += 2;
		} else if (url && strchr("!*'()", ch) != NULL && ch != '\0')
			o += (size_t)snprintf(out + o, 4, "%%%02X",
			    (unsigned char)ch);
		else
			out[o++] = ch;
	}
	out[o] = '\0';
	return out;
}

static const char *
reason_for(const struct spfdns_check *c, const SPF_response_t *resp)
{
	switch (resp->result) {
	case SPF_RESULT_PASS:
		return "client is authorized";
	case SPF_RESULT_FAIL:
		return "client is not authorized";
	case SPF_RESULT_SOFTFAIL:
		return "client is probably not authorized";
	case SPF_RESULT_NEUTRAL:
		return resp->reason == SPF_REASON_DEFAULT ?
		    "no mechanism matched" : "neither authorized nor denied";
	case SPF_RESULT_NONE:
		return "no SPF record";
	case SPF_RESULT_TEMPERROR:
		return c->tempfails > 0 ? "DNS timeout or failure" :
		    SPF_strerror(resp->err);
	default:
		return SPF_strerror(resp->err);
	}
}

/* Runs libspf2 for sender (local@domain) from the client.  The check's
 * own objects live and die here. */
static int
check_run(struct dns_resolver *res, struct dns_budget *budget,
    const struct spf_options *opt, int fam, const struct in_addr *v4,
    const struct in6_addr *v6, const char *helo, const char *sender,
    struct arena *a, struct spf_result *out)
{
	struct spfdns_check *c;
	SPF_server_t *server = NULL;
	SPF_request_t *req = NULL;
	SPF_response_t *resp = NULL;
	size_t i;
	int rc = -1;

	pthread_once(&quiet_once, libspf2_quiet);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->layer.lookup = spfdns_lookup;
	c->layer.get_spf = spfdns_get_spf;
	c->layer.name = "relaywarden";
	c->layer.hook = c;
	c->res = res;
	c->budget = budget;
	c->v6 = fam == 6;
	c->max_terms = opt->max_dns_terms;
	c->max_voids = opt->max_void_lookups;
	c->max_record_len = opt->max_record_len > 0 ? opt->max_record_len :
	    4096;
	if ((server = SPF_server_new_dns(&c->layer, 0)) == NULL)
		goto out;
	/* no default explanation: only a domain's own exp= is reported */
	if (SPF_server_set_explanation(server, "", &resp) != SPF_E_SUCCESS)
		goto out;
	SPF_response_free(resp);
	resp = NULL;
	if (opt->receiver != NULL && *opt->receiver != '\0')
		SPF_server_set_rec_dom(server, opt->receiver);
	SPF_server_set_max_dns_mech(server, (int)c->max_terms);
	SPF_server_set_max_dns_mx(server, SPFDNS_MAX_MX);
	SPF_server_set_max_dns_ptr(server, SPFDNS_MAX_PTR);
	if ((c->req = req = SPF_request_new(server)) == NULL ||
	    (fam == 4 ? SPF_request_set_ipv4(req, *v4) :
	    SPF_request_set_ipv6(req, *v6)) != SPF_E_SUCCESS ||
	    SPF_request_set_helo_dom(req, helo != NULL && *helo != '\0' ?
	    helo : "unknown") != SPF_E_SUCCESS ||
	    SPF_request_set_env_from(req, sender) != 0)
		goto out;
	(void)SPF_request_query_mailfrom(req, &resp);
	if (resp == NULL)
		goto out;
	if (c->stop)
		rc = result_set(out, a, c->forced, c->reason);
	else {
		out->result = AUTH_TEMPERROR;
		for (i = 0; i < sizeof(result_map) / sizeof(result_map[0]); i++)
			if (result_map[i].spf == resp->result)
				out->result = result_map[i].auth;
		rc = result_set(out, a, out->result, reason_for(c, resp));
	}
	if (rc == 0 && out->result == AUTH_FAIL && resp->explanation != NULL &&
	    resp->explanation[0] != '\0' &&
	    (out->explanation = url_finish(a, resp->explanation)) == NULL)
		rc = -1;
out:
	SPF_response_free(resp);
	if (req != NULL)
		SPF_request_free(req);
	if (server != NULL)
		SPF_server_free(server);
	free(c);
	return rc;
}

/* The common part of both checks once the identity is known. */
static int
check_identity(struct dns_resolver *res, struct dns_budget *budget,
    const struct spf_options *opt, const char *client_ip, const char *helo,
    const char *local, const char *domain, size_t dlen, struct arena *a,
    struct spf_result *out)
{
	struct spf_options dflt;
	struct in_addr v4;
	struct in6_addr v6;
	char *sender;
	int fam;

	if (opt == NULL) {
		spf_options_default(&dflt);
		opt = &dflt;
	}
	if ((out->domain = arena_strndup(a, domain, dlen)) == NULL)
		return -1;
	fam = client_parse(client_ip, &v4, &v6);
	if (fam == 0)
		return result_set(out, a, AUTH_NONE, "no valid client address");
	/* libspf2 would answer pass ("localhost") without a look */
	if ((fam == 4 && (ntohl(v4.s_addr) >> 24) == 127) ||
	    (fam == 6 && IN6_IS_ADDR_LOOPBACK(&v6)))
		return result_set(out, a, AUTH_NONE, "loopback client");
	sender = arena_printf(a, "%s@%s", local, out->domain);
	if (sender == NULL)
		return -1;
	return check_run(res, budget, opt, fam, &v4, &v6, helo, sender, a, out);
}

static size_t
helo_domain(const char *helo)
{
	return helo != NULL && helo[0] != '[' ? domain_ok(helo) : 0;
}

int
spf_check_mailfrom(struct dns_resolver *res, struct dns_budget *budget,
    const struct spf_options *opt, const char *client_ip, const char *helo,
    const char *mailfrom, struct arena *a, struct spf_result *out)
{
	const char *m = mailfrom != NULL ? mailfrom : "", *at, *colon;
	size_t n = strlen(m), dlen;
	char *addr, *local;

	memset(out, 0, sizeof(*out));
	if (n >= 2 && m[0] == '<' && m[n - 1] == '>') {
		m++;
		n -= 2;
	}
	/* RFC 5321 4.1.2 source route "@a,@b:user@domain" */
	if (n > 0 && m[0] == '@' && (colon = memchr(m, ':', n)) != NULL) {
		n -= (size_t)(colon - m) + 1;
		m = colon + 1;
	}
	if (n == 0) {
		/* RFC 7208 2.4: the null sender is postmaster@HELO */
		if ((dlen = helo_domain(helo)) == 0) {
			out->identity = arena_strdup(a, "<>");
			if (out->identity == NULL)
				return -1;
			return result_set(out, a, AUTH_NONE,
			    "null sender and HELO is not a domain");
		}
		if ((out->identity = arena_printf(a, "postmaster@%.*s",
		    (int)dlen, helo)) == NULL)
			return -1;
		return check_identity(res, budget, opt, client_ip, helo,
		    "postmaster", helo, dlen, a, out);
	}
	if ((addr = arena_strndup(a, m, n)) == NULL)
		return -1;
	out->identity = addr;
	at = strrchr(addr, '@');
	/* RFC 7208 4.3: no local-part means "postmaster" */
	local = at == NULL || at == addr ? arena_strdup(a, "postmaster") :
	    arena_strndup(a, addr, (size_t)(at - addr));
	if (local == NULL)
		return -1;
	if ((dlen = domain_ok(at != NULL ? at + 1 : addr)) == 0)
		return result_set(out, a, AUTH_NONE,
		    "sender domain is not a valid domain name");
	return check_identity(res, budget, opt, client_ip, helo, local,
	    at != NULL ? at + 1 : addr, dlen, a, out);
}

int
spf_check_helo(struct dns_resolver *res, struct dns_budget *budget,
    const struct spf_options *opt, const char *client_ip, const char *helo,
    struct arena *a, struct spf_result *out)
{
	size_t dlen;

	memset(out, 0, sizeof(*out));
	if ((out->identity = arena_strdup(a, helo != NULL ? helo : "")) ==
	    NULL)
		return -1;
	/* RFC 7208 2.3: only a HELO that is a domain name is checked */
	if ((dlen = helo_domain(helo)) == 0)
		return result_set(out, a, AUTH_NONE, "HELO is not a domain");
	return check_identity(res, budget, opt, client_ip, helo, "postmaster",
	    helo, dlen, a, out);
}
