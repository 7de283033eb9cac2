/*
 * state.c - state_lookup: the sender history of one message in one
 * EVALSHA (read, and update when asked to learn).
 *
 * Exports state_lookup (state.h).  The pool is in statepool.c, the
 * scripts in statescript.c, names in statekey.c, the admin calls in
 * stateadmin.c.
 * Owns nothing past a call: replies are freed before returning, answers
 * are arena memory.  Any thread (the pool serialises connections).
 * Redis replies are untrusted: every element's type is checked, numbers
 * are parsed strictly and bounded (a count fits 64 bits, a time is
 * before year 10000), names are re-checked before they are shown.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "util/arena.h"
#include "state/state.h"
#include "state/statekey.h"
#include "state/statecall.h"
#include "state/statepool.h"
#include "state/statescript.h"

/* The names of one query, normalised; signers deduplicated. */
struct qnames {
	char domain[STATEKEY_BUF];
	char display[STATEKEY_BUF];	/* "" when none or not needed */
	char index[STATEKEY_BUF];	/* "" when not indexable */
	char infra[STATEKEY_BUF];	/* "" when none */
	char infra_id[STATEKEY_BUF];	/* "" when none */
	char sub[STATEKEY_BUF];		/* "" when none */
	char list[STATEKEY_BUF];	/* "" when none */
	char addr[STATEKEY_BUF];	/* "" when none */
	char addr_display[STATEKEY_BUF];
	char sig[STATE_MAX_SIGNERS][STATEKEY_BUF];
	size_t nsig;
	size_t map[STATE_MAX_SIGNERS];	/* query signer -> sig, or SIZE_MAX */
	size_t nquery;
	char link[STATE_MAX_LINKS][STATEKEY_BUF];
	size_t nlink;
	size_t lmap[STATE_MAX_LINKS];	/* query link -> link, or SIZE_MAX */
	size_t nlquery;
	struct qother {			/* other author domains asked */
		char domain[STATEKEY_BUF];
		char infra_id[STATEKEY_BUF];
		char sub[STATEKEY_BUF];
		char addr[STATEKEY_BUF];
		size_t query;		/* its index in q->others */
	} other[STATE_MAX_OTHERS];
	size_t nother;
};

/* The other author domains of q that have a usable name. */
static void
qothers_fill(struct qnames *n, const struct state_query *q)
{
	const struct state_author *o;
	struct qother *w;
	size_t i;

	for (i = 0; i < q->nothers && i < STATE_MAX_OTHERS; i++) {
		o = &q->others[i];
		w = &n->other[n->nother];
		if (o->domain == NULL || statekey_normalize(o->domain,
		    STATEKEY_DOMAIN, w->domain, sizeof(w->domain)) == -1)
			continue;
		if (n->infra[0] == '\0' || o->infra_id == NULL ||
		    statekey_normalize(o->infra_id, STATEKEY_INFRA,
		    w->infra_id, sizeof(w->infra_id)) == -1)
			w->infra_id[0] = '\0';
		if (o->subdomain == NULL || statekey_normalize(o->subdomain,
		    STATEKEY_DOMAIN, w->sub, sizeof(w->sub)) == -1)
			w->sub[0] = '\0';
		if (o->address == NULL || statekey_normalize(o->address,
		    STATEKEY_DOMAIN, w->addr, sizeof(w->addr)) == -1)
			w->addr[0] = '\0';
		w->query = i;
		n->nother++;
	}
}

