/*
 * metricsout.c - the Prometheus text exposition of the daemon's counters
 * and their update at the end of each message (see metricsout.h).
 *
 * Exports metricsout_*.  No state of its own: the counters are
 * util/metrics.c's (atomics, any thread); a render allocates its buffer
 * (malloc, grown by doubling, capped at METRICSOUT_MAX bytes).
 * The names are rules_table's, verdict_action_name's and
 * auth_result_name's: stable words, escaped anyway (a label value must
 * never be able to end its quotes).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/metrics.h"
#include "auth/auth.h"
#include "rules/rules.h"
#include "verdict/verdict.h"
#include "policy.h"
#include "metricsout.h"

#define METRICSOUT_MAX	(1024 * 1024)

_Static_assert(RULE_COUNT <= METRICS_REASONS, "METRICS_REASONS too small");
_Static_assert(VERDICT_TEMPFAIL < METRICS_ACTIONS, "METRICS_ACTIONS");
_Static_assert(AUTH_PERMERROR < METRICS_AUTH_RESULTS, "METRICS_AUTH");

/* DKIM per message: pass when any signature passed, none when unsigned,
 * else the first signature's result. */
static unsigned
dkim_summary(const struct dkim_results *d)
{
	size_t i;

	if (d->count == 0)
		return AUTH_NONE;
	for (i = 0; i < d->count; i++)
		if (d->sigs[i].result == AUTH_PASS)
			return AUTH_PASS;
	return d->sigs[0].result;
}

void
metricsout_record(const struct evaluation *e, unsigned action)
{
	size_t i;

	metrics_count_action(action);
	if (e == NULL)
		return;
	for (i = 0; i < e->verdict.nreasons; i++)
		metrics_count_reason(e->verdict.reasons[i].id);
	/* Outbound mail skips the checks (outbound.h): nothing to say. */
	if (e->outbound != OUTBOUND_NO)
		return;
	metrics_count_auth(METRICS_SPF, e->spf.result);
	metrics_count_auth(METRICS_DKIM, dkim_summary(&e->dkim));
	metrics_count_auth(METRICS_DMARC, e->dmarc.result);
}

