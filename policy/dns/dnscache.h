/*
 * dnscache.h - answers already had, kept for their TTL (issue 15): a
 * message asks ~5.6 names, most of them the same as the last message's
 * (the sender's SPF and DMARC records, its DKIM key), and a lookup that
 * reaches libunbound's own cache still costs ~55 us of CPU and three
 * thread hand-offs.  The cache sits in front of it, per resolver (so a
 * reload starts empty).
 *
 * What is kept: DNS_OK, DNS_NXDOMAIN and DNS_NODATA answers with a TTL
 * above 0, for min(TTL, DNSCACHE_TTL_MAX) (negative ones at most
 * DNSCACHE_NEG_TTL_MAX); never a DNS_TEMPFAIL or a bad name.  The TTL
 * handed back is what is left of it.  A hostile zone chooses its TTLs
 * and its names: the caps bound how long an answer lives, and the cache
 * holds at most max_entries answers and max_bytes bytes (the least
 * recently used go first), so names made up per message only push
 * others out.
 * Thread rule: any thread; one mutex, held for a hash look-up and one
 * copy (an answer is a few hundred bytes).
 */
#ifndef RW_DNSCACHE_H
#define RW_DNSCACHE_H

#include <stddef.h>

#include "dns/dns.h"

#define DNSCACHE_TTL_MAX	3600	/* seconds */
#define DNSCACHE_NEG_TTL_MAX	300
#define DNSCACHE_ENTRIES	8192
#define DNSCACHE_BYTES		(8u << 20)

struct dnscache;

/* NULL when out of memory. */
struct dnscache *dnscache_new(size_t max_entries, size_t max_bytes);
void dnscache_free(struct dnscache *);

/* 1 with *out, a copy the caller frees with dns_reply_free; 0 when the
 * answer is not held (or expired); -1 when out of memory.  now:
 * monotonic seconds. */
int dnscache_get(struct dnscache *, const char *qname, int rrtype,
    long long now, struct dns_reply **out);
/* Keeps a copy of reply (see above for which).  Out of memory: not
 * kept. */
void dnscache_put(struct dnscache *, const char *qname, int rrtype,
    const struct dns_reply *reply, long long now);

struct dnscache_stats {
	unsigned long hits, entries;
	size_t bytes;
};
void dnscache_stats(struct dnscache *, struct dnscache_stats *);

#endif
