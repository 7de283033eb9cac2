/*
 * statepool.c - the Redis connection pool of the sender state: checkout
 * with a bounded wait, connect (TCP or unix socket, AUTH, SELECT, SCRIPT
 * LOAD in one pipelined round trip), the circuit breaker, and Sentinel
 * master discovery.
 *
 * Exports state_pool_new/ref/unref/matches/reconfigure/status (state.h)
 * and statepool_run/settings/classify (statepool.h).  Owns the hiredis
 * contexts and the settings copy.
 * Thread rule: the pool is shared by every thread; pool.lock guards the
 * slots' busy flags, the breaker, the master address and the counters,
 * and is never held during network I/O.  A context is used by the one
 * thread that checked its slot out.
 * Caps: redis_pool_size connections; one deadline of redis_timeout_ms
 * per run, across the Sentinel lookup, connect, setup commands, the job
 * and its retry (stateio.c: non-blocking contexts, so a server trickling
 * bytes cannot stretch it), redis_max_reply_bytes per reply; replies of
 * the setup commands are checked for type and size (Redis is untrusted
 * input: a master address from a sentinel must be a short host and a
 * port).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "util/deadline.h"
#include "util/metrics.h"
#include "util/log.h"
#include "state/state.h"
#include "state/statepool.h"
#include "state/stateio.h"
#include "state/statescript.h"
#include "state/statesentinel.h"

struct slot {
	redisContext *c;
	unsigned gen;			/* master generation connected to */
	int busy;
	int reused;			/* has served a job before */
	char sha[41];
};

struct state_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	atomic_uint refs;
	struct statepool_settings set;
	struct slot *slots;

	enum state_breaker breaker;
	unsigned failures;
	long long open_until;		/* deadline_now_ms */
	int probing;

	/* Sentinel: the master in use; gen changes with it. */
	char master_host[256];
	unsigned master_port;
	unsigned gen;
	int need_discovery, discovering;
	int sentinels_ok;		/* the last ask was answered */
	long long next_check;		/* ask again from then on (ms) */
	size_t sentinel_next;

	unsigned long long runs, unavailable, connects;
};

int
state_pool_matches(const struct state_pool *p, const struct config *c)
{
	return statecfg_match(&p->set, c);
}

