/*
 * sender.c - the sender half of the verdict (see sender.h for the order
 * of the checks and what "authenticated" and "known" mean).
 *
 * Exports sender_evaluate, sender_state_name, sender_partner.  Reads the
 * evaluation's relay, DMARC, DKIM and attachment results; writes
 * e->sender and reasons (arena memory of the message).  Any thread.
 *
 * Scores that lower others are capped by what they may excuse (their
 * `lowers` in rules.c's table; verdict_raise applies the cap), so no
 * combination of them reaches below what is left:
 *  - list, sender, resent, forwarder explain a new relay only, and only
 *    when the list, Sender, Resent-From or forwarder domain
 *    authenticated the message (an aligned DKIM pass of that domain, or
 *    a configured trusted_forwarders domain's SPF pass): the headers and
 *    an SRS or SPF-passing envelope are anyone's to make.  The strongest
 *    of them takes away at most the relay-novelty score of this message
 *    (by default half of new_relay_unauthenticated);
 *  - known_signer_aligned takes away at most the authentication and
 *    novelty score (never a lookalike, an identity claim or an
 *    attachment);
 * and a lowering reason is listed only when it lowered something.
 */
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "config/config.h"
#include "mail/orgdomain.h"
#include "sender/infra.h"
#include "senderprofile.h"
#include "mail/message.h"
#include "util/net.h"
#include "policy.h"
#include "rules/rules.h"
#include "sender.h"
#include "senderlist.h"
#include "senderreply.h"
#include "linkcheck.h"

const char *
sender_state_name(enum sender_state s)
{
	switch (s) {
	case SENDER_STATE_DISABLED:
		return "disabled";
	case SENDER_STATE_AVAILABLE:
		return "available";
	case SENDER_STATE_UNAVAILABLE:
		return "unavailable";
	}
	return "disabled";
}

const struct config_partner *
sender_partner(const struct config *cfg, const char *org)
{
	size_t i;

	if (org == NULL)
		return NULL;
	for (i = 0; i < cfg->npartners; i++)
		if (strcasecmp(cfg->partners[i].domain, org) == 0)
			return &cfg->partners[i];
	return NULL;
}

/* A relay the partner declared: one of its networks, or a confirmed name
 * in one of its relay organisations. */
static int
partner_relay(const struct sender_context *ctx, const struct config_partner *p,
    const char *ip, const char *fcrdns, struct arena *a)
{
	struct net_addr addr;
	const char *org;
	size_t i;

	if (ip != NULL && net_parse_addr(ip, &addr) == 0 &&
	    net_cidr_list_match(p->relay_nets, p->nrelay_nets, &addr))
		return 1;
	if (fcrdns == NULL || p->nrelay_orgs == 0)
		return 0;
	if ((org = orgdomain_get(ctx->orgdomain, fcrdns, a)) == NULL)
		return 0;
	for (i = 0; i < p->nrelay_orgs; i++) {
		const char *want = orgdomain_get(ctx->orgdomain,
		    p->relay_orgs[i], a);

		if (strcasecmp(want != NULL ? want : p->relay_orgs[i],
		    org) == 0)
			return 1;
	}
	return 0;
}

static int
partner_signer(const struct config_partner *p, const char *d)
{
	size_t i;

	if (p == NULL)
		return 0;
	for (i = 0; i < p->nsigners; i++)
		if (strcasecmp(p->signers[i], d) == 0)
			return 1;
	return 0;
}

/* The d= of every passing signature, each once, at most
 * STATE_MAX_SIGNERS. */
static size_t
passing_signers(const struct dkim_results *d, const char **out)
{
	size_t i, j, n = 0;

	for (i = 0; i < d->count && n < STATE_MAX_SIGNERS; i++) {
		const char *dom = d->sigs[i].domain;

		if (d->sigs[i].result != AUTH_PASS || dom == NULL)
			continue;
		for (j = 0; j < n; j++)
			if (strcasecmp(out[j], dom) == 0)
				break;
		if (j == n)
			out[n++] = dom;
	}
	return n;
}

/* Every message is counted (when ctx->learn); only a teaching one adds
 * its relay and signers.  withhold: per STATE_TEACH_INDEX, teach nothing
 * when the history turns out so. */
