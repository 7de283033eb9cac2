/*
 * quarantine.h - what the files of relaywarden-quarantine share
 * (quarantine.c: the commands; qrelease.c: show's printing and release).
 */
#ifndef RW_QUARANTINE_H
#define RW_QUARANTINE_H

#include <stddef.h>

#define QPROG	"relaywarden-quarantine"

struct qmsg;
struct qcheck;

struct quarantine_release {
	const char *trust;	/* NULL, "relay", "signer", "allow" */
	const char *comment;	/* or NULL */
	int days;		/* allow: 0 = the default */
};

/* Who runs the tool, for the log: the real uid's user name, and
 * " sudo_user=NAME" when SUDO_USER is set. */
void quarantine_who(char *buf, size_t len);

void quarantine_print_envelope(const struct qmsg *);
/* The recorded X-Relaywarden (or that there is none), field by field. */
void quarantine_print_verdict(const char *verdict, size_t n);
/* Today's verdict of the re-check, next to the recorded one. */
void quarantine_print_check(const struct qcheck *, const char *recorded);

/* release ID, the id in the hold queue, the caller root: with rel->trust
 * first the history or the allow-list entry, then postsuper -H.  The
 * exit code. */
int quarantine_release(const char *cfgpath, const char *pfconf,
    const char *id, const struct quarantine_release *rel);

#endif
