/*
 * known.c - the daemon's lookalike index of protected domains and known
 * correspondents, with its refresher thread (see known.h).
 *
 * Exports known_*.  Owns the index, a copy of the protected names it
 * flagged (to unflag them on reload) and a reference to the current
 * state pool.  Threads: lookups go to the index (thread-safe); the
 * refresher and known_load/known_configure share `lock` for the pool
 * pointer, the protected list and `since`; a read from Redis runs with
 * the lock released, serialised by `readlock`.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "sender/known.h"
#include "util/log.h"
#include "sender/lookalike.h"
#include "state/state.h"

struct known {
	atomic_uint refs;
	struct lookalike_index *index;
	pthread_mutex_t lock;		/* the fields below */
	pthread_mutex_t readlock;	/* one Redis read at a time */
	pthread_cond_t wake;
	struct state_pool *pool;	/* referenced, or NULL */
	char **protected;		/* names flagged PROTECTED */
	unsigned char *pflags;		/* their flags (PARTNER too) */
	size_t nprotected;
	time_t since;			/* next state_known_since start */
	unsigned period_s;
	int running, stopping;
	pthread_t thread;
};

static void
free_names(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
in_list(char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

/* The protected names of cfg: protected_domains and the partners'
 * (flagged PARTNER as well, unless also in protected_domains). */
static int
protected_names(const struct config *cfg, char ***out, unsigned char **fout,
    size_t *nout)
{
	size_t n = cfg->n_protected_domains + cfg->npartners, i, k = 0;
	unsigned char *f;
	char **v;

	*out = NULL;
	*fout = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	if ((f = calloc(n, 1)) == NULL) {
		free(v);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *d = i < cfg->n_protected_domains ?
		    cfg->protected_domains[i] :
		    cfg->partners[i - cfg->n_protected_domains].domain;

		if (in_list(v, k, d))
			continue;
		if ((v[k] = strdup(d)) == NULL) {
			free_names(v, k);
			free(f);
			return -1;
		}
		f[k++] = i < cfg->n_protected_domains ? LOOKALIKE_PROTECTED :
		    LOOKALIKE_PROTECTED | LOOKALIKE_PARTNER;
	}
	*out = v;
	*fout = f;
	*nout = k;
	return 0;
}

struct known *
known_new(const struct config *cfg, struct state_pool *pool, char *err,
    size_t errlen)
{
	struct lookalike_options opt;
	struct known *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&k->refs, 1);
	pthread_mutex_init(&k->lock, NULL);
	pthread_mutex_init(&k->readlock, NULL);
	pthread_cond_init(&k->wake, NULL);
	memset(&opt, 0, sizeof(opt));
	opt.psl_file = cfg->psl_file[0] ? cfg->psl_file : NULL;
	if ((k->index = lookalike_index_new(&opt, err, errlen)) == NULL ||
	    known_configure(k, cfg, pool, err, errlen) == -1) {
		known_unref(k);
		return NULL;
	}
	return k;
}

struct known *
known_ref(struct known *k)
{
	atomic_fetch_add(&k->refs, 1);
	return k;
}

void
known_unref(struct known *k)
{
	if (k == NULL || atomic_fetch_sub(&k->refs, 1) != 1)
		return;
	if (k->running) {
		pthread_mutex_lock(&k->lock);
		k->stopping = 1;
		pthread_cond_signal(&k->wake);
		pthread_mutex_unlock(&k->lock);
		pthread_join(k->thread, NULL);
	}
	lookalike_index_free(k->index);
	state_pool_unref(k->pool);
	free_names(k->protected, k->nprotected);
	free(k->pflags);
	pthread_cond_destroy(&k->wake);
	pthread_mutex_destroy(&k->readlock);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

int
known_configure(struct known *k, const struct config *cfg,
    struct state_pool *pool, char *err, size_t errlen)
{
	char **names, **old;
	unsigned char *flags, *oldflags;
	size_t n, nold, i;

	if (protected_names(cfg, &names, &flags, &n) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* a partner now only protected loses PARTNER */
		if (!(flags[i] & LOOKALIKE_PARTNER))
			(void)lookalike_index_remove(k->index, names[i],
			    LOOKALIKE_PARTNER);
		if (lookalike_index_add(k->index, names[i], flags[i], err,
		    errlen) == -1) {
			free_names(names, n);
			free(flags);
			return -1;
		}
	}
	if (n > 0 && lookalike_index_merge(k->index, err, errlen) == -1) {
		free_names(names, n);
		free(flags);
		return -1;
	}
	pthread_mutex_lock(&k->lock);
	old = k->protected;
	oldflags = k->pflags;
	nold = k->nprotected;
	k->protected = names;
	k->pflags = flags;
	k->nprotected = n;
	if (pool != k->pool) {
		state_pool_unref(k->pool);
		k->pool = pool != NULL ? state_pool_ref(pool) : NULL;
	}
	k->period_s = cfg->state_known_refresh_s;
	pthread_cond_signal(&k->wake);
	pthread_mutex_unlock(&k->lock);
	for (i = 0; i < nold; i++)
		if (!in_list(names, n, old[i]))
			(void)lookalike_index_remove(k->index, old[i],
			    LOOKALIKE_PROTECTED | LOOKALIKE_PARTNER);
	free_names(old, nold);
	free(oldflags);
	return 0;
}

static int
add_one(const char *domain, time_t since, void *arg)
{
	struct known *k = arg;
	char err[128];

	(void)since;
	/* A name the index refuses (not a domain) is skipped; only memory
	 * stops the read. */
	if (lookalike_index_add(k->index, domain, LOOKALIKE_KNOWN, err,
	    sizeof(err)) == -1 && strstr(err, "memory") != NULL)
		return -1;
	return 0;
}

int
known_load(struct known *k, char *err, size_t errlen)
{
	struct state_pool *pool;
	time_t since, next;
	int r;

	pthread_mutex_lock(&k->readlock);
	pthread_mutex_lock(&k->lock);
	pool = k->pool != NULL ? state_pool_ref(k->pool) : NULL;
	since = k->since;
	pthread_mutex_unlock(&k->lock);
	if (pool == NULL) {
		pthread_mutex_unlock(&k->readlock);
		return 0;
	}
	next = since;
	r = state_known_since(pool, since, add_one, k, &next, err, errlen);
	state_pool_unref(pool);
	if (r == 0) {
		pthread_mutex_lock(&k->lock);
		k->since = next;
		pthread_mutex_unlock(&k->lock);
		r = lookalike_index_merge(k->index, err, errlen);
	}
	pthread_mutex_unlock(&k->readlock);
	return r;
}

static void *
refresher(void *arg)
{
	struct known *k = arg;
	struct timespec until;
	char err[256];
	int failed = 0;

	for (;;) {
		if (known_load(k, err, sizeof(err)) == -1) {
			/* Say it once per outage, not every period. */
			if (!failed)
				log_warning(NULL, "known correspondents: %s: "
				    "lookalike checks use what was read "
				    "before", err);
			failed = 1;
		} else {
			failed = 0;
		}
		pthread_mutex_lock(&k->lock);
		/* A reload may change the period (0: no more reads) and
		 * wakes us: start the wait again with the new one. */
		for (;;) {
			unsigned period = k->period_s;

			if (k->stopping)
				break;
			if (period == 0) {
				pthread_cond_wait(&k->wake, &k->lock);
				continue;
			}
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += period;
			while (!k->stopping && period == k->period_s &&
			    pthread_cond_timedwait(&k->wake, &k->lock,
			    &until) != ETIMEDOUT)
				;
			if (k->stopping || period == k->period_s)
				break;
		}
		if (k->stopping) {
			pthread_mutex_unlock(&k->lock);
			return NULL;
		}
		pthread_mutex_unlock(&k->lock);
	}
}

int
known_start(struct known *k)
{
	if (k->running)
		return 0;
	if (pthread_create(&k->thread, NULL, refresher, k) != 0)
		return -1;
	k->running = 1;
	return 0;
}

struct lookalike_index *
known_index(struct known *k)
{
	return k->index;
}
