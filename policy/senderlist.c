/*
 * senderlist.c - lists that re-sign (issue 11 item 8): a list that adds
 * a footer breaks its posters' DKIM, so their DMARC fails and, seen from
 * the poster's history, the list's server is a new relay and its
 * signature a new signer.  Scored as unauthenticated, the better we knew
 * a poster the likelier their list mail was held.
 *
 * Exports senderlist_classify.  Reads e->sender.ident (the List-Id or
 * List-Post organisation ident.c found), the DKIM results, the verdict's
 * lookalike reasons and the lookalike index.  Any thread.
 *
 * What an attacker cannot write, and so what may lower a score:
 *  - a DKIM pass whose d= is in the list's organisation (relaxed
 *    alignment with the List-Id or List-Post domain).  The headers alone
 *    prove nothing (issue 8): an unsigned List-Id is NONE;
 *  - whether that organisation is known: configured, i.e. one of our
 *    protected domains or a declared partner (the lookalike index's
 *    flags).  A domain the history merely learned is not enough (see
 *    senderlist_classify).
 * Never excused: a From that is a lookalike (any K_LOOK reason), a list
 * domain that resembles an indexed domain without being one.
 */
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "mail/orgdomain.h"
#include "mail/message.h"
#include "policy.h"
#include "rules/rules.h"
#include "sender.h"
#include "senderlist.h"

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
	/* Known means configured: our own domains and declared partners.
	 * That the history learned the list's domain is no proof: anyone
	 * can teach it their own domain with a few clean messages, then
	 * "list" a known correspondent's From (DMARC p=none) through it.
	 * A learned list stays SIGNED (its relay and signer score as
	 * authenticated novelty: a tag at most) until the history learns
	 * lists as lists (distinct posters over time). */
	return flags & LOOKALIKE_PROTECTED ? SENDERLIST_KNOWN :
	    SENDERLIST_SIGNED;
}
