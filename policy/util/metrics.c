/*
 * metrics.c - the process-wide counters (see metrics.h).  Exports
 * metrics_*.  Owns one static struct metrics, zero at start; every
 * function is one relaxed atomic operation (safe from any thread, no
 * lock, no allocation).
 */
#include <stdatomic.h>
#include <time.h>

#include "util/metrics.h"

const unsigned metrics_bucket_ms[METRICS_BUCKETS] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
};

static struct metrics counters;

struct metrics *
metrics_get(void)
{
	return &counters;
}

static void
inc(atomic_ullong *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

void
metrics_count_action(unsigned action)
{
	if (action < METRICS_ACTIONS)
		inc(&counters.action[action]);
}

void
metrics_count_reason(unsigned reason)
{
	if (reason < METRICS_REASONS)
		inc(&counters.reason[reason]);
}

void
metrics_count_auth(enum metrics_auth kind, unsigned result)
{
	if ((unsigned)kind < METRICS_AUTH_KINDS &&
	    result < METRICS_AUTH_RESULTS)
		inc(&counters.auth[kind][result]);
}

void
metrics_observe_us(enum metrics_hist h, long long us)
{
	struct metrics_hist_data *d;
	size_t i;

	if ((unsigned)h >= METRICS_HISTS)
		return;
	if (us < 0)
		us = 0;
	d = &counters.hist[h];
	/* Cumulative buckets are summed at scrape time: each observation
	 * goes into its first bucket only. */
	for (i = 0; i < METRICS_BUCKETS; i++)
		if (us <= (long long)metrics_bucket_ms[i] * 1000)
			break;
	inc(&d->bucket[i]);
	atomic_fetch_add_explicit(&d->sum_us, (unsigned long long)us,
	    memory_order_relaxed);
	inc(&d->count);
}

void
metrics_count_dns_error(void)
{
	inc(&counters.dns_errors);
}

void
metrics_count_redis_error(void)
{
	inc(&counters.redis_errors);
}

void
metrics_set_breaker(int state)
{
	atomic_store_explicit(&counters.breaker, state, memory_order_relaxed);
}

void
metrics_count_worker_start(void)
{
	inc(&counters.worker_starts);
}

void
metrics_count_worker_end(enum metrics_worker cause)
{
	if ((unsigned)cause < METRICS_WORKER_CAUSES)
		inc(&counters.worker_ends[cause]);
}

void
metrics_in_flight(int delta)
{
	atomic_fetch_add_explicit(&counters.in_flight, delta,
	    memory_order_relaxed);
}

long long
metrics_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
