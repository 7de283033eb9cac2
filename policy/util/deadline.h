/*
 * deadline.h - a point in time after which a scan stops (the attachment
 * time limit), and optionally a budget of CPU time of the calling thread
 * (the attachment CPU limit).  Checked in every loop of mime.c, arch.c,
 * office.c and html.c and in each read of their streams, so no hostile
 * input can keep a thread busy much past it.
 * A deadline belongs to one scan (one thread: the CPU budget counts the
 * CPU time of the thread that started it, CLOCK_THREAD_CPUTIME_ID); the
 * wall clock is CLOCK_MONOTONIC, so a change of the wall clock does not
 * move it.
 */
#ifndef RW_DEADLINE_H
#define RW_DEADLINE_H

#include <time.h>

struct deadline {
	long long end_ns;		/* monotonic; 0 = never */
	long long cpu_end_ns;		/* thread CPU; 0 = no budget */
	long long cpu_check_ns;		/* monotonic: no budget spent before */
	int hit;			/* set once deadline_passed said 1 */
};

/* Starts a deadline ms milliseconds from now; 0 means none.  Clears any
 * CPU budget. */
void deadline_start(struct deadline *, unsigned ms);
/* Adds a budget of ms milliseconds of this thread's CPU time from now
 * (0: none); the deadline passes at whichever comes first.  Call it on
 * the thread that will check the deadline. */
void deadline_cpu_budget(struct deadline *, unsigned ms);
/* 1 when the deadline has passed (and remembers it), else 0.  NULL is a
 * deadline that never passes. */
int deadline_passed(struct deadline *);
/* Milliseconds since an arbitrary monotonic origin (for measurements). */
long long deadline_now_ms(void);
/* CPU time of the calling thread in milliseconds (for measurements). */
long long deadline_cpu_ms(void);
/* Nanoseconds on the same monotonic clock (deadlines kept as a count). */
long long deadline_now_ns(void);
/* ms milliseconds from now on the monotonic clock, as
 * pthread_cond_timedwait wants it when the condition variable is set to
 * CLOCK_MONOTONIC (dns.c, statepool.c). */
struct timespec deadline_mono_after(unsigned ms);

#endif
