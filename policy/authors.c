/*
 * authors.c - the sender stage over every author domain of a message.
 *
 * Exports authors_evaluate (policy.h).  Reads e->author (mail/author.c);
 * writes e->sender, e->from_box and reasons; arena memory of the message.
 * Any thread.  Caps: AUTHOR_MAX_DOMAINS domains are evaluated.
 *
 * A message with two From headers, or two addresses in one, lets the
 * attacker choose which one the reader's client shows, so no single
 * domain may be trusted to stand for the message (RFC 7489 6.6.1 leaves
 * DMARC without a domain; rules_auth raises from_ambiguous).  The
 * checks still run, over each of them, so that the verdict is at least
 * as strict as the strictest single-domain reading:
 *  - each distinct author domain is read on its own (its organisational
 *    domain and alignment: dmarc_identify) in a scratch copy of the
 *    evaluation: the lookalike, display-name/Reply-To (ident) checks,
 *    then, with its own history, novelty, the profile, lists and the
 *    partner declarations (sender_score), as if it were the only one;
 *  - the history of every one of them (at most AUTHOR_MAX_DOMAINS,
 *    which STATE_MAX_OTHERS + 1 covers) is read in the message's one
 *    EVALSHA (state.h: the others' keys are only read);
 *  - the reading that scored worst becomes the message's (its sender,
 *    its From), and every raising reason any other reading found is
 *    added once (one per rule); the others' lowering reasons are not:
 *    they excused only their own reading's scores.
 * Such a message never teaches the history: from_ambiguous counts as a
 * lookalike (sender_teachable), and the history is only read (learn 0,
 * so it is not counted as traffic either) whatever the rule's score.
 */
#include <string.h>

#include "util/arena.h"
#include "auth/dmarc.h"
#include "config/config.h"
#include "mail/author.h"
#include "mail/message.h"
#include "policy.h"
#include "rules/rules.h"
#include "sender.h"
#include "senderprofile.h"
#include "verdict/verdict.h"

/* The score of the reasons of t past its first n. */
static int
reading_score(const struct evaluation *t, size_t n)
{
	int score = 0;
	size_t k;

	for (k = n; k < t->verdict.nreasons; k++)
		if (!t->verdict.reasons[k].whatif)
			score += t->verdict.reasons[k].score;
	return score;
}

/* One author domain's signals, in a scratch copy of e (its own reason
 * array), and their score. */
static int
scratch(const struct sender_context *ctx, const struct message *m,
    const struct evaluation *e, size_t i, struct evaluation *t, int *score)
{
	*t = *e;
	t->verdict.cap = t->verdict.nreasons;	/* the first add copies */
	if (dmarc_identify(ctx->orgdomain, e->author.boxes[i].domain,
	    &e->spf, &e->dkim, m->arena, &t->dmarc) == -1)
		return -1;
	t->from_box = &e->author.boxes[i];
	memset(&t->sender, 0, sizeof(t->sender));
	t->sender.domain = t->dmarc.from_domain != NULL ?
	    t->dmarc.org_domain : NULL;
	t->sender.authenticated = t->dmarc.spf_aligned ||
	    t->dmarc.dkim_aligned;
	t->sender.partner = sender_partner(ctx->cfg, t->sender.domain);
	if (sender_signals(ctx, m, t) == -1)
		return -1;
	*score = reading_score(t, e->verdict.nreasons);
	return 0;
}

static int
has_rule(const struct verdict *v, enum rule r)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (v->reasons[i].id == r)
			return 1;
	return 0;
}

/* Adds the raising reasons t found past e's first n that e lacks. */
static int
merge(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e, const struct evaluation *t, size_t n)
{
	size_t k;

	for (k = n; k < t->verdict.nreasons; k++) {
		const struct reason *r = &t->verdict.reasons[k];

		if (rules_table[r->id].lowers != 0 ||
		    has_rule(&e->verdict, r->id))
			continue;
		if (verdict_raise(&e->verdict, m->arena, ctx->cfg, r->id,
		    r->detail) == -1)
			return -1;
	}
	return 0;
}

