/*
 * statepool.h - the Redis connection pool behind state.h (internal to
 * state.c and statepool.c; the public half is in state.h).
 *
 * A caller runs one job (a function that sends commands on a hiredis
 * context) through statepool_run: a connection is checked out for the
 * job with a bounded wait, used without any pool lock held, and checked
 * in with the outcome, which feeds the circuit breaker.
 */
#ifndef RW_STATEPOOL_H
#define RW_STATEPOOL_H

#include <stddef.h>
#include <hiredis/hiredis.h>

struct state_pool;

/* The pool's copy of the config settings it was built from. */
struct statepool_settings {
	int enable;
	char *host;
	unsigned port;
	char *socket;
	char *user;
	char *password;
	unsigned db;
	unsigned connect_timeout_ms, timeout_ms, slow_ms;
	unsigned max_reply_bytes;
	unsigned pool_size, pool_wait_ms;
	unsigned breaker_failures, breaker_cooldown_ms;
	char **sentinels;
	size_t nsentinels;
	char *sentinel_master;
	char *sentinel_password;
	unsigned sentinel_check_ms;
	char *prefix;
	unsigned ttl_days, unauth_ttl_days;
	unsigned max_relays, max_signers, max_trusted, max_known;
};

/* statecfg.c: copies cfg's settings into s (0, or -1 when out of
 * memory, s then empty); frees them (statecfg_free of an empty s is
 * fine); 1 when cfg has the same settings as s. */
struct config;
int statecfg_copy(struct statepool_settings *s, const struct config *cfg);
void statecfg_free(struct statepool_settings *s);
int statecfg_match(const struct statepool_settings *s,
    const struct config *cfg);

/* What a job reports. */
enum statepool_outcome {
	STATEPOOL_OK = 0,
	STATEPOOL_REFUSED,	/* Redis answered with an error about the
				   request or the data: the connection and
				   the server are fine */
	STATEPOOL_FAIL,		/* the server is unusable: I/O error,
				   timeout, LOADING, BUSY, READONLY ... */
};

/* A job: sends its commands on c (non-blocking: replies are read with
 * stateio_reply against d, the run's deadline).  sha is the lookup
 * script's SHA-1 as SCRIPT LOAD returned it on this connection.  Returns
 * an outcome, with a one-line reason in err unless STATEPOOL_OK. */
struct deadline;
typedef enum statepool_outcome (*statepool_job)(redisContext *c,
    const char *sha, struct deadline *d, void *arg, char *err,
    size_t errlen);

/* Runs job on a pooled connection.  0 when it returned STATEPOOL_OK;
 * -1 with the reason in err when the breaker is open, no connection was
 * free in time, connecting failed or the job failed.  A job that failed
 * because a reused connection had been closed by the server (idle
 * timeout, restart) is run once more on a new connection.  Once a
 * connection is checked out, everything (Sentinel lookup, connect,
 * setup commands, the job and its retry) ends within redis_timeout_ms;
 * a connection that failed or timed out is freed, never pooled again,
 * and counts for the circuit breaker. */
int statepool_run(struct state_pool *, statepool_job, void *arg,
    char *err, size_t errlen);

/* The settings (borrowed, valid while the pool lives). */
const struct statepool_settings *statepool_settings(
    const struct state_pool *);

/* Classifies an error reply: STATEPOOL_FAIL for the errors that mean
 * "this server cannot serve now" (READONLY, LOADING, BUSY, MASTERDOWN,
 * NOAUTH, NOPERM, OOM, CLUSTERDOWN, MOVED/ASK), else STATEPOOL_REFUSED.
 * A READONLY or MASTERDOWN reply also marks the master for re-discovery
 * when Sentinel is used. */
enum statepool_outcome statepool_classify(struct state_pool *,
    const redisReply *);

#endif
