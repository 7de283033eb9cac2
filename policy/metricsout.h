/*
 * metricsout.h - the counters of util/metrics.h as the Prometheus text
 * exposition format (version 0.0.4), and the per-message update from an
 * evaluation (issue 14 item 2).  Names, labels and what each counts:
 * README, "Metrics".
 */
#ifndef RW_METRICSOUT_H
#define RW_METRICSOUT_H

#include <stddef.h>

struct evaluation;
struct metrics;

/* Counts one finished message: the action the MTA was told (enum
 * verdict_action: the tempfail of a failed header edit included), its
 * reasons, and (inbound mail) its SPF, DKIM and DMARC results.  e may be
 * NULL (a message that ended before it was evaluated: action only). */
void metricsout_record(const struct evaluation *e, unsigned action);

/* The whole exposition of m.  Returns malloc memory (the caller frees
 * with free()) of *len bytes, or NULL when out of memory. */
char *metricsout_render(const struct metrics *m, size_t *len);

/* s as a label value between double quotes: backslash, double quote and
 * line feed escaped as the format asks.  Writes at most outlen bytes
 * with the NUL; returns the length it needed (as snprintf), so a result
 * >= outlen means it was cut. */
size_t metricsout_escape(const char *s, char *out, size_t outlen);

#endif