static int
ask_history(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e, const char **signers, size_t nsigners, int teach,
    const unsigned char withhold[16])
{
	struct sender_result *r = &e->sender;
	struct state_query q;

	if (ctx->pool == NULL || r->domain == NULL) {
		r->state = SENDER_STATE_DISABLED;
		return 0;
	}
	memset(&q, 0, sizeof(q));
	q.domain = r->domain;
	q.infra = r->infra;
	q.signers = signers;
	q.nsigners = nsigners;
	q.authenticated = teach;
	memcpy(q.withhold, withhold, sizeof(q.withhold));
	q.learn = ctx->learn;
	linkcheck_query(ctx, e, &q);
	if (senderprofile_query(ctx, m, e, &q) == -1 ||
	    (ctx->nauthors > 0 && authors_query(ctx, m, e, &q) == -1) ||
	    senderlist_query(ctx, m, e, &q) == -1)
		return -1;
	if (state_lookup(ctx->pool, &q, m->arena, &r->history) == -1)
		return -1;
	if (r->history.disabled)
		r->state = SENDER_STATE_DISABLED;
	else if (r->history.available) {
		r->state = SENDER_STATE_AVAILABLE;
		if (r->history.infra_shared && q.infra_id != NULL)
			r->infra = q.infra_id;
	}
	else
		r->state = SENDER_STATE_UNAVAILABLE;
	if (ctx->nauthors > 0)
		authors_answers(ctx, e, &q);
	return 0;
}

/* Is the i-th passing signer known: learned, trusted or declared. */
static int
signer_known(const struct sender_result *r, size_t i, const char *d)
{
	if (partner_signer(r->partner, d))
		return 1;
	if (r->state != SENDER_STATE_AVAILABLE || i >= r->history.nsigners)
		return 0;
	return r->history.signers[i].known || r->history.signers[i].trusted;
}

/* New relays and signers of a known sender, first contact, partner
 * declarations.  A list that signed (senderlist.h) is the authenticated
 * relay of its posts: its new relay and its own new signer are scored
 * as authenticated; a known one explains them (issue 11 item 8). */
static int
novelty(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e, const char **signers, size_t nsigners,
    int list, const char *list_org)
{
	const struct config *cfg = ctx->cfg;
	struct sender_result *r = &e->sender;
	const struct config_partner *p = r->partner;
	struct arena *a = m->arena;
	int avail = r->state == SENDER_STATE_AVAILABLE, declared = 0;
	size_t i;

	/* First contact until the domain taught the history: a held or
	 * unauthenticated message only counts traffic (state.h), so
	 * sending one first buys the next one nothing. */
	if (avail && !r->history.domain_known && p == NULL &&
	    verdict_raise(&e->verdict, a, cfg, RULE_FIRST_CONTACT, r->domain) ==
	    -1)
		return -1;
	r->known = p != NULL || (avail && r->history.domain_known);

	if (r->infra != NULL) {
		if (p != NULL)
			declared = partner_relay(ctx, p, e->relay.ip,
			    r->fcrdns, a);
		r->relay_known = declared || (avail &&
		    (r->history.infra_known || r->history.infra_trusted));
		if (r->known && avail && !r->relay_known &&
		    list != SENDERLIST_KNOWN &&
		    verdict_raise(&e->verdict, a, cfg, r->authenticated ||
		    list == SENDERLIST_SIGNED ? RULE_NEW_RELAY :
		    RULE_NEW_RELAY_UNAUTHENTICATED, r->infra) == -1)
			return -1;
		if (p != NULL && p->nrelay_nets + p->nrelay_orgs > 0 &&
		    !r->relay_known && verdict_raise(&e->verdict, a, cfg,
		    RULE_PARTNER_UNEXPECTED_RELAY, r->infra) == -1)
			return -1;
	}

	/* Signers: one reason for the first new one. */
	if (r->known && (avail || (p != NULL && p->nsigners > 0))) {
		for (i = 0; i < nsigners; i++) {
			int of_list = list_org != NULL &&
			    orgdomain_same(ctx->orgdomain, signers[i],
			    list_org);

			if (signer_known(r, i, signers[i]) ||
			    (of_list && list == SENDERLIST_KNOWN))
				continue;
			if (verdict_raise(&e->verdict, a, cfg,
			    r->authenticated || of_list ? RULE_NEW_SIGNER :
			    RULE_NEW_SIGNER_UNAUTHENTICATED, signers[i]) == -1)
				return -1;
			break;
		}
	}
	if (senderprofile_score(ctx, m, e) == -1)
		return -1;
	if (p != NULL && p->must_align && !e->dmarc.dkim_aligned &&
	    verdict_raise(&e->verdict, a, cfg, RULE_PARTNER_UNALIGNED,
	    p->domain) == -1)
		return -1;
	return 0;
}

