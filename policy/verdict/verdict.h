/*
 * verdict.h - reasons and the action they add up to.
 *
 * Checks raise rules (rules.h) with verdict_raise, the one function that
 * turns a rule into a reason {rule, score, detail}: the config's score,
 * dry run (a what-if reason), and the cap on a rule that lowers a score.
 * A hard rule asks for its action with verdict_raise_hard.  The
 * recipients' thresholds (struct thresholds, verdict_thresholds) pick the
 * action: verdict_decide for the message, verdict_held for "would this
 * be held" wherever else it is asked (the sender history: held mail
 * teaches nothing).  A verdict belongs to one message (arena memory).
 */
#ifndef RW_VERDICT_H
#define RW_VERDICT_H

#include <stddef.h>

#include "rules/rules.h"

struct arena;
struct config;
struct message;

enum verdict_action {
	VERDICT_ACCEPT = 0,
	VERDICT_TAG,
	VERDICT_QUARANTINE,
	VERDICT_REJECT,
	VERDICT_TEMPFAIL,
};

struct reason {
	enum rule id;
	const char *rule;		/* its stable name, e.g. "spf_fail"
					   (rules_table) */
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
	int outbound;			/* outbound mail (outbound.h): the
					   header says direction=outbound */
	const char *state;		/* "unavailable" when the sender
					   history could not be read, else
					   NULL */
	int score;
	struct reason *reasons;
	size_t nreasons, cap;
};

/* The tag, quarantine and reject scores of one message; 0 = never. */
struct thresholds {
	unsigned tag;
	unsigned quarantine;
	unsigned reject;
};

/* The tag, quarantine and reject thresholds for m: the global ones,
 * lowered by every recipient_policies group one of m's recipients is in
 * (each threshold the lowest non-zero among them; config.h). */
void verdict_thresholds(const struct config *, const struct message *,
    struct thresholds *out);

/* Raises rule r with detail (may be NULL; copied into the arena): the
 * config's score, or a what-if reason when the config dry-runs r.  A
 * rule that may lower a score (rules.h) takes away at most what it may
 * lower and is left out when that is nothing.  0 or -1 when out of
 * memory. */
int verdict_raise(struct verdict *, struct arena *, const struct config *,
    enum rule r, const char *detail);

/* Rule r asks for at least action a whatever the score (a hard rule),
 * unless the config dry-runs r. */
void verdict_raise_hard(struct verdict *, const struct config *,
    enum rule r, enum verdict_action a);

/* 1 when rule r counts (it is not a dry-run rule). */
int verdict_rule_live(const struct config *, enum rule r);

/* The primitives under verdict_raise, for tests: a reason with the
 * given score, counted or what-if.  0 or -1. */
int verdict_add(struct verdict *, struct arena *, enum rule r, int score,
    const char *detail);
int verdict_add_whatif(struct verdict *, struct arena *, enum rule r,
    int score, const char *detail);

const char *verdict_action_name(enum verdict_action);

/* Raises the hard action to at least a (a hard rule fired). */
void verdict_require(struct verdict *, enum verdict_action a);

/* The action v gets under t: the highest threshold its score reaches
 * (a threshold of 0 is never reached), or its hard action if that is
 * stronger. */
enum verdict_action verdict_action_under(const struct verdict *,
    const struct thresholds *t);

/* Sets v->action to verdict_action_under(v, t). */
void verdict_decide(struct verdict *, const struct thresholds *t);

/* The order of strength of the actions: accept < tag < quarantine <
 * tempfail < reject. */
int verdict_action_strength(enum verdict_action);

/* 1 when v, as it stands, would be held or refused under t: quarantine,
 * reject or tempfail. */
int verdict_held(const struct verdict *, const struct thresholds *t);

/* The X-Relaywarden value "action=A; score=N; reasons=r1,r2" through
 * hdrout (arena), or NULL when out of memory.  Outbound mail has
 * "direction=outbound;" after the action.  What-if rules follow as
 * "; whatif=r3,r4", an unavailable history as "; state=unavailable", and
 * a global dry run as " (dry-run)". */
const char *verdict_header(const struct verdict *, struct arena *);
/* The rule names of v's reasons with whatif == w (0: scored, 1: what-if),
 * comma separated in the order raised ("" when none), or NULL when out of
 * memory.  Our rule names only: tokens, never text from the message. */
const char *verdict_rule_list(const struct verdict *v, int w,
    struct arena *);

#endif
