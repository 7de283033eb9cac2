/*
 * dmarc.c - DMARC (RFC 7489): policy discovery, record parsing, identifier
 * alignment, the result.
 *
 * Exports dmarc_*.  Owns nothing: organisational domains are orgdomain.c's
 * (borrowed from the generation).  Thread rule: dmarc_check keeps its
 * state on the stack and in the caller's arena, the resolver is
 * thread-safe, and the DNS budget belongs to the caller's message.
 * Caps: two DNS lookups per message (From domain, organisational domain);
 * each record set is bounded by the DNS reply.
 * RFC 7489: 3.1 alignment, 3.2 organisational domain, 6.3 tags, 6.6.2
 * result, 6.6.3 policy discovery.
 *
 * Why orgdomain.c (libpsl) and our own evaluator rather than
 * libopendmarc: Debian's libopendmarc 1.4.2 (last release 2021) has a
 * long crash history, and the DMARC bugs we would depend on are fixed
 * only on its unreleased branch:
 * strict DKIM alignment passing through its PSL fallback, and a From such
 * as "user@example.net>" read as "example.net>" (FIELD-NOTES).  What
 * DMARC needs beyond the Public Suffix List is a tag parser and a few
 * comparisons, which are easier to hold correct here, under our own tests
 * and fuzzing, than to fence off inside that library.
 *
 * Choices:
 * - From domain NULL (no From, several, unparsable; the caller decides)
 *   or not a domain name: permerror.  The message cannot be evaluated,
 *   which must not look like "this domain publishes nothing" (none).
 * - Organisational domain: orgdomain.c (RFC 7489 3.2).  A public suffix
 *   has none; for alignment it only matches itself.
 * - Alignment: strict = the same name (ASCII case-insensitive, one
 *   trailing dot ignored); relaxed = the same name or the same
 *   organisational domain.  Strict never falls back to the PSL.
 * - Records: TXT at _dmarc.<From domain>, else at _dmarc.<org domain>
 *   (6.6.3).  A record starts with "v=DMARC1" (anything else is not a
 *   DMARC record and is discarded).  Several records at the chosen name:
 *   none.  Tag syntax is strict: name=value, names of letters, digits and
 *   '_', a tag at most once, values without control bytes; p, sp
 *   (none|quarantine|reject), adkim/aspf (r|s) and pct (0-100) must be
 *   valid or the record is malformed: none with the reason.  Empty
 *   segments (";;", a trailing ';') are tolerated.  Unknown tags, and
 *   tags we do not act on (ruf, fo, rf, ri), are not validated.
 * - A missing or bad p=, or a bad sp=: with at least one syntactically
 *   valid rua URI the record acts as p=none (6.6.3 step 6), else none.
 * - sp applies when the record came from the organisational domain and
 *   the From domain is a subdomain of it; a subdomain's own record uses
 *   its p.
 * - pct is reported, not applied: sampling is the verdict's business.
 * - Alignment flags are filled even when there is no record (relaxed
 *   modes): sender state learns only from aligned, authenticated mail.
 * - A record lookup that times out or fails: temperror.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "auth/dkimv.h"
#include "auth/dmarc.h"
#include "dns/dns.h"
#include "mail/orgdomain.h"
#include "auth/spf.h"

#define DOMAIN_MAX	ORGDOMAIN_NAME_MAX

/* One parsed record. */
struct record {
	enum dmarc_policy p, sp;	/* UNSET: absent */
	int p_bad, sp_bad;		/* present but not a policy */
	int adkim_strict, aspf_strict;
	unsigned pct;
	int rua_ok;			/* a syntactically valid URI */
};

int
dmarc_aligned(const struct orgdomain *od, const char *a, const char *b,
    int strict)
{
	char x[DOMAIN_MAX + 1], y[DOMAIN_MAX + 1];

	/* Strict means identical: never the organisational-domain
	 * comparison (libopendmarc's strict-via-PSL bug). */
	if (strict)
		return orgdomain_normalize(a, x) == 0 &&
		    orgdomain_normalize(b, y) == 0 && strcmp(x, y) == 0;
	return orgdomain_same(od, a, b);
}

