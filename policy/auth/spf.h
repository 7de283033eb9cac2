/*
 * spf.h - SPF (RFC 7208) for the MAIL FROM and HELO identities.
 *
 * libspf2 does the evaluation; every DNS answer reaches it through our own
 * libspf2 DNS layer on top of dns.h, which
 *   - screens each SPF record before libspf2 sees it: an oversized record,
 *     or one whose terms or macros do not parse under a strict RFC 7208
 *     section 7 / 12 grammar with bounded lengths, makes the check permerror
 *     (Debian's libspf2 1.2.10 lacks the fix for CVE-2023-42118);
 *   - counts DNS-querying terms (limit 10) and void lookups (limit 2) and
 *     makes the check permerror past them (RFC 7208 4.6.4);
 *   - maps timeouts to temperror.
 * Thread rule: a check uses its own libspf2 server and DNS layer objects,
 * so checks run in parallel; the shared dns_resolver is thread-safe.
 */
#ifndef RW_SPF_H
#define RW_SPF_H

#include <stddef.h>
#include "auth/auth.h"

struct arena;
struct dns_budget;
struct dns_resolver;

struct spf_options {
	unsigned max_dns_terms;		/* RFC 7208 4.6.4: 10 */
	unsigned max_void_lookups;	/* RFC 7208 4.6.4: 2 */
	unsigned max_record_len;	/* bytes of one SPF record; 0: 4096 */
	const char *receiver;		/* %{r}: our host name, may be NULL */
};

struct spf_result {
	enum auth_result result;
	const char *identity;		/* the checked identity: sender
					   address or HELO name (arena) */
	const char *domain;		/* its domain (arena), may be NULL */
	const char *reason;		/* short text for logs, comments
					   (arena), may be NULL; fixed
					   wording, no text from DNS */
	const char *explanation;	/* fail explanation (arena) or NULL:
					   the domain's exp= text, expanded;
					   untrusted, sanitize before use */
};

/* Fills default limits. */
void spf_options_default(struct spf_options *);

/* SPF for MAIL FROM.  client_ip is the relay's address text; mailfrom may
 * be "" or "<>" (null sender: RFC 7208 2.4, the HELO identity is checked as
 * postmaster@helo).  Returns 0 with out filled (arena memory), -1 only when
 * out of memory.  Every lookup runs under budget (NULL: none; dns.h). */
int spf_check_mailfrom(struct dns_resolver *, struct dns_budget *budget,
    const struct spf_options *, const char *client_ip, const char *helo,
    const char *mailfrom, struct arena *, struct spf_result *out);

/* SPF for the HELO identity (RFC 7208 2.3); none when helo is not a
 * domain name (address literal, single label). */
int spf_check_helo(struct dns_resolver *, struct dns_budget *budget,
    const struct spf_options *, const char *client_ip, const char *helo,
    struct arena *, struct spf_result *out);

#endif