/* 1 when a passing DKIM signature of the lookalike's target
 * organisation signed the message: the target vouches for the From
 * domain (a sibling domain of the same organisation, example.co.uk for
 * example.com), and nobody but the target can make that signature. */
int
sender_signed_by(const struct sender_context *ctx, const struct evaluation *e,
    const char *target)
{
	size_t i;

	if (target == NULL || ctx->orgdomain == NULL)
		return 0;
	for (i = 0; i < e->dkim.count; i++)
		if (e->dkim.sigs[i].result == AUTH_PASS &&
		    e->dkim.sigs[i].domain != NULL &&
		    orgdomain_same(ctx->orgdomain, e->dkim.sigs[i].domain,
		    target))
			return 1;
	return 0;
}

/* The rule the From domain's lookalike match earns, or -1.  *deferred:
 * it depends on the history (sender_score raises it): a domain the
 * history knows is itself a correspondent, and two correspondents (or a
 * correspondent and a partner) that look alike do not accuse each other;
 * only our own protected names are defended against known domains. */
static int
lookalike_rule(const struct sender_context *ctx, const struct evaluation *e,
    int *deferred)
{
	const struct lookalike_match *lm = &e->sender.lookalike;

	*deferred = 0;
	if (lm->kind == LOOKALIKE_NONE ||
	    (lm->self_flags & LOOKALIKE_PROTECTED) ||
	    sender_partner(ctx->cfg, e->sender.domain) != NULL ||
	    sender_signed_by(ctx, e, lm->target))
		return -1;
	/* A correspondent's authenticated history does not excuse looking
	 * like our own domains: anyone can authenticate a lookalike. */
	if ((lm->target_flags & LOOKALIKE_PROTECTED) &&
	    !(lm->target_flags & LOOKALIKE_PARTNER))
		return RULE_LOOKALIKE_PROTECTED;
	if (lm->self_flags & LOOKALIKE_KNOWN)
		return -1;
	*deferred = 1;
	if (lm->target_flags & LOOKALIKE_PROTECTED)
		return RULE_LOOKALIKE_PROTECTED;
	return lm->kind == LOOKALIKE_EDIT ? RULE_LOOKALIKE_KNOWN_EDIT :
	    RULE_LOOKALIKE_KNOWN;
}

static int
lookalike(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	struct lookalike_match *lm = &e->sender.lookalike;
	int rule, deferred;

	if (ctx->index == NULL || e->dmarc.from_domain == NULL)
		return 0;
	if (lookalike_check(ctx->index, e->dmarc.from_domain, m->arena,
	    lm) == -1)
		return -1;
	if ((rule = lookalike_rule(ctx, e, &deferred)) < 0 || deferred)
		return 0;
	return verdict_raise_about(&e->verdict, m->arena, ctx->cfg,
	    (enum rule)rule, lm->target, 0, lm->detail);
}

/* The lookalike of a partner or known correspondent, once the history
 * says whether the From domain is itself known: not known, or not
 * readable (an unfinished check is not milder), it is raised. */
static int
lookalike_deferred(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	const struct sender_result *r = &e->sender;
	int rule, deferred;

	if ((rule = lookalike_rule(ctx, e, &deferred)) < 0 || !deferred ||
	    (r->state == SENDER_STATE_AVAILABLE && r->history.domain_known))
		return 0;
	return verdict_raise_about(&e->verdict, m->arena, ctx->cfg,
	    (enum rule)rule, r->lookalike.target, 0, r->lookalike.detail);
}

