/*
 * mimescan.h - internal to mime.c: the linear passes over the raw message
 * that keep GMime bounded, and the name scan of what GMime was not shown.
 * Not an API for other modules: use mime.h.
 *
 * Before GMime parses, mimescan_prepare reads the spool once and decides
 * - where to cut: after 4 x max_parts + 64 lines that start with "--"
 *   (GMime builds an object, ~1.3 KB, per part it finds, before any cap
 *   of ours applies: 2 MB of tiny parts cost it 266 MB);
 * - which bytes to show as LF (spool_stream_patch), without moving any
 *   offset: one every max_line bytes of an overlong line, and the leading
 *   blank of a continuation line once a run of them passes 4 x
 *   max_header_length (GMime keeps a header whole in memory: 21 MB of
 *   folded header cost it 140 MB).  A header so broken ends there and the
 *   rest reads as body; a body only gains an empty line.
 * After the walk, mimescan_tail looks at the part headers past the cut
 * for file names only, so a flood of boundaries cannot hide a banned
 * name behind the parts cap.
 * Thread rule: one walk, one thread.
 */
#ifndef RW_MIMESCAN_H
#define RW_MIMESCAN_H

#include <stddef.h>

#include <gmime/gmime.h>

struct arena;
struct mime_limits;
struct spool;

struct mimescan {
	unsigned long long cut;		/* GMime sees [0, cut) */
	unsigned long long *patch;	/* offsets shown as LF, ascending */
	size_t npatch, cap;
	unsigned limits;		/* enum mime_limit bits */
};

/* 0, or -1 when out of memory. */
int mimescan_prepare(struct spool *, const struct mime_limits *,
    struct arena *, struct mimescan *out);

/* Called for each name found in the tail: the Content-Type (lower case,
 * or NULL) and the name; returns -1 to stop. */
typedef int (*mimescan_name_fn)(void *arg, const char *type,
    const char *name);

/* Scans [from, end of spool) for Content-Type and Content-Disposition
 * headers and reports the file names they carry.  0, or -1 when fn did. */
int mimescan_tail(struct spool *, unsigned long long from,
    const struct mime_limits *, GMimeParserOptions *, mimescan_name_fn fn,
    void *arg);

#endif
