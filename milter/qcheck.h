/*
 * qcheck.h - relaywarden-quarantine's re-check of a held message: the
 * same policy code as the milter and relaywarden-check, in process, on
 * the queue file's envelope and message, reading the history only.
 */
#ifndef RW_QCHECK_H
#define RW_QCHECK_H

struct qmsg;
struct qcheck;
struct evaluation;
struct message;
struct state_pool;

/* Evaluates q (its message is read to the end) under the config at
 * cfgpath (NULL: the daemon's default, toolconf.h).  A handle (free with
 * qcheck_free), or NULL after printing why on stderr. */
struct qcheck *qcheck_run(const char *cfgpath, struct qmsg *q,
    const char *id);
void qcheck_free(struct qcheck *);

const struct evaluation *qcheck_eval(const struct qcheck *);
const struct message *qcheck_message(const struct qcheck *);
/* The config the check ran under (borrowed from the handle). */
const struct config *qcheck_config(const struct qcheck *);

#endif
