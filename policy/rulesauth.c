/*
 * rulesauth.c - the authentication rules: a stage of the pipeline over
 * an evaluation's SPF, DKIM and DMARC results and the message's caps.
 *
 * Exports rules_auth (policy.h).  Pure: reads the config and the
 * results, raises rules into the message's verdict (verdict_raise; arena
 * memory).  Any thread.  The vocabulary itself is rules.c.
 *
 * Scoring of authentication (RFC 7208, 6376, 7489 results):
 *  - SPF fail/softfail/permerror of MAIL FROM; HELO fail only counts when
 *    the MAIL FROM check could not decide (null sender, none, neutral);
 *  - DKIM fail only when no signature passed: a forwarded message often
 *    carries one broken signature beside a good one;
 *  - content past a signature's l= that no whole-body signature of the
 *    same d= covers (RFC 6376 8.2: the classic append-to-a-signed-message
 *    trick; dkimv.c reports such a signature "policy");
 *  - DMARC fail, scored by the policy the domain published (an owner who
 *    says p=reject tells us unauthenticated mail in its name is forged);
 *  - temporary errors are reasons with score 0 by default: visible,
 *    tunable, but a DNS outage alone does not quarantine mail.
 */
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "mail/message.h"
#include "policy.h"
#include "rules/rules.h"
#include "util/arena.h"
#include "verdict/verdict.h"

/* The d= of a signature whose l= left content unsigned, when no passing
 * signature of the same d= covers the whole body; else NULL. */
static const char *
unsigned_tail(const struct dkim_results *d)
{
	size_t i, j;

	for (i = 0; i < d->count; i++) {
		const char *dom = d->sigs[i].domain;

		if (d->sigs[i].body_unsigned == 0)
			continue;
		for (j = 0; j < d->count; j++)
			if (d->sigs[j].result == AUTH_PASS && dom != NULL &&
			    d->sigs[j].domain != NULL &&
			    strcasecmp(d->sigs[j].domain, dom) == 0)
				break;
		if (j == d->count)
			return dom != NULL ? dom : "-";
	}
	return NULL;
}

static int
any_dkim(const struct dkim_results *d, enum auth_result want)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (d->sigs[i].result == want)
			return 1;
	return 0;
}

/* The domain of the first signature with result want, or NULL. */
static const char *
dkim_first(const struct dkim_results *d, enum auth_result want)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (d->sigs[i].result == want)
			return d->sigs[i].domain;
	return NULL;
}

/* Which checks failed temporarily: "spf", "spf:dkim", ... */
static const char *
temperrors(const struct evaluation *e, struct arena *a)
{
	return arena_printf(a, "%s%s%s%s%s",
	    e->spf.result == AUTH_TEMPERROR ? "spf" : "",
	    e->spf.result == AUTH_TEMPERROR &&
	    dkim_first(&e->dkim, AUTH_TEMPERROR) != NULL ? ":" : "",
	    dkim_first(&e->dkim, AUTH_TEMPERROR) != NULL ? "dkim" : "",
	    e->dmarc.result == AUTH_TEMPERROR && (e->spf.result ==
	    AUTH_TEMPERROR || dkim_first(&e->dkim, AUTH_TEMPERROR) != NULL) ?
	    ":" : "", e->dmarc.result == AUTH_TEMPERROR ? "dmarc" : "");
}

int
rules_auth(const struct config *cfg, const struct message *m,
    struct evaluation *e)
{
	struct verdict *v = &e->verdict;
	struct arena *a = m->arena;
	const struct dmarc_result *d = &e->dmarc;
	const char *tail;
	int temp = 0, r = 0;

	switch (e->spf.result) {
	case AUTH_FAIL:
		r |= verdict_raise(v, a, cfg, RULE_SPF_FAIL, e->spf.domain);
		break;
	case AUTH_SOFTFAIL:
		r |= verdict_raise(v, a, cfg, RULE_SPF_SOFTFAIL, e->spf.domain);
		break;
	case AUTH_PERMERROR:
		r |= verdict_raise_about(v, a, cfg, RULE_SPF_PERMERROR,
		    e->spf.domain, 0, e->spf.reason);
		break;
	case AUTH_TEMPERROR:
		temp = 1;
		/* FALLTHROUGH */
	case AUTH_NONE:
	case AUTH_NEUTRAL:
		if (e->helo_spf.result == AUTH_FAIL)
			r |= verdict_raise(v, a, cfg, RULE_HELO_SPF_FAIL,
			    e->helo_spf.domain);
		break;
	default:
		break;
	}
	if (e->dkim.count > 0 && !any_dkim(&e->dkim, AUTH_PASS) &&
	    any_dkim(&e->dkim, AUTH_FAIL))
		r |= verdict_raise(v, a, cfg, RULE_DKIM_FAIL,
		    dkim_first(&e->dkim, AUTH_FAIL));
	if (any_dkim(&e->dkim, AUTH_TEMPERROR))
		temp = 1;
	if (e->dkim.truncated)
		r |= verdict_raise(v, a, cfg, RULE_DKIM_TRUNCATED,
		    arena_printf(a, "%zu", e->dkim.count));
	if ((tail = unsigned_tail(&e->dkim)) != NULL)
		r |= verdict_raise(v, a, cfg, RULE_DKIM_BODY_LENGTH_PARTIAL,
		    tail);
	if (d->result == AUTH_FAIL)
		r |= verdict_raise(v, a, cfg, d->policy == DMARC_POLICY_REJECT ?
		    RULE_DMARC_FAIL_REJECT : d->policy ==
		    DMARC_POLICY_QUARANTINE ? RULE_DMARC_FAIL_QUARANTINE :
		    RULE_DMARC_FAIL, d->from_domain == NULL ? NULL :
		    arena_printf(a, "%s:%s", d->from_domain,
		    dmarc_policy_name(d->policy)));
	if (d->result == AUTH_TEMPERROR)
		temp = 1;
	if (temp)
		r |= verdict_raise(v, a, cfg, RULE_AUTH_TEMPERROR,
		    temperrors(e, a));
	/* RFC 7489 section 6.6.1: without exactly one author domain DMARC
	 * cannot run, and a mail reader shows the attacker's choice. */
	if (e->author.problem != AUTHOR_OK)
		r |= verdict_raise(v, a, cfg, RULE_FROM_AMBIGUOUS,
		    e->author.detail);
	if (m->truncated != NULL)
		r |= verdict_raise(v, a, cfg, RULE_HEADERS_TRUNCATED,
		    m->truncated);
	/* More forged trace headers than we list for removal: delivered,
	 * the rest would pass as ours (RFC 8601 section 5), so the message
	 * is refused whatever its score. */
	if (m->removals_lost > 0) {
		r |= verdict_raise(v, a, cfg, RULE_HEADERS_FORGED_FLOOD,
		    arena_printf(a, "%lu", m->removals_lost));
		verdict_raise_hard(v, cfg, RULE_HEADERS_FORGED_FLOOD,
		    VERDICT_REJECT);
	}
	return r ? -1 : 0;
}
