/*
 * statewalk.h - every sender hash under the prefix, one at a time, with
 * all its relays, signers and link organisations: what relaywarden-state
 * report reads (issue 14 item 3).  A SCAN (never KEYS) of PREFIX{*}, one
 * pipelined HGETALL per batch of keys: the cost grows with the number of
 * senders, like first-contacts.
 */
#ifndef RW_STATEWALK_H
#define RW_STATEWALK_H

#include <stddef.h>
#include <time.h>

struct state_pool;

/* One r / s / w field ("COUNT:LAST") or R / S (trusted since). */
struct state_walk_field {
	char kind;			/* 'r' relay, 's' signer, 'w' link,
					   'R' / 'S' trusted relay / signer */
	const char *name;		/* printable (control bytes '?') */
	unsigned long count;		/* 0 for R / S */
	time_t last;			/* last seen, or trusted since */
};

struct state_walk_sender {
	const char *name;		/* field d, else the key's name;
					   printable */
	unsigned long long messages, auth_messages;
	time_t first_seen, last_seen, known_since;
	const struct state_walk_field *fields;
	size_t nfields;
};

/* Calls fn for every sender hash (borrowed until fn returns; fn returns
 * -1 to stop, then this returns -1 with err untouched).  0, or -1 with
 * err. */
int state_walk_senders(struct state_pool *,
    int (*fn)(const struct state_walk_sender *, void *), void *arg,
    char *err, size_t errlen);

#endif
