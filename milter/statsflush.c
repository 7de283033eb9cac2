/*
 * statsflush.c - the daily verdict counters into Redis (statsflush.h).
 *
 * One thread.  It reads the process's counters (atomics), keeps the
 * values it last added, and sends the difference; the day is the UTC
 * date when it sends (a flush just after midnight counts the last
 * seconds of the day before in the new one: at most stats_flush_s).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "policy.h"
#include "reload.h"
#include "rules/rules.h"
#include "state/statestats.h"
#include "statsflush.h"
#include "util/log.h"
#include "util/metrics.h"
#include "verdict/verdict.h"

#define NFIELDS	(METRICS_ACTIONS + RULE_COUNT)

struct statsflush {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	unsigned long long sent[NFIELDS];	/* what Redis has */
	const char *fields[NFIELDS];
	char names[NFIELDS][80];
};

/* One addition of what moved; 0 when done or nothing to do. */
static int
flush(struct statsflush *f)
{
	struct metrics *m = metrics_get();
	unsigned long long now[NFIELDS], delta[NFIELDS];
	struct policy *pol;
	struct state_pool *pool;
	char day[16], err[256];
	time_t t = time(NULL);
	struct tm tm;
	size_t i;
	int rc = 0, any = 0;

	for (i = 0; i < METRICS_ACTIONS; i++)
		now[i] = atomic_load(&m->action[i]);
	for (i = 0; i < RULE_COUNT; i++)
		now[METRICS_ACTIONS + i] = atomic_load(&m->reason[i]);
	for (i = 0; i < NFIELDS; i++) {
		delta[i] = now[i] - f->sent[i];
		any |= delta[i] != 0;
	}
	if (!any || (pol = reload_current()) == NULL)
		return 0;
	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	if ((pool = policy_state_pool(pol)) != NULL &&
	    policy_config(pol)->state_enable) {
		if (state_stats_add(pool, day, f->fields, delta, NFIELDS, err,
		    sizeof(err)) == 0)
			memcpy(f->sent, now, sizeof(now));
		else {
			log_warning(NULL, "daily counters not added (kept "
			    "for the next try): %s", err);
			rc = -1;
		}
	} else
		memcpy(f->sent, now, sizeof(now));	/* state off */
	policy_unref(pol);
	return rc;
}

static unsigned
interval_s(void)
{
	struct policy *pol = reload_current();
	unsigned s = 60;

	if (pol != NULL) {
		s = policy_config(pol)->stats_flush_s;
		policy_unref(pol);
	}
	return s > 0 ? s : 60;
}

static void *
run(void *arg)
{
	struct statsflush *f = arg;
	struct timespec until;

	pthread_mutex_lock(&f->lock);
	while (!f->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += interval_s();
		while (!f->stop && pthread_cond_timedwait(&f->cond, &f->lock,
		    &until) == 0)
			;
		pthread_mutex_unlock(&f->lock);
		(void)flush(f);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

struct statsflush *
statsflush_start(void)
{
	struct statsflush *f;
	size_t i;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		log_err(NULL, "daily counters: out of memory");
		return NULL;
	}
	for (i = 0; i < METRICS_ACTIONS; i++)
		snprintf(f->names[i], sizeof(f->names[i]), "action:%s",
		    verdict_action_name((enum verdict_action)i));
	for (i = 0; i < RULE_COUNT; i++)
		snprintf(f->names[METRICS_ACTIONS + i], sizeof(f->names[0]),
		    "reason:%s", rules_table[i].name);
	for (i = 0; i < NFIELDS; i++)
		f->fields[i] = f->names[i];
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (pthread_create(&f->thread, NULL, run, f) != 0) {
		log_err(NULL, "daily counters: cannot start their thread");
		pthread_cond_destroy(&f->cond);
		pthread_mutex_destroy(&f->lock);
		free(f);
		return NULL;
	}
	return f;
}

void
statsflush_stop(struct statsflush *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = 1;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}
