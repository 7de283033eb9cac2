/*
 * lkmerge.h - folds the lookalike index's delta into a new base (internal
 * to lookalike.c and lkindex.c; the thread rule is lkindex.c's).
 */
#ifndef RW_LKMERGE_H
#define RW_LKMERGE_H

struct lookalike_index;

/* Builds a new base from base and delta and swaps it in with an empty
 * delta (writer mutex held; readers continue meanwhile).  0, or -1 when
 * out of memory (then nothing changed). */
int lkmerge_run(struct lookalike_index *);

#endif
