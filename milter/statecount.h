/*
 * statecount.h - the daily verdict counters (policy/state/statestats.h)
 * summed over the UTC days a report's window touches.
 */
#ifndef RW_STATECOUNT_H
#define RW_STATECOUNT_H

#include <stddef.h>
#include <time.h>

struct arena;
struct state_pool;

#define STATECOUNT_DAYS_MAX	400	/* days read at most */

struct statecount {
	const char **names;		/* "action:accept", "reason:..." */
	unsigned long long *values;
	size_t n;			/* by value, largest first */
	char first_day[16], last_day[16];	/* YYYY-MM-DD, UTC */
};

/* Sums the counters of every UTC day from since's to until's (at most
 * STATECOUNT_DAYS_MAX, the latest).  Arena memory.  0, or -1 with err. */
int statecount_read(struct state_pool *, time_t since, time_t until,
    struct arena *, struct statecount *out, char *err, size_t errlen);

#endif