static int
qnames_fill(struct qnames *n, const struct state_query *q)
{
	char tmp[STATEKEY_BUF];
	size_t i, j;
	int hashed;

	if ((hashed = statekey_normalize(q->domain, STATEKEY_DOMAIN,
	    n->domain, sizeof(n->domain))) == -1)
		return -1;
	/* The index holds names a lookalike check can compare; a digest
	 * key keeps its name in field d for the admin. */
	if (statekey_display(q->domain, n->index, sizeof(n->index)) == -1)
		n->index[0] = '\0';
	if (hashed)
		memcpy(n->display, n->index, strlen(n->index) + 1);
	if (q->infra == NULL || statekey_normalize(q->infra, STATEKEY_INFRA,
	    n->infra, sizeof(n->infra)) == -1)
		n->infra[0] = '\0';
	if (n->infra[0] == '\0' || q->infra_id == NULL ||
	    statekey_normalize(q->infra_id, STATEKEY_INFRA, n->infra_id,
	    sizeof(n->infra_id)) == -1)
		n->infra_id[0] = '\0';
	if (q->subdomain == NULL || statekey_normalize(q->subdomain,
	    STATEKEY_DOMAIN, n->sub, sizeof(n->sub)) == -1)
		n->sub[0] = '\0';
	if (q->list == NULL || statekey_normalize(q->list, STATEKEY_DOMAIN,
	    n->list, sizeof(n->list)) == -1 || strcmp(n->list, n->domain) == 0)
		n->list[0] = '\0';
	/* An address always becomes a digest ("@" is no key character);
	 * field d keeps its readable form when it has one. */
	if (q->address == NULL || statekey_normalize(q->address,
	    STATEKEY_DOMAIN, n->addr, sizeof(n->addr)) == -1)
		n->addr[0] = '\0';
	if (n->addr[0] == '\0' || statekey_display(q->address,
	    n->addr_display, sizeof(n->addr_display)) == -1)
		n->addr_display[0] = '\0';
	n->nquery = q->nsigners > STATE_MAX_SIGNERS ? STATE_MAX_SIGNERS :
	    q->nsigners;
	for (i = 0; i < n->nquery; i++) {
		n->map[i] = SIZE_MAX;
		if (q->signers[i] == NULL || statekey_normalize(q->signers[i],
		    STATEKEY_DOMAIN, tmp, sizeof(tmp)) == -1)
			continue;
		for (j = 0; j < n->nsig && strcmp(n->sig[j], tmp) != 0; j++)
			;
		if (j == n->nsig)
			memcpy(n->sig[n->nsig++], tmp, sizeof(tmp));
		n->map[i] = j;
	}
	n->nlquery = q->nlinks > STATE_MAX_LINKS ? STATE_MAX_LINKS :
	    q->nlinks;
	for (i = 0; i < n->nlquery; i++) {
		n->lmap[i] = SIZE_MAX;
		if (q->links[i] == NULL || statekey_normalize(q->links[i],
		    STATEKEY_DOMAIN, tmp, sizeof(tmp)) == -1)
			continue;
		for (j = 0; j < n->nlink && strcmp(n->link[j], tmp) != 0; j++)
			;
		if (j == n->nlink)
			memcpy(n->link[n->nlink++], tmp, sizeof(tmp));
		n->lmap[i] = j;
	}
	return 0;
}

/* Elements of one history's block in the script's reply. */
#define BLOCK(n)	(10 + 2 * (n)->nsig + 1)

/* Reads one history's block of the script's reply (el, BLOCK elements)
 * into ans; sub: the query had a subdomain.  -1 when it is not the shape
 * the script returns, -2 out of memory. */
static int
answer_block(redisReply *const *el, int sub, const struct qnames *n,
    struct arena *a, struct state_answer *ans)
{
	struct state_signer sig[STATE_MAX_SIGNERS];
	const redisReply *e;
	unsigned long long v[7];
	size_t want, i, j;

