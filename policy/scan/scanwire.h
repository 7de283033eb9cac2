/*
 * scanwire.h - what travels between the daemon and an attachment worker.
 *
 * One frame each way per message over a stream socket: a 32-bit length
 * (host order: both ends are one build on one host) and the payload.
 * The request carries the header From domain the allow-list may use and,
 * as SCM_RIGHTS on its first byte, the message's spool descriptor.  The
 * reply carries the struct attach_results and the reasons the walk
 * raised (rule and detail only: the daemon scores them with its own
 * config).  The daemon reads a reply as hostile input: a worker is where
 * hostile bytes are parsed, and a compromised one must not reach further
 * than its own message's attachment verdict (scanwire_get_reply admits
 * only attachment rules that cannot lower a score, bounded counts and
 * strings without NUL).  Issue 12: the reply also carries the links the
 * walk gathered (links.h; hosts checked to be normalised names, at most
 * LINKS_MAX) and its counters.  A compromised worker can make up links
 * for its own message: they raise link reasons, and an authenticated
 * message that is not held teaches its link organisations to its own
 * sender's history (linkcheck.c), which is as far as the message that
 * compromised the worker reaches.
 */
#ifndef RW_SCANWIRE_H
#define RW_SCANWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "attach/attach.h"
#include "verdict/verdict.h"

struct arena;

#define SCANWIRE_MAGIC		0x52575331u	/* "RWS1" */
#define SCANWIRE_MAX_REQUEST	4096
#define SCANWIRE_MAX_REPLY	(16u * 1024 * 1024)
#define SCANWIRE_MAX_STRING	65536
#define SCANWIRE_MAX_ITEMS	200000

/* A growing payload; a failed allocation makes every later put a no-op
 * and failed 1. */
struct scanbuf {
	unsigned char *p;
	size_t len, cap;
	int failed;
};

void scanbuf_free(struct scanbuf *);

/* What a request carries.  A message still in memory at the daemon is
 * copied into the worker's window (a memfd both map, sealed against
 * resizing, set up once per worker); any other comes as a descriptor. */
enum scanwire_kind {
	SCANWIRE_SPOOL_FD = 1,		/* scan the file that came with it */
	SCANWIRE_WINDOW = 2,		/* scan window bytes [0, len) */
	SCANWIRE_SET_WINDOW = 3,	/* the window: the descriptor, len
					   bytes; no reply */
};

/* Request: magic, kind, len, from domain ("" for none). */
void scanwire_put_request(struct scanbuf *, enum scanwire_kind,
    unsigned long long len, const char *from_domain);
/* 0 with *kind, *len and *from_domain (arena copy, NULL for none), or
 * -1. */
int scanwire_get_request(const unsigned char *, size_t, struct arena *,
    enum scanwire_kind *kind, unsigned long long *len,
    const char **from_domain);

struct scanwire_raised {
	enum rule rule;
	const char *detail;		/* NULL for none */
	const char *about;		/* the first item's name (struct
					   reason), NULL for none */
	unsigned more;			/* how many more items raised it */
};

struct scanwire_reply {
	const char *error;		/* the worker could not scan (out of
					   memory): NULL when it did */
	int retiring;			/* the worker exits after this one */
	struct attach_results res;
	struct scanwire_raised *raised;	/* in the order raised */
	size_t nraised;
	enum verdict_action hard;	/* the walk's verdict_require */
};

/* Reply of a finished walk: out and the reasons and hard action it put
 * on v (a verdict that held nothing else). */
void scanwire_put_reply(struct scanbuf *, const struct attach_results *,
    const struct verdict *v, int retiring);
/* Reply of a walk that failed with err. */
void scanwire_put_error(struct scanbuf *, const char *err, int retiring);

/* A worker's first frame, once it is locked in: ready (no error), or
 * what kept it from it (scanwire_put_error). */
void scanwire_put_ready(struct scanbuf *);
/* 0 with *error NULL when ready, 0 with *error set when it failed, -1
 * when the frame is not one. */
int scanwire_get_ready(const unsigned char *, size_t, struct arena *,
    const char **error);

/* Decodes a reply into arena memory.  0, or -1 with one line in err when
 * it breaks any rule above. */
int scanwire_get_reply(const unsigned char *, size_t, struct arena *,
    struct scanwire_reply *out, char *err, size_t errlen);

#endif
