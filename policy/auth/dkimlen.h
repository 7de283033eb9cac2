/*
 * dkimlen.h - the length of a message body after each DKIM body
 * canonicalization (RFC 6376 3.4.3 simple, 3.4.4 relaxed), counted as the
 * body streams by, so that a signature's l= can be compared with the
 * whole body (RFC 6376 8.2: content past l= is not signed).
 *
 * Plain state, no allocation; one per message, one thread at a time.
 */
#ifndef RW_DKIMLEN_H
#define RW_DKIMLEN_H

#include <stddef.h>
#include <stdint.h>

struct dkimlen {
	uint64_t simple, relaxed;	/* bytes of completed lines, up to
					   the last non-empty one */
	uint64_t sblank, rblank;	/* empty lines pending after it */
	uint64_t sline, rline;		/* bytes of the line in progress */
	int wsp;			/* relaxed: white space pending */
	int cr;				/* a CR was the last byte */
	int open;			/* a line is in progress */
};

void dkimlen_init(struct dkimlen *);
/* A body chunk as the verifier gets it (CRLF line ends; a bare CR or LF
 * ends a line too, as libopendkim reads it). */
void dkimlen_feed(struct dkimlen *, const unsigned char *, size_t);
/* The canonical lengths of everything fed so far. */
void dkimlen_total(const struct dkimlen *, uint64_t *simple,
    uint64_t *relaxed);

#endif
