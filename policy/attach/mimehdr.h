/*
 * mimehdr.h - internal to mime.c: what the MIME walk reads from a part's
 * header block (file names, the media type as we report it, the size of
 * each header).  Not an API for other modules: use mime.h.
 * Thread rule: one walk, one thread (GMime objects are never shared).
 */
#ifndef RW_MIMEHDR_H
#define RW_MIMEHDR_H

#include <stddef.h>

#include <gmime/gmime.h>

struct arena;
struct fname;

/* A media type or disposition as we keep and report it: lower case, and
 * every byte that cannot be in an RFC 2045 token becomes '?'.  Returns
 * arena memory, or NULL when out of memory. */
char *mimehdr_type_dup(struct arena *, const char *s);

/* The file names of part obj: into name the Content-Disposition filename,
 * else the Content-Type name (name->name NULL when there is none); into
 * alt the Content-Type name when both are given and differ (else zero).
 * Encoded words (RFC 2047, also inside quotes) and RFC 2231 sections out
 * of order are decoded.  Names are arena memory; 0, or -1 when out of
 * memory. */
int mimehdr_names(struct arena *, GMimeParserOptions *, GMimeObject *obj,
    struct fname *name, struct fname *alt);

/* One raw file name (as mimescan_tail finds it): encoded words decoded,
 * then parsed into out (arena memory).  0, or -1 when out of memory. */
int mimehdr_name_parse(struct arena *, GMimeParserOptions *,
    const char *raw, struct fname *out);

/* 1 when a header of obj (name and value, without the line end) is longer
 * than max bytes, else 0. */
int mimehdr_too_long(GMimeObject *obj, size_t max);

#endif
