/*
 * qmsg.h - a held message as relaywarden-quarantine shows it: the queue
 * file's envelope and message (postcat.c), its Subject decoded, our
 * X-Relaywarden verdict, every text made safe for a terminal.
 */
#ifndef RW_QMSG_H
#define RW_QMSG_H

#include <stdio.h>

#include "postcat.h"

/* Header block bytes kept for "show" (the rest is counted, not shown). */
#define QMSG_MAX_HEADER_BYTES	(256 * 1024)

struct qmsg {
	struct postcat_env env;
	FILE *msg;		/* the message, rewound (qmsg_free closes) */
	char *headers;		/* the header block, terminal-safe, one line
				   per unfolded field */
	int headers_cut;	/* past QMSG_MAX_HEADER_BYTES */
	char *subject;		/* RFC 2047 decoded, terminal-safe, or NULL */
	char *subject_decoded;	/* the same as decoded, for JSON (whose
				   writer escapes controls), or NULL */
	char *verdict;		/* the last X-Relaywarden value (ours: the
				   milter removes those from outside),
				   unfolded, terminal-safe, or NULL */
	size_t nverdicts;
};

/* Loads queue file id ("postcat [-c config_dir] -q id").  0, or -1 with
 * err.  All strings malloc'd; qmsg_free (also after a failure). */
int qmsg_load(const char *config_dir, const char *id, struct qmsg *,
    char *err, size_t errlen);
void qmsg_free(struct qmsg *);

/* A copy of s safe to print on a terminal: C0 and C1 controls, DEL,
 * bidirectional overrides and ill-formed UTF-8 become '?', a tab a space.
 * malloc'd, NULL when out of memory. */
char *qmsg_term(const char *s);

/* The value of key ("action", "score", "reasons") in an X-Relaywarden
 * value ("action=quarantine; score=14; reasons=a(x), b"), up to the
 * next ';', blanks dropped, into buf (cut at len - 1); "" when absent. */
const char *qmsg_vfield(const char *verdict, const char *key, char *buf,
    size_t len);

#endif
