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
	char addr[STATEKEY_BUF];	/* "" when none */
	char addr_display[STATEKEY_BUF];
	char sig[STATE_MAX_SIGNERS][STATEKEY_BUF];
	size_t nsig;
	size_t map[STATE_MAX_SIGNERS];	/* query signer -> sig, or SIZE_MAX */
	size_t nquery;
};

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
		memcpy(n->display, n->index, sizeof(n->display));
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
	return 0;
}

/* Reads the script's reply into ans; -1 when it is not the shape the
 * script returns. */
static int
answer_fill(const redisReply *r, const struct qnames *n, struct arena *a,
    struct state_answer *ans)
{
	struct state_signer sig[STATE_MAX_SIGNERS];
	const redisReply *e;
	unsigned long long v[7];
	size_t want, i, j;

	want = 10 + 2 * n->nsig + 1;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != want)
		return -1;
	for (i = 0; i < 7; i++)
		if (statecall_number(r->element[i], &v[i]) == -1)
			return -1;
	ans->seen = r->element[0]->type != REDIS_REPLY_NIL;
	ans->messages = v[0];
	ans->auth_messages = v[1];
	ans->first_seen = statecall_time(v[2]);
	ans->last_seen = statecall_time(v[3]);
	ans->known_since = statecall_time(v[4]);
	ans->domain_known = r->element[4]->type != REDIS_REPLY_NIL;
	ans->aligned_run = v[5];
	ans->unaligned_last = statecall_time(v[6]);
	for (i = 7; i + 1 < want; i++) {
		e = r->element[i];
		if (e->type != REDIS_REPLY_NIL &&
		    e->type != REDIS_REPLY_STRING)
			return -1;
	}
	ans->subdomain_known = n->sub[0] != '\0' &&
	    r->element[7]->type == REDIS_REPLY_STRING;
	i = 8;
	if (n->infra[0] != '\0') {
		e = r->element[i];
		ans->infra_known = e->type == REDIS_REPLY_STRING;
		ans->infra_trusted = r->element[i + 1]->type ==
		    REDIS_REPLY_STRING;
		if (ans->infra_known)
			(void)statecall_pair(e->str, e->len, &ans->infra_count,
			    &ans->infra_last);
	}
	i = 10;
	memset(sig, 0, sizeof(sig));
	for (j = 0; j < n->nsig; j++, i += 2) {
		e = r->element[i];
		sig[j].known = e->type == REDIS_REPLY_STRING;
		sig[j].trusted = r->element[i + 1]->type ==
		    REDIS_REPLY_STRING;
		if (sig[j].known)
			(void)statecall_pair(e->str, e->len, &sig[j].count,
			    &sig[j].last);
	}
	e = r->element[want - 1];
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
	return 0;
}

/* The script's teach argument (statescript.c): for each history, '1'
 * when the message teaches.  A query signer whose name cannot be stored
 * is never known, which the script cannot see: then "signers all known"
 * is answered as "not all". */
static const char *
teach_mask(const struct state_query *q, const struct qnames *n,
    struct arena *a)
{
	char *t = arena_alloc(a, 9);
	int lost = 0;
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < n->nquery; i++)
		if (n->map[i] == SIZE_MAX)
			lost = 1;
	for (i = 0; i < 8; i++) {
		size_t w = lost ? i & ~(size_t)1 : i;

		t[i] = q->authenticated && !q->withhold[w] ? '1' : '0';
	}
	t[8] = '\0';
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
	const char *num[STATESCRIPT_SIGNERS];
	const char *keys[STATESCRIPT_NKEYS];
	size_t i;
	int rc, argc;

	memset(ans, 0, sizeof(*ans));
	if (p == NULL || !statepool_settings(p)->enable) {
		ans->disabled = 1;
		ans->error = "disabled";
		return 0;
	}
	set = statepool_settings(p);
	if ((n = arena_calloc(a, 1, sizeof(*n))) == NULL)
		return -1;
	if (q->domain == NULL || qnames_fill(n, q) == -1) {
		ans->error = "no domain";
		return 0;
	}
	argc = 3 + STATESCRIPT_NKEYS + STATESCRIPT_SIGNERS - 1 + (int)n->nsig;
	if (statecall_init(&m, a, argc) == -1 ||
	    (num[STATESCRIPT_NOW] = arena_printf(a, "%lld", (long long)
	    (q->now != 0 ? q->now : time(NULL)))) == NULL ||
	    (num[STATESCRIPT_TTL] = arena_printf(a, "%lu",
	    set->ttl_days * 86400UL)) == NULL ||
	    (num[STATESCRIPT_UNAUTH_TTL] = arena_printf(a, "%lu",
	    set->unauth_ttl_days * 86400UL)) == NULL ||
	    (num[STATESCRIPT_MAX_RELAYS] = arena_printf(a, "%u",
	    set->max_relays)) == NULL ||
	    (num[STATESCRIPT_MAX_SIGNERS] = arena_printf(a, "%u",
	    set->max_signers)) == NULL ||
	    (num[STATESCRIPT_MAX_KNOWN] = arena_printf(a, "%u",
	    set->max_known)) == NULL ||
	    (num[STATESCRIPT_INFRA_SHARED] = arena_printf(a, "%u",
	    q->shared_infra)) == NULL ||
	    (num[STATESCRIPT_MAILBOX_SHARED] = arena_printf(a, "%u",
	    q->shared_mailbox)) == NULL ||
	    (num[STATESCRIPT_PROFILE_MESSAGES] = arena_printf(a, "%u",
	    q->profile_messages)) == NULL ||
	    (num[STATESCRIPT_PROFILE_SECONDS] = arena_printf(a, "%lu",
	    q->profile_seconds)) == NULL ||
	    (keys[0] = arena_printf(a, "%s{%s}", set->prefix, n->domain)) ==
	    NULL || (keys[1] = arena_printf(a, "%sknown", set->prefix)) ==
	    NULL || (keys[2] = arena_printf(a, "%sinfra:%s", set->prefix,
	    n->infra)) == NULL || (keys[3] = n->addr[0] == '\0' ? keys[0] :
	    arena_printf(a, "%s{%s}", set->prefix, n->addr)) == NULL)
		return -1;
	if ((num[STATESCRIPT_AUTH] = teach_mask(q, n, a)) == NULL)
		return -1;
	num[STATESCRIPT_LEARN] = q->learn ? "1" : "0";
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
	statecall_set(&m, 2, STATESCRIPT_NKEYS_TEXT);
	for (i = 0; i < STATESCRIPT_NKEYS; i++)
		statecall_set(&m, 3 + (int)i, keys[i]);
	for (i = STATESCRIPT_NOW; i < STATESCRIPT_SIGNERS; i++)
		statecall_set(&m, 2 + STATESCRIPT_NKEYS + (int)i, num[i]);
	for (i = 0; i < n->nsig; i++)
		statecall_set(&m, 2 + STATESCRIPT_NKEYS + STATESCRIPT_SIGNERS +
		    (int)i, n->sig[i]);
	if (statecall_run(p, &m, 1, 1, err, sizeof(err)) == -1) {
		answer_error(ans, a, err);
		return 0;
	}
	rc = answer_fill(m.reply, n, a, ans);
	freeReplyObject(m.reply);
	if (rc == -2)
		return -1;
	if (rc == -1) {
		answer_error(ans, a, "unexpected reply from Redis");
		return 0;
	}
	ans->available = 1;
	ans->learned = q->learn != 0;
	return 0;
}
