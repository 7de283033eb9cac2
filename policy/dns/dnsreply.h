/*
 * dnsreply.h - the reply object behind struct dns_reply, shared by the
 * resolver (dns.c) and its answer cache (dnscache.c); private to dns/.
 */
#ifndef RW_DNSREPLY_H
#define RW_DNSREPLY_H

#include "dns/dns.h"

struct ub_result;

/* A reply and what it points into, freed together by dns_reply_free:
 * a libunbound result (ub), or, for a cached answer, the bytes after
 * rr[count] in the same allocation (ub NULL). */
struct reply {
	struct dns_reply pub;
	struct ub_result *ub;
	struct dns_rr rr[];
};

#endif
