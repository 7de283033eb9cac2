/*
 * linkcheck.c - the link reasons (see linkcheck.h).
 *
 * Exports linkcheck_signals, linkcheck_query, linkcheck_score.  Reads
 * e->attachments (the links), e->dkim, e->sender; writes reasons and
 * e->sender.link_orgs.  Each rule is raised once per message, with the
 * first link that earned it as its detail.
 */
#include <string.h>
#include <strings.h>

#include "attach/links.h"
#include "config/config.h"
#include "linkcheck.h"
#include "mail/hdrout.h"
#include "mail/message.h"
#include "mail/orgdomain.h"
#include "policy.h"
#include "rules/rules.h"
#include "sender.h"
#include "sender/lookalike.h"
#include "state/state.h"
#include "util/arena.h"

#define DETAIL_MAX	120

/* The organisation of a link host: its registrable domain, the address
 * itself for an IP literal, NULL for none (no host, a public suffix). */
static const char *
org_of(const struct sender_context *ctx, const struct attach_link *l,
    struct arena *a)
{
	if (l->host[0] == '\0')
		return NULL;
	if (l->flags & LINK_IP)
		return l->host;
	return orgdomain_get(ctx->orgdomain, l->host, a);
}

/* One of our own domains (protected_domains). */
static int
ours(const struct sender_context *ctx, const char *org)
{
	const struct config *cfg = ctx->cfg;
	size_t i;

	for (i = 0; i < cfg->n_protected_domains; i++)
		if (orgdomain_same(ctx->orgdomain, org,
		    cfg->protected_domains[i]))
			return 1;
	return 0;
}

/* The sender's own organisation, when the message authenticated it. */
static int
own(const struct evaluation *e, const struct sender_context *ctx,
    const char *org)
{
	const struct sender_result *r = &e->sender;

	return r->authenticated && r->domain != NULL &&
	    orgdomain_same(ctx->orgdomain, org, r->domain);
}

/* A passing DKIM signature of that organisation signed the message. */
static int
signed_by(const struct sender_context *ctx, const struct evaluation *e,
    const char *org)
{
	size_t i;

	for (i = 0; i < e->dkim.count; i++)
		if (e->dkim.sigs[i].result == AUTH_PASS &&
		    e->dkim.sigs[i].domain != NULL &&
		    orgdomain_same(ctx->orgdomain, e->dkim.sigs[i].domain, org))
			return 1;
	return 0;
}

static int
redirector(const struct sender_context *ctx, const char *org)
{
	const struct config *cfg = ctx->cfg;
	size_t i;

	for (i = 0; i < cfg->n_link_redirector_domains; i++)
		if (orgdomain_same(ctx->orgdomain, org,
		    cfg->link_redirector_domains[i]))
			return 1;
	return 0;
}

/* Raises r once, with about as the header's and log's short subject
 * (verdict.h; NULL: the detail). */
static int
once_about(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e, enum rule r, const char *about, const char *detail)
{
	size_t i;

	for (i = 0; i < e->verdict.nreasons; i++)
		if (e->verdict.reasons[i].id == r)
			return 0;
	return verdict_raise_about(&e->verdict, m->arena, ctx->cfg, r, about,
	    0, detail != NULL ? hdrout_printable(m->arena, detail,
	    DETAIL_MAX) : NULL);
}

static int
once(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e, enum rule r, const char *detail)
{
	return once_about(ctx, m, e, r, NULL, detail);
}

/* A link host that imitates a protected domain or a known
 * correspondent, judged as lookalike_rule judges a From domain. */
static int
lookalike(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e, const char *org)
{
	struct lookalike_match lm;

	if (ctx->index == NULL || ours(ctx, org) || (e->sender.domain !=
	    NULL && orgdomain_same(ctx->orgdomain, org, e->sender.domain)))
		return 0;
	if (lookalike_check(ctx->index, org, m->arena, &lm) == -1)
		return -1;
	if (lm.kind == LOOKALIKE_NONE || (lm.self_flags & (LOOKALIKE_PROTECTED |
	    LOOKALIKE_KNOWN | LOOKALIKE_PARTNER)) ||
	    sender_signed_by(ctx, e, lm.target))
		return 0;
	return once_about(ctx, m, e, (lm.target_flags & LOOKALIKE_PROTECTED) ?
	    RULE_LINK_LOOKALIKE_PROTECTED : RULE_LINK_LOOKALIKE_KNOWN,
	    lm.target != NULL ? arena_printf(m->arena, "%s:%s", org,
	    lm.target) : NULL,
	    arena_printf(m->arena, "%s: %s", org, lm.detail != NULL ?
	    lm.detail : "lookalike"));
}

