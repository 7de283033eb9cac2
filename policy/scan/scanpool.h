/*
 * scanpool.h - the daemon's side of the attachment workers: one pool
 * per config generation.
 *
 * scanpool_evaluate is attach_evaluate (attach.h) done in a worker: a
 * message still in memory is copied into the worker's window (a shared
 * memfd set up once per worker, scanwire.h), a larger one goes over as a
 * descriptor (spool_export_fd: the spool file, or a sealed memfd copy),
 * the results and the
 * reasons come back (scanwire.h) and are scored here, with this
 * generation's config.  A worker that crashes, exceeds a limit, misses
 * its deadline (attach_max_time_ms + SCANPOOL_GRACE_MS: then it is
 * killed) or answers nonsense costs that message only: the reason
 * attach_scan_failed (detail: worker_died, worker_timeout, worker_reply,
 * worker_error, no_worker), the scan counts as incomplete
 * (attach_incomplete_action: quarantine by default, or tempfail, or
 * reject), and the worker is replaced at the next message.  The pool
 * starts attach_workers workers at once; a message that finds all of
 * them busy starts another, up to attach_workers_max (so one slow
 * message never holds up the others), then waits for one within
 * attach_max_time_ms.  A worker whose walk met broken or unfinished
 * structure (attach_malformed, attach_truncated, attach_archive_bomb: where
 * an exploit of a parser would show) is killed after its answer and
 * serves no other message: a compromised worker must not see, or
 * judge, the next one.
 * Thread rule: shared by every thread of its generation; a mutex and a
 * condition guard the worker slots, and no lock is held while a worker
 * works.
 */
#ifndef RW_SCANPOOL_H
#define RW_SCANPOOL_H

#include <stddef.h>
#include <sys/types.h>

#include "attach/attach.h"

struct arena;
struct config;
struct scanhost;
struct spool;
struct verdict;

#define SCANPOOL_GRACE_MS	1000
#define SCANPOOL_READY_MS	10000	/* a new worker's start-up */
#define SCANPOOL_WINDOW_MAX	(2u * 1024 * 1024)	/* the largest window
							   (attach_spool_memory
							   if less) */

struct scanpool;

/* A pool for cfg (which must outlive it) with its workers started; a
 * worker's start-up error (say, no libmagic database) is returned here,
 * so a generation that cannot scan is refused.  NULL with one line in
 * err. */
struct scanpool *scanpool_new(struct scanhost *, const struct config *cfg,
    char *err, size_t errlen);

/* Closes every worker's channel (they exit).  NULL does nothing. */
void scanpool_free(struct scanpool *);

/* As attach_evaluate; logid names the message in the log.  A failed
 * worker is a result (above), not an error: -1 only when out of memory
 * here. */
int scanpool_evaluate(struct scanpool *, struct spool *msg,
    const char *from_domain, const char *logid, struct arena *a,
    struct attach_results *out, struct verdict *v, char *err,
    size_t errlen);

struct scanpool_stats {
	unsigned long long messages;	/* scanned by a worker */
	unsigned long long failed;	/* attach_scan_failed */
	unsigned long long started;	/* workers started */
	unsigned long long retired;	/* killed after a suspect walk */
};
void scanpool_stats(struct scanpool *, struct scanpool_stats *out);

/* The pids of the live workers, at most n, into pids; the count. */
size_t scanpool_pids(struct scanpool *, pid_t *pids, size_t n);

#endif
