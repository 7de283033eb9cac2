/*
 * senderlist.c - lists that re-sign (issue 11 item 8): a list that adds
 * a footer breaks its posters' DKIM, so their DMARC fails and, seen from
 * the poster's history, the list's server is a new relay and its
 * signature a new signer.  Scored as unauthenticated, the better we knew
 * a poster the likelier their list mail was held.
 *
 * Exports senderlist_classify, senderlist_query.  Reads e->sender.ident (the List-Id or
 * List-Post organisation ident.c found), the DKIM results, the verdict's
 * lookalike reasons and the lookalike index.  Any thread.
 *
 * What an attacker cannot write, and so what may lower a score:
 *  - a DKIM pass whose d= is in the list's organisation (relaxed
 *    alignment with the List-Id or List-Post domain).  The headers alone
 *    prove nothing (issue 8): an unsigned List-Id is NONE;
 *  - whether that organisation is known: configured, i.e. one of our
 *    protected domains or a declared partner (the lookalike index's
 *    flags), or learned AS A LIST: its own DKIM signed posts of at least
 *    list_known_posters (5) distinct poster organisations that were
 *    known correspondents, posts that were not held, the first of them
 *    list_known_days (14) ago or more.  That the history learned the
 *    list's domain as a sender is no proof: anyone can teach it their
 *    own domain with a few clean messages.  An attacker's own "list"
 *    can spoof known posters too (their DMARC fails, p=none lets it
 *    through), so the bar is breadth and time: five different
 *    correspondents of ours, each post visible (a tag at the least:
 *    new relay and new signer, dmarc_fail), over two weeks before the
 *    first post that it excuses; a held post counts for nothing, and
 *    it excuses only the relay and signer novelty, never a lookalike,
 *    a DMARC failure or an attachment.  Recording (statescript.c)
 *    happens in the message's one EVALSHA, only for a poster the
 *    history knew, only when the post is not held even if the list
 *    were unknown (senderlist_query).
 * Never excused: a From that is a lookalike (any K_LOOK reason), a list
 * domain that resembles an indexed domain without being one.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/arena.h"
#include "config/config.h"
#include "mail/orgdomain.h"
#include "mail/message.h"
#include "policy.h"
#include "rules/rules.h"
#include "sender.h"
#include "senderlist.h"

/* The history learned the message's list as a list (state.h). */
static int
learned(const struct sender_context *ctx, const struct evaluation *e)
{
	const struct sender_result *r = &e->sender;
	const struct config *cfg = ctx->cfg;

	return cfg->list_known_posters > 0 &&
	    r->state == SENDER_STATE_AVAILABLE &&
	    r->history.list_posters >= cfg->list_known_posters &&
	    r->history.list_first != 0 && time(NULL) -
	    r->history.list_first >= (time_t)cfg->list_known_days * 86400;
}

int
senderlist_classify(const struct sender_context *ctx,
    const struct message *m, const struct evaluation *e, const char **org)
{
	const struct ident_signals *is = &e->sender.ident;
	const char *claim = is->claim[IDENT_LIST];
	struct lookalike_match lm;
	unsigned flags;
	size_t i;

	*org = NULL;
	if (!(is->flags & (1u << IDENT_LIST)) || claim == NULL ||
	    ctx->orgdomain == NULL || (is->from_org != NULL &&
	    strcasecmp(is->from_org, claim) == 0) ||
	    !sender_signed_by(ctx, e, claim))
		return SENDERLIST_NONE;
	for (i = 0; i < e->verdict.nreasons; i++)
		if (rules_table[e->verdict.reasons[i].id].kind &
		    RULE_KIND_LOOKALIKE)
			return SENDERLIST_NONE;
	if (ctx->index == NULL) {
		*org = claim;
		return SENDERLIST_SIGNED;
	}
	flags = lookalike_lookup(ctx->index, claim, m->arena, NULL);
	if (flags == 0) {
		/* A list at a cousin of a known or protected domain is a
		 * cousin first. */
		if (lookalike_check(ctx->index, claim, m->arena, &lm) == -1)
			return -1;
		if (lm.kind != LOOKALIKE_NONE)
			return SENDERLIST_NONE;
	}
	*org = claim;
	/* Known means configured (our own domains and declared partners)
	 * or learned as a list (above); a domain merely learned as a
	 * sender stays SIGNED: its relay and signer score as
	 * authenticated novelty, a tag at most. */
	if (flags & LOOKALIKE_PROTECTED)
		return SENDERLIST_KNOWN;
	return learned(ctx, e) ? SENDERLIST_KNOWN : SENDERLIST_SIGNED;
}

int
senderlist_query(const struct sender_context *ctx, const struct message *m,
    const struct evaluation *e, struct state_query *q)
{
	const char *org;
	struct evaluation *t;
	unsigned i;
	int h;

	if (!ctx->learn || ctx->cfg->list_known_posters == 0)
		return 0;
	/* Classified as if the history knew nothing of the list. */
	if ((t = arena_alloc(m->arena, sizeof(*t))) == NULL)
		return -1;
	*t = *e;
	memset(&t->sender.history, 0, sizeof(t->sender.history));
	if (senderlist_classify(ctx, m, t, &org) != SENDERLIST_SIGNED)
		return 0;
	q->list = org;
	/* Recorded only when not held, whatever the history says of the
	 * poster, and with the list counted as unknown: a held post, or
	 * one let through only because the list is known already, is no
	 * evidence. */
	for (i = 0; i < (q->nlinks > 0 ? 16 : 8); i++) {
		if ((h = sender_held_by_history(ctx, m, t, (i >> 2) & 1,
		    (i >> 1) & 1, i & 1, (i >> 3) & 1)) == -1)
			return -1;
		q->list_record[i] = (unsigned char)!h;
	}
	return 0;
}