/* The organisations to ask the history about: each once, not ours, not
 * the sender's own, not an address. */
static int
collect(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e, const char *org, const struct attach_link *l)
{
	struct sender_result *r = &e->sender;
	size_t i;

	if ((l->flags & LINK_IP) || ours(ctx, org) || (r->domain != NULL &&
	    orgdomain_same(ctx->orgdomain, org, r->domain)))
		return 0;
	for (i = 0; i < r->nlink_orgs; i++)
		if (strcmp(r->link_orgs[i], org) == 0)
			return 0;
	if (r->link_orgs == NULL && (r->link_orgs = arena_calloc(m->arena,
	    STATE_MAX_LINKS, sizeof(*r->link_orgs))) == NULL)
		return -1;
	if (r->nlink_orgs == STATE_MAX_LINKS) {
		r->links_over = 1;
		return 0;
	}
	r->link_orgs[r->nlink_orgs++] = org;
	return 0;
}

/* The organisation a shown host names, when the reader takes it for a
 * domain (a bare name only under a listed top label), else NULL. */
static const char *
shown_org(const struct sender_context *ctx, const struct attach_link *l,
    struct arena *a)
{
	if ((l->kind != LINK_HREF && l->kind != LINK_CALENDAR) ||
	    l->shown == NULL || ((l->flags & LINK_SHOWN_BARE) &&
	    !orgdomain_known_suffix(ctx->orgdomain, l->shown)))
		return NULL;
	return orgdomain_get(ctx->orgdomain, l->shown, a);
}

int
linkcheck_signals(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	const struct attach_results *res = &e->attachments;
	struct sender_result *r = &e->sender;
	const struct attach_link *l;
	const char *org;
	size_t i;

	if (res->nlinks > 0 && ((r->link_org = arena_calloc(m->arena,
	    res->nlinks, sizeof(*r->link_org))) == NULL ||
	    (r->link_shown_org = arena_calloc(m->arena, res->nlinks,
	    sizeof(*r->link_shown_org))) == NULL))
		return -1;
	for (i = 0; i < res->nlinks; i++) {
		l = &res->links[i];
		org = r->link_org[i] = org_of(ctx, l, m->arena);
		r->link_shown_org[i] = shown_org(ctx, l, m->arena);
		if ((l->flags & LINK_IP) && once(ctx, m, e, RULE_LINK_IP,
		    l->host) == -1)
			return -1;
		if ((l->flags & LINK_USERINFO) && l->host[0] != '\0' &&
		    once(ctx, m, e, RULE_LINK_USERINFO, l->host) == -1)
			return -1;
		if (l->kind == LINK_FORM && (l->flags & LINK_PASSWORD) &&
		    ((l->flags & LINK_ATTACHMENT) || org == NULL ||
		    !own(e, ctx, org)) && once(ctx, m, e,
		    RULE_LINK_FORM_PASSWORD, arena_printf(m->arena, "%s: %s",
		    l->where, org != NULL ? l->host : "script")) == -1)
			return -1;
		if (org == NULL || (l->flags & LINK_IP))
			continue;
		if (lookalike(ctx, m, e, org) == -1 ||
		    collect(ctx, m, e, org, l) == -1)
			return -1;
	}
	/* More organisations than one lookup asks about: the rest were
	 * not compared with the history, which is not milder. */
	if (e->sender.links_over && once(ctx, m, e, RULE_LINK_NEW_DOMAIN,
	    "more link organisations than the history is asked about") == -1)
		return -1;
	return 0;
}

void
linkcheck_query(const struct sender_context *ctx, const struct evaluation *e,
    struct state_query *q)
{
	q->links = e->sender.link_orgs;
	q->nlinks = e->sender.nlink_orgs;
	q->link_min = ctx->cfg->link_history_min_messages;
	q->link_cap = ctx->cfg->state_max_links;
}

