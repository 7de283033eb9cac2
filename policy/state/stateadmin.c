/*
 * stateadmin.c - the admin's calls on one sender's history
 * (relaywarden-state show, forget, trust, untrust).
 *
 * Exports state_show, state_forget, state_trust (state.h; the bulk
 * readers are in statescan.c).  Results are arena memory; replies are
 * freed before returning.  Any thread.
 * Names read back from Redis are untrusted: they are shown only through
 * hdrout_printable (control bytes become '?', at most NAME_SHOW_MAX
 * bytes).  Trusted marks are capped per kind by state_max_trusted (the
 * trust script refuses past it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "mail/hdrout.h"
#include "util/net.h"
#include "state/state.h"
#include "state/statecall.h"
#include "state/statekey.h"
#include "state/statepool.h"
#include "state/statescript.h"

#define NAME_SHOW_MAX	300

/* The key of domain; NULL with err when the domain is unusable or out
 * of memory.  *index gets its known-index name ("" when none). */
static const char *
domain_key(struct state_pool *p, struct arena *a, const char *domain,
    char index[STATEKEY_BUF], char *err, size_t errlen)
{
	const struct statepool_settings *set = statepool_settings(p);
	char norm[STATEKEY_BUF];
	const char *key;

	if (!set->enable) {
		snprintf(err, errlen, "state_enable is false in the "
		    "configuration");
		return NULL;
	}
	if (statekey_normalize(domain, STATEKEY_DOMAIN, norm,
	    sizeof(norm)) == -1) {
		snprintf(err, errlen, "no domain given");
		return NULL;
	}
	if (statekey_display(domain, index, STATEKEY_BUF) == -1)
		index[0] = '\0';
	if ((key = arena_printf(a, "%s{%s}", set->prefix, norm)) == NULL)
		snprintf(err, errlen, "out of memory");
	return key;
}

static const char *
show_name(struct arena *a, const char *s, size_t len)
{
	const char *copy = arena_strndup(a, s, len);

	return copy == NULL ? NULL : hdrout_printable(a, copy, NAME_SHOW_MAX);
}

static struct state_entry *
entry_get(struct state_entry *list, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(list[i].name, name) == 0)
			return &list[i];
	list[*n].name = name;
	return &list[(*n)++];
}

