/*
 * statescan.c - reading the sender state in bulk: the admin's list of
 * recent first contacts (a SCAN of every sender key) and the
 * known-correspondents index for the lookalike index's refresher.
 *
 * Exports state_first_contacts, state_known_since (state.h).  Results
 * are arena memory or handed to the caller's function; replies are freed
 * before returning.  Any thread.
 * Caps: first contacts keeps at most `limit` (<= CONTACTS_MAX) in a heap
 * while it SCANs (COUNT 1000, one pipelined HMGET per batch, each batch
 * in a scratch arena); the index is read in pages of KNOWN_PAGE.  Names
 * from Redis are untrusted: shown through hdrout_printable, indexed only
 * when statekey_display accepts them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "mail/hdrout.h"
#include "state/state.h"
#include "state/statecall.h"
#include "state/statekey.h"
#include "state/statepool.h"

#define KNOWN_PAGE	1000
#define KNOWN_PAGE_TEXT	"1000"
#define CONTACTS_MAX	100000
#define NAME_SHOW_MAX	300

/* --- first contacts ------------------------------------------------------- */

/* A min-heap on first_seen of at most cap contacts (names malloc'd). */
struct heap {
	struct state_contact *v;
	size_t n, cap;
};

static int
newer(const struct state_contact *a, const struct state_contact *b)
{
	return a->first_seen > b->first_seen;
}

static void
heap_down(struct heap *h, size_t i)
{
	struct state_contact t;
	size_t c;

	for (; (c = 2 * i + 1) < h->n; i = c) {
		if (c + 1 < h->n && newer(&h->v[c], &h->v[c + 1]))
			c++;
		if (!newer(&h->v[i], &h->v[c]))
			break;
		t = h->v[i];
		h->v[i] = h->v[c];
		h->v[c] = t;
	}
}

/* Keeps c when it is among the cap newest; -1 when out of memory. */
static int
heap_offer(struct heap *h, struct state_contact *c, const char *name,
    size_t len)
{
	struct state_contact t;
	size_t i;

	if (h->n == h->cap && !newer(c, &h->v[0]))
		return 0;
	if ((c->domain = strndup(name, len)) == NULL)
		return -1;
	if (h->n == h->cap) {
		free((char *)h->v[0].domain);
		h->v[0] = *c;
		heap_down(h, 0);
		return 0;
	}
	for (i = h->n++, h->v[i] = *c; i > 0 &&
	    newer(&h->v[(i - 1) / 2], &h->v[i]); i = (i - 1) / 2) {
		t = h->v[i];
		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
	}
	return 0;
}

static int
contact_cmp(const void *x, const void *y)
{
	const struct state_contact *a = x, *b = y;

	if (a->first_seen != b->first_seen)
		return a->first_seen > b->first_seen ? -1 : 1;
	return strcmp(a->domain, b->domain);
}

/* The HMGET f l k m a d of each key of one SCAN batch into the heap. */
static int
contacts_batch(struct state_pool *p, const redisReply *keys, time_t since,
    struct heap *h, char *err, size_t errlen)
{
	static const char *const fields[] = { "f", "l", "k", "m", "a", "d" };
	const size_t plen = strlen(statepool_settings(p)->prefix);
	unsigned long long v[5];
	struct statecall_cmd *cmd;
	struct state_contact c;
	const redisReply *r, *k;
	struct arena *a;
	size_t i, j;
	int rc = -1;

	if ((a = arena_new()) == NULL ||
	    (cmd = arena_calloc(a, keys->elements, sizeof(*cmd))) == NULL)
		goto oom;
	for (i = 0; i < keys->elements; i++) {
		if (keys->element[i]->type != REDIS_REPLY_STRING ||
		    statecall_init(&cmd[i], a, 8) == -1)
			goto oom;
		statecall_set(&cmd[i], 0, "HMGET");
		cmd[i].argv[1] = keys->element[i]->str;
		cmd[i].argvlen[1] = keys->element[i]->len;
		for (j = 0; j < 6; j++)
			statecall_set(&cmd[i], 2 + (int)j, fields[j]);
	}
	if (statecall_run(p, cmd, keys->elements, 0, err, errlen) == -1)
		goto out;
	for (i = 0, rc = 0; i < keys->elements && rc == 0; i++) {
		r = cmd[i].reply;
		k = keys->element[i];
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 6 ||
		    k->len < plen + 3)
			continue;
		for (j = 0; j < 5; j++)
			if (statecall_number(r->element[j], &v[j]) == -1)
				v[j] = 0;
		memset(&c, 0, sizeof(c));
		c.first_seen = statecall_time(v[0]);
		if (r->element[0]->type == REDIS_REPLY_NIL ||
		    c.first_seen < since)
			continue;
		c.last_seen = statecall_time(v[1]);
		c.known_since = statecall_time(v[2]);
		c.messages = v[3];
		c.auth_messages = v[4];
		/* PREFIX{name}: the name, or field d for a digest */
		if (r->element[5]->type == REDIS_REPLY_STRING &&
		    r->element[5]->len > 0)
			rc = heap_offer(h, &c, r->element[5]->str,
			    r->element[5]->len);
		else
			rc = heap_offer(h, &c, k->str + plen + 1,
			    k->len - plen - 2);
	}
	statecall_free(cmd, keys->elements);
	if (rc == -1)
		goto oom;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
	rc = -1;
