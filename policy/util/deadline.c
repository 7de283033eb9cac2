/*
 * deadline.c - the scan deadline and CPU budget (see deadline.h).
 * Exports deadline_*.  No shared state.
 */
#include <time.h>

#include "util/deadline.h"

static long long
clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
deadline_start(struct deadline *d, unsigned ms)
{
	d->hit = 0;
	d->cpu_end_ns = d->cpu_check_ns = 0;
	d->end_ns = ms == 0 ? 0 : clock_ns(CLOCK_MONOTONIC) +
	    (long long)ms * 1000000LL;
}

void
deadline_cpu_budget(struct deadline *d, unsigned ms)
{
	long long ns = (long long)ms * 1000000LL;

	d->cpu_end_ns = ms == 0 ? 0 : clock_ns(CLOCK_THREAD_CPUTIME_ID) + ns;
	d->cpu_check_ns = ms == 0 ? 0 : clock_ns(CLOCK_MONOTONIC) + ns;
}

/*
 * A thread runs on one core at a time, so its CPU clock cannot gain on
 * the monotonic clock: with r nanoseconds of the budget left at a
 * reading, the budget cannot be spent before r more monotonic
 * nanoseconds have passed.  Until then the monotonic clock (vDSO, no
 * system call) answers alone; reading the thread's CPU clock is a system
 * call on Linux (about 14 us of every message in the attachment worker
 * when read on every check, issue 15).  A monotonic clock that cannot be
 * read (0) bounds nothing: the CPU clock is read then.
 */
int
deadline_passed(struct deadline *d)
{
	long long now, cpu;

	if (d == NULL || (d->end_ns == 0 && d->cpu_end_ns == 0))
		return 0;
	if (d->hit)
		return 1;
	now = clock_ns(CLOCK_MONOTONIC);
	if (d->end_ns != 0 && now >= d->end_ns)
		d->hit = 1;
	else if (d->cpu_end_ns != 0 && (now == 0 || now >= d->cpu_check_ns)) {
		cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		if (cpu >= d->cpu_end_ns)
			d->hit = 1;
		else
			d->cpu_check_ns = now + (d->cpu_end_ns - cpu);
	}
	return d->hit;
}

long long
deadline_now_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000LL;
}

long long
deadline_cpu_ms(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID) / 1000000LL;
}

long long
deadline_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

struct timespec
deadline_mono_after(unsigned ms)
{
	long long t = clock_ns(CLOCK_MONOTONIC) + (long long)ms * 1000000LL;
	struct timespec ts;

	ts.tv_sec = (time_t)(t / 1000000000LL);
	ts.tv_nsec = (long)(t % 1000000000LL);
	return ts;
}
