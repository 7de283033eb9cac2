/*
 * statedump.c - every key under the prefix out of Redis and back in
 * (relaywarden-state export / import, issue 14 item 6).
 *
 * Exports state_dump_export, state_dump_import (statedump.h).  Replies
 * are freed before returning; records handed out are borrowed.  Any
 * thread.
 * Caps: SCAN / HSCAN / ZSCAN COUNT 1000 per call, each reply bounded by
 * redis_max_reply_bytes like every other; TYPE and PTTL of one SCAN
 * batch are pipelined.  Import writes one record per EVAL: a record is
 * at most what one line of the import carries (the caller bounds it).
 * Names and values are bytes: nothing here interprets them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "util/arena.h"
#include "state/statecall.h"
#include "state/statedump.h"
#include "state/statepool.h"

#define SCAN_COUNT	"1000"

/* KEYS[1] the key; ARGV: mode (new, replace, append), expire-at ms (0
 * none), type, then the elements. */
static const char import_script[] =
    "local k = KEYS[1]\n"
    "local mode, t = ARGV[1], ARGV[3]\n"
    "if mode == 'new' and redis.call('EXISTS', k) == 1 then return 0 end\n"
    "if mode ~= 'append' then redis.call('DEL', k) end\n"
    "if t == 'hash' then\n"
    "  for i = 4, #ARGV, 2 do redis.call('HSET', k, ARGV[i], ARGV[i+1]) end\n"
    "elseif t == 'zset' then\n"
    "  for i = 4, #ARGV, 2 do redis.call('ZADD', k, ARGV[i+1], ARGV[i]) end\n"
    "elseif t == 'string' then\n"
    "  redis.call('SET', k, ARGV[4])\n"
    "else return redis.error_reply('unknown type') end\n"
    "local at = tonumber(ARGV[2])\n"
    "if at and at > 0 then redis.call('PEXPIREAT', k, at) end\n"
    "return 1\n";

static long long
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int
unexpected(char *err, size_t errlen)
{
	snprintf(err, errlen, "unexpected reply from Redis");
	return -1;
}

/* The elements of an array reply (all strings) into rec. */
static int
elements(struct arena *a, const redisReply *arr, struct state_record *rec)
{
	const char **el;
	size_t *len, i;

	if ((el = arena_calloc(a, arr->elements + 1, sizeof(*el))) == NULL ||
	    (len = arena_calloc(a, arr->elements + 1, sizeof(*len))) == NULL)
		return -1;
	for (i = 0; i < arr->elements; i++) {
		if (arr->element[i]->type != REDIS_REPLY_STRING)
			return -2;
		el[i] = arr->element[i]->str;
		len[i] = arr->element[i]->len;
	}
	rec->el = el;
	rec->ellen = len;
	rec->nel = arr->elements;
	return 0;
}