const char *
dmarc_policy_name(enum dmarc_policy pol)
{
	switch (pol) {
	case DMARC_POLICY_NONE:
		return "none";
	case DMARC_POLICY_QUARANTINE:
		return "quarantine";
	case DMARC_POLICY_REJECT:
		return "reject";
	default:
		return "unset";
	}
}

/* ---- record parsing (RFC 7489 6.3, tag-list syntax of RFC 6376 3.2) ---- */

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* 1 when text starts a DMARC record: "v" *WSP "=" *WSP "DMARC1", then
 * the end or a ';' (6.3: the version tag comes first). */
static int
is_dmarc(const char *t)
{
	if (*t != 'v' && *t != 'V')
		return 0;
	for (t++; is_wsp(*t); t++)
		;
	if (*t++ != '=')
		return 0;
	while (is_wsp(*t))
		t++;
	if (strncmp(t, "DMARC1", 6) != 0)
		return 0;
	for (t += 6; is_wsp(*t); t++)
		;
	return *t == '\0' || *t == ';';
}

static enum dmarc_policy
policy_word(const char *v)
{
	if (strcasecmp(v, "none") == 0)
		return DMARC_POLICY_NONE;
	if (strcasecmp(v, "quarantine") == 0)
		return DMARC_POLICY_QUARANTINE;
	if (strcasecmp(v, "reject") == 0)
		return DMARC_POLICY_REJECT;
	return DMARC_POLICY_UNSET;
}

/* rua: a comma-separated list; one URI with a scheme (RFC 3986 3.1), a
 * colon and something after it is enough to warrant p=none. */
