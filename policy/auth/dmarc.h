/*
 * dmarc.h - DMARC (RFC 7489): the From domain's record, relaxed/strict
 * identifier alignment for SPF and DKIM.  Organisational domains come
 * from orgdomain.h (the Public Suffix List).
 *
 * Why our own evaluator rather than libopendmarc: see dmarc.c.
 * Thread rule: stateless; any thread.
 */
#ifndef RW_DMARC_H
#define RW_DMARC_H

#include <stddef.h>
#include "auth/auth.h"

struct arena;
struct dns_resolver;
struct spf_result;
struct dkim_results;
struct dns_budget;
struct orgdomain;

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

/* Relaxed (strict = 0) or strict alignment of two domains: 1 or 0.
 * Strict is the same name, never the organisational domain. */
int dmarc_aligned(const struct orgdomain *, const char *a, const char *b,
    int strict);

/* The part of DMARC that needs no DNS: the From domain (normalised), its
 * organisational domain and the relaxed alignment of spf and dkim with
 * it; result none (permerror when from_domain is NULL or not a domain
 * name, as dmarc_check).  What the sender checks use when the policy is
 * not looked up (dmarc_enable false).  0, or -1 when out of memory. */
int dmarc_identify(const struct orgdomain *, const char *from_domain,
    const struct spf_result *spf, const struct dkim_results *dkim,
    struct arena *, struct dmarc_result *out);

/* DMARC for one message.  from_domain is the RFC5322.From domain (NULL
 * when the From header is missing, malformed or has several domains:
 * result permerror/none with a reason); spf is the MAIL FROM SPF result
 * (its domain is the one aligned); dkim the verified signatures.  The
 * record lookups run under budget (NULL: none; dns.h).
 * Returns 0, -1 when out of memory. */
int dmarc_check(const struct orgdomain *, struct dns_resolver *,
    struct dns_budget *budget, const char *from_domain,
    const struct spf_result *spf, const struct dkim_results *dkim,
    struct arena *, struct dmarc_result *out);

const char *dmarc_policy_name(enum dmarc_policy);

#endif
