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

int
verdict_add(struct verdict *v, struct arena *a, const char *rule, int score,
    const char *detail)
{
	struct reason *r;
	size_t ncap;

	if (v->nreasons == v->cap) {
		ncap = v->cap ? v->cap * 2 : 8;
		if ((r = arena_calloc(a, ncap, sizeof(*r))) == NULL)
			return -1;
		if (v->nreasons)
			memcpy(r, v->reasons, v->nreasons * sizeof(*r));
		v->reasons = r;
		v->cap = ncap;
	}
	r = &v->reasons[v->nreasons];
	if ((r->rule = arena_strdup(a, rule)) == NULL)
		return -1;
	r->detail = NULL;
	if (detail != NULL && (r->detail = arena_strdup(a, detail)) == NULL)
		return -1;
	r->score = score;
	v->nreasons++;
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

const char *
verdict_header(const struct verdict *v, struct arena *a)
{
	struct hdrout *h;
	const char *list = "";
	char *p, word[48];
	size_t i;

	for (i = 0; i < v->nreasons; i++) {
		p = arena_printf(a, "%s%s%s", list, i ? "," : "",
		    v->reasons[i].rule);
		if (p == NULL)
			return NULL;
		list = p;
	}
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
	if ((p = arena_printf(a, "reasons=%s", list)) == NULL ||
	    hdrout_add_raw(h, ' ', p) == -1)
		return NULL;
	if (v->dry_run && hdrout_add_raw(h, ' ', "(dry-run)") == -1)
		return NULL;
	return hdrout_finish(h);
}