static int
rua_valid(const char *v)
{
	const char *p = v;

	while (*p != '\0') {
		const char *s;

		while (is_wsp(*p))
			p++;
		s = p;
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
			while ((*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '+' ||
			    *p == '-' || *p == '.')
				p++;
			if (*p == ':' && p[1] != '\0' && p[1] != ',' &&
			    !is_wsp(p[1]))
				return 1;
		}
		p = s;
		while (*p != '\0' && *p != ',')
			p++;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Parses a record (is_dmarc true).  0, or -1 with *why when malformed. */
static int
parse_record(char *text, struct record *r, const char **why)
{
	static const char *const known[] = { "v", "p", "sp", "adkim", "aspf",
	    "pct", "rua", "ruf", "fo", "rf", "ri" };
	unsigned seen = 0;
	char *seg, *next, *eq, *name, *val, *e;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->pct = 100;
	for (seg = text; seg != NULL; seg = next) {
		if ((next = strchr(seg, ';')) != NULL)
			*next++ = '\0';
		while (is_wsp(*seg))
			seg++;
		if (*seg == '\0')
			continue;
		if ((eq = strchr(seg, '=')) == NULL) {
			*why = "tag without '='";
			return -1;
		}
		name = seg;
		for (e = eq; e > name && is_wsp(e[-1]); e--)
			;
		*e = '\0';
		for (val = eq + 1; is_wsp(*val); val++)
			;
		for (e = val + strlen(val); e > val && is_wsp(e[-1]); e--)
			;
		*e = '\0';
		if (*name == '\0' || !((*name >= 'a' && *name <= 'z') ||
		    (*name >= 'A' && *name <= 'Z'))) {
			*why = "bad tag name";
			return -1;
		}
		for (e = name; *e != '\0'; e++)
			if (!((*e >= 'a' && *e <= 'z') ||
			    (*e >= 'A' && *e <= 'Z') ||
			    (*e >= '0' && *e <= '9') || *e == '_')) {
				*why = "bad tag name";
				return -1;
			}
		for (e = val; *e != '\0'; e++)
			if ((unsigned char)*e < 0x20 && !is_wsp(*e)) {
				*why = "control byte in a value";
				return -1;
			}
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcasecmp(name, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			continue;		/* 6.3: unknown tags ignored */
		if (seen & (1u << i)) {
			*why = "repeated tag";	/* RFC 6376 3.2 */
			return -1;
		}
		seen |= 1u << i;
		if (i == 1 || i == 2) {		/* p, sp */
			enum dmarc_policy pol = policy_word(val);

			if (i == 1) {
				r->p = pol;
				r->p_bad = pol == DMARC_POLICY_UNSET;
			} else {
				r->sp = pol;
				r->sp_bad = pol == DMARC_POLICY_UNSET;
			}
		} else if (i == 3 || i == 4) {	/* adkim, aspf */
			int strict = strcasecmp(val, "s") == 0;

			if (!strict && strcasecmp(val, "r") != 0) {
				*why = i == 3 ? "bad adkim" : "bad aspf";
				return -1;
			}
			if (i == 3)
				r->adkim_strict = strict;
			else
				r->aspf_strict = strict;
		} else if (i == 5) {		/* pct: 1*3DIGIT, 0-100 */
			size_t n = strlen(val);

			if (n == 0 || n > 3 || strspn(val, "0123456789") != n ||
			    atoi(val) > 100) {
				*why = "bad pct";
				return -1;
			}
			r->pct = (unsigned)atoi(val);
		} else if (i == 6)		/* rua */
			r->rua_ok = rua_valid(val);
	}
	return 0;
}

/* ---- discovery and the result ---- */

enum found { FOUND_NONE, FOUND_ONE, FOUND_MANY, FOUND_TEMP };

/* Looks up _dmarc.<domain> and keeps the DMARC records (6.6.3 steps 1-2).
 * *text is the record when FOUND_ONE (arena).  -1 when out of memory. */
static int
lookup(struct dns_resolver *dns, struct dns_budget *budget,
    const char *domain, struct arena *a, enum found *f, char **text)
{
	struct dns_reply *r = NULL;
	char qname[DOMAIN_MAX + 16];
	size_t i, nrec = 0;
	int rc = 0;

	*f = FOUND_NONE;
	*text = NULL;
	snprintf(qname, sizeof(qname), "_dmarc.%s", domain);
	if (dns_query(dns, budget, qname, DNS_T_TXT, &r) == -1)
		return -1;
	if (r->status == DNS_TEMPFAIL)
		*f = FOUND_TEMP;
	for (i = 0; r->status == DNS_OK && i < r->count; i++) {
		const struct dns_rr *rr = &r->rr[i];
		char *t;
		int n;

		if ((t = arena_alloc(a, rr->len + 1)) == NULL) {
			rc = -1;
			break;
		}
		n = dns_rr_txt(rr, t, rr->len + 1);
		/* Malformed rdata or a NUL inside: not a record we read. */
		if (n < 0 || strlen(t) != (size_t)n || !is_dmarc(t))
			continue;
		nrec++;
		*text = t;
	}
	if (nrec == 1)
		*f = FOUND_ONE;
	else if (nrec > 1)
		*f = FOUND_MANY;
	dns_reply_free(r);
	return rc;
}

/* Alignment of the authenticated identifiers with the From domain. */
static void
align(const struct orgdomain *p, const char *from,
    const struct spf_result *spf, const struct dkim_results *dkim,
    const struct record *rec, struct dmarc_result *out)
{
	size_t i;

	out->spf_aligned = spf != NULL && spf->result == AUTH_PASS &&
	    spf->domain != NULL &&
	    dmarc_aligned(p, spf->domain, from, rec->aspf_strict);
	for (i = 0; dkim != NULL && dkim->sigs != NULL && i < dkim->count;
	    i++) {
		const struct dkim_sig_result *s = &dkim->sigs[i];

		if (s->result == AUTH_PASS && s->domain != NULL &&
		    dmarc_aligned(p, s->domain, from, rec->adkim_strict)) {
			out->dkim_aligned = 1;
			out->dkim_domain = s->domain;
			break;
		}
	}
}

int
dmarc_identify(const struct orgdomain *p, const char *from_domain,
    const struct spf_result *spf, const struct dkim_results *dkim,
    struct arena *a, struct dmarc_result *out)
{
	char from[DOMAIN_MAX + 1];
	struct record rec;
	const char *org;

	memset(out, 0, sizeof(*out));
	memset(&rec, 0, sizeof(rec));
	out->pct = 100;
	out->result = AUTH_NONE;
	if (from_domain == NULL) {
		out->result = AUTH_PERMERROR;
		out->reason = "no From domain";
		return 0;
	}
	if (orgdomain_normalize(from_domain, from) == -1) {
		out->result = AUTH_PERMERROR;
		out->reason = "From domain is not a domain name";
		return 0;
	}
	if ((out->from_domain = arena_strdup(a, from)) == NULL)
		return -1;
	if ((org = orgdomain_of_normalized(p, from)) != NULL &&
	    (out->org_domain = arena_strdup(a, org)) == NULL)
		return -1;
	align(p, from, spf, dkim, &rec, out);
	return 0;
}

int
dmarc_check(const struct orgdomain *p, struct dns_resolver *dns,
    struct dns_budget *budget, const char *from_domain,
    const struct spf_result *spf, const struct dkim_results *dkim,
    struct arena *a, struct dmarc_result *out)
{
	const char *from, *org, *why = NULL;
	struct record rec;
	enum found f;
	char *text;
	int at_org = 0;

	if (dmarc_identify(p, from_domain, spf, dkim, a, out) == -1)
		return -1;
	if (out->from_domain == NULL)
		return 0;
	from = out->from_domain;
	org = out->org_domain;
	memset(&rec, 0, sizeof(rec));
	if (dns == NULL) {
		out->result = AUTH_TEMPERROR;
		out->reason = "no resolver";
		return 0;
	}
	if (lookup(dns, budget, from, a, &f, &text) == -1)
		return -1;
	if (f == FOUND_NONE && org != NULL && strcmp(org, from) != 0) {
		if (lookup(dns, budget, org, a, &f, &text) == -1)
			return -1;
		at_org = 1;
	}
	switch (f) {
	case FOUND_TEMP:
		out->result = AUTH_TEMPERROR;
		out->reason = "DMARC record lookup failed";
		return 0;
	case FOUND_NONE:
		out->result = AUTH_NONE;
		out->reason = "no DMARC record";
		return 0;
	case FOUND_MANY:
		out->result = AUTH_NONE;
		out->reason = "several DMARC records";
		return 0;
	default:
		break;
	}
	out->record_domain = at_org ? out->org_domain : out->from_domain;
	if (parse_record(text, &rec, &why) == -1) {
		out->result = AUTH_NONE;
		out->reason = arena_printf(a, "malformed DMARC record: %s",
		    why);
		return out->reason == NULL ? -1 : 0;
	}
	out->published_p = rec.p;
	out->pct = rec.pct;
	if (rec.p == DMARC_POLICY_UNSET || rec.sp_bad) {
		/* 6.6.3 step 6 */
		if (!rec.rua_ok) {
			out->result = AUTH_NONE;
			out->reason = rec.sp_bad ?
			    "DMARC record with a bad sp=" : rec.p_bad ?
			    "DMARC record with a bad p=" :
			    "DMARC record without p=";
			return 0;
		}
		out->reason = "no valid p= or a bad sp=, rua given:"
		    " acting as p=none";
		out->policy = DMARC_POLICY_NONE;
	} else if (at_org && rec.sp != DMARC_POLICY_UNSET)
		out->policy = rec.sp;
	else
		out->policy = rec.p;
	out->spf_aligned = out->dkim_aligned = 0;
	out->dkim_domain = NULL;
	align(p, from, spf, dkim, &rec, out);
	if (out->spf_aligned || out->dkim_aligned)
		out->result = AUTH_PASS;
	else {
		out->result = AUTH_FAIL;
		if (out->reason == NULL)
			out->reason = "no aligned SPF or DKIM pass";
	}
	return 0;
}
