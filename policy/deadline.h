/*
 * deadline.h - a point in time after which a scan stops (the attachment
 * time limit).  Checked in every loop of mime.c, arch.c, office.c and
 * html.c and in each read of their streams, so no hostile input can keep
 * a thread busy much past it.
 * A deadline belongs to one scan (one thread); the clock is
 * CLOCK_MONOTONIC, so a change of the wall clock does not move it.
 */
#ifndef RW_DEADLINE_H
#define RW_DEADLINE_H

struct deadline {
	long long end_ns;		/* monotonic; 0 = never */
	int hit;			/* set once deadline_passed said 1 */
};

/* Starts a deadline ms milliseconds from now; 0 means none. */
void deadline_start(struct deadline *, unsigned ms);
/* 1 when the deadline has passed (and remembers it), else 0.  NULL is a
 * deadline that never passes. */
int deadline_passed(struct deadline *);
/* Milliseconds since an arbitrary monotonic origin (for measurements). */
long long deadline_now_ms(void);

#endif
