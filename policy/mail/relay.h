/*
 * relay.h - which hop is "the relay": the SMTP client, unless it is one of
 * the configured internal relays; then the first external hop found by
 * walking Received headers from the newest, trusting only headers added
 * by internal relays.
 */
#ifndef RW_RELAY_H
#define RW_RELAY_H

#include <stddef.h>

struct arena;
struct message;
struct net_cidr;

struct relay {
	const char *ip;			/* address text, or NULL if unknown */
	const char *helo;		/* HELO it gave, or NULL */
	const char *name;		/* its reverse DNS name, or NULL */
	unsigned hops;			/* Received headers walked (0: it is
					   the SMTP client) */
	int internal_only;		/* every hop was internal: no external
					   relay found */
};

/* Fills out (arena strings).  0, or -1 when out of memory.
 * Loopback clients and hops always count as internal.  An IPv4-mapped
 * address is given in its IPv4 form.  Outcomes:
 *   external hop found     ip/helo/name are its own, internal_only 0;
 *   every hop internal     (the Received headers ran out, or one has no
 *                          from clause: a local submission) internal_only
 *                          1, ip/helo/name the oldest internal hop's - not
 *                          a relay to run SPF against;
 *   unknown                ip NULL, internal_only 0: no client address,
 *                          an internal hop's from clause unreadable or
 *                          ambiguous, or max_walk headers read with more
 *                          to go. */
int relay_find(const struct message *, const struct net_cidr *internal,
    size_t ninternal, unsigned max_walk, struct arena *,
    struct relay *out);

/* Parses one Received value into the sending host's HELO, reverse name
 * and address ("from HELO (NAME [IP])" as Postfix, sendmail and Exim
 * write it; Exchange and qmail forms too).  0 when an address was found,
 * else -1 (all three NULL).  helo and name may be NULL. */
int relay_parse_received(const char *value, struct arena *,
    const char **helo, const char **name, const char **ip);

#endif
