/*
 * statefix.h - shared by the state tests (statefix.c).
 */
#ifndef RW_STATEFIX_H
#define RW_STATEFIX_H

#include <time.h>
#include "state/state.h"
#include "redisfix.h"

#define T0	1700000000	/* a fixed "now" */
#define DAY	86400

#define BASECONF "redis_port = %d;\nredis_timeout_ms = 1000;\n" \
	"redis_slow_ms = 1000;\n"

struct q {
	const char *domain, *infra;
	const char *signers[4];
	int auth, learn;
	time_t now;
	unsigned char withhold[16];	/* state_query.withhold */
};

#define LOOK(...)	look_in(pool, (struct q){ __VA_ARGS__ })

extern struct redisfix plain;		/* the main server */
extern redisContext *adm;		/* our own connection to it */
extern struct state_pool *pool;		/* per test */
extern struct arena *arena;		/* per test */
extern char tmpdir[256];		/* scratch files */
extern struct redisfix extra[5];	/* killed by teardown_extra */

void sleep_ms(long ms);
/* A pool from config text (printf), through config_load. */
struct state_pool *pool_from(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
struct state_answer look_in(struct state_pool *, struct q);
/* An integer reply (or a string of digits), freed; -1 otherwise. */
long long rint_of(redisReply *);
long long hlen(const char *key);
int hexists(const char *key, const char *field);
long long ttl_of(redisContext *, const char *key);
/* Fields of key whose name starts with c. */
long long count_prefixed(const char *key, char c);
/* A field of INFO: ("commandstats", "cmdstat_evalsha", "calls=") -> the
 * calls; sub NULL: the whole value; -1 when absent. */
long long info_field(redisContext *, const char *section,
    const char *line, const char *sub);

/* cmocka fixtures: the group starts the main server; each test gets a
 * flushed database, a fresh arena and a default pool. */
int group_setup(void **);
int group_teardown(void **);
int setup(void **);
int teardown(void **);
int teardown_extra(void **);

#endif
