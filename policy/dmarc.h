/*
 * dmarc.h - DMARC (RFC 7489): the From domain's record, organisational
 * domains from the Public Suffix List (libpsl, Debian's publicsuffix
 * list), relaxed/strict identifier alignment for SPF and DKIM.
 *
 * Why libpsl and our own evaluator rather than libopendmarc: see dmarc.c.
 * Thread rule: a dmarc_psl is immutable after load and shared.
 */
#ifndef RW_DMARC_H
#define RW_DMARC_H

#include <stddef.h>
#include "auth.h"

struct arena;
struct dns_resolver;
struct spf_result;
struct dkim_results;
struct dmarc_psl;

enum dmarc_policy {
	DMARC_POLICY_UNSET = 0,		/* no usable record */
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT,
};

struct dmarc_result {
	enum auth_result result;	/* none pass fail temperror
					   permerror */
	const char *from_domain;	/* header.from (arena) or NULL */
	const char *org_domain;		/* its organisational domain */
	const char *record_domain;	/* where the record was found */
	enum dmarc_policy policy;	/* p= (or sp= for a subdomain) */
	enum dmarc_policy published_p;	/* p= as published */
	unsigned pct;
	int spf_aligned;		/* SPF pass and aligned */
	int dkim_aligned;		/* an aligned DKIM pass */
	const char *dkim_domain;	/* the aligned d= or NULL */
	const char *reason;		/* short text or NULL */
};

/* Loads the PSL (NULL: Debian's /usr/share/publicsuffix list).  NULL with
 * a reason in err. */
struct dmarc_psl *dmarc_psl_new(const char *file, char *err, size_t errlen);
void dmarc_psl_free(struct dmarc_psl *);

/* Organisational domain of a domain (lower case, arena), or NULL when the
 * name is a public suffix or not a domain. */
const char *dmarc_org_domain(const struct dmarc_psl *, const char *domain,
    struct arena *);

/* Relaxed (strict = 0) or strict alignment of two domains: 1 or 0. */
int dmarc_aligned(const struct dmarc_psl *, const char *a, const char *b,
    int strict);

/* DMARC for one message.  from_domain is the RFC5322.From domain (NULL
 * when the From header is missing, malformed or has several domains:
 * result permerror/none with a reason); spf is the MAIL FROM SPF result
 * (its domain is the one aligned); dkim the verified signatures.
 * Returns 0, -1 when out of memory. */
int dmarc_check(const struct dmarc_psl *, struct dns_resolver *,
    const char *from_domain, const struct spf_result *spf,
    const struct dkim_results *dkim, struct arena *,
    struct dmarc_result *out);

const char *dmarc_policy_name(enum dmarc_policy);

#endif
