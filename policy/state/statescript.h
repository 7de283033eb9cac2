/*
 * statescript.h - the Lua scripts of the sender state (internal to
 * state.c and statepool.c).  Layout and arguments: statescript.c.
 */
#ifndef RW_STATESCRIPT_H
#define RW_STATESCRIPT_H

/* The per-message read (and update): loaded at connect, run by EVALSHA. */
extern const char statescript_lookup[];
/* Marks or unmarks one trusted relay or signer (admin; run by EVAL). */
extern const char statescript_trust[];

/* ARGV positions of statescript_lookup (1-based as in Lua). */
enum {
	STATESCRIPT_NOW = 1, STATESCRIPT_AUTH, STATESCRIPT_LEARN,
	STATESCRIPT_TTL, STATESCRIPT_UNAUTH_TTL, STATESCRIPT_MAX_RELAYS,
	STATESCRIPT_MAX_SIGNERS, STATESCRIPT_MAX_KNOWN, STATESCRIPT_NAME,
	STATESCRIPT_INDEX, STATESCRIPT_INFRA, STATESCRIPT_INFRA_ID,
	STATESCRIPT_INFRA_SHARED, STATESCRIPT_ADDRESS,
	STATESCRIPT_ADDRESS_NAME, STATESCRIPT_LISTED,
	STATESCRIPT_MAILBOX_SHARED, STATESCRIPT_SUBDOMAIN,
	STATESCRIPT_ALIGNED, STATESCRIPT_PROFILE_MESSAGES,
	STATESCRIPT_PROFILE_SECONDS, STATESCRIPT_INFRA_MEMBER,
	STATESCRIPT_NOTHERS, STATESCRIPT_LIST, STATESCRIPT_LIST_RECORD,
	STATESCRIPT_OTHERS,	/* STATESCRIPT_OTHER_ARGS per other author
				   domain, then the signers */
};
/* Per other author domain: infra id, address, listed, subdomain,
 * organisational domain (KEYS: its hash, its address's hash). */
#define STATESCRIPT_OTHER_ARGS	5
/* Keys of statescript_lookup, without the two per other author. */
#define STATESCRIPT_NKEYS	5

#endif
