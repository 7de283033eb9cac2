/*
 * statereport.h - relaywarden-state report: the daily "what changed"
 * (issue 14 item 3; what it lists and how it decides in statereport.c).
 */
#ifndef RW_STATEREPORT_H
#define RW_STATEREPORT_H

#include <stddef.h>

struct config;
struct state_pool;

struct statereport_options {
	long long since_s;		/* the window: now - since_s .. now */
	size_t limit;			/* entries shown per list */
	unsigned new_count;		/* a relay / signer / link with at
					   most this many messages, the last
					   in the window, is new */
	int json;
	const char *postfix_config;	/* read the hold queue of this
					   instance (postqueue -c DIR -j);
					   NULL: not read */
};

/* Prints the report on stdout; exit code (0, or 2 with one line on
 * stderr). */
int statereport_run(struct state_pool *, const struct config *,
    const struct statereport_options *);

#endif