/* Most recently seen (or trusted) first, then by name. */
static int
entry_cmp(const void *x, const void *y)
{
	const struct state_entry *a = x, *b = y;
	time_t ta = a->last > a->trusted_since ? a->last : a->trusted_since;
	time_t tb = b->last > b->trusted_since ? b->last : b->trusted_since;

	if (ta != tb)
		return ta > tb ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* One field of the sender hash into h; -1 when out of memory. */
static int
show_field(struct arena *a, struct state_history *h, const redisReply *f,
    const redisReply *v)
{
	unsigned long long num;
	struct state_entry *e;
	const char *name;
	char c = f->len > 0 ? f->str[0] : '\0';

	if (f->len > 1 && (c == 'r' || c == 'R' || c == 's' || c == 'S')) {
		if ((name = show_name(a, f->str + 1, f->len - 1)) == NULL)
			return -1;
		e = c == 'r' || c == 'R' ?
		    entry_get(h->relays, &h->nrelays, name) :
		    entry_get(h->signers, &h->nsigners, name);
		if (c == 'r' || c == 's') {
			/* A garbled value still says it was seen. */
			e->seen = 1;
			(void)statecall_pair(v->str, v->len, &e->count,
			    &e->last);
		} else {
			e->trusted = 1;
			if (statecall_number(v, &num) == 1)
				e->trusted_since = statecall_time(num);
		}
		return 0;
	}
	if (f->len > 1 && c == 'w') {	/* a link organisation */
		if ((name = show_name(a, f->str + 1, f->len - 1)) == NULL)
			return -1;
		e = entry_get(h->links, &h->nlinks, name);
		e->seen = 1;
		(void)statecall_pair(v->str, v->len, &e->count, &e->last);
		return 0;
	}
	if (f->len == 2 && f->str[0] == 'l' && f->str[1] == 'm' &&
	    statecall_number(v, &num) == 1) {
		h->link_messages = num;
		return 0;
	}
	if (f->len == 1 && c == 'd') {
		h->domain = show_name(a, v->str, v->len);
		return h->domain == NULL ? -1 : 0;
	}
	if (f->len != 1 || statecall_number(v, &num) != 1)
		return 0;		/* nr, ns, or garbage: not shown */
	switch (c) {
	case 'm': h->messages = num; break;
	case 'a': h->auth_messages = num; break;
	case 'f': h->first_seen = statecall_time(num); break;
	case 'l': h->last_seen = statecall_time(num); break;
	case 'k': h->known_since = statecall_time(num); break;
	}
	return 0;
}

int
state_show(struct state_pool *p, const char *domain, struct arena *a,
    struct state_history *h, char *err, size_t errlen)
{
	struct statecall_cmd cmd[2];
	char index[STATEKEY_BUF];
	const redisReply *r;
	const char *key;
	size_t i, nf;
	int rc = -1;

	memset(h, 0, sizeof(*h));
	if ((key = domain_key(p, a, domain, index, err, errlen)) == NULL)
		return -1;
	if (statecall_init(&cmd[0], a, 2) == -1 ||
	    statecall_init(&cmd[1], a, 2) == -1)
		goto oom;
	statecall_set(&cmd[0], 0, "HGETALL");
	statecall_set(&cmd[0], 1, key);
	statecall_set(&cmd[1], 0, "TTL");
	statecall_set(&cmd[1], 1, key);
	if (statecall_run(p, cmd, 2, 0, err, errlen) == -1)
		return -1;
	r = cmd[0].reply;
	if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0 ||
	    cmd[1].reply->type != REDIS_REPLY_INTEGER) {
		snprintf(err, errlen, "unexpected reply from Redis");
		goto out;
	}
	if (r->elements == 0) {
		rc = 1;
		goto out;
	}
	nf = r->elements / 2;
	h->key = arena_strdup(a, key);
	h->ttl = cmd[1].reply->integer;
	if (h->key == NULL ||
	    (h->relays = arena_calloc(a, nf, sizeof(*h->relays))) == NULL ||
	    (h->signers = arena_calloc(a, nf, sizeof(*h->signers))) == NULL ||
	    (h->links = arena_calloc(a, nf, sizeof(*h->links))) == NULL)
		goto oom_free;
	for (i = 0; i < r->elements; i += 2) {
		if (r->element[i]->type != REDIS_REPLY_STRING ||
		    r->element[i + 1]->type != REDIS_REPLY_STRING)
			continue;
		if (show_field(a, h, r->element[i], r->element[i + 1]) == -1)
			goto oom_free;
	}
	if (h->domain == NULL && (h->domain = arena_strdup(a, index[0] !=
	    '\0' ? index : key + strlen(statepool_settings(p)->prefix))) ==
	    NULL)
		goto oom_free;
	qsort(h->relays, h->nrelays, sizeof(*h->relays), entry_cmp);
	qsort(h->signers, h->nsigners, sizeof(*h->signers), entry_cmp);
	qsort(h->links, h->nlinks, sizeof(*h->links), entry_cmp);
	rc = 0;
	goto out;
oom_free:
	statecall_free(cmd, 2);
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
out:
	statecall_free(cmd, 2);
	return rc;
}