	want = BLOCK(n);
	for (i = 0; i < 7; i++)
		if (statecall_number(el[i], &v[i]) == -1)
			return -1;
	ans->seen = el[0]->type != REDIS_REPLY_NIL;
	ans->messages = v[0];
	ans->auth_messages = v[1];
	ans->first_seen = statecall_time(v[2]);
	ans->last_seen = statecall_time(v[3]);
	ans->known_since = statecall_time(v[4]);
	ans->domain_known = el[4]->type != REDIS_REPLY_NIL;
	ans->aligned_run = v[5];
	ans->unaligned_last = statecall_time(v[6]);
	for (i = 7; i + 1 < want; i++) {
		e = el[i];
		if (e->type != REDIS_REPLY_NIL &&
		    e->type != REDIS_REPLY_STRING)
			return -1;
	}
	ans->subdomain_known = sub &&
	    el[7]->type == REDIS_REPLY_STRING;
	i = 8;
	if (n->infra[0] != '\0') {
		e = el[i];
		ans->infra_known = e->type == REDIS_REPLY_STRING;
		ans->infra_trusted = el[i + 1]->type ==
		    REDIS_REPLY_STRING;
		if (ans->infra_known)
			(void)statecall_pair(e->str, e->len, &ans->infra_count,
			    &ans->infra_last);
	}
	i = 10;
	memset(sig, 0, sizeof(sig));
	for (j = 0; j < n->nsig; j++, i += 2) {
		e = el[i];
		sig[j].known = e->type == REDIS_REPLY_STRING;
		sig[j].trusted = el[i + 1]->type ==
		    REDIS_REPLY_STRING;
		if (sig[j].known)
			(void)statecall_pair(e->str, e->len, &sig[j].count,
			    &sig[j].last);
	}
	e = el[want - 1];
	if (e->type != REDIS_REPLY_INTEGER)
		return -1;
	ans->newly_known = (e->integer & 1) != 0;
	ans->taught = (e->integer & 2) != 0;
	ans->per_address = (e->integer & 4) != 0;
	ans->infra_shared = (e->integer & 8) != 0;
	if (n->nquery > 0 && (ans->signers = arena_calloc(a, n->nquery,
	    sizeof(*ans->signers))) == NULL)
		return -2;
	for (i = 0; i < n->nquery; i++) {
		if (n->map[i] != SIZE_MAX)
			ans->signers[i] = sig[n->map[i]];
		ans->signers[i].name = arena_strdup(a, n->map[i] == SIZE_MAX ?
		    "" : n->sig[n->map[i]]);
		if (ans->signers[i].name == NULL)
			return -2;
	}
	ans->nsigners = n->nquery;
	ans->available = 1;
	return 0;
}

/* Reads the script's reply: the sender's block, then one per other
 * author asked (ans->others, one per query other). */
static int
answer_fill(const redisReply *r, const struct state_query *q,
    const struct qnames *n, struct arena *a, struct state_answer *ans)
{
	size_t i, b = BLOCK(n);
	int rc;

	unsigned long long lc, lf;

	size_t tail = b * (1 + n->nother);
	unsigned long long lm, known;
	unsigned char lk[STATE_MAX_LINKS];

	if (r->type != REDIS_REPLY_ARRAY ||
	    r->elements != tail + 3 + n->nlink ||
	    statecall_number(r->element[tail], &lc) == -1 ||
	    statecall_number(r->element[tail + 1], &lf) == -1 ||
	    statecall_number(r->element[tail + 2], &lm) == -1)
		return -1;
	for (i = 0; i < n->nlink; i++) {
		if (statecall_number(r->element[tail + 3 + i], &known) == -1)
			return -1;
		lk[i] = known != 0;
	}
	if ((rc = answer_block(r->element, n->sub[0] != '\0', n, a, ans)) != 0)
		return rc;
	ans->list_posters = lc > 1000 ? 1000 : (unsigned long)lc;
	ans->list_first = statecall_time(lf);
	ans->link_messages = lm > ULONG_MAX ? ULONG_MAX : (unsigned long)lm;
	if (n->nlquery > 0 && (ans->link_known = arena_calloc(a,
	    n->nlquery, 1)) == NULL)
		return -2;
	ans->nlinks = n->nlquery;
	for (i = 0; i < n->nlquery; i++)
		if (n->lmap[i] != SIZE_MAX)
			ans->link_known[i] = lk[n->lmap[i]];
	/* as the script sees it: its teach index depends on it */
	for (i = 0; i < n->nlink; i++)
		if (!lk[i] && ans->domain_known && q->link_min > 0 &&
		    lm >= q->link_min)
			ans->link_new = 1;
	if (q->nothers == 0)
		return 0;
	if ((ans->others = arena_calloc(a, q->nothers,
	    sizeof(*ans->others))) == NULL)
		return -2;
	ans->nothers = q->nothers;
	for (i = 0; i < q->nothers; i++)
		ans->others[i].error = "not asked";
	for (i = 0; i < n->nother; i++) {
		struct state_answer *o = &ans->others[n->other[i].query];

		o->error = NULL;
		if ((rc = answer_block(r->element + b * (i + 1),
		    n->other[i].sub[0] != '\0', n, a, o)) != 0)
			return rc;
	}
	return 0;
}

