/*
 * statedump.h - the whole history under the configured prefix, key by
 * key, for relaywarden-state export and import (backup, moving to
 * another Redis).  Issue 14 item 6.
 *
 * Every key under PREFIX is read by SCAN (never KEYS): sender hashes,
 * the known index (sorted set), the shared-infra HyperLogLogs (strings:
 * their bytes, as GET gives them, so they move between Redis versions,
 * which DUMP payloads do not).  Hashes and
 * sorted sets are read in pages (HSCAN / ZSCAN COUNT 1000): one record
 * per page, the second and later with append set.  Other types are not
 * ours: counted in *skipped, not exported.
 */
#ifndef RW_STATEDUMP_H
#define RW_STATEDUMP_H

#include <stddef.h>

struct state_pool;

enum state_rec_type { STATE_REC_HASH, STATE_REC_ZSET, STATE_REC_STRING };

struct state_record {
	const char *key;
	size_t keylen;
	enum state_rec_type type;
	long long expire_at_ms;		/* Unix ms; 0: no expiry */
	int append;			/* more of the previous record's key */
	/* hash: field, value, ...; zset: member, score, ... (score as
	 * Redis writes it); string: the one value.  nel elements. */
	const char *const *el;
	const size_t *ellen;
	size_t nel;
};

/* Calls fn for every record (borrowed until fn returns; fn returns -1
 * to stop, which makes this return -1 with err untouched).  0 or -1
 * with err. */
int state_dump_export(struct state_pool *,
    int (*fn)(const struct state_record *, void *), void *arg,
    unsigned long *skipped, char *err, size_t errlen);

/* Writes one record in one script call (atomic per record).  replace 0:
 * a key that exists is left alone (returns 0); replace 1: the key is
 * deleted first.  append records add to the key whatever replace says
 * (the caller skips the appends of a key it skipped).  1 written, 0
 * left alone, -1 with err.  The key must be under the prefix. */
int state_dump_import(struct state_pool *, const struct state_record *,
    int replace, char *err, size_t errlen);

/* The configured key prefix (borrowed from the pool). */
const char *state_dump_prefix(struct state_pool *);

#endif
