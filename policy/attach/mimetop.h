/*
 * mimetop.h - which header fields of a spool's own header block the MIME
 * walk leaves out of GMime's sight (internal to mime.c; the rules are in
 * mimetop.c).
 */
#ifndef RW_MIMETOP_H
#define RW_MIMETOP_H

#include <stddef.h>

struct arena;
struct deadline;
struct mimescan;
struct spool;
struct spool_hole;

/* Runs of fields left out: adjacent fields make one run. */
#define MIMETOP_MAX_HOLES	64

/* The runs of fields of sp's own header block, as GMime will see it
 * (ms from mimescan_prepare: its cut and patches), that GMime need not
 * see, for spool_stream_holes: *holes (arena memory, ascending) and
 * *nholes, none when the deadline has passed.  0, or -1 when out of
 * memory. */
int mimetop_holes(struct spool *sp, const struct mimescan *ms,
    struct deadline *dl, struct arena *a, struct spool_hole **holes,
    size_t *nholes);

#endif
