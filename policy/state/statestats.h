/*
 * statestats.h - the daily counts of verdicts by action and by reason,
 * kept in Redis for relaywarden-state report (issue 14 item 3).
 *
 * Data: PREFIXstats:YYYYMMDD (UTC day), a hash of "action:NAME" and
 * "reason:RULE" counters, STATE_STATS_TTL_DAYS long.  The daemon does
 * not write it per message (one round trip per message stays the
 * sender lookup's): it adds what its counters moved since the last
 * flush, every stats_flush_s seconds and at exit, in one pipeline
 * (milter/statsflush.c).  Several milter hosts add into the same hash.
 */
#ifndef RW_STATESTATS_H
#define RW_STATESTATS_H

#include <stddef.h>

struct arena;
struct state_pool;

#define STATE_STATS_TTL_DAYS	40

/* Adds deltas[i] to field fields[i] of day's hash (zero deltas are
 * skipped) and sets its TTL, in one pipeline.  day: "YYYYMMDD".  0, or
 * -1 with err (then nothing may have been added: the caller keeps the
 * deltas for the next try). */
int state_stats_add(struct state_pool *, const char *day,
    const char *const *fields, const unsigned long long *deltas, size_t n,
    char *err, size_t errlen);

/* The counters of day: *n fields and values (arena), 0 when the day has
 * none.  0, or -1 with err. */
int state_stats_get(struct state_pool *, const char *day, struct arena *,
    const char ***fields, unsigned long long **values, size_t *n,
    char *err, size_t errlen);

#endif
