/*
 * spfdns.c - our libspf2 DNS layer: every DNS question libspf2 asks for
 * an SPF check reaches dns_query() (dns.h) through it.
 *
 * Exports spfdns_lookup and spfdns_get_spf, the hooks of an
 * SPF_dns_server_t whose hook is a struct spfdns_check (spfdns.h); spf.c
 * owns that struct, one per check, with the check's libspf2 server,
 * request and response.  The layer
 *   - fetches SPF records itself (the get_spf hook): TXT only (RFC 7208
 *     3.1: type SPF is obsolete), one record per name (4.5), screened by
 *     a strict section 12 grammar with bounded lengths (spfscreen.c)
 *     before libspf2's compiler sees it, which then compiles the
 *     screen's rewrite of the record;
 *   - counts DNS-querying terms (include, a, mx, ptr, exists, redirect;
 *     limit 10) and void lookups (limit 2), and refuses an MX set of more
 *     than 10 (RFC 7208 4.6.4): past a limit the check ends permerror
 *     (libspf2 counts per include level, and after the term);
 *   - keeps the first 10 PTR names (4.6.4: the rest are ignored; libspf2
 *     would say permerror), skips a PTR name whose address lookup fails
 *     (5.5), truncates names over 253 octets from the left (7.3);
 *   - screens explanation TXT records (6.2) the same way and gives them
 *     to libspf2 with each space as "%_" (its macro parser misreads a
 *     raw space);
 *   - answers the exists names the screen writes for a or mx with a zero
 *     CIDR length by asking the term's real question.
 *
 * Thread rule: a layer belongs to one check; the resolver is shared and
 * thread-safe.  Caps: 160 DNS lookups and 3 DNS failures per check
 * (further lookups then fail at once, which also bounds the time a check
 * takes), 10 MX hosts and 10 PTR names followed per term.
 */
#include <sys/types.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* arpa/nameser.h has ns_type; spf_dns.h would define its own */
#define HAVE_NS_TYPE 1
#include <spf2/spf.h>

#include "dns/dns.h"
#include "auth/spfdns.h"
#include "auth/spfscreen.h"

#define SPFDNS_LOOKUPS_MAX		160	/* DNS lookups in one check */
#define SPFDNS_TEMPFAILS_MAX	3	/* DNS failures in one check */

static void stop_with(struct spfdns_check *, enum auth_result,
    const char *, ...) __attribute__((format(printf, 3, 4)));

