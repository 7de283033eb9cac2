/*
 * statecount.c - the daily counters of a report's window (see
 * statecount.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/statestats.h"
#include "statecount.h"
#include "util/arena.h"

static void
day_of(time_t t, char *key, size_t keylen, char *shown, size_t shownlen)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(key, keylen, "%Y%m%d", &tm);
	strftime(shown, shownlen, "%Y-%m-%d", &tm);
}

static struct statecount *sort_ctx;

static int
by_value(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	const struct statecount *c = sort_ctx;

	if (c->values[a] != c->values[b])
		return c->values[a] > c->values[b] ? -1 : 1;
	return strcmp(c->names[a], c->names[b]);
}

int
statecount_read(struct state_pool *p, time_t since, time_t until,
    struct arena *a, struct statecount *out, char *err, size_t errlen)
{
	const char **names, **f;
	unsigned long long *values, *v;
	size_t cap = 0, n = 0, nf, i, j, *order;
	char key[16], shown[16], last[16] = "";
	time_t t;

	memset(out, 0, sizeof(*out));
	if (until - since > (time_t)STATECOUNT_DAYS_MAX * 86400)
		since = until - (time_t)(STATECOUNT_DAYS_MAX - 1) * 86400;
	names = NULL;
	values = NULL;
	day_of(since, key, sizeof(key), out->first_day,
	    sizeof(out->first_day));
	for (t = since;; t += 86400) {
		if (t > until)
			t = until;
		day_of(t, key, sizeof(key), shown, sizeof(shown));
		/* Steps of 24 h from since, then until itself: until can
		 * fall on the day the last step did (a window a little
		 * over whole days), which is summed once. */
		if (strcmp(key, last) == 0)
			goto next;
		memcpy(last, key, sizeof(last));
		if (state_stats_get(p, key, a, &f, &v, &nf, err, errlen) == -1)
			return -1;
		for (i = 0; i < nf; i++) {
			for (j = 0; j < n && strcmp(names[j], f[i]) != 0; j++)
				;
			if (j == n) {
				if (n == cap) {
					const char **nn;
					unsigned long long *nv;

					cap = cap ? cap * 2 : 64;
					if ((nn = arena_calloc(a, cap,
					    sizeof(*nn))) == NULL ||
					    (nv = arena_calloc(a, cap,
					    sizeof(*nv))) == NULL)
						goto oom;
					if (n > 0) {
						memcpy(nn, names, n *
						    sizeof(*nn));
						memcpy(nv, values, n *
						    sizeof(*nv));
					}
					names = nn;
					values = nv;
				}
				names[n++] = f[i];
			}
			values[j] += v[i];
		}
next:
		if (t == until)
			break;
	}
	memcpy(out->last_day, shown, sizeof(out->last_day));
	out->n = n;
	if (n == 0)
		return 0;
	if ((order = calloc(n, sizeof(*order))) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		order[i] = i;
	out->names = names;
	out->values = values;
	sort_ctx = out;			/* one thread: the tool */
	qsort(order, n, sizeof(*order), by_value);
	if ((out->names = arena_calloc(a, n, sizeof(*out->names))) == NULL ||
	    (out->values = arena_calloc(a, n, sizeof(*out->values))) ==
	    NULL) {
		free(order);
		goto oom;
	}
	for (i = 0; i < n; i++) {
		out->names[i] = names[order[i]];
		out->values[i] = values[order[i]];
	}
	free(order);
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}
