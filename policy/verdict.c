/*
 * verdict.c - the list of reasons of one message and its action.
 * Arena memory; one thread.
 */
#include <stdint.h>
#include <string.h>

#include "arena.h"
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