size_t
metricsout_escape(const char *s, char *out, size_t outlen)
{
	size_t n = 0;
	const char *rep;
	char one[2];

	for (; *s != '\0'; s++) {
		if (*s == '\\')
			rep = "\\\\";
		else if (*s == '"')
			rep = "\\\"";
		else if (*s == '\n')
			rep = "\\n";
		else {
			one[0] = *s;
			one[1] = '\0';
			rep = one;
		}
		for (; *rep != '\0'; rep++, n++)
			if (n + 1 < outlen)
				out[n] = *rep;
	}
	if (outlen > 0)
		out[n < outlen ? n : outlen - 1] = '\0';
	return n;
}

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void __attribute__((format(printf, 2, 3)))
put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t ncap;
	char *np;
	int n;

	for (;;) {
		if (b->failed)
			return;
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		ncap = b->cap * 2;
		if (ncap > METRICSOUT_MAX || (np = realloc(b->p, ncap)) ==
		    NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

static void
head(struct buf *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{label="value"} n, the value escaped. */
static void
labelled(struct buf *b, const char *name, const char *label,
    const char *value, unsigned long long n)
{
	char esc[256];

	metricsout_escape(value, esc, sizeof(esc));
	put(b, "%s{%s=\"%s\"} %llu\n", name, label, esc, n);
}

static unsigned long long
get(const atomic_ullong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void
histogram(struct buf *b, const struct metrics_hist_data *h,
    const char *name, const char *help)
{
	unsigned long long cum = 0, count;
	size_t i;

	head(b, name, "histogram", help);
	/* Read one by one while messages are counted: +Inf and _count are
	 * made equal and never below the buckets' sum, as the format asks. */
	for (i = 0; i < METRICS_BUCKETS; i++) {
		cum += get(&h->bucket[i]);
		put(b, "%s_bucket{le=\"%g\"} %llu\n", name,
		    metrics_bucket_ms[i] / 1000.0, cum);
	}
	cum += get(&h->bucket[METRICS_BUCKETS]);
	count = get(&h->count);
	if (count < cum)
		count = cum;
	put(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, count);
	put(b, "%s_sum %.6f\n", name, get(&h->sum_us) / 1e6);
	put(b, "%s_count %llu\n", name, count);
}

static const char *const worker_causes[METRICS_WORKER_CAUSES] = {
	"died", "killed", "retired", "recycled",
};

static const char *const breaker_help =
    "Redis circuit breaker: 0 closed, 1 open, 2 half-open";

static void
auth(struct buf *b, const struct metrics *m, enum metrics_auth k,
    const char *name, const char *help)
{
	unsigned r;

	head(b, name, "counter", help);
	for (r = 0; r <= AUTH_PERMERROR; r++)
		labelled(b, name, "result", auth_result_name(r),
		    get(&m->auth[k][r]));
}

char *
metricsout_render(const struct metrics *m, size_t *len)
{
	struct buf b = { NULL, 0, 8192, 0 };
	const char *n;
	unsigned i;

	if ((b.p = malloc(b.cap)) == NULL)
		return NULL;
	n = "relaywarden_messages_total";
	head(&b, n, "counter", "Messages finished, by the action the MTA "
	    "was told");
	for (i = 0; i <= VERDICT_TEMPFAIL; i++)
		labelled(&b, n, "action", verdict_action_name(i),
		    get(&m->action[i]));
	n = "relaywarden_reasons_total";
	head(&b, n, "counter", "Messages whose verdict carries the reason "
	    "(dry-run rules included)");
	for (i = 0; i < RULE_COUNT; i++)
		labelled(&b, n, "reason", rules_table[i].name,
		    get(&m->reason[i]));
	auth(&b, m, METRICS_SPF, "relaywarden_spf_results_total",
	    "Inbound messages by SPF result of MAIL FROM");
	auth(&b, m, METRICS_DKIM, "relaywarden_dkim_results_total",
	    "Inbound messages by DKIM result (pass if any signature passed)");
	auth(&b, m, METRICS_DMARC, "relaywarden_dmarc_results_total",
	    "Inbound messages by DMARC result");
	histogram(&b, &m->hist[METRICS_H_MESSAGE],
	    "relaywarden_message_duration_seconds",
	    "Time from end of data to the verdict given to the MTA");
	histogram(&b, &m->hist[METRICS_H_DNS],
	    "relaywarden_dns_lookup_duration_seconds",
	    "Time of each DNS lookup (CNAME hops included)");
	histogram(&b, &m->hist[METRICS_H_REDIS],
	    "relaywarden_redis_call_duration_seconds",
	    "Time of each Redis call, waiting for a connection included");
	n = "relaywarden_dns_errors_total";
	head(&b, n, "counter", "DNS lookups that ended in a temporary "
	    "error (timeout, SERVFAIL, resolver failure)");
	put(&b, "%s %llu\n", n, get(&m->dns_errors));
	n = "relaywarden_redis_errors_total";
	head(&b, n, "counter", "Redis calls that failed (breaker open, no "
	    "connection, error reply)");
	put(&b, "%s %llu\n", n, get(&m->redis_errors));
	n = "relaywarden_redis_breaker_state";
	head(&b, n, "gauge", breaker_help);
	put(&b, "%s %d\n", n, atomic_load(&m->breaker));
	n = "relaywarden_attach_worker_starts_total";
	head(&b, n, "counter", "Sandboxed attachment workers started");
	put(&b, "%s %llu\n", n, get(&m->worker_starts));
	n = "relaywarden_attach_worker_restarts_total";
	head(&b, n, "counter", "Sandboxed attachment workers ended and "
	    "replaced, by cause");
	for (i = 0; i < METRICS_WORKER_CAUSES; i++)
		labelled(&b, n, "cause", worker_causes[i],
		    get(&m->worker_ends[i]));
	n = "relaywarden_messages_in_flight";
	head(&b, n, "gauge", "Messages begun (MAIL FROM) and not yet ended");
	put(&b, "%s %lld\n", n, atomic_load(&m->in_flight));
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
