/*
 * known.h - the daemon's lookalike index: the protected domains of the
 * running config plus every known correspondent (a sender domain with
 * authenticated history in Redis), kept fresh by one background thread.
 *
 * It belongs to the daemon, not to a config generation: a reload calls
 * known_configure with the new config (protected set and pool), and the
 * correspondents already loaded stay.  The refresher reads the Redis
 * index from where it stopped (state_known_since) every
 * state_known_refresh_s, adding names only (removal happens by expiry:
 * a rebuild of the daemon drops them).  Lookups go straight to the
 * index, which is thread-safe (lookalike.h).
 * relaywarden-check loads the correspondents once (known_load) instead.
 * Thread rule: known_configure, known_load and known_start from one
 * thread (the daemon's main or reload thread); known_index from any.
 */
#ifndef RW_KNOWN_H
#define RW_KNOWN_H

#include <stddef.h>

struct config;
struct known;
struct lookalike_index;
struct state_pool;

/* A new index with cfg's protected and partner domains, reading the
 * correspondents from pool (referenced; NULL: none).  NULL with err. */
struct known *known_new(const struct config *, struct state_pool *,
    char *err, size_t errlen);
struct known *known_ref(struct known *);
/* The last unref stops the refresher (waits for it) and frees. */
void known_unref(struct known *);

/* A new config: protected domains that left lose their flag, new ones
 * are added; the refresher uses pool (referenced) from now on.
 * 0, or -1 with err (the index keeps what it had). */
int known_configure(struct known *, const struct config *,
    struct state_pool *, char *err, size_t errlen);

/* Reads the correspondents known since the last read, now, in this
 * thread.  0, or -1 with err (Redis unavailable: the index keeps what it
 * has). */
int known_load(struct known *, char *err, size_t errlen);

/* Starts the refresher thread: a first read at once, then one every
 * state_known_refresh_s of the latest config (0: none after the first).
 * 0 or -1. */
int known_start(struct known *);

struct lookalike_index *known_index(struct known *);

#endif