out:
	arena_free(a);
	return rc;
}

struct contacts_arg {
	time_t since;
	struct heap *h;
};

static int
contacts_scan(struct state_pool *p, const redisReply *keys, void *arg,
    char *err, size_t errlen)
{
	struct contacts_arg *cs = arg;

	return contacts_batch(p, keys, cs->since, cs->h, err, errlen);
}

int
state_first_contacts(struct state_pool *p, time_t since, size_t limit,
    struct arena *a, struct state_contact **out, size_t *n, char *err,
    size_t errlen)
{
	struct heap h = { NULL, 0, limit };
	struct contacts_arg cs;
	char pattern[64];
	const char *name;
	size_t i;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (!statepool_settings(p)->enable) {
		snprintf(err, errlen, "state_enable is false in the "
		    "configuration");
		return -1;
	}
	if (limit == 0 || limit > CONTACTS_MAX) {
		snprintf(err, errlen, "limit must be 1 to %d", CONTACTS_MAX);
		return -1;
	}
	if ((h.v = calloc(limit, sizeof(*h.v))) == NULL)
		goto oom;
	snprintf(pattern, sizeof(pattern), "%s{*}",
	    statepool_settings(p)->prefix);
	cs.since = since;
	cs.h = &h;
	if (statecall_scan(p, pattern, contacts_scan, &cs, err, errlen) == -1)
		goto out;
	qsort(h.v, h.n, sizeof(*h.v), contact_cmp);
	if (h.n > 0 && (*out = arena_calloc(a, h.n, sizeof(**out))) == NULL)
		goto oom;
	for (i = 0; i < h.n; i++) {
		(*out)[i] = h.v[i];
		name = hdrout_printable(a, h.v[i].domain, NAME_SHOW_MAX);
		if (((*out)[i].domain = name) == NULL)
			goto oom;
	}
	*n = h.n;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	for (i = 0; i < h.n; i++)
		free((char *)h.v[i].domain);
	free(h.v);
	return rc;
}

/* --- known-correspondents index ------------------------------------------- */

int
state_known_since(struct state_pool *p, time_t since,
    int (*fn)(const char *, time_t, void *), void *arg, time_t *next,
    char *err, size_t errlen)
{
	char idxkey[64], min[24], offset[24], raw[STATEKEY_BUF];
	char name[STATEKEY_BUF];
	unsigned long long score, cur = since > 0 ? (unsigned long long)since
	    : 0, last;
	struct statecall_cmd cmd;
	const redisReply *r, *m;
	size_t i, skip = 0, ties, got;
	struct arena *a;
	int rc = -1, stop = 0;

	*next = since;
	if (!statepool_settings(p)->enable) {
		snprintf(err, errlen, "state_enable is false in the "
		    "configuration");
		return -1;
	}
	if ((a = arena_new()) == NULL || statecall_init(&cmd, a, 8) == -1) {
		arena_free(a);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(idxkey, sizeof(idxkey), "%sknown",
	    statepool_settings(p)->prefix);
	statecall_set(&cmd, 0, "ZRANGEBYSCORE");
	statecall_set(&cmd, 1, idxkey);
	statecall_set(&cmd, 3, "+inf");
	statecall_set(&cmd, 4, "WITHSCORES");
	statecall_set(&cmd, 5, "LIMIT");
	statecall_set(&cmd, 7, KNOWN_PAGE_TEXT);
	/* Pages by score, skipping the entries of the page's last second
	 * already given (offset pagination alone would be quadratic). */
	for (;;) {
		snprintf(min, sizeof(min), "%llu", cur);
		snprintf(offset, sizeof(offset), "%zu", skip);
		statecall_set(&cmd, 2, min);
		statecall_set(&cmd, 6, offset);
		if (statecall_run(p, &cmd, 1, 0, err, errlen) == -1)
			goto out;
		r = cmd.reply;
		if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
			snprintf(err, errlen, "unexpected reply from Redis");
			statecall_free(&cmd, 1);
			goto out;
		}
		got = r->elements / 2;
		last = cur;
		ties = 0;
		for (i = 0; i < got && !stop; i++) {
			m = r->element[2 * i];
			/* An odd score counts as the previous one, so the
			 * page still moves on. */
			if (statecall_number(r->element[2 * i + 1], &score) !=
			    1 || score < last)
				score = last;
			ties = score == last ? ties + 1 : 1;
			last = score;
			*next = statecall_time(score);
			if (m->type != REDIS_REPLY_STRING ||
			    m->len >= sizeof(raw) ||
			    memchr(m->str, '\0', m->len) != NULL)
				continue;
			memcpy(raw, m->str, m->len);
			raw[m->len] = '\0';
			if (statekey_display(raw, name, sizeof(name)) == 0 &&
			    fn(name, statecall_time(score), arg) == -1)
				stop = 1;
		}
		statecall_free(&cmd, 1);
		if (stop || got < KNOWN_PAGE)
			break;
		skip = last == cur ? skip + ties : ties;
		cur = last;
	}
	rc = 0;
out:
	arena_free(a);
	return rc;
}