/* The script's teach argument (statescript.c): for each history, '1'
 * when the message teaches.  A query signer whose name cannot be stored
 * is never known, which the script cannot see: then "signers all known"
 * is answered as "not all".  record: the list's mask instead, '1'
 * where mask says record (statescript.c ARGV 25). */
static const char *
teach_mask(const struct state_query *q, const struct qnames *n,
    struct arena *a, const unsigned char *mask, int record)
{
	char *t = arena_alloc(a, 17);
	int lost = 0;
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < n->nquery; i++)
		if (n->map[i] == SIZE_MAX)
			lost = 1;
	for (i = 0; i < 16; i++) {
		size_t w = lost ? i & ~(size_t)1 : i;

		if (record)	/* the list mask: 1 records */
			t[i] = mask[w] ? '1' : '0';
		else
			t[i] = q->authenticated && !mask[w] ? '1' : '0';
	}
	t[16] = '\0';
	return t;
}

/* "unavailable: why" in the arena; a fixed text when out of memory. */
static void
answer_error(struct state_answer *ans, struct arena *a, const char *why)
{
	memset(ans, 0, sizeof(*ans));
	if ((ans->error = arena_strdup(a, why)) == NULL)
		ans->error = "unavailable";
}

int
state_lookup(struct state_pool *p, const struct state_query *q,
    struct arena *a, struct state_answer *ans)
{
	const struct statepool_settings *set;
	struct qnames *n;
	struct statecall_cmd m;
	char err[256];
	const char *num[STATESCRIPT_OTHERS], *nk, *nl[3];
	const char *keys[STATESCRIPT_NKEYS + 2 * STATE_MAX_OTHERS];
	size_t i, nkeys;
	int rc, argc, at;