static int
identity(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	static const struct {
		enum ident_signal sig;
		enum rule rule;
	} positive[] = {
		{ IDENT_DISPLAY_DOMAIN, RULE_DISPLAY_DOMAIN },
		{ IDENT_DISPLAY_ADDRESS, RULE_DISPLAY_ADDRESS },
		{ IDENT_DISPLAY_BRAND, RULE_DISPLAY_BRAND },
		{ IDENT_DISPLAY_PERSON, RULE_DISPLAY_PERSON },
		{ IDENT_REPLY_TO, RULE_REPLY_TO },
		{ IDENT_DISPLAY_KNOWN, RULE_DISPLAY_KNOWN },
	};
	struct ident_signals *is = &e->sender.ident;
	struct ident_context ic;
	struct ident_envelope env;
	unsigned skip = 0;
	size_t i;

	memset(&ic, 0, sizeof(ic));
	ic.orgdomain = ctx->orgdomain;
	ic.index = ctx->index;
	ic.people = ctx->people;
	memset(&env, 0, sizeof(env));
	env.mail_from = m->mail_from;
	env.spf = e->spf.result;
	env.relay_name = e->sender.fcrdns;
	/* The author mailbox, its domain as an A-label (authors.c); never
	 * ident's own reading of a From that was not one mailbox.  An
	 * evaluation whose author was never read (a caller of
	 * sender_signals alone) lets ident read the From itself. */
	if (e->from_box == NULL && e->author.problem != AUTHOR_OK) {
		memset(is, 0, sizeof(*is));
		return 0;
	}
	env.from_aligned = e->dmarc.dkim_aligned;
	if (ident_check(&ic, m, e->from_box, &env, m->arena, is) == -1)
		return -1;
	/* A list that rewrites From to its own address names the author in
	 * the display name ("'alice@example.org' via Forum"): when the
	 * list's own domain signed it (aligned DKIM of the From domain,
	 * which List-Id or List-Post names), the address and the
	 * correspondent named are the list's report, not a claim.  Our own
	 * and our partners' domains named there still count (once). */
	if ((is->flags & (1u << IDENT_LIST)) && e->dmarc.dkim_aligned &&
	    is->claim[IDENT_LIST] != NULL && is->from_org != NULL &&
	    strcasecmp(is->claim[IDENT_LIST], is->from_org) == 0) {
		skip = 1u << IDENT_DISPLAY_ADDRESS | 1u << IDENT_DISPLAY_KNOWN;
		/* our name in the author's address counts once, as
		 * display_domain; in words alone it is display_brand */
		if (is->display_flags & LOOKALIKE_PROTECTED)
			skip |= 1u << IDENT_DISPLAY_BRAND;
		else
			skip |= 1u << IDENT_DISPLAY_DOMAIN;
	}
	for (i = 0; i < sizeof(positive) / sizeof(positive[0]); i++)
		if ((is->flags & (1u << positive[i].sig)) &&
		    !(skip & (1u << positive[i].sig)) &&
		    verdict_raise_about(&e->verdict, m->arena, ctx->cfg,
		    positive[i].rule, is->about[positive[i].sig], 0,
		    is->detail[positive[i].sig]) == -1)
			return -1;
	return 0;
}

static int
trusted_forwarder(const struct sender_context *ctx, const char *org)
{
	size_t i;

	for (i = 0; i < ctx->cfg->n_trusted_forwarders; i++)
		if (orgdomain_same(ctx->orgdomain,
		    ctx->cfg->trusted_forwarders[i], org))
			return 1;
	return 0;
}

/* Did the domain a list, Sender, Resent or forwarder signal names
 * authenticate this message: a DKIM pass whose d= is in its
 * organisation (relaxed alignment), or, for a forwarder, its envelope's
 * SPF pass (ident.c requires it) at a configured trusted_forwarders
 * domain.  Headers, an SRS0= local part or an SPF pass at the sender's
 * own domain are anyone's to make: they never lower a score alone. */
static int
vouched(const struct sender_context *ctx, const struct evaluation *e,
    enum ident_signal sig)
{
	const char *claim = e->sender.ident.claim[sig];

	if (claim == NULL || ctx->orgdomain == NULL)
		return 0;
	if (sig == IDENT_FORWARDER && e->spf.result == AUTH_PASS &&
	    trusted_forwarder(ctx, claim))
		return 1;
	return sender_signed_by(ctx, e, claim);
}

/* Lists and forwarders explain a new relay, when the list or forwarder
 * authenticated the message (vouched).  Only the strongest of them
 * counts: piling them up must not buy more than one. */
