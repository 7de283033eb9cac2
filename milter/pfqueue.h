/*
 * pfqueue.h - relaywarden-quarantine's use of Postfix's own queue tools:
 * "postqueue -j" (the queue as JSON lines) and "postsuper -H / -d"
 * (release, delete), run through postcat.c's postfix_run (execvp and an
 * argv, never a shell).
 */
#ifndef RW_PFQUEUE_H
#define RW_PFQUEUE_H

#include <stddef.h>
#include <time.h>

/* Longest queue id accepted (postcat.h: POSTFIX_ID_MAX). */
#define PFQUEUE_ID_MAX	64
/* Most held messages listed; more are counted, not listed. */
#define PFQUEUE_MAX_HELD	100000

struct pfqueue_item {
	char id[PFQUEUE_ID_MAX + 1];
	time_t arrival;			/* 0 when postqueue gave none */
	char *sender;			/* malloc'd ("" for <>) */
	char *recipient;		/* the first one (malloc'd), or NULL */
	size_t nrcpts;
};

/* 1 when id is a Postfix queue id: 1..PFQUEUE_ID_MAX letters and
 * digits (so it can never be an option or a path). */
int pfqueue_valid_id(const char *id);

/* The messages in the hold queue, by "postqueue [-c config_dir] -j",
 * each line parsed by json-c.  *out is malloc'd (pfqueue_items_free),
 * *n items, *lost the held messages
 * past PFQUEUE_MAX_HELD.  0, or -1 with err (postqueue failed, or a line
 * that is not its JSON). */
int pfqueue_held(const char *config_dir, struct pfqueue_item **out,
    size_t *n, unsigned long *lost, char *err, size_t errlen);

void pfqueue_item_clear(struct pfqueue_item *);
void pfqueue_items_free(struct pfqueue_item *, size_t n);

enum pfqueue_op { PFQUEUE_RELEASE, PFQUEUE_DELETE };

/* "postsuper [-c config_dir] -H id" (release) or "... -d id hold"
 * (delete from the hold queue only).  postsuper's own messages go to
 * stderr.  0 when it exited 0, else -1 with err.  Needs root: Postfix
 * allows postsuper to no one else. */
int pfqueue_super(const char *config_dir, enum pfqueue_op, const char *id,
    char *err, size_t errlen);

/* "postqueue [-c config_dir] -i id": deliver a released message now.
 * 0, or -1 with err. */
int pfqueue_deliver(const char *config_dir, const char *id, char *err,
    size_t errlen);

#endif
