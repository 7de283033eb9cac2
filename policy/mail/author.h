/*
 * author.h - the author domains of a message: every From header and
 * every mailbox in it, each domain in its A-label form (idna.h), and
 * whether the message has exactly one usable author domain, which DMARC
 * needs (RFC 7489 section 6.6.1).  Pure; results in arena memory.
 */
#ifndef RW_AUTHOR_H
#define RW_AUTHOR_H

#include <stddef.h>

#include "mail/addr.h"

struct arena;
struct message;

#define AUTHOR_MAX_DOMAINS	8	/* distinct author domains kept;
					   more are counted only */

/* Why a message has no single usable author domain; the first that
 * applies, in this order. */
enum author_problem {
	AUTHOR_OK = 0,
	AUTHOR_NO_FROM,			/* no From header */
	AUTHOR_SEVERAL_HEADERS,		/* two or more From headers */
	AUTHOR_SEVERAL_ADDRESSES,	/* two or more mailboxes */
	AUTHOR_GROUP,			/* group syntax ("g: a@b;") */
	AUTHOR_UNPARSABLE,		/* a From that does not parse */
	AUTHOR_BAD_DOMAIN,		/* a domain that is not a name: an
					   invalid U-label or A-label, a
					   literal, a single label */
};

struct author {
	enum author_problem problem;
	const char *detail;		/* one line naming every problem
					   seen; NULL when AUTHOR_OK */
	const char *domain;		/* the one author domain (A-label)
					   when AUTHOR_OK, else NULL */
	/* Every distinct usable author domain, in header order, with the
	 * first mailbox at it (its domain replaced by the A-label). */
	struct addr_mailbox boxes[AUTHOR_MAX_DOMAINS];
	size_t ndomains;
	size_t more_domains;		/* distinct ones past the cap */
	unsigned nheaders;		/* From headers */
	unsigned naddresses;		/* mailboxes over all of them */
	int idn;			/* a domain was written in U-labels
					   (converted) */
};

/* Reads m's From headers into out.  0, or -1 when out of memory. */
int author_parse(const struct message *m, struct arena *,
    struct author *out);

/* "several_headers" etc.: the stable word of a problem. */
const char *author_problem_name(enum author_problem);

#endif
