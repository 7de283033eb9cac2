/*
 * spfdns.h - our libspf2 DNS layer over dns.h (spfdns.c), internal to the
 * SPF module: spf.c fills a struct spfdns_check for each check and gives
 * libspf2 its layer.  Not part of the policy API.
 *
 * Thread rule: a struct spfdns_check belongs to one check, and so to one
 * thread; the resolver it borrows is thread-safe.
 */
#ifndef RW_SPFDNS_H
#define RW_SPFDNS_H

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>

/* arpa/nameser.h has ns_type; spf_dns.h would define its own */
#define HAVE_NS_TYPE 1
#include <spf2/spf.h>

#include "auth/auth.h"

#define SPFDNS_MAX_MX		10	/* RFC 7208 4.6.4 */
#define SPFDNS_MAX_PTR		10	/* RFC 7208 4.6.4 */
/* Names followed after one MX or PTR answer: the larger limit. */
#define SPFDNS_MAX_FOLLOW	(SPFDNS_MAX_MX > SPFDNS_MAX_PTR ? \
	SPFDNS_MAX_MX : SPFDNS_MAX_PTR)
#define SPFDNS_NAME_MAX		253

struct dns_budget;
struct dns_resolver;

/* One check's layer.  spf.c sets layer (lookup = spfdns_lookup, get_spf
 * = spfdns_get_spf, hook = the struct itself), res, budget, req, the
 * max_ limits and v6, the rest zeroed; after the query it reads stop,
 * forced, reason and tempfails. */
struct spfdns_check {
	SPF_dns_server_t layer;		/* layer.hook points here */
	struct dns_resolver *res;
	struct dns_budget *budget;	/* the message's, or NULL */
	SPF_request_t *req;		/* cur_dom: the current domain */
	unsigned max_terms, max_voids, max_record_len;
	unsigned terms, voids, fetches, lookups, tempfails;
	int v6;				/* the client's family */
	int stop;			/* answer nothing more */
	enum auth_result forced;	/* the result when stop is set */
	char reason[96];
	/* Names an MX or PTR answer gave: their address lookups are part
	 * of the term that asked, not terms of their own. */
	char follow[SPFDNS_MAX_FOLLOW][SPFDNS_NAME_MAX + 2];
	unsigned nfollow, next;
	int follow_cache, follow_ptr;
};

/* libspf2's lookup hook: every DNS question but the SPF record. */
SPF_dns_rr_t *spfdns_lookup(SPF_dns_server_t *layer, const char *domain,
    ns_type type, int cache);

/* libspf2's get_spf hook: fetches, screens (spfscreen.h) and compiles the
 * SPF record of req->cur_dom. */
SPF_errcode_t spfdns_get_spf(SPF_server_t *server, SPF_request_t *req,
    SPF_response_t *resp, SPF_record_t **recordp);

#endif
