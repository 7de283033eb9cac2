/*
 * metrics.h - the daemon's counters for the Prometheus endpoint (issue 14
 * item 2): one process-wide struct of C11 atomics, written where events
 * happen (end of message, DNS lookup, Redis call, attachment worker), read
 * by the exposition (policy/metricsfmt.h) from any thread.  Lock-free:
 * every update is one relaxed atomic add or store; a scrape may see one
 * message's counters half-updated, never a torn value.
 *
 * Indexes, not names: this layer knows no rule or action names (util/ is
 * the bottom of policy/); metricsfmt.c maps them.  An index out of range
 * is ignored.  Nothing here allocates, so counting can never fail a
 * message.
 */
#ifndef RW_METRICS_H
#define RW_METRICS_H

#include <stdatomic.h>

#define METRICS_ACTIONS		5	/* enum verdict_action */
#define METRICS_REASONS		128	/* >= RULE_COUNT (checked) */
#define METRICS_AUTH_RESULTS	8	/* enum auth_result */
#define METRICS_BUCKETS		12	/* metrics_bucket_ms */

enum metrics_auth { METRICS_SPF = 0, METRICS_DKIM, METRICS_DMARC,
    METRICS_AUTH_KINDS };

enum metrics_hist { METRICS_H_MESSAGE = 0, METRICS_H_DNS, METRICS_H_REDIS,
    METRICS_HISTS };

enum metrics_worker { METRICS_W_DIED = 0,	/* found dead while idle */
    METRICS_W_KILLED,			/* failed or timed out a scan */
    METRICS_W_RETIRED,			/* killed after a suspect walk */
    METRICS_W_RECYCLED,			/* retired by itself */
    METRICS_WORKER_CAUSES };

struct metrics_hist_data {
	atomic_ullong bucket[METRICS_BUCKETS + 1];	/* last: +Inf */
	atomic_ullong count;
	atomic_ullong sum_us;
};

struct metrics {
	atomic_ullong action[METRICS_ACTIONS];
	atomic_ullong reason[METRICS_REASONS];
	atomic_ullong auth[METRICS_AUTH_KINDS][METRICS_AUTH_RESULTS];
	struct metrics_hist_data hist[METRICS_HISTS];
	atomic_ullong dns_errors;		/* lookups ending temperror */
	atomic_ullong redis_errors;		/* calls that failed */
	atomic_int breaker;			/* enum state_breaker */
	atomic_ullong worker_starts;
	atomic_ullong worker_ends[METRICS_WORKER_CAUSES];
	atomic_llong in_flight;			/* messages begun, not ended */
};

/* The upper bounds of the latency buckets, in milliseconds. */
extern const unsigned metrics_bucket_ms[METRICS_BUCKETS];

/* The process's counters (for the exposition and the tests). */
struct metrics *metrics_get(void);

void metrics_count_action(unsigned action);
void metrics_count_reason(unsigned reason);
void metrics_count_auth(enum metrics_auth kind, unsigned result);
/* One duration of us microseconds into histogram h. */
void metrics_observe_us(enum metrics_hist h, long long us);
void metrics_count_dns_error(void);
void metrics_count_redis_error(void);
void metrics_set_breaker(int state);
void metrics_count_worker_start(void);
void metrics_count_worker_end(enum metrics_worker cause);
/* A message begins (+1) or ends (-1): the in-flight gauge. */
void metrics_in_flight(int delta);

/* Monotonic microseconds, for the timers around the measured calls. */
long long metrics_now_us(void);

#endif
