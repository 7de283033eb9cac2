/*
 * statsflush.h - the daemon's daily verdict counters into Redis (issue
 * 14 item 3): every stats_flush_s seconds, and once at exit, what the
 * action and reason counters (policy/util/metrics.h) moved since the
 * last addition goes into PREFIXstats:YYYYMMDD (policy/state/
 * statestats.h) through the current generation's Redis pool.  A failed
 * addition is kept and tried again with the next one; with the state
 * off nothing is written.
 */
#ifndef RW_STATSFLUSH_H
#define RW_STATSFLUSH_H

struct statsflush;

/* Starts the thread (signals blocked, as every other); NULL when it
 * cannot (logged: the daemon runs on without the counters). */
struct statsflush *statsflush_start(void);
/* Adds what is left and stops it.  NULL does nothing. */
void statsflush_stop(struct statsflush *);

#endif
