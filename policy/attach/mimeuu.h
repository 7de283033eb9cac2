/*
 * mimeuu.h - internal to mime.c: finding and decoding the uuencoded
 * blocks ("begin 644 name" ... "end") in a decoded text/plain body, each
 * handed to the walk as a part of its own.  Not an API for other
 * modules: use mime.h.  Thread rule: one walk, one thread.
 */
#ifndef RW_MIMEUU_H
#define RW_MIMEUU_H

#include <stddef.h>

struct deadline;
struct spool;

/* Appends n decoded bytes of the current block to out, within the
 * caller's budget; sets *truncated when it dropped bytes (budget or write
 * error: the block is still handed over, marked truncated). */
typedef void (*mimeuu_put_fn)(void *arg, struct spool *out, const char *p,
    size_t n, int *truncated);

/* A complete block (or one cut by a missing "end" line or the deadline,
 * then truncated is 1): name as written after the mode (at most 255
 * bytes, valid during the call), its decoded bytes in content.  Returns
 * 0 to go on, -1 to stop the scan. */
typedef int (*mimeuu_block_fn)(void *arg, const char *name,
    struct spool *content, int truncated);

/* Reads text (a decoded body) line by line; the bytes of each block are
 * decoded into out (reset at each "begin") through put, then block is
 * called.  A line that is not uuencode (bad character, over 128 bytes)
 * ends a block without handing it over.  Stops at the deadline dl (may
 * be NULL), handing over the block it is in. */
void mimeuu_scan(struct spool *text, struct spool *out, struct deadline *dl,
    mimeuu_put_fn put, mimeuu_block_fn block, void *arg);

#endif
