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
	STATESCRIPT_SIGNERS,
};
/* Keys of statescript_lookup. */
#define STATESCRIPT_NKEYS	4
#define STATESCRIPT_NKEYS_TEXT	"4"

#endif
