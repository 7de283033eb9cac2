/*
 * test_deadline.c - the scan deadline and its CPU budget (deadline.c):
 * the budget still stops a busy thread, time spent not running does not
 * count, and checks well inside the budget do not read the thread's CPU
 * clock (a system call on Linux; issue 15).  clock_gettime is wrapped
 * (-Wl,--wrap) to count the readings of each clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "util/deadline.h"

int __real_clock_gettime(clockid_t, struct timespec *);
int __wrap_clock_gettime(clockid_t, struct timespec *);

static unsigned long cpu_reads;
static int mono_broken;		/* CLOCK_MONOTONIC fails */

int
__wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	if (id == CLOCK_THREAD_CPUTIME_ID)
		cpu_reads++;
	if (id == CLOCK_MONOTONIC && mono_broken)
		return -1;
	return __real_clock_gettime(id, ts);
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* A thread that only computes is stopped once its budget is spent: not
 * before, and not much after. */
static void
budget_stops_a_busy_thread(void **state)
{
	struct deadline d;
	volatile unsigned long spin = 0;
	long long c0;

	(void)state;
	deadline_start(&d, 60000);
	c0 = deadline_cpu_ms();
	deadline_cpu_budget(&d, 30);
	while (!deadline_passed(&d))
		spin++;
	assert_true(deadline_cpu_ms() - c0 >= 29);
	assert_true(deadline_cpu_ms() - c0 < 200);
	assert_int_equal(deadline_passed(&d), 1);	/* remembered */
}

/* Time the thread spends asleep is not CPU: 60 ms asleep leave a 30 ms
 * budget unspent, and computing then still spends it. */
static void
sleeping_spends_no_budget(void **state)
{
	struct deadline d;
	volatile unsigned long spin = 0;
	long long c0;

	(void)state;
	deadline_start(&d, 0);
	deadline_cpu_budget(&d, 30);
	c0 = deadline_cpu_ms();
	nap_ms(60);
	assert_int_equal(deadline_passed(&d), 0);
	while (!deadline_passed(&d))
		spin++;
	assert_true(deadline_cpu_ms() - c0 >= 29);
}

/* Checks inside the budget's first stretch answer from the monotonic
 * clock alone; the CPU clock is read again only once as much wall time
 * as the budget had left has passed, so a long busy scan reads it a
 * handful of times, not once per check. */
static void
cpu_clock_read_only_when_budget_may_be_spent(void **state)
{
	struct deadline d;
	unsigned long i, n = 0;

	(void)state;
	deadline_start(&d, 60000);
	deadline_cpu_budget(&d, 5000);
	cpu_reads = 0;
	for (i = 0; i < 100000; i++)
		n += (unsigned long)deadline_passed(&d);
	assert_int_equal(n, 0);
	assert_int_equal(cpu_reads, 0);

	/* a budget of 20 ms spent by spinning: each reading leaves a
	 * remainder, each remainder is waited out on the monotonic clock */
	deadline_start(&d, 60000);
	deadline_cpu_budget(&d, 20);
	cpu_reads = 0;
	for (i = 0; !deadline_passed(&d); i++)
		;
	assert_true(i > 1000);
	assert_true(cpu_reads >= 1);
	assert_true(cpu_reads < 64);
}

/* The wall deadline still wins on its own, with or without a budget. */
static void
wall_deadline_still_passes(void **state)
{
	struct deadline d;

	(void)state;
	deadline_start(&d, 20);
	deadline_cpu_budget(&d, 60000);
	assert_int_equal(deadline_passed(&d), 0);
	nap_ms(40);
	assert_int_equal(deadline_passed(&d), 1);
	deadline_start(&d, 0);
	assert_int_equal(deadline_passed(&d), 0);
	assert_int_equal(deadline_passed(NULL), 0);
}

/* A monotonic clock that cannot be read does not switch the CPU budget
 * off: the budget is then judged by the CPU clock alone. */
static void
budget_holds_without_the_monotonic_clock(void **state)
{
	struct deadline d;
	volatile unsigned long spin = 0;
	long long c0;

	(void)state;
	mono_broken = 1;
	deadline_start(&d, 0);
	deadline_cpu_budget(&d, 20);
	c0 = deadline_cpu_ms();
	while (!deadline_passed(&d) && deadline_cpu_ms() - c0 < 2000)
		spin++;
	mono_broken = 0;
	assert_int_equal(deadline_passed(&d), 1);
	assert_true(deadline_cpu_ms() - c0 >= 19);
	assert_true(deadline_cpu_ms() - c0 < 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(budget_stops_a_busy_thread),
		cmocka_unit_test(sleeping_spends_no_budget),
		cmocka_unit_test(cpu_clock_read_only_when_budget_may_be_spent),
		cmocka_unit_test(wall_deadline_still_passes),
		cmocka_unit_test(budget_holds_without_the_monotonic_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