static void
stop_with(struct spfdns_check *c, enum auth_result result, const char *fmt, ...)
{
	va_list ap;

	if (c->stop)
		return;
	c->stop = 1;
	c->forced = result;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

/* RFC 7208 7.3: a name longer than 253 octets loses labels on the left. */
static void
name_fit(const char *in, char *out, size_t outlen)
{
	size_t n = strlen(in);

	if (n > 0 && in[n - 1] == '.')
		n--;
	while (n > SPFDNS_NAME_MAX) {
		const char *dot = memchr(in, '.', n);

		if (dot == NULL)
			break;
		n -= (size_t)(dot - in) + 1;
		in = dot + 1;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

/* A DNS-querying term starts: -1 when it is one too many. */
static int
term_begin(struct spfdns_check *c)
{
	if (++c->terms > c->max_terms) {
		stop_with(c, AUTH_PERMERROR, "more than %u DNS-querying terms",
		    c->max_terms);
		return -1;
	}
	return 0;
}

/* May this check ask the resolver once more? */
static int
lookup_allowed(struct spfdns_check *c)
{
	if (c->stop || c->tempfails >= SPFDNS_TEMPFAILS_MAX)
		return 0;
	if (++c->lookups > SPFDNS_LOOKUPS_MAX) {
		stop_with(c, AUTH_PERMERROR, "more than %u DNS lookups",
		    SPFDNS_LOOKUPS_MAX);
		return 0;
	}
	return 1;
}

static SPF_dns_rr_t *
rr_new(struct spfdns_check *c, const char *domain, ns_type type, int herrno)
{
	/* XXX (fault injection, no issue yet) libspf2 aborts if a layer returns
	 * NULL (out of memory) */
	return SPF_dns_rr_new_init(&c->layer, domain, type, 0, herrno);
}

static int
rr_add(SPF_dns_rr_t *rr, const void *data, size_t len)
{
	if (SPF_dns_rr_buf_realloc(rr, rr->num_rr, len) != SPF_E_SUCCESS)
		return -1;
	memcpy(rr->rr[rr->num_rr], data, len);
	rr->num_rr++;
	return 0;
}

/* Is name the domain d or under it (both without a final dot)? */
static int
name_under(const char *name, const char *d)
{
	size_t n = strlen(name), m = strlen(d);

	if (m > 0 && d[m - 1] == '.')
		m--;
	if (n == m)
		return strncasecmp(name, d, m) == 0;
	return n > m && name[n - m - 1] == '.' &&
	    strncasecmp(name + n - m, d, m) == 0;
}

/* Adds the names of an MX or PTR answer to rr and to the follow list.
 * For %{p} (a PTR lookup libspf2 does not cache), names under the
 * current domain go first: RFC 7208 7.3 prefers them, libspf2 takes
 * the first name that validates. */
static int
names_fill(struct spfdns_check *c, SPF_dns_rr_t *rr,
    const struct dns_reply *rep, int cache)
{
	const char *cur = c->req != NULL ? c->req->cur_dom : NULL;
	char name[SPFDNS_NAME_MAX + 2];
	int ptr = rep->rrtype == DNS_T_PTR, pass;
	size_t i;

	c->follow_cache = cache;
	c->follow_ptr = ptr;
	for (pass = ptr && !cache && cur != NULL ? 0 : 2; pass < 3; pass++) {
		for (i = 0; i < rep->count; i++) {
			if (ptr && c->nfollow == SPFDNS_MAX_PTR)
				return 0;	/* 4.6.4: the rest ignored */
			if (dns_rr_name(&rep->rr[i], ptr ? 0 : 2, name,
			    sizeof(name)) < 0)
				continue;
			if (pass < 2 && name_under(name, cur) != (pass == 0))
				continue;
			if (rr_add(rr, name, strlen(name) + 1) < 0)
				return -1;
			strcpy(c->follow[c->nfollow++], name);
		}
		if (pass == 1)
			break;
	}
	return 0;
}

/* Fills rr from a positive answer.  -1 when out of memory or when the
 * answer breaks a limit (the check is then stopped). */
static int
rr_fill(struct spfdns_check *c, SPF_dns_rr_t *rr, const struct dns_reply *rep,
    int cache)
{
	size_t i, want;

	switch (rep->rrtype) {
	case DNS_T_A:
	case DNS_T_AAAA:
		want = rep->rrtype == DNS_T_A ? 4 : 16;
		for (i = 0; i < rep->count; i++)
			if (rep->rr[i].len == want &&
			    rr_add(rr, rep->rr[i].data, want) < 0)
				return -1;
		return 0;
	case DNS_T_MX:
		if (rep->count > SPFDNS_MAX_MX) {
			stop_with(c, AUTH_PERMERROR, "more than %d MX records",
			    SPFDNS_MAX_MX);
			return -1;
		}
		/* FALLTHROUGH */
	case DNS_T_PTR:
		return names_fill(c, rr, rep, cache);
	}
	return 0;
}

/* An explanation lookup: one TXT record, screened, or nothing. */
static SPF_dns_rr_t *
exp_answer(struct spfdns_check *c, const char *domain,
    const struct dns_reply *rep)
{
	SPF_dns_rr_t *rr;
	char *txt, *out;
	int n;

	if (rep->status != DNS_OK || rep->count != 1)
		return rr_new(c, domain, ns_t_txt, NO_DATA);
	txt = malloc(rep->rr[0].len + 1);
	out = malloc(4 * rep->rr[0].len + 1);
	rr = NULL;
	if (txt != NULL && out != NULL &&
	    (n = dns_rr_txt(&rep->rr[0], txt, rep->rr[0].len + 1)) >= 0 &&
	    spfscreen_exp(txt, (size_t)n, out) == 0) {
		rr = rr_new(c, domain, ns_t_txt, NETDB_SUCCESS);
		if (rr != NULL && rr_add(rr, out, strlen(out) + 1) < 0) {
			SPF_dns_rr_free(rr);
			rr = NULL;
		}
	}
	free(txt);
	free(out);
	return rr != NULL ? rr : rr_new(c, domain, ns_t_txt, NO_DATA);
}

/* Maps a reply's status for libspf2, counting failures and, for the
 * query a term asked, void lookups.  skip: a failure reads as "no data"
 * (RFC 7208 5.5, the addresses of a PTR name). */
static int
status_herrno(struct spfdns_check *c, enum dns_status st, int term, int skip)
{
	int herrno;

	switch (st) {
	case DNS_OK:
		return NETDB_SUCCESS;
	case DNS_NODATA:
		herrno = NO_DATA;
		break;
	case DNS_TEMPFAIL:
		c->tempfails++;
		return skip ? NO_DATA : TRY_AGAIN;
	default:			/* NXDOMAIN, or no valid name */
		herrno = HOST_NOT_FOUND;
		break;
	}
	if (term && ++c->voids > c->max_voids) {
		stop_with(c, AUTH_PERMERROR, "more than %u void lookups",
		    c->max_voids);
		return TRY_AGAIN;
	}
	return herrno;
}

/* Is domain a marked cidr-0 name (see emit_a_mx in spfscreen.c)?  1 for
 * mx, 0 for a, -1 if not; base gets the name without the mark. */
static int
cidr0_marked(const char *domain, char *base, size_t len)
{
	static const char *const mark[2] = {
		"." SPFSCREEN_CIDR0_A, "." SPFSCREEN_CIDR0_MX
	};
	size_t n = strlen(domain), m;
	int i;

	if (n > 0 && domain[n - 1] == '.')
		n--;
	for (i = 1; i >= 0; i--) {
		m = strlen(mark[i]);
		if (n > m && strncasecmp(domain + n - m, mark[i], m) == 0) {
			char *cut = strndup(domain, n - m);

			if (cut == NULL)
				return -1;
			name_fit(cut, base, len);
			free(cut);
			return i;
		}
	}
	return -1;
}

/* An a or mx term with a zero CIDR length: does the domain, or one of
 * its MX hosts, have an address of the client's family at all?  Answers
 * the exists libspf2 asks with one address if so. */
static SPF_dns_rr_t *
cidr0_lookup(struct spfdns_check *c, const char *name, int mx)
{
	static const unsigned char any[4] = { 127, 0, 0, 2 };
	int type = c->v6 ? DNS_T_AAAA : DNS_T_A, herrno, match = 0;
	char host[SPFDNS_NAME_MAX + 2];
	struct dns_reply *rep, *h;
	SPF_dns_rr_t *rr;
	size_t i;

	if (term_begin(c) < 0 || !lookup_allowed(c))
		return rr_new(c, name, ns_t_a, TRY_AGAIN);
	if (dns_query(c->res, c->budget, name, mx ? DNS_T_MX : type,
	    &rep) < 0) {
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		return rr_new(c, name, ns_t_a, TRY_AGAIN);
	}
	herrno = status_herrno(c, rep->status, 1, 0);
	if (herrno == NETDB_SUCCESS && mx && rep->count > SPFDNS_MAX_MX) {
		stop_with(c, AUTH_PERMERROR, "more than %d MX records",
		    SPFDNS_MAX_MX);
		herrno = TRY_AGAIN;
	}
	for (i = 0; herrno == NETDB_SUCCESS && mx && !match && i < rep->count;
	    i++) {
		if (dns_rr_name(&rep->rr[i], 2, host, sizeof(host)) < 0)
			continue;
		if (!lookup_allowed(c) ||
		    dns_query(c->res, c->budget, host, type, &h) < 0) {
			herrno = TRY_AGAIN;
			break;
		}
		herrno = status_herrno(c, h->status, 0, 0);
		match = herrno == NETDB_SUCCESS && h->count > 0;
		if (herrno != TRY_AGAIN)
			herrno = NETDB_SUCCESS;
		dns_reply_free(h);
	}
	if (herrno == NETDB_SUCCESS && !mx)
		match = rep->count > 0;
	dns_reply_free(rep);
	if (herrno == TRY_AGAIN || !match)
		return rr_new(c, name, ns_t_a, herrno == TRY_AGAIN ? TRY_AGAIN :
		    NO_DATA);
	rr = rr_new(c, name, ns_t_a, NETDB_SUCCESS);
	if (rr != NULL && rr_add(rr, any, sizeof(any)) < 0) {
		SPF_dns_rr_free(rr);
		rr = rr_new(c, name, ns_t_a, TRY_AGAIN);
	}
	return rr;
}

SPF_dns_rr_t *
spfdns_lookup(SPF_dns_server_t *layer, const char *domain, ns_type type,
    int cache)
{
	struct spfdns_check *c = layer->hook;
	char name[SPFDNS_NAME_MAX + 2];
	struct dns_reply *rep;
	SPF_dns_rr_t *rr;
	int follow = 0, term = 0, herrno, mx;

	if (domain == NULL)
		domain = "";
	name_fit(domain, name, sizeof(name));
	switch (type) {
	case ns_t_a:
	case ns_t_aaaa:
		/* libspf2 asks for MX hosts and PTR names in answer order */
		if (c->next < c->nfollow && cache == c->follow_cache &&
		    strcasecmp(name, c->follow[c->next]) == 0) {
			c->next++;
			follow = 1;
			break;
		}
		c->nfollow = c->next = 0;
		if (type == ns_t_a && !cache &&
		    (mx = cidr0_marked(domain, name, sizeof(name))) >= 0)
			return cidr0_lookup(c, name, mx);
		term = 1;		/* a (cached) or exists (not) */
		break;
	case ns_t_mx:
		term = 1;
		break;
	case ns_t_ptr:
		term = cache;		/* ptr mechanism; %{p} is no term */
		break;
	case ns_t_txt:
		break;			/* exp; records go via get_spf */
	default:			/* type SPF (99): obsolete, not asked */
		return rr_new(c, name, type, NO_DATA);
	}
	if (!follow)
		c->nfollow = c->next = 0;
	if ((term && term_begin(c) < 0) || !lookup_allowed(c))
		return rr_new(c, name, type,
		    follow && c->follow_ptr ? NO_DATA : TRY_AGAIN);
	if (dns_query(c->res, c->budget, name, type, &rep) < 0) {
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		return rr_new(c, name, type, TRY_AGAIN);
	}
	if (type == ns_t_txt) {
		rr = exp_answer(c, name, rep);
		dns_reply_free(rep);
		return rr;
	}
	herrno = status_herrno(c, rep->status, term, follow && c->follow_ptr);
	rr = rr_new(c, name, type, herrno);
	if (rr != NULL && herrno == NETDB_SUCCESS &&
	    rr_fill(c, rr, rep, cache) < 0) {
		SPF_dns_rr_free(rr);
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		rr = rr_new(c, name, type, TRY_AGAIN);
	}
	dns_reply_free(rep);
	return rr;
}

static SPF_errcode_t
fetch_fail(SPF_response_t *resp, SPF_result_t result, SPF_errcode_t err)
{
	resp->result = result;
	resp->reason = SPF_REASON_FAILURE;
	resp->err = err;
	return SPF_response_add_error(resp, err, "%s", SPF_strerror(err));
}

/* The record of one name (RFC 7208 4.4, 4.5): the TXT records starting
 * "v=spf1" and a space or their end; exactly one is the record.  *nspf
 * counts them, *rec gets the first (malloc). */
static int
records_pick(const struct dns_reply *rep, char **rec, size_t *reclen,
    unsigned *nspf)
{
	size_t i;

	*rec = NULL;
	*nspf = 0;
	for (i = 0; i < rep->count; i++) {
		char *txt = malloc(rep->rr[i].len + 1);
		int n;

		if (txt == NULL) {
			free(*rec);
			return -1;
		}
		n = dns_rr_txt(&rep->rr[i], txt, rep->rr[i].len + 1);
		if (n >= 6 && strncasecmp(txt, "v=spf1", 6) == 0 &&
		    (n == 6 || txt[6] == ' ') && ++*nspf == 1) {
			*rec = txt;
			*reclen = (size_t)n;
		} else
			free(txt);
	}
	return 0;
}

SPF_errcode_t
spfdns_get_spf(SPF_server_t *server, SPF_request_t *req,
    SPF_response_t *resp, SPF_record_t **recordp)
{
	struct spfdns_check *c = server->resolver->hook;
	char name[SPFDNS_NAME_MAX + 2], *rec, *out;
	struct dns_reply *rep;
	const char *why = NULL;
	unsigned nspf;
	size_t len = 0;
	SPF_errcode_t err;

	*recordp = NULL;
	c->nfollow = c->next = 0;
	/* the first fetch is the check's own; the others are include and
	 * redirect terms */
	if ((c->fetches++ > 0 && term_begin(c) < 0) || !lookup_allowed(c))
		return fetch_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_DNS_ERROR);
	name_fit(req->cur_dom != NULL ? req->cur_dom : "", name, sizeof(name));
	if (dns_query(c->res, c->budget, name, DNS_T_TXT, &rep) < 0) {
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		return fetch_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_NO_MEMORY);
	}
	if (rep->status == DNS_TEMPFAIL) {
		c->tempfails++;
		dns_reply_free(rep);
		return fetch_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_DNS_ERROR);
	}
	if (records_pick(rep, &rec, &len, &nspf) < 0) {
		dns_reply_free(rep);
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		return fetch_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_NO_MEMORY);
	}
	dns_reply_free(rep);
	if (nspf == 0)
		return fetch_fail(resp, SPF_RESULT_NONE, SPF_E_NOT_SPF);
	if (nspf > 1) {
		free(rec);
		stop_with(c, AUTH_PERMERROR, "more than one SPF record");
		return fetch_fail(resp, SPF_RESULT_PERMERROR,
		    SPF_E_MULTIPLE_RECORDS);
	}
	if ((out = malloc(len + SPFSCREEN_GROWTH)) == NULL) {
		free(rec);
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		return fetch_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_NO_MEMORY);
	}
	if (spfscreen_record(rec, len, c->max_record_len, c->v6, out,
	    &why) < 0) {
		free(rec);
		free(out);
		stop_with(c, AUTH_PERMERROR, "SPF record: %s", why);
		return fetch_fail(resp, SPF_RESULT_PERMERROR, SPF_E_SYNTAX);
	}
	free(rec);
	err = SPF_record_compile(server, resp, recordp, out);
	free(out);
	if (err != SPF_E_SUCCESS) {
		if (*recordp != NULL)
			SPF_record_free(*recordp);
		*recordp = NULL;
		stop_with(c, AUTH_PERMERROR, "SPF record: %s",
		    SPF_strerror(err));
		return fetch_fail(resp, SPF_RESULT_PERMERROR, err);
	}
	return SPF_E_SUCCESS;
}