static int
explained(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e, int list, const char *list_org)
{
	static const struct {
		enum ident_signal sig;
		enum rule rule;
	} lowering[] = {
		{ IDENT_FORWARDER, RULE_FORWARDER },
		{ IDENT_LIST, RULE_LIST },
		{ IDENT_RESENT, RULE_RESENT },
		{ IDENT_SENDER, RULE_SENDER_HEADER },
	};
	const struct ident_signals *is = &e->sender.ident;
	int best = -1;
	size_t i;

	/* A lookalike is never excused: not even its first contact. */
	for (i = 0; i < e->verdict.nreasons; i++)
		if (rules_table[e->verdict.reasons[i].id].kind &
		    RULE_KIND_LOOKALIKE)
			return 0;
	for (i = 0; i < sizeof(lowering) / sizeof(lowering[0]); i++)
		if ((is->flags & (1u << lowering[i].sig)) &&
		    vouched(ctx, e, lowering[i].sig) &&
		    /* an unknown list's signature bought the authenticated
		     * scores already (novelty): not twice */
		    !(list == SENDERLIST_SIGNED &&
		    is->claim[lowering[i].sig] != NULL &&
		    orgdomain_same(ctx->orgdomain, is->claim[lowering[i].sig],
		    list_org)) && (best < 0 ||
		    ctx->cfg->scores[lowering[i].rule] <
		    ctx->cfg->scores[lowering[best].rule]))
			best = (int)i;
	if (best < 0)
		return 0;
	return verdict_raise(&e->verdict, m->arena, ctx->cfg,
	    lowering[best].rule, is->detail[lowering[best].sig]);
}

/* An attachment reason from a sender or relay we do not know, or one
 * imitating another (RULE_KIND_STRANGER), weighs more. */
static int
attach_weight(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	const struct verdict *v = &e->verdict;
	int att = 0, isnew = 0;
	size_t i;

	for (i = 0; i < v->nreasons; i++) {
		const struct rule_def *d = &rules_table[v->reasons[i].id];

		if (v->reasons[i].whatif)
			continue;
		if (d->cls == RULE_CLASS_ATTACHMENT)
			att = 1;
		if (d->kind & RULE_KIND_STRANGER)
			isnew = 1;
	}
	if (!att || !isnew)
		return 0;
	return verdict_raise(&e->verdict, m->arena, ctx->cfg,
	    RULE_ATTACH_NEW_SENDER, e->sender.domain);
}

int
sender_signals(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	if (lookalike(ctx, m, e) == -1 || identity(ctx, m, e) == -1 ||
	    senderreply_lookalike(ctx, m, e) == -1 ||
	    linkcheck_signals(ctx, m, e) == -1)
		return -1;
	return 0;
}

/* The message's thresholds: the context's, or worked out into own. */
static const struct thresholds *
thresholds(const struct sender_context *ctx, const struct message *m,
    struct thresholds *own)
{
	if (ctx->thresholds != NULL)
		return ctx->thresholds;
	verdict_thresholds(ctx->cfg, m, own);
	return own;
}

int
sender_teachable(const struct sender_context *ctx, const struct message *m,
    const struct evaluation *e)
{
	const struct verdict *v = &e->verdict;
	struct thresholds own;
	size_t i;
	int deferred;

	if (!e->sender.authenticated)
		return 0;
	/* a lookalike waiting for the history teaches nothing either */
	if (lookalike_rule(ctx, e, &deferred) >= 0)
		return 0;
	for (i = 0; i < v->nreasons; i++)
		if (!v->reasons[i].whatif &&
		    (rules_table[v->reasons[i].id].kind & RULE_KIND_LOOKALIKE))
			return 0;
	return !verdict_held(v, thresholds(ctx, m, &own));
}

int
sender_held_by_history(const struct sender_context *ctx,
    const struct message *m, const struct evaluation *e, int known,
    int relay, int signers, int links_new)
{
	struct state_signer sig[STATE_MAX_SIGNERS];
	const struct thresholds *thr;
	struct thresholds own;
	struct state_answer *h;
	struct evaluation *t;
	size_t i;

	/* No threshold holds: only the hard action can. */
	thr = thresholds(ctx, m, &own);
	if (thr->quarantine == 0 && thr->reject == 0)
		return verdict_held(&e->verdict, thr);
	if ((t = arena_alloc(m->arena, sizeof(*t))) == NULL)
		return -1;
	*t = *e;
	/* Its own reason array: the first add copies. */
	t->verdict.cap = t->verdict.nreasons;
	h = &t->sender.history;
	memset(h, 0, sizeof(*h));
	h->available = 1;
	h->seen = h->domain_known = known;
	h->infra_known = relay;
	h->link_new = links_new;
	memset(sig, 0, sizeof(sig));
	for (i = 0; i < STATE_MAX_SIGNERS; i++) {
		sig[i].name = "";
		sig[i].known = signers;
	}
	h->signers = sig;
	h->nsigners = STATE_MAX_SIGNERS;
	t->sender.state = SENDER_STATE_AVAILABLE;
	if (sender_score(ctx, m, t) == -1)
		return -1;
	return verdict_held(&t->verdict, thr);
}

