/*
 * senderreply.c - Reply-To diverted from a correspondent: the
 * payment-detail-change pattern (issue 11 item 5).
 *
 * Exports senderreply_lookalike (in the signals, before the history) and
 * senderreply_new_org (in the score, once the history says whether the
 * From is known).  Reads the message's Reply-To headers, its DKIM and
 * SPF results and the lookalike index; adds reasons to e->verdict
 * (arena memory of the message).  Any thread.  Caps: IDENT_MAX_HEADERS
 * Reply-To headers, their first REPLY_MAX_BOXES addresses.
 *
 * ident.c's reply_to (2) says only "elsewhere".  Elsewhere is usual: a
 * list's address, a ticketing system or ESP that answers for its
 * customer, a partner's other company.  It is strong when the
 * organisation the replies go to is one we cannot vouch for:
 *  - reply_to_lookalike: it resembles the From domain or a protected or
 *    known domain (whoever sends it; a lookalike authenticates as well
 *    as anyone, so its own signature excuses nothing);
 *  - reply_to_new_org: the From is a known correspondent (history or
 *    partner) or imitates one (a lookalike reason), and the Reply-To
 *    organisation is a first contact (neither known nor protected) that
 *    did not authenticate this message (no passing DKIM d= and no
 *    SPF-passing MAIL FROM in it) and is not the list that signed it.
 * Same organisation as From (org domains) is never elsewhere.
 */
#include <string.h>
#include <strings.h>

#include "mail/addr.h"
#include "util/arena.h"
#include "config/config.h"
#include "mail/orgdomain.h"
#include "mail/message.h"
#include "policy.h"
#include "rules/rules.h"
#include "sender.h"
#include "senderreply.h"

#define REPLY_MAX_BOXES	8

struct reply_org {
	const char *org;		/* organisational domain, lower case */
	unsigned flags;			/* LOOKALIKE_* of it */
};

/* The organisations of the Reply-To addresses other than From's, at
 * most max.  Returns the count. */
static size_t
reply_orgs(const struct sender_context *ctx, const struct message *m,
    const char *from_org, struct reply_org *out, size_t max)
{
	const struct header *h;
	struct addr_list l;
	const char *org;
	unsigned flags;
	size_t n, i, j, k = 0;

	for (n = 0; n < IDENT_MAX_HEADERS &&
	    (h = message_header(m, "Reply-To", n)) != NULL; n++) {
		if (addr_parse_list(h->value, m->arena, &l) == -1)
			continue;
		for (i = 0; i < l.count && i < REPLY_MAX_BOXES && k < max;
		    i++) {
			org = NULL;
			flags = ctx->index == NULL ? 0 :
			    lookalike_lookup(ctx->index, l.boxes[i].domain,
			    m->arena, &org);
			if (org == NULL)
				org = orgdomain_get(ctx->orgdomain,
				    l.boxes[i].domain, m->arena);
			if (org == NULL || (from_org != NULL &&
			    strcasecmp(org, from_org) == 0))
				continue;
			for (j = 0; j < k; j++)
				if (strcasecmp(out[j].org, org) == 0)
					break;
			if (j < k)
				continue;
			out[k].org = org;
			out[k++].flags = flags;
		}
	}
	return k;
}

int
senderreply_lookalike(const struct sender_context *ctx,
    const struct message *m, struct evaluation *e)
{
	struct reply_org ro[REPLY_MAX_BOXES];
	struct lookalike_match lm;
	size_t n, i;

	if (ctx->index == NULL || ctx->orgdomain == NULL ||
	    e->sender.ident.from_org == NULL)
		return 0;
	n = reply_orgs(ctx, m, e->sender.ident.from_org, ro, REPLY_MAX_BOXES);
	for (i = 0; i < n; i++) {
		/* A known or protected organisation is itself, not a
		 * lookalike (lookalike.h). */
		if (ro[i].flags != 0)
			continue;
		if (lookalike_check(ctx->index, ro[i].org, m->arena, &lm) == -1)
			return -1;
		if (lm.kind == LOOKALIKE_NONE || lm.target == NULL ||
		    (lm.self_flags & (LOOKALIKE_PROTECTED | LOOKALIKE_KNOWN)))
			continue;
		return verdict_raise_about(&e->verdict, m->arena, ctx->cfg,
		    RULE_REPLY_TO_LOOKALIKE, ro[i].org, 0, arena_printf(m->arena,
		    "reply-to at %s, %s", ro[i].org, lm.detail != NULL ?
		    lm.detail : lm.target));
	}
	return 0;
}

/* Did org authenticate the message: a passing DKIM d= in it, or the
 * SPF-passing MAIL FROM's domain in it. */
static int
authenticated_by(const struct sender_context *ctx, const struct message *m,
    const struct evaluation *e, const char *org)
{
	const char *path, *at;

	if (sender_signed_by(ctx, e, org))
		return 1;
	if (e->spf.result != AUTH_PASS || m->mail_from == NULL ||
	    (path = addr_path_strip(m->mail_from, m->arena)) == NULL ||
	    (at = strrchr(path, '@')) == NULL)
		return 0;
	return orgdomain_same(ctx->orgdomain, at + 1, org);
}

static int
imitates(const struct verdict *v)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (!v->reasons[i].whatif && v->reasons[i].id !=
		    RULE_REPLY_TO_LOOKALIKE &&
		    (rules_table[v->reasons[i].id].kind & RULE_KIND_LOOKALIKE))
			return 1;
	return 0;
}

int
senderreply_new_org(const struct sender_context *ctx,
    const struct message *m, struct evaluation *e, const char *list_org)
{
	struct reply_org ro[REPLY_MAX_BOXES];
	size_t n, i;

	if (ctx->orgdomain == NULL || e->sender.ident.from_org == NULL ||
	    !(e->sender.ident.flags & (1u << IDENT_REPLY_TO)))
		return 0;
	/* Whose replies are worth diverting: a correspondent we know, or
	 * one imitated.  A lookalike Reply-To has its own reason. */
	if (!e->sender.known && !imitates(&e->verdict))
		return 0;
	for (i = 0; i < e->verdict.nreasons; i++)
		if (e->verdict.reasons[i].id == RULE_REPLY_TO_LOOKALIKE)
			return 0;
	n = reply_orgs(ctx, m, e->sender.ident.from_org, ro, REPLY_MAX_BOXES);
	for (i = 0; i < n; i++) {
		if (ro[i].flags != 0 || (list_org != NULL &&
		    strcasecmp(list_org, ro[i].org) == 0) ||
		    authenticated_by(ctx, m, e, ro[i].org))
			continue;
		return verdict_raise_about(&e->verdict, m->arena, ctx->cfg,
		    RULE_REPLY_TO_NEW_ORG, ro[i].org, 0, arena_printf(m->arena,
		    "reply-to at %s (first contact), from at %s", ro[i].org,
		    e->sender.ident.from_org));
	}
	return 0;
}
