/*
 * statefix.c - what the state tests share: the main redis-server (with a
 * unix socket), our own connection to it, a pool per test built from
 * config text, lookups in one line, and reading Redis back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/arena.h"
#include "config/config.h"
#include "util/log.h"
#include "../unit/scanfix.h"
#include "statefix.h"

struct redisfix plain;		/* the main server */
redisContext *adm;		/* our own connection to it */
struct state_pool *pool;		/* per test */
struct arena *arena;		/* per test */
char tmpdir[256];

/* --- helpers -------------------------------------------------------------- */

void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A pool from config text (printf), through config_load. */
struct state_pool *
pool_from(const char *fmt, ...)
{
	struct state_pool *p;
	struct config *cfg;
	char path[300], err[512];
	va_list ap;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/state.conf", tmpdir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fclose(fp);
	if (config_load(path, &cfg, err, sizeof(err)) == -1)
		fail_msg("config: %s", err);
	p = state_pool_new(cfg, err, sizeof(err));
	if (p == NULL)
		fail_msg("pool: %s", err);
	config_free(cfg);
	return p;
}

struct state_answer
look_in(struct state_pool *p, struct q q)
{
	struct state_query sq;
	struct state_answer a;
	size_t n = 0;

	while (n < 4 && q.signers[n] != NULL)
		n++;
	memset(&sq, 0, sizeof(sq));
	sq.domain = q.domain;
	sq.infra = q.infra;
	sq.signers = q.signers;
	sq.nsigners = n;
	sq.authenticated = q.auth;
	sq.learn = q.learn;
	memcpy(sq.withhold, q.withhold, sizeof(sq.withhold));
	sq.now = q.now != 0 ? q.now : T0;
	assert_int_equal(state_lookup(p, &sq, arena, &a), 0);
	return a;
}

long long
rint_of(redisReply *r)
{
	long long v = r->type == REDIS_REPLY_INTEGER ? r->integer :
	    r->type == REDIS_REPLY_STRING ? atoll(r->str) : -1;

	freeReplyObject(r);
	return v;
}

long long
hlen(const char *key)
{
	return rint_of(redisfix_cmd(adm, "HLEN", key, NULL));
}

int
hexists(const char *key, const char *field)
{
	return (int)rint_of(redisfix_cmd(adm, "HEXISTS", key, field, NULL));
}

long long
ttl_of(redisContext *c, const char *key)
{
	return rint_of(redisfix_cmd(c, "TTL", key, NULL));
}

/* Fields of key whose name starts with c. */
long long
count_prefixed(const char *key, char c)
{
	redisReply *r = redisfix_cmd(adm, "HKEYS", key, NULL);
	long long n = 0;
	size_t i;

	for (i = 0; i < r->elements; i++)
		n += r->element[i]->str[0] == c;
	freeReplyObject(r);
	return n;
}

/* A field of INFO: "cmdstat_evalsha:calls=12,..." -> 12 for
 * ("cmdstat_evalsha", "calls="); -1 when absent. */
long long
info_field(redisContext *c, const char *section, const char *line,
    const char *sub)
{
	redisReply *r = redisfix_cmd(c, "INFO", section, NULL);
	const char *p;
	long long v = -1;
	size_t n = strlen(line);

	for (p = r->str; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, line, n) == 0 && p[n] == ':') {
			if (sub == NULL)
				v = atoll(p + n + 1);
			else if ((p = strstr(p, sub)) != NULL)
				v = atoll(p + strlen(sub));
			break;
		}
	}
	freeReplyObject(r);
	return v;
}

/* --- setup ---------------------------------------------------------------- */

int
group_setup(void **unused)
{
	char conf[600];

	log_open("test_state", 0, 1);
	log_set_level(LOG_L_ERR);
	signal(SIGPIPE, SIG_IGN);
	if (scanfix_mkdtemp(tmpdir, sizeof(tmpdir), "rwstatecfg") == -1)
		return -1;
	/* A unix socket too, in the server's own directory. */
	snprintf(conf, sizeof(conf), "unixsocket %s/redis.sock\n"
	    "unixsocketperm 700\n", tmpdir);
	if (redisfix_start(&plain, 0, conf) == -1)
		return -1;
	return (adm = redisfix_connect(&plain, NULL, NULL)) == NULL ? -1 : 0;
}

int
group_teardown(void **unused)
{
	redisFree(adm);
	redisfix_kill(&plain);
	redisfix_cleanup();
	return scanfix_rmdir(tmpdir);
}

int
setup(void **unused)
{
	freeReplyObject(redisfix_cmd(adm, "FLUSHALL", NULL));
	freeReplyObject(redisfix_cmd(adm, "SCRIPT", "FLUSH", NULL));
	arena = arena_new();
	pool = pool_from(BASECONF, plain.port);
	return arena == NULL ? -1 : 0;
}

int
teardown(void **unused)
{
	state_pool_unref(pool);
	pool = NULL;
	arena_free(arena);
	arena = NULL;
	return 0;
}

struct redisfix extra[5];	/* killed by teardown_extra */

int
teardown_extra(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		redisfix_kill(&extra[i]);
	return teardown(state);
}
