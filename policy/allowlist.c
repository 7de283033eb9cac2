/*
 * allowlist.c - the allow-list entries of the config applied to one
 * message (issue 13 item 2).
 *
 * Exports allowlist_* (allowlist.h).  Reads the evaluation that every
 * check has filled and changes only its verdict: reasons of the exempt
 * rules become what-if (listed, not scored), the score is added up
 * again, and verdict.allowed names the entries' comments.
 * What an entry may rest on, none of it written by the sender's headers
 * alone:
 *  - a sender address or domain: the From address, only when its
 *    domain is authenticated (DMARC pass; where the domain publishes no
 *    DMARC record, or DMARC is off, an SPF or DKIM pass aligned with it).
 *    An unauthenticated From: partner.example matches nothing;
 *  - a network: the first external relay (relay.h): the MTA's client
 *    address, or behind internal_relays the hop our own relays recorded;
 *  - recipients: the envelope recipients (RCPT TO), every one of them: a
 *    message has one verdict for all its recipients, so an entry for
 *    abuse@ must not let a message through to the others too (as
 *    recipient_policies, where the strictest group decides).
 * Hard actions: a tempfail (a check that could not finish), forged
 * headers past the removal cap, and an attachment scan cut short are
 * never lifted; an attachment's quarantine or reject is lifted only when
 * the matching entries name, one by one, every hard attachment rule the
 * message raised ("*" is not enough: an admin must say "executables").
 * Thread rule: one message, one thread; the config is read only.
 * Caps: allowed= names at most ALLOW_SHOW entries ("+N" for the rest).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "config/config.h"
#include "mail/message.h"
#include "rules/rules.h"
#include "util/net.h"
#include "verdict/verdict.h"
#include "allowlist.h"

#define ALLOW_SHOW	3

int
allowlist_from_authenticated(const struct evaluation *e)
{
	const struct dmarc_result *d = &e->dmarc;

	if (e->author.domain == NULL || e->from_box == NULL ||
	    d->from_domain == NULL ||
	    strcasecmp(d->from_domain, e->from_box->domain) != 0)
		return 0;
	if (d->result == AUTH_PASS)
		return 1;
	/* none: no record published (or DMARC off); a failure, temperror
	 * or permerror authenticates nothing */
	return d->result == AUTH_NONE && (d->spf_aligned || d->dkim_aligned);
}

static int
sender_match(const struct config_allow *a, const struct evaluation *e)
{
	const struct addr_mailbox *b = e->from_box;
	struct net_addr ip;
	size_t i, dl, wl;
	const char *w;

	if (a->nsender_nets > 0 && e->relay.ip != NULL &&
	    !e->relay.internal_only && net_parse_addr(e->relay.ip, &ip) == 0 &&
	    net_cidr_list_match(a->sender_nets, a->nsender_nets, &ip))
		return 1;
	if (a->nsenders == 0 || !allowlist_from_authenticated(e))
		return 0;
	dl = strlen(b->domain);
	for (i = 0; i < a->nsenders; i++) {
		w = a->senders[i];
		if (strchr(w, '@') != NULL) {
			wl = strlen(b->local);
			if (strncasecmp(w, b->local, wl) == 0 && w[wl] == '@' &&
			    strcasecmp(w + wl + 1, b->domain) == 0)
				return 1;
		} else if (w[0] == '.') {
			/* the domain itself or a subdomain: a label boundary */
			wl = strlen(w);
			if (strcasecmp(w + 1, b->domain) == 0 ||
			    (dl > wl && strcasecmp(b->domain + dl - wl, w) ==
			    0))
				return 1;
		} else if (strcasecmp(w, b->domain) == 0)
			return 1;
	}
	return 0;
}

/* rcpt ("<user@domain>" or bare) is one of the entry's recipients. */
static int
rcpt_listed(const struct config_allow *a, const char *rcpt)
{
	const char *at, *end, *w;
	size_t i, len;

	if (*rcpt == '<')
		rcpt++;
	len = strlen(rcpt);
	if ((end = memchr(rcpt, '>', len)) != NULL)
		len = (size_t)(end - rcpt);
	if ((at = memchr(rcpt, '@', len)) == NULL)
		return 0;
	for (i = 0; i < a->nrecipients; i++) {
		w = a->recipients[i];
		if (w[0] == '@') {
			if (strlen(w) == len - (size_t)(at - rcpt) &&
			    strncasecmp(w, at, strlen(w)) == 0)
				return 1;
		} else if (strlen(w) == len && strncasecmp(w, rcpt, len) == 0)
			return 1;
	}
	return 0;
}

int
allowlist_match(const struct config_allow *a, const struct message *m,
    const struct evaluation *e, long long now)
{
	size_t i;

	if (config_allow_end(a->expires) <= now)
		return 0;
	if (a->nsenders + a->nsender_nets > 0 && !sender_match(a, e))
		return 0;
	if (a->nrecipients > 0) {
		if (m->nrcpts == 0)
			return 0;
		for (i = 0; i < m->nrcpts; i++)
			if (!rcpt_listed(a, m->rcpts[i]))
				return 0;
	}
	return a->nsenders + a->nsender_nets + a->nrecipients > 0;
}

