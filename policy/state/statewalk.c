/*
 * statewalk.c - every sender hash under the prefix, for relaywarden-state
 * report (issue 14 item 3).
 *
 * Exports state_walk_senders (statewalk.h).  Records are arena memory of
 * one batch, borrowed by the callback; replies are freed before
 * returning.  Any thread.
 * Caps: SCAN COUNT 1000, one pipelined HGETALL per batch, each reply
 * bounded by redis_max_reply_bytes.  Names read from Redis are untrusted:
 * handed out only through hdrout_printable (at most NAME_SHOW_MAX
 * bytes); numbers are read strictly (statecall.c), garbled ones as 0.
 */
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "mail/hdrout.h"
#include "state/statecall.h"
#include "state/statepool.h"
#include "state/statewalk.h"

#define NAME_SHOW_MAX	300

static const char *
printable(struct arena *a, const char *s, size_t len)
{
	const char *copy = arena_strndup(a, s, len);

	return copy == NULL ? NULL : hdrout_printable(a, copy, NAME_SHOW_MAX);
}

/* One HGETALL reply into w; -1 when out of memory. */
static int
one_sender(struct arena *a, const redisReply *r, const char *key,
    size_t keylen, size_t plen, struct state_walk_sender *w)
{
	struct state_walk_field *fl;
	unsigned long long num;
	const redisReply *f, *v;
	size_t i;
	char c;

	memset(w, 0, sizeof(*w));
	if ((fl = arena_calloc(a, r->elements / 2 + 1, sizeof(*fl))) == NULL)
		return -1;
	for (i = 0; i + 1 < r->elements; i += 2) {
		f = r->element[i];
		v = r->element[i + 1];
		if (f->type != REDIS_REPLY_STRING ||
		    v->type != REDIS_REPLY_STRING || f->len == 0)
			continue;
		c = f->str[0];
		if (f->len > 1 && strchr("rswRS", c) != NULL) {
			fl[w->nfields].kind = c;
			if (c == 'R' || c == 'S') {
				if (statecall_number(v, &num) == 1)
					fl[w->nfields].last =
					    statecall_time(num);
			} else
				(void)statecall_pair(v->str, v->len,
				    &fl[w->nfields].count,
				    &fl[w->nfields].last);
			if ((fl[w->nfields].name = printable(a, f->str + 1,
			    f->len - 1)) == NULL)
				return -1;
			w->nfields++;
			continue;
		}
		if (f->len == 1 && c == 'd') {
			if ((w->name = printable(a, v->str, v->len)) == NULL)
				return -1;
			continue;
		}
		if (f->len != 1 || statecall_number(v, &num) != 1)
			continue;
		switch (c) {
		case 'm': w->messages = num; break;
		case 'a': w->auth_messages = num; break;
		case 'f': w->first_seen = statecall_time(num); break;
		case 'l': w->last_seen = statecall_time(num); break;
		case 'k': w->known_since = statecall_time(num); break;
		}
	}
	/* PREFIX{name} */
	if (w->name == NULL && (w->name = printable(a, key + plen + 1,
	    keylen - plen - 2)) == NULL)
		return -1;
	w->fields = fl;
	return 0;
}

static int
walk_batch(struct state_pool *p, const redisReply *keys,
    int (*fn)(const struct state_walk_sender *, void *), void *arg,
    char *err, size_t errlen)
{
	const size_t plen = strlen(statepool_settings(p)->prefix);
	struct state_walk_sender w;
	struct statecall_cmd *cmd;
	const redisReply *k, *r;
	struct arena *a;
	size_t i, n = keys->elements;
	int rc = -1;

	if ((a = arena_new()) == NULL ||
	    (cmd = arena_calloc(a, n, sizeof(*cmd))) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		if (keys->element[i]->type != REDIS_REPLY_STRING) {
			snprintf(err, errlen, "unexpected reply from Redis");
			goto out;
		}
		if (statecall_init(&cmd[i], a, 2) == -1)
			goto oom;
		statecall_set(&cmd[i], 0, "HGETALL");
		cmd[i].argv[1] = keys->element[i]->str;
		cmd[i].argvlen[1] = keys->element[i]->len;
	}
	if (statecall_run(p, cmd, n, 0, err, errlen) == -1)
		goto out;
	for (i = 0, rc = 0; i < n && rc == 0; i++) {
		k = keys->element[i];
		r = cmd[i].reply;
		if (r->type != REDIS_REPLY_ARRAY || r->elements == 0 ||
		    k->len < plen + 3)
			continue;	/* gone meanwhile, or not a hash */
		if (one_sender(a, r, k->str, k->len, plen, &w) == -1) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		} else if (fn(&w, arg) == -1)
			rc = -1;
	}
	statecall_free(cmd, n);
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	arena_free(a);
	return rc;
}

struct walk_arg {
	int (*fn)(const struct state_walk_sender *, void *);
	void *arg;
};

static int
walk_scan(struct state_pool *p, const redisReply *keys, void *arg,
    char *err, size_t errlen)
{
	struct walk_arg *w = arg;

	return walk_batch(p, keys, w->fn, w->arg, err, errlen);
}

int
state_walk_senders(struct state_pool *p,
    int (*fn)(const struct state_walk_sender *, void *), void *arg,
    char *err, size_t errlen)
{
	struct walk_arg w = { fn, arg };
	char pattern[STATE_PATTERN_MAX];

	if (!statepool_settings(p)->enable) {
		snprintf(err, errlen, "state_enable is false in the "
		    "configuration");
		return -1;
	}
	snprintf(pattern, sizeof(pattern), "%s{*}",
	    statepool_settings(p)->prefix);
	return statecall_scan(p, pattern, walk_scan, &w, err, errlen);
}
