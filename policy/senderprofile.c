/*
 * senderprofile.c - the sender stage's part of issue 11 (items 2, 3 and
 * 7): what the history lookup is told about the learned sending
 * profile, shared infrastructure and shared mailbox providers, and the
 * reasons a message that breaks a stable profile gets.  The pure rules
 * and why they are so: sender/profile.c; the script's half:
 * state/statescript.c.
 *
 * Exports senderprofile_query, senderprofile_score.  Reads the
 * evaluation (From, DMARC, SPF, DKIM, relay, history); results in the
 * message's arena.  Any thread.
 * Only identities the sender proved name it on a shared platform (an
 * aligned DKIM pass, the SPF-passing MAIL FROM domain, a passing d=);
 * a trusted_forwarders infrastructure keeps its plain name (a
 * configured fact).  Every rule here raises a score; none lowers one.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/arena.h"
#include "config/config.h"
#include "mail/addr.h"
#include "mail/message.h"
#include "mail/orgdomain.h"
#include "sender/profile.h"
#include "policy.h"
#include "rules/rules.h"
#include "sender.h"
#include "senderprofile.h"

/* The organisational domain of name, or name; NULL for NULL. */
static const char *
org_of(const struct sender_context *ctx, const char *name, struct arena *a)
{
	const char *o;

	if (name == NULL || *name == '\0')
		return NULL;
	o = orgdomain_get(ctx->orgdomain, name, a);
	return o != NULL ? o : name;
}

/* The From address, when the header holds exactly one mailbox in the
 * From domain (else the history stays per domain). */
static const char *
from_address(const struct message *m, const struct evaluation *e)
{
	const struct header *h = message_header(m, "From", 0);
	struct addr_list l;

	/* One of several author domains (authors.c): its own mailbox. */
	if (e->author.ndomains > 1 && e->from_box != NULL)
		return strcasecmp(e->from_box->domain, e->dmarc.from_domain)
		    == 0 ? profile_address(e->from_box->local,
		    e->from_box->domain, m->arena) : NULL;
	if (h == NULL || message_header(m, "From", 1) != NULL ||
	    addr_parse_list(h->value, m->arena, &l) == -1 || l.count != 1 ||
	    strcasecmp(l.boxes[0].domain, e->dmarc.from_domain) != 0)
		return NULL;
	return profile_address(l.boxes[0].local, l.boxes[0].domain,
	    m->arena);
}

/* A configured trusted_forwarders organisation. */
static int
trusted_forwarder(const struct sender_context *ctx, const char *org)
{
	size_t i;

	for (i = 0; org != NULL && i < ctx->cfg->n_trusted_forwarders; i++)
		if (orgdomain_same(ctx->orgdomain,
		    ctx->cfg->trusted_forwarders[i], org))
			return 1;
	return 0;
}

/* The d= of the first passing signature, or NULL. */
static const char *
first_signer(const struct dkim_results *d)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (d->sigs[i].result == AUTH_PASS && d->sigs[i].domain != NULL)
			return d->sigs[i].domain;
	return NULL;
}

int
senderprofile_query(const struct sender_context *ctx, const struct message *m,
    const struct evaluation *e, struct state_query *q)
{
	const struct config *cfg = ctx->cfg;
	const struct sender_result *r = &e->sender;
	const char *spf = NULL, *any, *from = e->dmarc.from_domain;

	if (from != NULL && strcasecmp(from, r->domain) != 0)
		q->subdomain = from;
	q->dkim_aligned = e->dmarc.dkim_aligned;
	q->profile_messages = cfg->profile_min_messages;
	q->profile_seconds = cfg->profile_min_days * 86400UL;
	q->shared_infra = cfg->shared_infra_domains;
	q->shared_mailbox = cfg->shared_mailbox_senders;
	/* A trusted forwarder's infrastructure keeps its plain name (a
	 * configured fact), however many domains it carries. */
	if (r->infra != NULL && !(r->fcrdns != NULL &&
	    trusted_forwarder(ctx, org_of(ctx, r->fcrdns, m->arena)))) {
		/* Identities the sender proved: a DKIM signature, an SPF
		 * pass of its MAIL FROM domain. */
		if (e->spf.result == AUTH_PASS)
			spf = org_of(ctx, e->spf.domain, m->arena);
		any = org_of(ctx, first_signer(&e->dkim), m->arena);
		if ((q->infra_id = profile_infra_id(r->infra,
		    e->dmarc.dkim_aligned ? org_of(ctx, e->dmarc.dkim_domain,
		    m->arena) : NULL, spf, any, m->arena)) == NULL)
			return -1;
	}
	if (from == NULL || (q->address = from_address(m, e)) == NULL)
		return 0;
	q->address_listed = (cfg->shared_mailbox_defaults &&
	    profile_listed(r->domain, profile_mailbox_defaults, SIZE_MAX)) ||
	    profile_listed(r->domain, (const char *const *)
	    cfg->shared_mailbox_domains, cfg->n_shared_mailbox_domains);
	return 0;
}

int
senderprofile_score(const struct sender_context *ctx, const struct message *m,
    struct evaluation *e)
{
	const struct config *cfg = ctx->cfg;
	struct sender_result *r = &e->sender;
	const char *from = e->dmarc.from_domain;
	struct profile_rule pr;
	time_t now = time(NULL);

	if (r->state != SENDER_STATE_AVAILABLE || !r->history.domain_known ||
	    e->dmarc.dkim_aligned)
		return 0;
	pr.min_messages = cfg->profile_min_messages;
	pr.min_seconds = cfg->profile_min_days * 86400UL;
	if (profile_signed(&r->history, &pr, now) &&
	    verdict_raise(&e->verdict, m->arena, cfg, RULE_PROFILE_UNSIGNED,
	    r->domain) == -1)
		return -1;
	if (from != NULL && !r->history.per_address &&
	    strcasecmp(from, r->domain) != 0 && !r->history.subdomain_known &&
	    r->infra != NULL && !r->relay_known &&
	    profile_settled(&r->history, &pr, now) &&
	    verdict_raise(&e->verdict, m->arena, cfg,
	    RULE_PROFILE_NEW_SUBDOMAIN, from) == -1)
		return -1;
	return 0;
}
