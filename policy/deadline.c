/*
 * deadline.c - the scan deadline (see deadline.h).
 * Exports deadline_*.  No shared state.
 */
#include <time.h>

#include "deadline.h"

static long long
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
deadline_start(struct deadline *d, unsigned ms)
{
	d->hit = 0;
	d->end_ns = ms == 0 ? 0 : now_ns() + (long long)ms * 1000000LL;
}

int
deadline_passed(struct deadline *d)
{
	if (d == NULL || d->end_ns == 0)
		return 0;
	if (d->hit)
		return 1;
	if (now_ns() >= d->end_ns)
		d->hit = 1;
	return d->hit;
}

long long
deadline_now_ms(void)
{
	return now_ns() / 1000000LL;
}