	memset(ans, 0, sizeof(*ans));
	if (p == NULL || !statepool_settings(p)->enable) {
		ans->disabled = 1;
		ans->error = "disabled";
		return 0;
	}
	set = statepool_settings(p);
	/* Not zeroed (~22 KB, every message): qnames_fill and qothers_fill
	 * write every field they leave to be read. */
	if ((n = arena_alloc(a, sizeof(*n))) == NULL)
		return -1;
	n->display[0] = '\0';
	n->nsig = n->nlink = n->nother = n->nquery = n->nlquery = 0;
	if (q->domain == NULL || qnames_fill(n, q) == -1) {
		ans->error = "no domain";
		return 0;
	}
	qothers_fill(n, q);
	nkeys = STATESCRIPT_NKEYS + 2 * n->nother;
	argc = 3 + (int)nkeys + STATESCRIPT_OTHERS - 1 +
	    STATESCRIPT_OTHER_ARGS * (int)n->nother + 3 + (int)n->nlink +
	    (int)n->nsig;
	if (statecall_init(&m, a, argc) == -1 ||
	    (num[STATESCRIPT_NOW] = arena_printf(a, "%lld", (long long)
	    (q->now != 0 ? q->now : time(NULL)))) == NULL ||
	    (num[STATESCRIPT_TTL] = arena_ull(a,
	    set->ttl_days * 86400UL)) == NULL ||
	    (num[STATESCRIPT_UNAUTH_TTL] = arena_ull(a,
	    set->unauth_ttl_days * 86400UL)) == NULL ||
	    (num[STATESCRIPT_MAX_RELAYS] = arena_ull(a,
	    set->max_relays)) == NULL ||
	    (num[STATESCRIPT_MAX_SIGNERS] = arena_ull(a,
	    set->max_signers)) == NULL ||
	    (num[STATESCRIPT_MAX_KNOWN] = arena_ull(a,
	    set->max_known)) == NULL ||
	    (num[STATESCRIPT_INFRA_SHARED] = arena_ull(a,
	    q->shared_infra)) == NULL ||
	    (num[STATESCRIPT_MAILBOX_SHARED] = arena_ull(a,
	    q->shared_mailbox)) == NULL ||
	    (num[STATESCRIPT_PROFILE_MESSAGES] = arena_ull(a,
	    q->profile_messages)) == NULL ||
	    (num[STATESCRIPT_PROFILE_SECONDS] = arena_ull(a,
	    q->profile_seconds)) == NULL ||
	    (num[STATESCRIPT_NOTHERS] = arena_ull(a,
	    n->nother)) == NULL || (nk = arena_ull(a, nkeys)) == NULL ||
	    (keys[0] = arena_cat(a, set->prefix, "{", n->domain, "}",
	    NULL)) == NULL || (keys[4] = n->list[0] == '\0' ? keys[0] :
	    arena_cat(a, set->prefix, "{", n->list, "}", NULL)) == NULL ||
	    (keys[1] = arena_cat(a, set->prefix, "known", NULL)) ==
	    NULL || (keys[2] = arena_cat(a, set->prefix, "infra:", n->infra,
	    NULL)) == NULL || (keys[3] = n->addr[0] == '\0' ? keys[0] :
	    arena_cat(a, set->prefix, "{", n->addr, "}", NULL)) == NULL)
		return -1;
	if ((num[STATESCRIPT_AUTH] = teach_mask(q, n, a, q->withhold, 0)) ==
	    NULL || (num[STATESCRIPT_LIST_RECORD] = teach_mask(q, n, a,
	    q->list_record, 1)) == NULL)
		return -1;
	num[STATESCRIPT_LIST] = n->list;
	/* A message with several author domains never teaches. */
	num[STATESCRIPT_LEARN] = q->learn && n->nother == 0 ? "1" : "0";
	num[STATESCRIPT_NAME] = n->display;
	num[STATESCRIPT_INDEX] = n->index;
	num[STATESCRIPT_INFRA] = n->infra;
	num[STATESCRIPT_INFRA_ID] = n->infra_id[0] != '\0' ? n->infra_id :
	    "";
	num[STATESCRIPT_ADDRESS] = n->addr;
	num[STATESCRIPT_ADDRESS_NAME] = n->addr_display;
	num[STATESCRIPT_LISTED] = q->address_listed ? "1" : "0";
	num[STATESCRIPT_SUBDOMAIN] = n->sub;
	num[STATESCRIPT_ALIGNED] = q->dkim_aligned ? "1" : "0";
	num[STATESCRIPT_INFRA_MEMBER] = n->domain;
	for (i = 0; i < n->nother; i++) {
		struct qother *o = &n->other[i];

		if ((keys[STATESCRIPT_NKEYS + 2 * i] = arena_cat(a,
		    set->prefix, "{", o->domain, "}", NULL)) == NULL ||
		    (keys[STATESCRIPT_NKEYS + 2 * i + 1] = o->addr[0] ==
		    '\0' ? keys[STATESCRIPT_NKEYS + 2 * i] : arena_cat(a,
		    set->prefix, "{", o->addr, "}", NULL)) == NULL)
			return -1;
	}
	statecall_set(&m, 2, nk);
	at = 3;
	for (i = 0; i < nkeys; i++)
		statecall_set(&m, at++, keys[i]);
	for (i = STATESCRIPT_NOW; i < STATESCRIPT_OTHERS; i++)
		statecall_set(&m, at++, num[i]);
	for (i = 0; i < n->nother; i++) {
		struct qother *o = &n->other[i];
		const struct state_author *qa = &q->others[o->query];

		statecall_set(&m, at++, o->infra_id);
		statecall_set(&m, at++, o->addr);
		statecall_set(&m, at++, qa->address_listed ? "1" : "0");
		statecall_set(&m, at++, o->sub);
		statecall_set(&m, at++, o->domain);
	}
	if ((nl[0] = arena_ull(a, q->link_min)) == NULL ||
	    (nl[1] = arena_ull(a, q->link_cap)) == NULL ||
	    (nl[2] = arena_ull(a, n->nlink)) == NULL)
		return -1;
	for (i = 0; i < 3; i++)
		statecall_set(&m, at++, nl[i]);
	for (i = 0; i < n->nlink; i++)
		statecall_set(&m, at++, n->link[i]);
	for (i = 0; i < n->nsig; i++)
		statecall_set(&m, at++, n->sig[i]);
	if (statecall_run(p, &m, 1, 1, err, sizeof(err)) == -1) {
		answer_error(ans, a, err);
		return 0;
	}
	rc = answer_fill(m.reply, q, n, a, ans);
	freeReplyObject(m.reply);
	if (rc == -2)
		return -1;
	if (rc == -1) {
		answer_error(ans, a, "unexpected reply from Redis");
		return 0;
	}
	ans->available = 1;
	ans->learned = q->learn && n->nother == 0;
	return 0;
}
