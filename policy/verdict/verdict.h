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
	const char *about;		/* what it is about, short (a domain,
					   a file, a relay), or NULL: the
					   header and log show it, else the
					   detail (vdetail.c) */
	unsigned more;			/* more items raised it ("+N") */
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
	const char *allowed;		/* issue 13 item 2: the comments of
					   the allow-list entries that
					   applied (allowlist.h), or NULL */
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

/* verdict_raise with a short subject for the header and the log line
 * (struct reason's about; may be NULL) and a count of further items it
 * stands for (more, 0 for none). */
int verdict_raise_about(struct verdict *, struct arena *,
    const struct config *, enum rule r, const char *about, unsigned more,
    const char *detail);

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

/* The details grammar (vdetail.c, README "What it writes"): a detail is
 * cut to VERDICT_DETAIL_MAX bytes of its text ("*" marks the cut) and
 * percent-encoded outside [A-Za-z0-9._:/@-]; a list carries at most
 * VERDICT_DETAILS_MAX bytes of details, later reasons by name only. */
#define VERDICT_DETAIL_MAX	64
#define VERDICT_DETAIL_BUF	(3 * VERDICT_DETAIL_MAX + 2)
#define VERDICT_DETAILS_MAX	2048
/* Encodes text (may be NULL) into out (outlen >= VERDICT_DETAIL_BUF,
 * else out is ""); returns the length written. */
size_t verdict_detail_encode(char *out, size_t outlen, const char *text);
/* "rule" or "rule(detail[*][+N])" for r (arena or the rule's name), NULL
 * when out of memory. */
const char *verdict_reason_word(const struct reason *r, struct arena *);
/* The words of v's reasons with whatif == w, comma separated ("" when
 * none), or NULL when out of memory. */
const char *verdict_detail_list(const struct verdict *v, int w,
    struct arena *);

/* The X-Relaywarden value "action=A; score=N; reasons=r1(d1),r2" through
 * hdrout (arena), or NULL when out of memory; the list folds after a
 * comma when long.  What-if rules follow as "; whatif=r3(d3),r4", an
 * unavailable history as "; state=unavailable", the allow-list entries
 * that applied as "; allowed=\"comment\"", and a global dry run as
 * " (dry-run)".  Outbound mail has "direction=outbound;" after the
 * action. */
const char *verdict_header(const struct verdict *, struct arena *);
/* The rule names of v's reasons with whatif == w (0: scored, 1: what-if),
 * comma separated in the order raised ("" when none), or NULL when out of
 * memory.  Our rule names only: tokens, never text from the message. */
const char *verdict_rule_list(const struct verdict *v, int w,
    struct arena *);

#endif
