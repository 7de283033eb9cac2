/*
 * verdict.c - the list of reasons of one message and its action.
 * Arena memory; one thread.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "hdrout.h"
#include "verdict.h"

static struct reason *
reason_new(struct verdict *v, struct arena *a, const char *rule,
    int score, const char *detail)
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
	if ((r->rule = arena_strdup(a, rule)) == NULL)
		return NULL;
	r->detail = NULL;
	if (detail != NULL && (r->detail = arena_strdup(a, detail)) == NULL)
		return NULL;
	r->score = score;
	r->whatif = 0;
	v->nreasons++;
	return r;
}

int
verdict_add_whatif(struct verdict *v, struct arena *a, const char *rule,
    int score, const char *detail)
{
	struct reason *r;

	if ((r = reason_new(v, a, rule, score, detail)) == NULL)
		return -1;
	r->whatif = 1;
	return 0;
}

int
verdict_add(struct verdict *v, struct arena *a, const char *rule, int score,
    const char *detail)
{
	if (reason_new(v, a, rule, score, detail) == NULL)
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

/* Strength order of the actions a message can get. */
static int
strength(enum verdict_action a)
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
	if (strength(a) > strength(v->hard))
		v->hard = a;
}

void
verdict_decide(struct verdict *v, unsigned tag, unsigned quarantine,
    unsigned reject)
{
	enum verdict_action a = VERDICT_ACCEPT;

	if (reject > 0 && v->score >= 0 && (unsigned)v->score >= reject)
		a = VERDICT_REJECT;
	else if (quarantine > 0 && v->score >= 0 &&
	    (unsigned)v->score >= quarantine)
		a = VERDICT_QUARANTINE;
	else if (tag > 0 && v->score >= 0 && (unsigned)v->score >= tag)
		a = VERDICT_TAG;
	v->action = strength(v->hard) > strength(a) ? v->hard : a;
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

/* The rule names of the reasons with whatif == w, comma separated, or
 * NULL when out of memory. */
static const char *
rule_list(const struct verdict *v, int w, struct arena *a)
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

const char *
verdict_header(const struct verdict *v, struct arena *a)
{
	struct hdrout *h;
	const char *list, *whatif;
	char *p, word[48];

	if ((list = rule_list(v, 0, a)) == NULL ||
	    (whatif = rule_list(v, 1, a)) == NULL)
		return NULL;
	/* "; " between the fields keeps the value one line for the usual
	 * case; hdrout folds only a long reasons list. */
	if ((h = hdrout_new(a, "X-Relaywarden")) == NULL)
		return NULL;
	snprintf(word, sizeof(word), "action=%s;",
	    verdict_action_name(v->action));
	if (hdrout_add_raw(h, ' ', word) == -1)
		return NULL;
	snprintf(word, sizeof(word), "score=%d;", v->score);
	if (hdrout_add_raw(h, ' ', word) == -1)
		return NULL;
	if ((p = arena_printf(a, "reasons=%s%s", list,
	    whatif[0] != '\0' || v->state != NULL ? ";" : "")) == NULL ||
	    hdrout_add_raw(h, ' ', p) == -1)
		return NULL;
	if (whatif[0] != '\0' && ((p = arena_printf(a, "whatif=%s%s",
	    whatif, v->state != NULL ? ";" : "")) == NULL ||
	    hdrout_add_raw(h, ' ', p) == -1))
		return NULL;
	if (v->state != NULL && ((p = arena_printf(a, "state=%s",
	    v->state)) == NULL || hdrout_add_raw(h, ' ', p) == -1))
		return NULL;
	if (v->dry_run && hdrout_add_raw(h, ' ', "(dry-run)") == -1)
		return NULL;
	return hdrout_finish(h);
}
