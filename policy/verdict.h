/*
 * verdict.h - reasons and the action they add up to.
 *
 * Checks emit reasons {rule, score, detail}; thresholds pick the action.
 * A verdict belongs to one message (arena memory).
 */
#ifndef RW_VERDICT_H
#define RW_VERDICT_H

#include <stddef.h>

struct arena;

enum verdict_action {
	VERDICT_ACCEPT = 0,
	VERDICT_TAG,
	VERDICT_QUARANTINE,
	VERDICT_REJECT,
	VERDICT_TEMPFAIL,
};

struct reason {
	const char *rule;		/* stable name, e.g. "spf_fail" */
	int score;
	const char *detail;		/* sanitised short text or NULL */
	int whatif;			/* a dry-run rule: shown and logged,
					   its score not counted */
};

struct verdict {
	enum verdict_action action;
	enum verdict_action hard;	/* at least this, whatever the score
					   (hard rules); ACCEPT = none */
	int dry_run;			/* action computed, only headers */
	const char *state;		/* "unavailable" when the sender
					   history could not be read, else
					   NULL */
	int score;
	struct reason *reasons;
	size_t nreasons, cap;
};

/* Adds a reason (strings copied into the arena); 0 or -1. */
int verdict_add(struct verdict *, struct arena *, const char *rule,
    int score, const char *detail);

/* The same for a what-if rule: listed, its score not counted. */
int verdict_add_whatif(struct verdict *, struct arena *, const char *rule,
    int score, const char *detail);

const char *verdict_action_name(enum verdict_action);

/* Raises the hard action to at least a (a hard rule fired). */
void verdict_require(struct verdict *, enum verdict_action a);

/* Picks the action: the highest threshold the score reaches (a threshold
 * of 0 is never reached), or the hard action if that is stronger. */
void verdict_decide(struct verdict *, unsigned tag, unsigned quarantine,
    unsigned reject);

/* The X-Relaywarden value "action=A; score=N; reasons=r1,r2" through
 * hdrout (arena), or NULL when out of memory.  What-if rules follow as
 * "; whatif=r3,r4", an unavailable history as "; state=unavailable", and
 * a global dry run as " (dry-run)". */
const char *verdict_header(const struct verdict *, struct arena *);

#endif
