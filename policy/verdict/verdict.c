/*
 * verdict.c - the list of reasons of one message and its action.
 *
 * Exports verdict_* (verdict.h), the recipients' thresholds
 * (verdict_thresholds) among them.  verdict_raise is the one place a
 * rule becomes a reason: score and dry run from the config, and the cap
 * of a lowering rule (rules.h), so no combination of lowering rules
 * reaches below what they may excuse.  Arena memory; one thread.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "config/config.h"
#include "mail/hdrout.h"
#include "mail/message.h"
#include "verdict/verdict.h"

static struct reason *
reason_new(struct verdict *v, struct arena *a, enum rule id, int score,
    const char *detail)
{
	struct reason *r;
	size_t ncap;

	if (v->nreasons == v->cap) {
		ncap = v->cap ? v->cap * 2 : 8;
		if ((r = arena_calloc(a, ncap, sizeof(*r))) == NULL)
			return NULL;
		if (v->nreasons)
			memcpy(r, v->reasons, v->nreasons * sizeof(*r));
		v->reasons = r;
		v->cap = ncap;
	}
	r = &v->reasons[v->nreasons];
	r->id = id;
	r->rule = rules_table[id].name;
	r->detail = NULL;
	r->about = NULL;
	r->more = 0;
	if (detail != NULL && (r->detail = arena_strdup(a, detail)) == NULL)
		return NULL;
	r->score = score;
	r->whatif = 0;
	v->nreasons++;
	return r;
}

int
verdict_add_whatif(struct verdict *v, struct arena *a, enum rule id,
    int score, const char *detail)
{
	struct reason *r;

	if ((r = reason_new(v, a, id, score, detail)) == NULL)
		return -1;
	r->whatif = 1;
	return 0;
}

int
verdict_add(struct verdict *v, struct arena *a, enum rule id, int score,
    const char *detail)
{
	if (reason_new(v, a, id, score, detail) == NULL)
		return -1;
	/* Scores are small policy integers; saturate rather than wrap. */
	if (score > 0 && v->score > INT32_MAX - score)
		v->score = INT32_MAX;
	else if (score < 0 && v->score < INT32_MIN - score)
		v->score = INT32_MIN;
	else
		v->score += score;
	return 0;
}

/* The positive score a lowering rule of mask lowers may still take
 * away: the scores of the reasons of those kinds, less what negative
 * reasons took already.  What-if reasons count for nothing. */
static int
lowerable(const struct verdict *v, unsigned lowers)
{
	long sum = 0;
	size_t i;

	for (i = 0; i < v->nreasons; i++) {
		const struct reason *r = &v->reasons[i];

		if (r->whatif)
			continue;
		if (r->score < 0)
			sum += r->score;
		else if (rules_table[r->id].kind & lowers)
			sum += r->score;
	}
	return sum > 0 ? (sum > 1000000 ? 1000000 : (int)sum) : 0;
}

int
verdict_raise(struct verdict *v, struct arena *a, const struct config *cfg,
    enum rule r, const char *detail)
{
	return verdict_raise_about(v, a, cfg, r, NULL, 0, detail);
}

int
verdict_raise_about(struct verdict *v, struct arena *a,
    const struct config *cfg, enum rule r, const char *about, unsigned more,
    const char *detail)
{
	int score = cfg->scores[r], room, rc;
	size_t before = v->nreasons;

	/* A lowering rule is capped by what it may excuse, and listed only
	 * when it lowers something; a what-if one with the score it would
	 * have had. */
	if (score < 0 && rules_table[r].lowers != 0) {
		if ((room = lowerable(v, rules_table[r].lowers)) == 0)
			return 0;
		if (-score > room)
			score = -room;
	}
	if (cfg->rule_dry_run[r])
		rc = verdict_add_whatif(v, a, r, score, detail);
	else
		rc = verdict_add(v, a, r, score, detail);
	if (rc == 0 && v->nreasons > before) {
		struct reason *n = &v->reasons[v->nreasons - 1];

		if (about != NULL && (n->about = arena_strdup(a, about)) ==
		    NULL)
			return -1;
		n->more = more;
	}
	return rc;
}

int
verdict_rule_live(const struct config *cfg, enum rule r)
{
	return !cfg->rule_dry_run[r];
}

int
verdict_action_strength(enum verdict_action a)
{
	switch (a) {
	case VERDICT_ACCEPT:
		return 0;
	case VERDICT_TAG:
		return 1;
	case VERDICT_QUARANTINE:
		return 2;
	case VERDICT_TEMPFAIL:
		return 3;
	case VERDICT_REJECT:
		return 4;
	}
	return 0;
}

void
verdict_require(struct verdict *v, enum verdict_action a)
{
	if (verdict_action_strength(a) > verdict_action_strength(v->hard))
		v->hard = a;
}

void
verdict_raise_hard(struct verdict *v, const struct config *cfg,
    enum rule r, enum verdict_action a)
{
	if (verdict_rule_live(cfg, r))
		verdict_require(v, a);
}

static int
reaches(int score, unsigned threshold)
{
	return threshold > 0 && score >= 0 && (unsigned)score >= threshold;
}

enum verdict_action
verdict_action_under(const struct verdict *v, const struct thresholds *t)
{
	enum verdict_action a = VERDICT_ACCEPT;

	if (reaches(v->score, t->reject))
		a = VERDICT_REJECT;
	else if (reaches(v->score, t->quarantine))
		a = VERDICT_QUARANTINE;
	else if (reaches(v->score, t->tag))
		a = VERDICT_TAG;
	return verdict_action_strength(v->hard) >
	    verdict_action_strength(a) ? v->hard : a;
}

