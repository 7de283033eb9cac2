/*
 * dns.h - the one caching resolver shared by SPF, DKIM and DMARC.
 *
 * Wraps one libunbound context per config generation, with an answer
 * cache in front (dnscache.h: answers kept for their TTL, at most an
 * hour, negative ones five minutes; never a failure).  Thread rule: a
 * resolver may be used by any number of threads at once (libunbound
 * contexts are thread-safe; our own state is atomics or under a mutex).
 * Every query has a deadline (dns_options.timeout_ms); a query that misses
 * it is cancelled and answers DNS_TEMPFAIL.
 *
 * Local data (dns_options.local_data) is a zone-style file:
 *   name [TTL] [IN] TYPE rdata      a record answered locally
 *   $STATIC name                    names under it that the file does not
 *                                   hold answer NXDOMAIN / no data
 *   $FORWARD name                   this name goes to the resolver even
 *                                   under a $STATIC zone (tests point the
 *                                   resolver at a silent socket to get a
 *                                   real timeout); record types the file
 *                                   holds for the name itself still
 *                                   answer locally
 *   $ORIGIN name                    later names without a final dot,
 *                                   and "@", are relative to name
 *   ( ... )                         one record over several lines (as
 *                                   opendkim-genkey prints its TXT)
 *   ; or # starts a comment (outside quotes; \ escapes as in zone files)
 * Without $ORIGIN names are absolute whether or not they end in a dot
 * (a relative-looking "x._domainkey" is refused with a hint).  Errors read
 * "FILE:LINE: problem".  A CNAME in local data is followed (up to 8).
 * Names the file does not cover go to the resolver (system resolv.conf or
 * the configured forwarders).  Query names are raw octets: dns_query
 * escapes anything outside letters, digits, '-' and '_' itself.
 */
#ifndef RW_DNS_H
#define RW_DNS_H

#include <stddef.h>

/* RR types we ask for (values from RFC 1035 / 3596). */
#define DNS_T_A		1
#define DNS_T_NS	2
#define DNS_T_CNAME	5
#define DNS_T_PTR	12
#define DNS_T_MX	15
#define DNS_T_TXT	16
#define DNS_T_AAAA	28
#define DNS_T_SPF	99

enum dns_status {
	DNS_OK = 0,		/* at least one record of the type */
	DNS_NXDOMAIN,		/* the name does not exist */
	DNS_NODATA,		/* the name exists, no record of the type */
	DNS_TEMPFAIL,		/* timeout, SERVFAIL, resolver failure */
	DNS_BADNAME,		/* the name is not a valid query name */
};

struct dns_options {
	const char *resolv_conf;	/* NULL: /etc/resolv.conf */
	const char *const *forwarders;	/* "addr" or "addr@port"; overrides
					   resolv_conf when nforwarders > 0 */
	size_t nforwarders;
	unsigned timeout_ms;		/* per query deadline, > 0 */
	const char *local_data;		/* NULL or a file, format above */
};

struct dns_rr {
	const unsigned char *data;	/* rdata in wire format; domain names
					   in it are uncompressed */
	size_t len;
};

struct dns_reply {
	enum dns_status status;
	int rrtype;
	size_t count;			/* records of rrtype in the answer */
	const struct dns_rr *rr;
	const unsigned char *packet;	/* the whole DNS reply (for
					   libopendkim), may be NULL */
	size_t packet_len;
	unsigned ttl;
};

struct dns_resolver;

/* Returns a new resolver or NULL with a one-line reason in err (bad
 * forwarder, unreadable or malformed local data with FILE:LINE). */
struct dns_resolver *dns_resolver_new(const struct dns_options *,
    char *err, size_t errlen);
void dns_resolver_free(struct dns_resolver *);

/* A budget for every query one message makes (SPF, DKIM keys, DMARC,
 * the relay's names).  The scan owns it (policy.h: policy_scan_budget)
 * and hands it to each lookup; it is plain data, so a worker process or
 * a test can see and set it.  A query under a budget waits at most
 * min(timeout_ms, what is left); once it is spent, queries answer
 * DNS_TEMPFAIL at once, so a message whose names all hang costs one
 * budget, not timeout_ms per query.  spent: 1 once a query found it
 * spent or ran it out.  One message, one thread at a time: no lock. */
struct dns_budget {
	long long end_ns;		/* CLOCK_MONOTONIC; 0: no budget */
	int spent;
};

/* Starts b: ms milliseconds from now (0: no budget); clears spent. */
void dns_budget_start(struct dns_budget *b, unsigned ms);

/* Looks up name/rrtype and waits at most the deadline, and at most what
 * is left of budget (NULL: none).  Returns 0 and a reply the caller frees
 * with dns_reply_free(), or -1 when out of memory.  DNS failures are a
 * status in the reply, not -1. */
int dns_query(struct dns_resolver *, struct dns_budget *budget,
    const char *name, int rrtype, struct dns_reply **out);
void dns_reply_free(struct dns_reply *);

/* Helpers over one record of a reply.  Each returns the length written
 * (without the NUL) or -1 when the rdata is malformed or does not fit. */
int dns_rr_txt(const struct dns_rr *, char *buf, size_t buflen);
				/* character-strings concatenated */
int dns_rr_name(const struct dns_rr *, size_t offset, char *buf,
    size_t buflen);		/* a domain name at offset, dotted, no
				   trailing dot (PTR: 0, MX: 2) */

/* Counters for logs and the benchmark (monotonic, atomics). */
struct dns_stats {
	unsigned long queries, timeouts, failures;
	unsigned long sent;	/* of the queries, those handed to
				   libunbound (a spent budget sends none,
				   nor does a cached answer) */
	unsigned long cache_hits, cache_entries;	/* dnscache.h */
};
void dns_resolver_stats(const struct dns_resolver *, struct dns_stats *);

#endif
