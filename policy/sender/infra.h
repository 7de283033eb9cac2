/*
 * infra.h - the sending infrastructure a relay belongs to, the unit the
 * sender history remembers: the organisational domain of the relay's
 * forward-confirmed reverse DNS name where it has one ("org:example.net"),
 * else its network ("net:192.0.2.0/24", IPv6 /48 by default), so that a
 * partner's provider rotating addresses is not "new".
 */
#ifndef RW_INFRA_H
#define RW_INFRA_H

#include <stddef.h>

struct arena;
struct orgdomain;
struct dns_budget;
struct dns_resolver;

struct infra {
	const char *id;			/* "org:..." or "net:..." (arena) */
	const char *fcrdns;		/* the confirmed name, or NULL */
};

/* Identifies the relay at ip (address text).  DNS: one PTR query and one
 * A/AAAA query per PTR name tried (at most INFRA_MAX_PTR), all through the
 * caching resolver under budget (NULL: none); any DNS failure falls back
 * to the network.  Returns 0 (out filled, arena memory) or -1 when ip is
 * not an address or memory ran out. */
int infra_identify(struct dns_resolver *, struct dns_budget *budget,
    const struct orgdomain *, const char *ip, unsigned v4_prefix,
    unsigned v6_prefix, struct arena *, struct infra *out);

/* The reverse-lookup name of an address ("1.2.0.192.in-addr.arpa"), in
 * buf; 0 or -1. */
int infra_ptr_name(const char *ip, char *buf, size_t buflen);

/* Whether id can ever be what infra_identify gives: "org:" and an
 * organisational domain (by psl; any domain name when psl is NULL), or
 * "net:" and a network with the configured prefix length.  0, or -1 with
 * the reason in err (for relaywarden-state trust-relay). */
int infra_check_id(const struct orgdomain *psl, const char *id,
    unsigned v4_prefix, unsigned v6_prefix, char *err, size_t errlen);

#endif
