/*
 * statecall.h - commands for the sender state's calls (internal to
 * state.c and stateadmin.c): build a command in arena memory, run one or
 * a pipeline of them on a pooled connection, read numbers from replies.
 */
#ifndef RW_STATECALL_H
#define RW_STATECALL_H

#include <stddef.h>
#include <time.h>
#include <hiredis/hiredis.h>

struct arena;
struct state_pool;

struct statecall_cmd {
	int argc;
	const char **argv;
	size_t *argvlen;
	redisReply *reply;		/* owned until statecall_free */
};

/* A command of argc arguments (arena); 0, or -1 when out of memory. */
int statecall_init(struct statecall_cmd *, struct arena *, int argc);
/* Sets argument i to s (borrowed until the command has run). */
void statecall_set(struct statecall_cmd *, int i, const char *s);

/* Runs n commands pipelined on one connection, or (script 1, n 1) the
 * lookup script, whose argv[0] and argv[1] are filled in (EVALSHA, or
 * EVAL after NOSCRIPT).  0 with every reply kept (free them with
 * statecall_free), -1 with err (the replies are freed). */
int statecall_run(struct state_pool *, struct statecall_cmd *, size_t n,
    int script, char *err, size_t errlen);
void statecall_free(struct statecall_cmd *, size_t n);

/* Room for a SCAN pattern: the prefix (redis_prefix: at most 32
 * bytes) and "{*}". */
#define STATE_PATTERN_MAX	64

/* Every key matching pattern: SCAN with MATCH and COUNT 1000 until the
 * cursor is 0 again (never KEYS), batch called with each non-empty
 * batch of key names (an array of strings, valid during the call).  0,
 * or -1 with err: Redis failed, a reply of another shape, or batch's
 * -1. */
int statecall_scan(struct state_pool *, const char *pattern,
    int (*batch)(struct state_pool *, const redisReply *keys, void *arg,
    char *err, size_t errlen), void *arg, char *err, size_t errlen);

/* One reply of SCAN, HSCAN or ZSCAN: [next cursor, items].  Copies the
 * next cursor into cursor (curlen bytes, NUL-terminated) and returns
 * the items array; NULL when the reply has another shape (a hostile or
 * broken server: the caller stops). */
const redisReply *statecall_scan_reply(const redisReply *r, char *cursor,
    size_t curlen);

/* A counter or time element: 0 when nil, 1 when a number was read, -1
 * when it is something else (then *out is 0). */
int statecall_number(const redisReply *, unsigned long long *out);
/* "COUNT:LAST" into count and last; -1 when garbled. */
int statecall_pair(const char *s, size_t len, unsigned long *count,
    time_t *last);
/* t, or 0 when it is past year 9999. */
time_t statecall_time(unsigned long long t);

#endif