/* Whether the history linked to org before (0 when it cannot say). */
static int
linked_before(const struct evaluation *e, const char *org)
{
	const struct sender_result *r = &e->sender;
	size_t i;

	if (r->state != SENDER_STATE_AVAILABLE)
		return 0;
	for (i = 0; i < r->nlink_orgs && i < r->history.nlinks; i++)
		if (strcmp(r->link_orgs[i], org) == 0)
			return r->history.link_known != NULL &&
			    r->history.link_known[i];
	return 0;
}

/* Not someone we know writing from their usual place: no authenticated
 * history (or none readable: not milder), not authenticated now, or
 * imitating another domain. */
static int
stranger(const struct evaluation *e)
{
	const struct verdict *v = &e->verdict;
	size_t i;

	if (!e->sender.known || !e->sender.authenticated)
		return 1;
	for (i = 0; i < v->nreasons; i++)
		if (!v->reasons[i].whatif &&
		    (rules_table[v->reasons[i].id].kind & RULE_KIND_LOOKALIKE))
			return 1;
	return 0;
}

/* The sender or its road is new: a stranger, or a novelty reason. */
static int
novel(const struct evaluation *e)
{
	const struct verdict *v = &e->verdict;
	size_t i;

	if (stranger(e))
		return 1;
	for (i = 0; i < v->nreasons; i++)
		if (!v->reasons[i].whatif &&
		    (rules_table[v->reasons[i].id].kind & RULE_KIND_NOVELTY))
			return 1;
	return 0;
}

static int
text_mismatch(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e, const struct attach_link *l, const char *org,
    const char *sorg)
{
	if (org == NULL || sorg == NULL ||
	    orgdomain_same(ctx->orgdomain, sorg, org))
		return 0;
	if (own(e, ctx, org) || signed_by(ctx, e, org) ||
	    redirector(ctx, org) || linked_before(e, org))
		return 0;
	return once(ctx, m, e, RULE_LINK_TEXT_MISMATCH,
	    arena_printf(m->arena, "%s->%s", l->shown, l->host));
}

int
linkcheck_score(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	const struct attach_results *res = &e->attachments;
	const struct sender_result *r = &e->sender;
	const struct attach_link *l;
	const char *org;
	size_t i;
	int encrypted = 0;

	/* the organisations come from linkcheck_signals */
	for (i = 0; r->link_org != NULL && i < res->nlinks; i++) {
		l = &res->links[i];
		org = r->link_org[i];
		if (text_mismatch(ctx, m, e, l, org, r->link_shown_org[i]) ==
		    -1)
			return -1;
		if (l->kind == LINK_QR && l->host[0] != '\0' && stranger(e) &&
		    ((l->flags & LINK_LOGIN) || org == NULL ||
		    !linked_before(e, org)) && once(ctx, m, e, RULE_LINK_QR,
		    l->host) == -1)
			return -1;
		if (l->kind == LINK_CALENDAR && res->calendars > 0 &&
		    l->host[0] != '\0' && stranger(e) && once(ctx, m, e,
		    RULE_LINK_CALENDAR, l->host) == -1)
			return -1;
	}
	/* Images not searched in full may hold the code a finished search
	 * would have judged: from a stranger, not milder (qrscan.h). */
	if (res->qr_skipped > 0 && stranger(e) && once(ctx, m, e, RULE_LINK_QR,
	    arena_printf(m->arena, "%u image%s not searched for QR codes",
	    res->qr_skipped, res->qr_skipped == 1 ? "" : "s")) == -1)
		return -1;
	if (r->state == SENDER_STATE_AVAILABLE && r->history.link_new) {
		for (i = 0; i < r->nlink_orgs && i < r->history.nlinks; i++)
			if (r->history.link_known == NULL ||
			    !r->history.link_known[i])
				break;
		if (once(ctx, m, e, RULE_LINK_NEW_DOMAIN, i < r->nlink_orgs ?
		    r->link_orgs[i] : NULL) == -1)
			return -1;
	}
	for (i = 0; i < res->nitems; i++)
		if (res->items[i].flags & ATTACH_ENCRYPTED)
			encrypted = 1;
	if (encrypted && res->text_password && novel(e) && once(ctx, m, e,
	    RULE_ARCHIVE_PASSWORD_IN_TEXT, NULL) == -1)
		return -1;
	return 0;
}
