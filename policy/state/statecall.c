/*
 * statecall.c - commands for the sender state: built in arena memory,
 * run alone or pipelined on one pooled connection, the lookup script by
 * EVALSHA with its NOSCRIPT fallback, and strict number parsing of
 * replies.  Every reply is awaited under the run's one deadline
 * (stateio.c), the NOSCRIPT retry included.
 *
 * Exports statecall_* (statecall.h).  Owns the replies it keeps until
 * statecall_free.  Any thread.
 * Redis replies are untrusted: numbers are digits only, at most 20,
 * checked for overflow; a time past year 9999 reads as 0.
 */
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "state/statecall.h"
#include "state/stateio.h"
#include "state/statepool.h"
#include "state/statescript.h"

#define TIME_MAX_SANE	253402300799ULL	/* 9999-12-31T23:59:59Z */

/* Digits of len bytes into *out; -1 on anything else or overflow. */
static int
parse_digits(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    v > (~0ULL - (unsigned)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
statecall_number(const redisReply *e, unsigned long long *out)
{
	*out = 0;
	if (e->type == REDIS_REPLY_NIL)
		return 0;
	if (e->type == REDIS_REPLY_INTEGER && e->integer >= 0) {
		*out = (unsigned long long)e->integer;
		return 1;
	}
	if (e->type == REDIS_REPLY_STRING &&
	    parse_digits(e->str, e->len, out) == 0)
		return 1;
	return -1;
}

time_t
statecall_time(unsigned long long t)
{
	return t > TIME_MAX_SANE ? 0 : (time_t)t;
}

int
statecall_pair(const char *s, size_t len, unsigned long *count,
    time_t *last)
{
	const char *colon = memchr(s, ':', len);
	unsigned long long c, t;

	if (colon == NULL || parse_digits(s, (size_t)(colon - s), &c) == -1 ||
	    parse_digits(colon + 1, len - (size_t)(colon - s) - 1, &t) == -1)
		return -1;
	*count = c > ~0UL ? ~0UL : (unsigned long)c;
	*last = statecall_time(t);
	return 0;
}

struct call {
	struct state_pool *pool;
	struct statecall_cmd *cmds;
	size_t ncmds;
};

void
statecall_free(struct statecall_cmd *cmds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (cmds[i].reply != NULL)
			freeReplyObject(cmds[i].reply);
		cmds[i].reply = NULL;
	}
}

/* One command and its reply under d; NULL with c->err set. */
static redisReply *
command(redisContext *c, struct deadline *d, const struct call *k,
    const struct statecall_cmd *m)
{
	redisReply *r;

	if (stateio_append(c, m->argc, m->argv, m->argvlen) !=
	    REDIS_OK || stateio_reply(c, d, statepool_settings(k->pool)->
	    max_reply_bytes, &r) != REDIS_OK)
		return NULL;
	return r;
}

/* Sends the lookup script: EVALSHA with the SHA this connection loaded,
 * and EVAL of the text when the server answers NOSCRIPT (its script
 * cache was flushed, or it is a new master), which also caches the
 * script again.  argv[0] and argv[1] are filled here. */
static enum statepool_outcome
run_script(redisContext *c, const char *sha, struct deadline *d,
    void *arg, char *err, size_t errlen)
{
	struct call *k = arg;
	struct statecall_cmd *m = &k->cmds[0];
	enum statepool_outcome o;
	redisReply *r;

	m->argv[0] = "EVALSHA";
	m->argv[1] = sha;
	m->argvlen[0] = 7;
	m->argvlen[1] = strlen(sha);
	r = command(c, d, k, m);
	if (r != NULL && r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(r);
		m->argv[0] = "EVAL";
		m->argv[1] = statescript_lookup;
		m->argvlen[0] = 4;
		m->argvlen[1] = strlen(statescript_lookup);
		r = command(c, d, k, m);
	}
	if (r == NULL) {
		snprintf(err, errlen, "%s", c->errstr);
		return STATEPOOL_FAIL;
	}
	if (r->type != REDIS_REPLY_ERROR) {
		m->reply = r;
		return STATEPOOL_OK;
	}
	snprintf(err, errlen, "%.*s", r->len > 200 ? 200 : (int)r->len,
	    r->str);
	o = statepool_classify(k->pool, r);
	freeReplyObject(r);
	return o;
}

/* Sends the commands of k in one pipeline and keeps every reply; the
 * first error reply decides the outcome (and all are freed). */
static enum statepool_outcome
run_pipeline(redisContext *c, const char *sha, struct deadline *d,
    void *arg, char *err, size_t errlen)
{
	struct call *k = arg;
	enum statepool_outcome o = STATEPOOL_OK;
	redisReply *r;
	size_t i;

	for (i = 0; i < k->ncmds; i++)
		if (stateio_append(c, k->cmds[i].argc, k->cmds[i].argv,
		    k->cmds[i].argvlen) != REDIS_OK) {
			snprintf(err, errlen, "%s", c->errstr);
			return STATEPOOL_FAIL;
		}
	for (i = 0; i < k->ncmds; i++) {
		if (stateio_reply(c, d, statepool_settings(k->pool)->
		    max_reply_bytes, &r) != REDIS_OK) {
			snprintf(err, errlen, "%s", c->errstr);
			o = STATEPOOL_FAIL;
			break;
		}
		k->cmds[i].reply = r;
		if (r->type == REDIS_REPLY_ERROR && o == STATEPOOL_OK) {
			snprintf(err, errlen, "%.*s", r->len > 200 ? 200 :
			    (int)r->len, r->str);
			o = statepool_classify(k->pool, r);
		}
	}
	if (o != STATEPOOL_OK)
		statecall_free(k->cmds, k->ncmds);
	return o;
}

int
statecall_init(struct statecall_cmd *m, struct arena *a, int argc)
{
	memset(m, 0, sizeof(*m));
	m->argc = argc;
	m->argv = arena_calloc(a, (size_t)argc, sizeof(*m->argv));
	m->argvlen = arena_calloc(a, (size_t)argc, sizeof(*m->argvlen));
	return m->argv == NULL || m->argvlen == NULL ? -1 : 0;
}

void
statecall_set(struct statecall_cmd *m, int i, const char *s)
{
	m->argv[i] = s;
	m->argvlen[i] = strlen(s);
}

int
statecall_run(struct state_pool *p, struct statecall_cmd *cmds, size_t n,
    int script, char *err, size_t errlen)
{
	struct call k = { p, cmds, n };

	if (script && n != 1) {
		snprintf(err, errlen, "one script per call");
		return -1;
	}
	return statepool_run(p, script ? run_script : run_pipeline, &k, err,
	    errlen);
}

const redisReply *
statecall_scan_reply(const redisReply *r, char *cursor, size_t curlen)
{
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[0]->len == 0 || r->element[0]->len >= curlen ||
	    r->element[1]->type != REDIS_REPLY_ARRAY)
		return NULL;
	memcpy(cursor, r->element[0]->str, r->element[0]->len);
	cursor[r->element[0]->len] = '\0';
	return r->element[1];
}

