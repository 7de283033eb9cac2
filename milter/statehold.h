/*
 * statehold.h - the held messages of a Postfix instance, for
 * relaywarden-state report (issue 14 item 3): runs "postqueue [-c DIR]
 * -j" (no shell) and keeps the entries of queue "hold".
 */
#ifndef RW_STATEHOLD_H
#define RW_STATEHOLD_H

#include <stddef.h>
#include <time.h>

#define STATEHOLD_MAX	10000	/* held messages kept; more are counted */

struct statehold_msg {
	char *queue_id, *sender, *recipient;	/* malloc'd; recipient: the
						   first one, or NULL */
	size_t nrcpts;
	time_t arrival;
};

struct statehold {
	struct statehold_msg *v;	/* oldest first */
	size_t n;
	size_t more;			/* held past STATEHOLD_MAX */
	unsigned long bad_lines;	/* lines postqueue wrote that did
					   not parse */
};

/* Runs postqueue -j for config_dir (NULL: Postfix's default).  0, or -1
 * with err (cannot run, non-zero exit).  statehold_free after either. */
int statehold_read(const char *config_dir, struct statehold *,
    char *err, size_t errlen);
void statehold_free(struct statehold *);

#endif