int
state_forget(struct state_pool *p, const char *domain, char *err,
    size_t errlen)
{
	struct statecall_cmd cmd[2];
	char index[STATEKEY_BUF], idxkey[64];
	struct arena *a;
	const char *key;
	int rc = -1;

	if ((a = arena_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((key = domain_key(p, a, domain, index, err, errlen)) == NULL)
		goto out;
	snprintf(idxkey, sizeof(idxkey), "%sknown",
	    statepool_settings(p)->prefix);
	if (statecall_init(&cmd[0], a, 2) == -1 ||
	    statecall_init(&cmd[1], a, 3) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	statecall_set(&cmd[0], 0, "DEL");
	statecall_set(&cmd[0], 1, key);
	statecall_set(&cmd[1], 0, "ZREM");
	statecall_set(&cmd[1], 1, idxkey);
	statecall_set(&cmd[1], 2, index);
	if (statecall_run(p, cmd, index[0] != '\0' ? 2 : 1, 0, err,
	    errlen) == -1)
		goto out;
	if (cmd[0].reply->type != REDIS_REPLY_INTEGER)
		snprintf(err, errlen, "unexpected reply from Redis");
	else
		rc = cmd[0].reply->integer > 0 ? 0 : 1;
	statecall_free(cmd, index[0] != '\0' ? 2 : 1);
out:
	arena_free(a);
	return rc;
}

/* An infrastructure as the lookup gets it: "net:" networks in their
 * canonical form (host bits cleared), anything else as given. */
static const char *
canonical_infra(struct arena *a, const char *value)
{
	char buf[INET6_ADDRSTRLEN + 8], problem[128];
	struct net_cidr cidr;

	if (strncmp(value, "net:", 4) != 0 || net_parse_cidr(value + 4,
	    &cidr, problem, sizeof(problem)) == -1)
		return value;
	net_cidr_format(&cidr, buf, sizeof(buf));
	return arena_printf(a, "net:%s", buf);
}

int
state_trust(struct state_pool *p, const char *domain, enum state_kind kind,
    const char *value, int trusted, time_t now, char *err, size_t errlen)
{
	const struct statepool_settings *set = statepool_settings(p);
	char index[STATEKEY_BUF], norm[STATEKEY_BUF];
	struct statecall_cmd cmd;
	struct arena *a;
	const char *key, *field, *ttl, *cap, *when;
	int rc = -1, hashed;

	if ((a = arena_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((key = domain_key(p, a, domain, index, err, errlen)) == NULL)
		goto out;
	hashed = key[strlen(set->prefix) + 1] == '#';
	if (value == NULL || (value = kind == STATE_RELAY ?
	    canonical_infra(a, value) : value) == NULL ||
	    statekey_normalize(value, kind == STATE_RELAY ? STATEKEY_INFRA :
	    STATEKEY_DOMAIN, norm, sizeof(norm)) == -1) {
		snprintf(err, errlen, "no %s given", kind == STATE_RELAY ?
		    "relay" : "signer");
		goto out;
	}
	if ((field = arena_printf(a, "%c%s", kind == STATE_RELAY ? 'R' : 'S',
	    norm)) == NULL ||
	    (ttl = arena_printf(a, "%lu", set->ttl_days * 86400UL)) == NULL ||
	    (cap = arena_printf(a, "%u", set->max_trusted)) == NULL ||
	    (when = arena_printf(a, "%lld", (long long)(now != 0 ? now :
	    time(NULL)))) == NULL || statecall_init(&cmd, a, 10) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	statecall_set(&cmd, 0, "EVAL");
	statecall_set(&cmd, 1, statescript_trust);
	statecall_set(&cmd, 2, "1");
	statecall_set(&cmd, 3, key);
	statecall_set(&cmd, 4, field);
	statecall_set(&cmd, 5, trusted ? "1" : "0");
	statecall_set(&cmd, 6, when);
	statecall_set(&cmd, 7, cap);
	statecall_set(&cmd, 8, ttl);
	statecall_set(&cmd, 9, hashed ? index : "");
	if (statecall_run(p, &cmd, 1, 0, err, errlen) == -1)
		goto out;
	if (cmd.reply->type != REDIS_REPLY_INTEGER)
		snprintf(err, errlen, "unexpected reply from Redis");
	else
		rc = cmd.reply->integer == 1 ? 0 : 1;
	statecall_free(&cmd, 1);
out:
	arena_free(a);
	return rc;
}