/* One hash or sorted set, page by page. */
static int
export_paged(struct state_pool *p, struct state_record *rec,
    int (*fn)(const struct state_record *, void *), void *arg, char *err,
    size_t errlen)
{
	struct statecall_cmd cmd;
	const redisReply *r;
	struct arena *a;
	char cursor[32] = "0";
	int rc = -1, e;

	if ((a = arena_new()) == NULL || statecall_init(&cmd, a, 5) == -1) {
		arena_free(a);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	statecall_set(&cmd, 0, rec->type == STATE_REC_HASH ? "HSCAN" :
	    "ZSCAN");
	cmd.argv[1] = rec->key;
	cmd.argvlen[1] = rec->keylen;
	statecall_set(&cmd, 3, "COUNT");
	statecall_set(&cmd, 4, SCAN_COUNT);
	rec->append = 0;
	do {
		statecall_set(&cmd, 2, cursor);
		if (statecall_run(p, &cmd, 1, 0, err, errlen) == -1)
			goto out;
		/* HSCAN and ZSCAN give field/value or member/score pairs */
		if ((r = statecall_scan_reply(cmd.reply, cursor,
		    sizeof(cursor))) == NULL || r->elements % 2 != 0) {
			statecall_free(&cmd, 1);
			unexpected(err, errlen);
			goto out;
		}
		e = 0;
		if (r->elements > 0) {
			if ((e = elements(a, r, rec)) == 0) {
				e = fn(rec, arg) == -1 ? -3 : 0;
				rec->append = 1;
			}
		}
		statecall_free(&cmd, 1);
		if (e == -1)
			snprintf(err, errlen, "out of memory");
		else if (e == -2)
			unexpected(err, errlen);
		if (e != 0)
			goto out;
	} while (strcmp(cursor, "0") != 0);
	rc = 0;
out:
	arena_free(a);
	return rc;
}

static int
export_string(struct state_pool *p, struct state_record *rec,
    int (*fn)(const struct state_record *, void *), void *arg, char *err,
    size_t errlen)
{
	struct statecall_cmd cmd;
	struct arena *a;
	const char *el[1];
	size_t len[1];
	int rc = -1;

	if ((a = arena_new()) == NULL || statecall_init(&cmd, a, 2) == -1) {
		arena_free(a);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	statecall_set(&cmd, 0, "GET");
	cmd.argv[1] = rec->key;
	cmd.argvlen[1] = rec->keylen;
	if (statecall_run(p, &cmd, 1, 0, err, errlen) == 0) {
		if (cmd.reply->type == REDIS_REPLY_NIL)
			rc = 0;		/* expired meanwhile */
		else if (cmd.reply->type != REDIS_REPLY_STRING)
			unexpected(err, errlen);
		else {
			el[0] = cmd.reply->str;
			len[0] = cmd.reply->len;
			rec->el = el;
			rec->ellen = len;
			rec->nel = 1;
			rec->append = 0;
			rc = fn(rec, arg);
		}
		statecall_free(&cmd, 1);
	}
	arena_free(a);
	return rc;
}

/* TYPE and PTTL of each key of one SCAN batch, then each key. */
static int
export_batch(struct state_pool *p, const redisReply *keys,
    int (*fn)(const struct state_record *, void *), void *arg,
    unsigned long *skipped, char *err, size_t errlen)
{
	struct statecall_cmd *cmd;
	struct state_record rec;
	const redisReply *k, *t, *ttl;
	struct arena *a;
	size_t i, n = keys->elements;
	int rc = -1;

	if ((a = arena_new()) == NULL ||
	    (cmd = arena_calloc(a, 2 * n, sizeof(*cmd))) == NULL) {
		arena_free(a);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (keys->element[i]->type != REDIS_REPLY_STRING) {
			arena_free(a);
			return unexpected(err, errlen);
		}
		if (statecall_init(&cmd[2 * i], a, 2) == -1 ||
		    statecall_init(&cmd[2 * i + 1], a, 2) == -1) {
			arena_free(a);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		statecall_set(&cmd[2 * i], 0, "TYPE");
		statecall_set(&cmd[2 * i + 1], 0, "PTTL");
		cmd[2 * i].argv[1] = cmd[2 * i + 1].argv[1] =
		    keys->element[i]->str;
		cmd[2 * i].argvlen[1] = cmd[2 * i + 1].argvlen[1] =
		    keys->element[i]->len;
	}
	if (statecall_run(p, cmd, 2 * n, 0, err, errlen) == -1) {
		arena_free(a);
		return -1;
	}
	for (i = 0, rc = 0; i < n && rc == 0; i++) {
		k = keys->element[i];
		t = cmd[2 * i].reply;
		ttl = cmd[2 * i + 1].reply;
		if ((t->type != REDIS_REPLY_STATUS &&
		    t->type != REDIS_REPLY_STRING) ||
		    ttl->type != REDIS_REPLY_INTEGER) {
			rc = unexpected(err, errlen);
			break;
		}
		if (ttl->integer == -2 || strcmp(t->str, "none") == 0)
			continue;	/* expired meanwhile */
		memset(&rec, 0, sizeof(rec));
		rec.key = k->str;
		rec.keylen = k->len;
		rec.expire_at_ms = ttl->integer >= 0 ? now_ms() +
		    ttl->integer : 0;
		if (strcmp(t->str, "hash") == 0 || strcmp(t->str, "zset") == 0) {
			rec.type = t->str[0] == 'h' ? STATE_REC_HASH :
			    STATE_REC_ZSET;
			rc = export_paged(p, &rec, fn, arg, err, errlen);
		} else if (strcmp(t->str, "string") == 0) {
			rec.type = STATE_REC_STRING;
			rc = export_string(p, &rec, fn, arg, err, errlen);
		} else
			(*skipped)++;
	}
	statecall_free(cmd, 2 * n);
	arena_free(a);
	return rc;
}

struct export_arg {
	int (*fn)(const struct state_record *, void *);
	void *arg;
	unsigned long *skipped;
};

static int
export_scan(struct state_pool *p, const redisReply *keys, void *arg,
    char *err, size_t errlen)
{
	struct export_arg *x = arg;

	return export_batch(p, keys, x->fn, x->arg, x->skipped, err, errlen);
}

int
state_dump_export(struct state_pool *p,
    int (*fn)(const struct state_record *, void *), void *arg,
    unsigned long *skipped, char *err, size_t errlen)
{
	const struct statepool_settings *set = statepool_settings(p);
	struct export_arg x = { fn, arg, skipped };
	char pattern[STATE_PATTERN_MAX];

	*skipped = 0;
	if (!set->enable) {
		snprintf(err, errlen, "state_enable is false in the "
		    "configuration");
		return -1;
	}
	snprintf(pattern, sizeof(pattern), "%s*", set->prefix);
	return statecall_scan(p, pattern, export_scan, &x, err, errlen);
}

int
state_dump_import(struct state_pool *p, const struct state_record *rec,
    int replace, char *err, size_t errlen)
{
	const struct statepool_settings *set = statepool_settings(p);
	static const char *const types[] = { "hash", "zset", "string" };
	struct statecall_cmd cmd;
	struct arena *a;
	char at[24];
	size_t i, plen = strlen(set->prefix);
	int rc = -1;

	if (!set->enable) {
		snprintf(err, errlen, "state_enable is false in the "
		    "configuration");
		return -1;
	}
	if (rec->keylen < plen || memcmp(rec->key, set->prefix, plen) != 0) {
		snprintf(err, errlen, "key not under the prefix \"%s\"",
		    set->prefix);
		return -1;
	}
	if ((rec->type == STATE_REC_STRING ? rec->nel != 1 :
	    rec->nel % 2 != 0) || rec->nel > 1000000) {
		snprintf(err, errlen, "wrong number of elements");
		return -1;
	}
	if ((a = arena_new()) == NULL ||
	    statecall_init(&cmd, a, 7 + (int)rec->nel) == -1) {
		arena_free(a);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(at, sizeof(at), "%lld", rec->expire_at_ms > 0 ?
	    rec->expire_at_ms : 0);
	statecall_set(&cmd, 0, "EVAL");
	statecall_set(&cmd, 1, import_script);
	statecall_set(&cmd, 2, "1");
	cmd.argv[3] = rec->key;
	cmd.argvlen[3] = rec->keylen;
	statecall_set(&cmd, 4, rec->append ? "append" : replace ? "replace" :
	    "new");
	statecall_set(&cmd, 5, at);
	statecall_set(&cmd, 6, types[rec->type]);
	for (i = 0; i < rec->nel; i++) {
		cmd.argv[7 + i] = rec->el[i];
		cmd.argvlen[7 + i] = rec->ellen[i];
	}
	if (statecall_run(p, &cmd, 1, 0, err, errlen) == 0) {
		if (cmd.reply->type != REDIS_REPLY_INTEGER)
			unexpected(err, errlen);
		else
			rc = cmd.reply->integer == 1 ? 1 : 0;
		statecall_free(&cmd, 1);
	}
	arena_free(a);
	return rc;
}

const char *
state_dump_prefix(struct state_pool *p)
{
	return statepool_settings(p)->prefix;
}