int
authors_query(const struct sender_context *ctx, const struct message *m,
    const struct evaluation *e, struct state_query *q)
{
	struct state_author *o;
	struct state_query one;
	struct evaluation *t;
	size_t i, j = 0;

	if ((o = arena_calloc(m->arena, ctx->nauthors, sizeof(*o))) == NULL)
		return -1;
	for (i = 0; i < ctx->nauthors; i++) {
		if (i == ctx->self)
			continue;
		t = &ctx->authors[i];
		/* the same relay, named for this author's identities */
		t->sender.infra = e->sender.infra;
		t->sender.fcrdns = e->sender.fcrdns;
		memset(&one, 0, sizeof(one));
		if (t->sender.domain != NULL &&
		    senderprofile_query(ctx, m, t, &one) == -1)
			return -1;
		o[j].domain = t->sender.domain;
		o[j].subdomain = one.subdomain;
		o[j].infra_id = one.infra_id;
		o[j].address = one.address;
		o[j].address_listed = one.address_listed;
		j++;
	}
	q->others = o;
	q->nothers = j;
	return 0;
}

void
authors_answers(const struct sender_context *ctx, const struct evaluation *e,
    const struct state_query *q)
{
	const struct state_answer *h = &e->sender.history;
	struct sender_result *r;
	size_t i, j = 0;

	for (i = 0; i < ctx->nauthors; i++) {
		if (i == ctx->self)
			continue;
		r = &ctx->authors[i].sender;
		memset(&r->history, 0, sizeof(r->history));
		r->state = e->sender.state;
		if (r->state == SENDER_STATE_AVAILABLE) {
			if (j < h->nothers && h->others[j].available)
				r->history = h->others[j];
			else
				r->state = SENDER_STATE_UNAVAILABLE;
		}
		if (r->state == SENDER_STATE_AVAILABLE &&
		    r->history.infra_shared && j < q->nothers &&
		    q->others[j].infra_id != NULL)
			r->infra = q->others[j].infra_id;
		j++;
	}
}

int
authors_evaluate(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	struct author *au = &e->author;
	struct sender_context ro;
	struct evaluation *t;
	struct dmarc_result dmarc;
	int score, best_score = 0, best_unauth = 0, unauth;
	size_t i, n, best = 0, worst;

	/* One author domain, or none usable: the ordinary stage.  Two
	 * From headers at one domain take the path below, so that the
	 * domain is still read (DMARC has none). */
	if (au->domain != NULL || au->ndomains == 0 || ctx->orgdomain == NULL)
		return sender_evaluate(ctx, m, e);
	if ((t = arena_alloc(m->arena, au->ndomains * sizeof(*t))) == NULL)
		return -1;
	n = e->verdict.nreasons;
	for (i = 0; i < au->ndomains; i++) {
		if (scratch(ctx, m, e, i, &t[i], &score) == -1)
			return -1;
		unauth = !t[i].sender.authenticated;
		if (i == 0 || score > best_score || (score == best_score &&
		    unauth && !best_unauth)) {
			best = i;
			best_score = score;
			best_unauth = unauth;
		}
	}
	/* The stage for the worst by its signals, under its own reading,
	 * asking the history of every author domain; DMARC's result stays
	 * as found.  Read the history, never teach it: even with
	 * from_ambiguous in dry run or scored low, an attacker's
	 * authenticated second From must not become a correspondent
	 * through this message. */
	dmarc = e->dmarc;
	e->dmarc = t[best].dmarc;
	e->from_box = &au->boxes[best];
	ro = *ctx;
	ro.learn = 0;
	ro.authors = t;
	ro.nauthors = au->ndomains < STATE_MAX_OTHERS + 1 ? au->ndomains :
	    STATE_MAX_OTHERS + 1;
	ro.self = best;
	if (sender_evaluate(&ro, m, e) == -1) {
		e->dmarc = dmarc;
		return -1;
	}
	/* Every other domain with its own history, as if it were alone. */
	for (i = 0; i < au->ndomains; i++) {
		if (i == best)
			continue;
		if (i >= ro.nauthors) {		/* not asked: unfinished */
			t[i].sender.infra = e->sender.infra;
			t[i].sender.fcrdns = e->sender.fcrdns;
			t[i].sender.state = SENDER_STATE_UNAVAILABLE;
		}
		if (sender_score(&ro, m, &t[i]) == -1) {
			e->dmarc = dmarc;
			return -1;
		}
	}
	t[best] = *e;
	worst = best;
	best_score = reading_score(&t[best], n);
	for (i = 0; i < au->ndomains; i++)
		if ((score = reading_score(&t[i], n)) > best_score) {
			worst = i;
			best_score = score;
		}
	if (worst != best) {
		e->verdict = t[worst].verdict;
		e->sender = t[worst].sender;
		e->from_box = t[worst].from_box;
	}
	e->dmarc = dmarc;
	for (i = 0; i < au->ndomains; i++)
		if (i != worst && merge(ctx, m, e, &t[i], n) == -1)
			return -1;
	return 0;
}