struct state_pool *
state_pool_new(const struct config *c, char *err, size_t errlen)
{
	struct state_pool *p;
	pthread_condattr_t ca;

	if (*c->redis_user != '\0' && *c->redis_password == '\0') {
		snprintf(err, errlen, "redis_user needs redis_password");
		return NULL;
	}
	if (c->redis_nsentinels > 0 && *c->redis_sentinel_master == '\0') {
		snprintf(err, errlen, "redis_sentinels need "
		    "redis_sentinel_master");
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto oom;
	if (statecfg_copy(&p->set, c) == -1) {
		free(p);
		goto oom;
	}
	if ((p->slots = calloc(p->set.pool_size, sizeof(*p->slots))) ==
	    NULL) {
		statecfg_free(&p->set);
		free(p);
		goto oom;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->freed, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&p->refs, 1);
	p->need_discovery = p->set.nsentinels > 0;
	p->sentinels_ok = 1;
	return p;
oom:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

struct state_pool *
state_pool_ref(struct state_pool *p)
{
	if (p != NULL)
		atomic_fetch_add(&p->refs, 1);
	return p;
}

void
state_pool_unref(struct state_pool *p)
{
	size_t i;

	if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	for (i = 0; i < p->set.pool_size; i++)
		if (p->slots[i].c != NULL)
			redisFree(p->slots[i].c);
	free(p->slots);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
	statecfg_free(&p->set);
	free(p);
}

struct state_pool *
state_pool_reconfigure(struct state_pool *cur, const struct config *c,
    char *err, size_t errlen)
{
	if (cur != NULL && state_pool_matches(cur, c))
		return state_pool_ref(cur);
	return state_pool_new(c, err, errlen);
}

void
state_pool_status(struct state_pool *p, struct state_pool_status *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&p->lock);
	st->breaker = p->breaker;
	st->failures = p->failures;
	st->runs = p->runs;
	st->unavailable = p->unavailable;
	st->connects = p->connects;
	for (i = 0; i < p->set.pool_size; i++)
		st->connections += p->slots[i].c != NULL;
	if (p->set.nsentinels > 0) {
		if (p->master_host[0] != '\0')
			snprintf(st->master, sizeof(st->master), "%s:%u",
			    p->master_host, p->master_port);
	} else if (*p->set.socket != '\0')
		snprintf(st->master, sizeof(st->master), "%s", p->set.socket);
	else
		snprintf(st->master, sizeof(st->master), "%s:%u", p->set.host,
		    p->set.port);
	pthread_mutex_unlock(&p->lock);
}

const struct statepool_settings *
statepool_settings(const struct state_pool *p)
{
	return &p->set;
}

/* --- classification ------------------------------------------------------- */

static int
reply_starts(const redisReply *r, const char *word)
{
	size_t n = strlen(word);

	return r->len >= n && strncmp(r->str, word, n) == 0 &&
	    (r->len == n || r->str[n] == ' ');
}

enum statepool_outcome
statepool_classify(struct state_pool *p, const redisReply *r)
{
	static const char *const fail[] = { "READONLY", "MASTERDOWN",
	    "LOADING", "BUSY", "NOAUTH", "WRONGPASS", "NOPERM", "OOM",
	    "CLUSTERDOWN", "MOVED", "ASK", "TRYAGAIN", "NOREPLICAS",
	    "MISCONF" };
	size_t i;

	if (r == NULL || r->type != REDIS_REPLY_ERROR || r->str == NULL)
		return STATEPOOL_FAIL;
	for (i = 0; i < sizeof(fail) / sizeof(fail[0]); i++)
		if (reply_starts(r, fail[i])) {
			/* A master that was demoted answers READONLY; one
			 * that lost its replicas MASTERDOWN: ask the
			 * sentinels again. */
			if (p->set.nsentinels > 0 && (i == 0 || i == 1)) {
				pthread_mutex_lock(&p->lock);
				p->need_discovery = 1;
				pthread_mutex_unlock(&p->lock);
			}
			return STATEPOOL_FAIL;
		}
	return STATEPOOL_REFUSED;
}

/* --- connect -------------------------------------------------------------- */

/* With Sentinel: asks the sentinels for the master when a failure asked
 * for it, or when redis_sentinel_check_ms passed since the last answer.
 * The periodic check matters: after a failover the old master accepts
 * writes until Sentinel demotes it (up to 10 s later), so waiting for
 * READONLY would lose them.  One thread asks (never under the lock);
 * the others go on with the master known meanwhile.  A failed periodic
 * check keeps the known master. */
static void
refresh_master(struct state_pool *p, struct deadline *d)
{
	struct statesentinel_answer a;
	char err[256];
	int rc;

	pthread_mutex_lock(&p->lock);
	if (p->set.nsentinels == 0 || p->discovering ||
	    (!p->need_discovery && p->master_host[0] != '\0' &&
	    deadline_now_ms() < p->next_check)) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	p->discovering = 1;
	a.start = p->sentinel_next;
	pthread_mutex_unlock(&p->lock);

	rc = statesentinel_ask(&p->set, &a, d, err, sizeof(err));

	pthread_mutex_lock(&p->lock);
	p->discovering = 0;
	p->next_check = deadline_now_ms() + p->set.sentinel_check_ms;
	if (rc == -1) {
		if (p->sentinels_ok)
			log_warning(NULL, "redis: no sentinel answered: %s",
			    err);
		p->sentinels_ok = 0;
	} else {
		if (!p->sentinels_ok && p->master_host[0] != '\0')
			log_warning(NULL, "redis: sentinels answer again");
		p->sentinels_ok = 1;
		p->need_discovery = 0;
		p->sentinel_next = a.answered;
		if (strcmp(p->master_host, a.host) != 0 ||
		    p->master_port != a.port) {
			log_warning(NULL, "redis: master %s is %s:%u "
			    "(sentinel %s)%s", p->set.sentinel_master, a.host,
			    a.port, p->set.sentinels[a.answered],
			    p->master_host[0] != '\0' ? ", failed over" : "");
			snprintf(p->master_host, sizeof(p->master_host), "%s",
			    a.host);
			p->master_port = a.port;
			p->gen++;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

/* Where to connect: the configured server, or the master the sentinels
 * named last. */
static int
target(struct state_pool *p, char *host, size_t hostlen, unsigned *port,
    unsigned *gen, char *err, size_t errlen)
{
	int rc = 0;

	if (p->set.nsentinels == 0) {
		snprintf(host, hostlen, "%s", p->set.host);
		*port = p->set.port;
		*gen = 0;
		return 0;
	}
	pthread_mutex_lock(&p->lock);
	if (p->master_host[0] == '\0') {
		snprintf(err, errlen, "no sentinel named the master of %s",
		    p->set.sentinel_master);
		rc = -1;
	} else {
		snprintf(host, hostlen, "%s", p->master_host);
		*port = p->master_port;
		*gen = p->gen;
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static void
mark_rediscover(struct state_pool *p)
{
	if (p->set.nsentinels == 0)
		return;
	pthread_mutex_lock(&p->lock);
	p->need_discovery = 1;
	pthread_mutex_unlock(&p->lock);
}

/* Connects slot s: AUTH, SELECT, ROLE (with Sentinel) and SCRIPT LOAD
 * pipelined, their replies checked in order, all before d. */
static enum statepool_outcome
slot_connect(struct state_pool *p, struct slot *s, struct deadline *d,
    char *err, size_t errlen)
{
	const struct statepool_settings *set = &p->set;
	const char *argv[4];
	char host[256], db[16], why[200];
	redisContext *c;
	redisReply *r;
	unsigned port = 0, gen = 0;
	size_t i, n = 0, want;
	int ok = 1, unix_socket = set->nsentinels == 0 && *set->socket != '\0';

	if (target(p, host, sizeof(host), &port, &gen, err, errlen) == -1)
		return STATEPOOL_FAIL;
	pthread_mutex_lock(&p->lock);
	p->connects++;
	pthread_mutex_unlock(&p->lock);
	if ((c = stateio_connect(host, port, unix_socket ? set->socket : "",
	    set->connect_timeout_ms, d, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "connect to %s:%u: %s", unix_socket ?
		    set->socket : host, port, why);
		mark_rediscover(p);
		return STATEPOOL_FAIL;
	}
	if (*set->password != '\0') {
		argv[n = 0] = "AUTH";
		if (*set->user != '\0')
			argv[++n] = set->user;
		argv[++n] = set->password;
		redisAppendCommandArgv(c, (int)n + 1, argv, NULL);
	}
	want = *set->password != '\0';
	if (set->db != 0) {
		snprintf(db, sizeof(db), "%u", set->db);
		argv[0] = "SELECT";
		argv[1] = db;
		redisAppendCommandArgv(c, 2, argv, NULL);
		want++;
	}
	if (set->nsentinels > 0) {
		argv[0] = "ROLE";
		redisAppendCommandArgv(c, 1, argv, NULL);
		want++;
	}
	argv[0] = "SCRIPT";
	argv[1] = "LOAD";
	argv[2] = statescript_lookup;
	redisAppendCommandArgv(c, 3, argv, NULL);
	want++;
	for (i = 0; i < want; i++) {
		if (stateio_reply(c, d, set->max_reply_bytes, &r) !=
		    REDIS_OK) {
			snprintf(err, errlen, "%s:%u: %s", host, port,
			    c->errstr);
			redisFree(c);
			mark_rediscover(p);
			return STATEPOOL_FAIL;
		}
		if (!ok)
			;		/* first error already noted */
		else if (r->type == REDIS_REPLY_ERROR) {
			snprintf(err, errlen, "%s:%u: %.*s", host, port,
			    r->len > 200 ? 200 : (int)r->len, r->str);
			ok = 0;
		} else if (i == want - 1) {
			if (r->type != REDIS_REPLY_STRING || r->len != 40) {
				snprintf(err, errlen, "%s:%u: SCRIPT LOAD: "
				    "unexpected reply", host, port);
				ok = 0;
			} else
				memcpy(s->sha, r->str, 41);
		} else if (set->nsentinels > 0 && i == want - 2 &&
		    (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    strcmp(r->element[0]->str, "master") != 0)) {
			/* The sentinels have not seen the failover yet. */
			snprintf(err, errlen, "%s:%u is not a master", host,
			    port);
			mark_rediscover(p);
			ok = 0;
		}
		freeReplyObject(r);
	}
	if (!ok) {
		redisFree(c);
		return STATEPOOL_FAIL;
	}
	s->c = c;
	s->gen = gen;
	s->reused = 0;
	return STATEPOOL_OK;
}

/* --- checkout, checkin ---------------------------------------------------- */

static struct slot *
find_slot(struct state_pool *p)
{
	struct slot *fallback = NULL;
	size_t i;

	/* Prefer a live connection: fewer connects, warm script cache. */
	for (i = 0; i < p->set.pool_size; i++) {
		if (p->slots[i].busy)
			continue;
		if (p->slots[i].c != NULL && p->slots[i].gen == p->gen)
			return &p->slots[i];
		if (fallback == NULL)
			fallback = &p->slots[i];
	}
	return fallback;
}

static struct slot *
checkout(struct state_pool *p, int *probe, char *err, size_t errlen)
{
	struct timespec deadline = deadline_mono_after(p->set.pool_wait_ms);
	struct slot *s;

	*probe = 0;
	pthread_mutex_lock(&p->lock);
	p->runs++;
	if (p->breaker == STATE_BREAKER_OPEN) {
		if (deadline_now_ms() < p->open_until) {
			snprintf(err, errlen, "circuit breaker open");
			goto unavailable;
		}
		p->breaker = STATE_BREAKER_HALF_OPEN;
		metrics_set_breaker(STATE_BREAKER_HALF_OPEN);
		p->probing = 0;
	}
	if (p->breaker == STATE_BREAKER_HALF_OPEN) {
		if (p->probing) {
			snprintf(err, errlen, "circuit breaker half-open, "
			    "probe in flight");
			goto unavailable;
		}
		p->probing = *probe = 1;
	}
	while ((s = find_slot(p)) == NULL)
		if (pthread_cond_timedwait(&p->freed, &p->lock, &deadline) ==
		    ETIMEDOUT && (s = find_slot(p)) == NULL) {
			snprintf(err, errlen, "no free connection in %u ms",
			    p->set.pool_wait_ms);
			if (*probe)
				p->probing = 0;
			goto unavailable;
		}
	s->busy = 1;
	/* A connection to a master that is no more is dropped. */
	if (s->c != NULL && s->gen != p->gen) {
		redisFree(s->c);
		s->c = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	return s;
unavailable:
	p->unavailable++;
	metrics_count_redis_error();
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void
checkin(struct state_pool *p, struct slot *s, int probe,
    enum statepool_outcome outcome, int slow, const char *why)
{
	redisContext *drop = NULL;
	int failed = outcome == STATEPOOL_FAIL || slow;

	if (outcome == STATEPOOL_FAIL) {
		drop = s->c;
		s->c = NULL;
	} else
		s->reused = 1;
	pthread_mutex_lock(&p->lock);
	if (outcome == STATEPOOL_FAIL) {
		p->unavailable++;
		metrics_count_redis_error();
	}
	if (!failed) {
		/* Only the probe closes the breaker: a reply to a job that
		 * started before it opened says little. */
		if (probe && p->breaker == STATE_BREAKER_HALF_OPEN) {
			log_notice(NULL, "redis: circuit breaker closed, "
			    "Redis answers again");
			p->breaker = STATE_BREAKER_CLOSED;
			metrics_set_breaker(STATE_BREAKER_CLOSED);
		}
		p->failures = 0;
	} else {
		if (p->failures < UINT_MAX)
			p->failures++;
		if ((probe && p->breaker == STATE_BREAKER_HALF_OPEN) ||
		    (p->breaker == STATE_BREAKER_CLOSED &&
		    p->failures >= p->set.breaker_failures)) {
			if (p->breaker == STATE_BREAKER_CLOSED)
				log_warning(NULL, "redis: circuit breaker "
				    "open for %u ms after %u failures: %s",
				    p->set.breaker_cooldown_ms, p->failures,
				    why != NULL ? why : "slow replies");
			p->breaker = STATE_BREAKER_OPEN;
			metrics_set_breaker(STATE_BREAKER_OPEN);
			p->open_until = deadline_now_ms() +
			    p->set.breaker_cooldown_ms;
		}
	}
	if (probe)
		p->probing = 0;
	s->busy = 0;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
	if (drop != NULL)
		redisFree(drop);
}

/* A job failed on a reused connection the server had already closed
 * (idle timeout, restart): nothing reached Redis, retrying is safe. */
static int
stale(const redisContext *c, int saved_errno)
{
	return c->err == REDIS_ERR_EOF || (c->err == REDIS_ERR_IO &&
	    (saved_errno == ECONNRESET || saved_errno == EPIPE));
}

int
statepool_run(struct state_pool *p, statepool_job job, void *arg,
    char *err, size_t errlen)
{
	enum statepool_outcome o = STATEPOOL_FAIL;
	struct deadline d;
	long long t0, start_us = metrics_now_us();
	struct slot *s;
	int probe, attempt, saved, slow = 0;

	if (!p->set.enable) {
		snprintf(err, errlen, "disabled");
		return -1;
	}
	if ((s = checkout(p, &probe, err, errlen)) == NULL) {
		metrics_observe_us(METRICS_H_REDIS, metrics_now_us() -
		    start_us);
		return -1;
	}
	/* One deadline for all that follows: hiredis's own timeout bounds
	 * each read, so a server trickling bytes could hold a message for
	 * as long as it liked. */
	deadline_start(&d, p->set.timeout_ms);
	if (p->set.nsentinels > 0) {
		refresh_master(p, &d);
		pthread_mutex_lock(&p->lock);
		if (s->c != NULL && s->gen != p->gen) {
			redisFree(s->c);	/* an old master's */
			s->c = NULL;
		}
		pthread_mutex_unlock(&p->lock);
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if (s->c == NULL &&
		    (o = slot_connect(p, s, &d, err, errlen)) != STATEPOOL_OK)
			break;
		t0 = deadline_now_ms();
		errno = 0;
		o = job(s->c, s->sha, &d, arg, err, errlen);
		saved = errno;
		slow = deadline_now_ms() - t0 > p->set.slow_ms;
		if (o != STATEPOOL_FAIL || s->c->err == 0)
			break;
		if (attempt > 0 || !s->reused || !stale(s->c, saved) ||
		    deadline_passed(&d)) {
			mark_rediscover(p);
			break;
		}
		redisFree(s->c);
		s->c = NULL;
	}
	checkin(p, s, probe, o, slow, err);
	metrics_observe_us(METRICS_H_REDIS, metrics_now_us() - start_us);
	return o == STATEPOOL_OK ? 0 : -1;
}