void
verdict_decide(struct verdict *v, const struct thresholds *t)
{
	v->action = verdict_action_under(v, t);
}

int
verdict_held(const struct verdict *v, const struct thresholds *t)
{
	return verdict_action_strength(verdict_action_under(v, t)) >=
	    verdict_action_strength(VERDICT_QUARANTINE);
}

const char *
verdict_action_name(enum verdict_action a)
{
	switch (a) {
	case VERDICT_ACCEPT:
		return "accept";
	case VERDICT_TAG:
		return "tag";
	case VERDICT_QUARANTINE:
		return "quarantine";
	case VERDICT_REJECT:
		return "reject";
	case VERDICT_TEMPFAIL:
		return "tempfail";
	}
	return "accept";
}

const char *
verdict_rule_list(const struct verdict *v, int w, struct arena *a)
{
	const char *list = "";
	char *p;
	size_t i;
	int n = 0;

	for (i = 0; i < v->nreasons; i++) {
		if (v->reasons[i].whatif != w)
			continue;
		p = arena_printf(a, "%s%s%s", list, n++ ? "," : "",
		    v->reasons[i].rule);
		if (p == NULL)
			return NULL;
		list = p;
	}
	return list;
}

/* Adds "key=w1,w2,...;" (the ';' when more follows) one word an item,
 * glued, so that hdrout folds a long list after a comma. */
static int
add_list(struct hdrout *h, struct arena *a, const struct verdict *v,
    int w, const char *key, int last)
{
	const char *list, *p, *c;
	char *item;
	int first = 1;

	if ((list = verdict_detail_list(v, w, a)) == NULL)
		return -1;
	p = list;
	do {
		/* words hold no ',' (vdetail.c grammar) */
		c = strchr(p, ',');
		item = arena_printf(a, "%s%.*s%s", first ? key : "",
		    (int)(c != NULL ? (size_t)(c - p) + 1 : strlen(p)), p,
		    c == NULL && !last ? ";" : "");
		if (item == NULL || hdrout_add_raw(h, first ? ' ' : '\0',
		    item) == -1)
			return -1;
		first = 0;
		p = c != NULL ? c + 1 : NULL;
	} while (p != NULL);
	return 0;
}

const char *
verdict_header(const struct verdict *v, struct arena *a)
{
	struct hdrout *h;
	const char *whatif;
	char *p, word[48];

	if ((whatif = verdict_rule_list(v, 1, a)) == NULL)
		return NULL;
	/* "; " between the fields keeps the value one line for the usual
	 * case; hdrout folds only a long reasons list, after a comma. */
	if ((h = hdrout_new(a, "X-Relaywarden")) == NULL)
		return NULL;
	snprintf(word, sizeof(word), "action=%s;",
	    verdict_action_name(v->action));
	if (hdrout_add_raw(h, ' ', word) == -1)
		return NULL;
	if (v->outbound && hdrout_add_raw(h, ' ', "direction=outbound;") ==
	    -1)
		return NULL;
	snprintf(word, sizeof(word), "score=%d;", v->score);
	if (hdrout_add_raw(h, ' ', word) == -1)
		return NULL;
	if (add_list(h, a, v, 0, "reasons=", whatif[0] == '\0' &&
	    v->state == NULL) == -1)
		return NULL;
	if (whatif[0] != '\0' && add_list(h, a, v, 1, "whatif=",
	    v->state == NULL) == -1)
		return NULL;
	if (v->state != NULL && ((p = arena_printf(a, "state=%s",
	    v->state)) == NULL || hdrout_add_raw(h, ' ', p) == -1))
		return NULL;
	/* issue 13 item 2: the allow-list entries that applied */
	if (v->allowed != NULL && hdrout_add_param(h, ';', "allowed",
	    v->allowed) == -1)
		return NULL;
	if (v->dry_run && hdrout_add_raw(h, ' ', "(dry-run)") == -1)
		return NULL;
	return hdrout_finish(h);
}

/* rcpt ("<user@domain>" or bare) is in the group's list. */
static int
rcpt_in(const struct config_rcpt_policy *g, const char *rcpt)
{
	const char *at, *end;
	size_t i, len;

	if (*rcpt == '<')
		rcpt++;
	len = strlen(rcpt);
	if ((end = memchr(rcpt, '>', len)) != NULL)
		len = (size_t)(end - rcpt);
	if ((at = memchr(rcpt, '@', len)) == NULL)
		return 0;
	for (i = 0; i < g->nrecipients; i++) {
		const char *want = g->recipients[i];

		if (want[0] == '@') {
			size_t dl = len - (size_t)(at - rcpt);

			if (strlen(want) == dl &&
			    strncasecmp(want, at, dl) == 0)
				return 1;
		} else if (strlen(want) == len &&
		    strncasecmp(want, rcpt, len) == 0) {
			return 1;
		}
	}
	return 0;
}

static void
lower_to(unsigned *cur, unsigned v)
{
	if (v != 0 && (*cur == 0 || v < *cur))
		*cur = v;
}

void
verdict_thresholds(const struct config *cfg, const struct message *m,
    struct thresholds *out)
{
	size_t g, i;

	out->tag = cfg->tag_score;
	out->quarantine = cfg->quarantine_score;
	out->reject = cfg->reject_score;
	for (g = 0; g < cfg->nrcpt_policies; g++) {
		const struct config_rcpt_policy *p = &cfg->rcpt_policies[g];

		for (i = 0; i < m->nrcpts; i++) {
			if (!rcpt_in(p, m->rcpts[i]))
				continue;
			lower_to(&out->tag, p->tag_score);
			lower_to(&out->quarantine, p->quarantine_score);
			lower_to(&out->reject, p->reject_score);
			break;
		}
	}
}