int
sender_score(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	const struct config *cfg = ctx->cfg;
	struct sender_result *r = &e->sender;
	const char *signers[STATE_MAX_SIGNERS], *list_org;
	size_t nsigners, i;
	int list;

	nsigners = passing_signers(&e->dkim, signers);
	/* Lookalikes first: a list never excuses one (senderlist.c). */
	if (lookalike_deferred(ctx, m, e) == -1)
		return -1;
	if ((list = senderlist_classify(ctx, m, e, &list_org)) == -1)
		return -1;
	if (r->state == SENDER_STATE_UNAVAILABLE) {
		e->verdict.state = "unavailable";
		if (cfg->state_unavailable_tempfail)
			verdict_require(&e->verdict, VERDICT_TEMPFAIL);
	}
	if (r->domain != NULL && novelty(ctx, m, e, signers, nsigners, list,
	    list_org) == -1)
		return -1;
	if (senderreply_new_org(ctx, m, e, list_org) == -1 ||
	    linkcheck_score(ctx, m, e) == -1)
		return -1;
	if (explained(ctx, m, e, list, list_org) == -1 ||
	    attach_weight(ctx, m, e) == -1)
		return -1;
	/* Last, so that it sees every score it may lower. */
	if (!e->dmarc.dkim_aligned || e->dmarc.dkim_domain == NULL ||
	    !r->known)
		return 0;
	for (i = 0; i < nsigners; i++)
		if (strcasecmp(signers[i], e->dmarc.dkim_domain) == 0 &&
		    signer_known(r, i, signers[i]))
			return verdict_raise(&e->verdict, m->arena, cfg,
			    RULE_KNOWN_SIGNER_ALIGNED, signers[i]);
	return 0;
}

int
sender_evaluate(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	const struct config *cfg = ctx->cfg;
	struct sender_result *r = &e->sender;
	const char *signers[STATE_MAX_SIGNERS];
	size_t nsigners;
	struct infra inf;
	unsigned char withhold[16];
	unsigned i;
	int teach;

	memset(r, 0, sizeof(*r));
	if (ctx->orgdomain == NULL)
		return 0;
	r->domain = e->dmarc.from_domain != NULL ? e->dmarc.org_domain : NULL;
	r->authenticated = e->dmarc.spf_aligned || e->dmarc.dkim_aligned;
	r->partner = sender_partner(cfg, r->domain);
	if (e->relay.ip != NULL && !e->relay.internal_only && r->domain !=
	    NULL && (ctx->pool != NULL || r->partner != NULL)) {
		if (infra_identify(ctx->dns, ctx->budget, ctx->orgdomain,
		    e->relay.ip,
		    cfg->infra_v4_prefix ? cfg->infra_v4_prefix : 24,
		    cfg->infra_v6_prefix ? cfg->infra_v6_prefix : 48,
		    m->arena, &inf) == 0) {
			r->infra = inf.id;
			r->fcrdns = inf.fcrdns;
		}
	}
	/* What the message is, before what its sender did before: a
	 * message held for what it is (a lookalike, an attachment, bad
	 * authentication) must not teach the history, or one held
	 * lookalike would become a known correspondent. */
	if (sender_signals(ctx, m, e) == -1)
		return -1;
	teach = sender_teachable(ctx, m, e);
	/* ... nor a message the history itself would hold: the novelty
	 * reasons (first_contact, new_relay, attach_new_sender) are known
	 * only after the lookup, so the script is told which outcome may
	 * teach (one round trip). */
	memset(withhold, 0, sizeof(withhold));
	for (i = 0; teach && ctx->learn && ctx->pool != NULL &&
	    r->domain != NULL && i < (r->nlink_orgs > 0 ? 16u : 8u); i++) {
		int h = sender_held_by_history(ctx, m, e, (i >> 2) & 1,
		    (i >> 1) & 1, i & 1, (i >> 3) & 1);

		if (h == -1)
			return -1;
		withhold[i] = (unsigned char)h;	/* STATE_TEACH_INDEX */
	}
	nsigners = passing_signers(&e->dkim, signers);
	if (ask_history(ctx, m, e, signers, nsigners, teach, withhold) == -1)
		return -1;
	r->teach_withheld = ctx->learn && r->authenticated &&
	    (r->state == SENDER_STATE_AVAILABLE ? !r->history.taught :
	    !teach);
	return sender_score(ctx, m, e);
}
