/*
 * statestats.c - the daily verdict counters in Redis (see statestats.h).
 *
 * Exports state_stats_add and state_stats_get.
 */
#include <stdio.h>
#include <string.h>

#include "state/statecall.h"
#include "state/statepool.h"
#include "state/statestats.h"
#include "util/arena.h"

static const char *
day_key(struct state_pool *p, struct arena *a, const char *day)
{
	return arena_printf(a, "%sstats:%.8s", statepool_settings(p)->prefix,
	    day);
}

int
state_stats_add(struct state_pool *p, const char *day,
    const char *const *fields, const unsigned long long *deltas, size_t n,
    char *err, size_t errlen)
{
	struct statecall_cmd *cmd;
	struct arena *a;
	const char *key, *num;
	size_t i, k = 0;
	int rc = -1;

	if ((a = arena_new()) == NULL ||
	    (cmd = arena_calloc(a, n + 1, sizeof(*cmd))) == NULL ||
	    (key = day_key(p, a, day)) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		if (deltas[i] == 0)
			continue;
		if (statecall_init(&cmd[k], a, 4) == -1 ||
		    (num = arena_printf(a, "%llu", deltas[i])) == NULL)
			goto oom;
		statecall_set(&cmd[k], 0, "HINCRBY");
		statecall_set(&cmd[k], 1, key);
		statecall_set(&cmd[k], 2, fields[i]);
		statecall_set(&cmd[k], 3, num);
		k++;
	}
	if (k == 0) {
		rc = 0;
		goto out;
	}
	if (statecall_init(&cmd[k], a, 3) == -1 ||
	    (num = arena_printf(a, "%u", STATE_STATS_TTL_DAYS * 86400)) ==
	    NULL)
		goto oom;
	statecall_set(&cmd[k], 0, "EXPIRE");
	statecall_set(&cmd[k], 1, key);
	statecall_set(&cmd[k], 2, num);
	k++;
	if (statecall_run(p, cmd, k, 0, err, errlen) == -1)
		goto out;
	for (i = 0; i < k; i++)
		if (cmd[i].reply->type != REDIS_REPLY_INTEGER) {
			snprintf(err, errlen, "unexpected reply from Redis");
			statecall_free(cmd, k);
			goto out;
		}
	statecall_free(cmd, k);
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	arena_free(a);
	return rc;
}

int
state_stats_get(struct state_pool *p, const char *day, struct arena *a,
    const char ***fields, unsigned long long **values, size_t *n,
    char *err, size_t errlen)
{
	struct statecall_cmd cmd;
	const redisReply *r;
	const char *key;
	size_t i;

	*n = 0;
	*fields = NULL;
	*values = NULL;
	if ((key = day_key(p, a, day)) == NULL ||
	    statecall_init(&cmd, a, 2) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	statecall_set(&cmd, 0, "HGETALL");
	statecall_set(&cmd, 1, key);
	if (statecall_run(p, &cmd, 1, 0, err, errlen) == -1)
		return -1;
	r = cmd.reply;
	if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
		statecall_free(&cmd, 1);
		snprintf(err, errlen, "unexpected reply from Redis");
		return -1;
	}
	if (r->elements > 0 && ((*fields = arena_calloc(a, r->elements / 2,
	    sizeof(**fields))) == NULL || (*values = arena_calloc(a,
	    r->elements / 2, sizeof(**values))) == NULL)) {
		statecall_free(&cmd, 1);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i + 1 < r->elements; i += 2) {
		if (r->element[i]->type != REDIS_REPLY_STRING ||
		    statecall_number(r->element[i + 1], &(*values)[*n]) != 1)
			continue;	/* a garbled counter is not counted */
		if (((*fields)[*n] = arena_strndup(a, r->element[i]->str,
		    r->element[i]->len)) == NULL) {
			statecall_free(&cmd, 1);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		(*n)++;
	}
	statecall_free(&cmd, 1);
	return 0;
}
