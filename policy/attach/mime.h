/*
 * mime.h - the MIME walk: GMime 3 parses a spooled message; every leaf
 * part (also inside message/rfc822 parts, and each uuencoded block found
 * in a text/plain body) is decoded into a scratch spool and handed to a
 * callback with its file name, declared type and size.
 *
 * Caps (struct mime_limits), each recorded in mime_stats.limits when hit;
 * the walk then goes on without the capped item or stops, never fails:
 * MIME depth, leaf parts, bytes of one part header, bytes of one line
 * seen by the parser, decoded bytes per message, the deadline.  Overlong
 * lines and folded headers are broken, not cut, and names past the parts
 * cap are still read (mimescan.h).
 * g_mime_init must have run (attach_ctx_new does it).  One walk, one
 * thread; GMime objects of a walk are freed before mime_walk returns.
 */
#ifndef RW_MIME_H
#define RW_MIME_H

#include <stddef.h>
#include "attach/fname.h"

struct arena;
struct deadline;
struct spool;

struct mime_limits {
	unsigned max_depth;		/* nesting of multiparts/messages */
	unsigned max_parts;		/* leaf parts + uuencoded blocks */
	unsigned max_header_length;	/* one header of a part */
	size_t max_line;		/* one line as the parser sees it */
	unsigned long long max_decoded;	/* decoded bytes, whole message */
	size_t spool_mem;		/* scratch spools: bytes in memory */
	const char *tmpdir;		/* scratch spools: NULL = $TMPDIR */
	struct deadline *dl;		/* may be NULL */
};

enum mime_limit {
	MIME_LIMIT_DEPTH = 1 << 0,
	MIME_LIMIT_PARTS = 1 << 1,
	MIME_LIMIT_HEADER = 1 << 2,
	MIME_LIMIT_LINE = 1 << 3,
	MIME_LIMIT_DECODED = 1 << 4,
	MIME_LIMIT_TIME = 1 << 5,
	MIME_LIMIT_WORDS = 1 << 6,	/* RFC 2047 charset changes */
};

enum mime_bad {
	MIME_BAD_STRUCTURE = 1 << 0,	/* GMime: truncated, no boundary,
					   nesting overflow, empty part */
	MIME_BAD_ENCODING = 1 << 1,	/* bytes outside the base64
					   alphabet */
	MIME_BAD_HEADER = 1 << 2,	/* invalid header name, parameter,
					   RFC 2047 word, conflicting */
	MIME_BAD_DUPLICATE = 1 << 3,	/* a header RFC 5322 3.6 allows once
					   (Message-ID, Date, From, ...)
					   twice with different values:
					   mime_stats.duplicate names it */
};

struct mime_part {
	struct fname name;		/* Content-Disposition filename,
					   else Content-Type name; name.name
					   NULL when there is none */
	struct fname alt;		/* the Content-Type name when it
					   differs from name; else zero */
	const char *declared;		/* "type/subtype", lower case */
	const char *disposition;	/* lower case, or NULL */
	unsigned depth;			/* 0 = the message's own body */
	unsigned index;			/* 1-based, in walk order */
	int attachment;			/* a name or "attachment" */
	int uuencoded;			/* from a uuencoded block */
	int truncated;			/* decoding stopped at a cap */
	struct spool *content;		/* decoded bytes; valid during the
					   callback only */
	unsigned long long size;	/* decoded bytes */
	const char **sniffed;		/* the callback may store here what
					   the content is ("type/subtype",
					   valid to the end of the walk): a
					   "message/..." is walked too */
	const char *is;			/* where sniffed points */
};

struct mime_stats {
	unsigned parts;			/* leaf parts handed over */
	unsigned depth;			/* deepest level seen */
	unsigned limits;		/* enum mime_limit bits */
	unsigned bad;			/* enum mime_bad bits */
	const char *duplicate;		/* the first MIME_BAD_DUPLICATE
					   header, as RFC 5322 spells it
					   (static), or NULL */
};

/* Called for each part; returns 0 to go on, -1 to stop the walk (out of
 * memory: mime_walk then returns -1). */
typedef int (*mime_part_fn)(void *arg, const struct mime_part *);

/* Parses msg and calls fn for each part.  Names and types are arena
 * memory.  0 (also when limits were hit: see *st), or -1 with one line
 * in err when out of memory or the callback failed. */
int mime_walk(struct spool *msg, const struct mime_limits *,
    struct arena *, mime_part_fn fn, void *arg, struct mime_stats *st,
    char *err, size_t errlen);

#endif
