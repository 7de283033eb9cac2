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
 *  - the lookalike, display-name/Reply-To (ident) and partner must_align
 *    checks need no Redis: they run once per distinct author domain
 *    (its own organisational domain and alignment: dmarc_identify), in
 *    a scratch copy of the evaluation, and every reason any of them
 *    raised is kept (one per rule);
 *  - the history costs a Redis round trip, and the message keeps one:
 *    it is asked about the domain that scored worst above; on a tie the
 *    one that is not authenticated (no aligned SPF or DKIM: the one an
 *    attacker writes but cannot sign for; a known correspondent then
 *    gets new_relay_unauthenticated), then the first in header order.
 *    XXX issue 11: asking about every author domain in the same EVALSHA
 *    needs the state script to take several domains (its owner's).
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
#include "verdict/verdict.h"

/* One author domain's signals, in a scratch copy of e (its own reason
 * array), and their score. */
static int
scratch(const struct sender_context *ctx, const struct message *m,
    const struct evaluation *e, size_t i, struct evaluation *t, int *score)
{
	const struct config_partner *p;
	size_t k;

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
	if (sender_signals(ctx, m, t) == -1)
		return -1;
	/* A declared partner that must align and does not: novelty()
	 * says so only for the domain the history is asked about. */
	p = sender_partner(ctx->cfg, t->sender.domain);
	if (p != NULL && p->must_align && !t->dmarc.dkim_aligned &&
	    verdict_raise(&t->verdict, m->arena, ctx->cfg,
	    RULE_PARTNER_UNALIGNED, p->domain) == -1)
		return -1;
	*score = 0;
	for (k = e->verdict.nreasons; k < t->verdict.nreasons; k++)
		if (!t->verdict.reasons[k].whatif)
			*score += t->verdict.reasons[k].score;
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

/* Adds the reasons t found past e's first n that e lacks. */
static int
merge(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e, const struct evaluation *t, size_t n)
{
	size_t k;

	for (k = n; k < t->verdict.nreasons; k++) {
		const struct reason *r = &t->verdict.reasons[k];

		if (has_rule(&e->verdict, r->id))
			continue;
		if (verdict_raise(&e->verdict, m->arena, ctx->cfg, r->id,
		    r->detail) == -1)
			return -1;
	}
	return 0;
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
	size_t i, n, best = 0;

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
	/* The history and the rest of the stage for the worst domain,
	 * under its own reading; DMARC's result stays as found. */
	dmarc = e->dmarc;
	e->dmarc = t[best].dmarc;
	e->from_box = &au->boxes[best];
	/* Read the history, never teach it: even with from_ambiguous in
	 * dry run or scored low, an attacker's authenticated second From
	 * must not become a correspondent through this message. */
	ro = *ctx;
	ro.learn = 0;
	if (sender_evaluate(&ro, m, e) == -1) {
		e->dmarc = dmarc;
		return -1;
	}
	e->dmarc = dmarc;
	for (i = 0; i < au->ndomains; i++)
		if (i != best && merge(ctx, m, e, &t[i], n) == -1)
			return -1;
	return 0;
}