/* What the matching entries exempt: any[r] by name or "*", named[r] by
 * name only. */
struct exempt {
	unsigned char any[RULE_COUNT];
	unsigned char named[RULE_COUNT];
};

static void
add_rules(struct exempt *x, const struct config_allow *a)
{
	size_t i;
	int r;

	for (i = 0; i < a->nrules; i++) {
		if (strcmp(a->rules[i], "*") == 0) {
			memset(x->any, 1, sizeof(x->any));
			continue;
		}
		if ((r = rules_lookup(a->rules[i])) >= 0)
			x->any[r] = x->named[r] = 1;
	}
}

/* The score again without the what-if reasons, each lowering reason
 * capped as verdict_raise caps it by the reasons before it. */
static void
rescore(struct verdict *v)
{
	struct reason *r;
	long sum = 0, room;
	size_t i, j;

	for (i = 0; i < v->nreasons; i++) {
		r = &v->reasons[i];
		if (r->whatif)
			continue;
		if (r->score < 0 && rules_table[r->id].lowers != 0) {
			for (room = 0, j = 0; j < i; j++) {
				const struct reason *q = &v->reasons[j];

				if (q->whatif)
					continue;
				if (q->score < 0 || (rules_table[q->id].kind &
				    rules_table[r->id].lowers))
					room += q->score;
			}
			if (room < 0)
				room = 0;
			if (-r->score > room)
				r->score = (int)-room;
		}
		sum += r->score;
	}
	if (sum > 1000000)
		sum = 1000000;
	else if (sum < -1000000)
		sum = -1000000;
	v->score = (int)sum;
}

static int
has_reason(const struct verdict *v, enum rule id)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (v->reasons[i].id == id)
			return 1;
	return 0;
}

/* The rules an attachment's hard action rests on (attscan.c hard_rule,
 * overrides). */
static const enum rule hard_rules[] = {
	RULE_ATTACH_EXECUTABLE, RULE_ATTACH_BANNED_EXTENSION,
	RULE_ATTACH_BANNED_MEMBER, RULE_ATTACH_HOSTILE_NAME,
	RULE_ATTACH_SPECIAL_MEMBER, RULE_ATTACH_OVERRIDE,
};

/* 1 when the hard action may be lifted for x. */
static int
hard_liftable(const struct config *cfg, const struct evaluation *e,
    const struct exempt *x)
{
	const struct verdict *v = &e->verdict;
	const struct attach_results *at = &e->attachments;
	size_t i;
	int r;

	if (v->hard != VERDICT_QUARANTINE && v->hard != VERDICT_REJECT)
		return 0;	/* nothing, or a tempfail */
	if (has_reason(v, RULE_HEADERS_FORGED_FLOOD) &&
	    verdict_rule_live(cfg, RULE_HEADERS_FORGED_FLOOD))
		return 0;
	/* what a scan cut short did not see may be anything */
	if (at->truncated != NULL || has_reason(v, RULE_ATTACH_TRUNCATED) ||
	    has_reason(v, RULE_ATTACH_ARCHIVE_BOMB) ||
	    has_reason(v, RULE_ATTACH_SCAN_FAILED))
		return 0;
	if (at->hard_rule == NULL || (r = rules_lookup(at->hard_rule)) < 0 ||
	    !x->named[r])
		return 0;
	for (i = 0; i < sizeof(hard_rules) / sizeof(hard_rules[0]); i++)
		if (has_reason(v, hard_rules[i]) && !x->named[hard_rules[i]])
			return 0;
	return 1;
}

int
allowlist_apply(const struct config *cfg, const struct message *m,
    struct evaluation *e, long long now)
{
	struct verdict *v = &e->verdict;
	struct exempt x;
	const char *shown = "";
	size_t i, n = 0;

	memset(&x, 0, sizeof(x));
	for (i = 0; i < cfg->nallowlist; i++) {
		if (!allowlist_match(&cfg->allowlist[i], m, e, now))
			continue;
		add_rules(&x, &cfg->allowlist[i]);
		if (n++ < ALLOW_SHOW && (shown = arena_printf(m->arena,
		    "%s%s%s", shown, n > 1 ? "; " : "",
		    cfg->allowlist[i].comment)) == NULL)
			return -1;
	}
	if (n == 0)
		return 0;
	if (n > ALLOW_SHOW && (shown = arena_printf(m->arena, "%s; +%zu",
	    shown, n - ALLOW_SHOW)) == NULL)
		return -1;
	v->allowed = shown;
	if (hard_liftable(cfg, e, &x))
		v->hard = VERDICT_ACCEPT;
	for (i = 0; i < v->nreasons; i++)
		if (x.any[v->reasons[i].id])
			v->reasons[i].whatif = 1;
	rescore(v);
	return 0;
}