int
statecall_scan(struct state_pool *p, const char *pattern,
    int (*batch)(struct state_pool *, const redisReply *keys, void *arg,
    char *err, size_t errlen), void *arg, char *err, size_t errlen)
{
	struct statecall_cmd cmd;
	const redisReply *r;
	char cursor[32] = "0";
	struct arena *a;
	int rc = -1;

	if ((a = arena_new()) == NULL || statecall_init(&cmd, a, 6) == -1) {
		arena_free(a);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	statecall_set(&cmd, 0, "SCAN");
	statecall_set(&cmd, 2, "MATCH");
	statecall_set(&cmd, 3, pattern);
	statecall_set(&cmd, 4, "COUNT");
	statecall_set(&cmd, 5, "1000");
	do {
		statecall_set(&cmd, 1, cursor);
		if (statecall_run(p, &cmd, 1, 0, err, errlen) == -1)
			goto out;
		if ((r = statecall_scan_reply(cmd.reply, cursor,
		    sizeof(cursor))) == NULL) {
			snprintf(err, errlen, "unexpected reply from Redis");
			statecall_free(&cmd, 1);
			goto out;
		}
		rc = r->elements == 0 ? 0 : batch(p, r, arg, err, errlen);
		statecall_free(&cmd, 1);
		if (rc == -1)
			goto out;
		rc = -1;
	} while (strcmp(cursor, "0") != 0);
	rc = 0;
out:
	arena_free(a);
	return rc;
}
