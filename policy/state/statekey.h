/*
 * statekey.h - safe names for the sender state in Redis: a domain, relay
 * infrastructure or DKIM signer as it may appear in a key name or a hash
 * field, and the SHA-256 used for names that may not appear as they are.
 * Pure functions over caller memory; any thread.  Used by state.c and
 * statecli.c only.
 */
#ifndef RW_STATEKEY_H
#define RW_STATEKEY_H

#include <stddef.h>
#include <stdint.h>

/* Longest name kept as it is (RFC 1035 domain name text). */
#define STATEKEY_NAME_MAX	253
/* Bytes of a normalised name, with the NUL: a plain name or "#" + 32
 * hex digits. */
#define STATEKEY_BUF		(STATEKEY_NAME_MAX + 1)

enum statekey_kind {
	STATEKEY_DOMAIN,		/* a-z 0-9 . - _ */
	STATEKEY_INFRA,			/* also : and / ("net:192.0.2.0/24") */
};

/* Normalises name into out (at least STATEKEY_BUF bytes): ASCII lower
 * case, one trailing dot dropped.  A name of 1..253 bytes made only of
 * the kind's characters, not starting with a dot, is kept as it is;
 * anything else (too long, other bytes, "{", "}", spaces, UTF-8) becomes
 * "#" and the first 32 hex digits of the SHA-256 of the lower-cased
 * bytes, so it can never inject into a key name or a hash tag.  Returns 1
 * when hashed, 0 when plain, -1 when name is NULL or empty. */
int statekey_normalize(const char *name, enum statekey_kind, char *out,
    size_t outlen);

/* A form of name fit to show and to index (lower-cased ASCII, one
 * trailing dot dropped): valid UTF-8 of 1..253 bytes with no control
 * bytes, spaces, braces or quotes.  0 with out filled (at least
 * STATEKEY_BUF bytes), -1 when name has no such form. */
int statekey_display(const char *name, char *out, size_t outlen);

/* SHA-256 (FIPS 180-4) of len bytes into out[32]. */
void statekey_sha256(const void *data, size_t len, uint8_t out[32]);

#endif
