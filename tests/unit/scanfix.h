/*
 * scanfix.h - what the tests that run whole messages through the policy
 * share (the unit tests and the Redis ones alike; nothing here needs a
 * redis-server): a scratch directory, a policy from a zone and config
 * text written into it, a scan fed from .eml text, and the evaluation's
 * fields in one struct.
 */
#ifndef RW_SCANFIX_H
#define RW_SCANFIX_H

#include <stddef.h>
#include "policy.h"

/* Makes $TMPDIR/<name>.XXXXXX (or under /tmp) into dir.  0 or -1. */
int scanfix_mkdtemp(char *dir, size_t len, const char *name);
/* Removes dir and everything in it.  0 or -1. */
int scanfix_rmdir(const char *dir);

/* Writes zone to dir/zone and dir/rw.conf: authserv_id mx.test.example,
 * dns_local_data "zone", then the config text (printf); loads it.  Fails
 * the test on an error. */
struct config *scanfix_config(const char *dir, const char *zone,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same, made into a policy. */
struct policy *scanfix_policy(const char *dir, const char *zone,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A scan of text from ip (HELO mail.example, MAIL FROM mail_from), fed
 * but not finished. */
struct scan *scanfix_scan(struct policy *, const char *ip,
    const char *mail_from, const char *text);

/* What an evaluation said. */
struct scanfix_outcome {
	char reasons[512];	/* the verdict's rules, comma separated */
	char authres[512];	/* Authentication-Results, or "" */
	enum sender_state state;
	int learned;
	int authenticated;
	int withheld;
	int score;
	enum verdict_action action;
};

/* Scans and finishes text (as scanfix_scan) into out. */
void scanfix_evaluate(struct policy *, const char *ip,
    const char *mail_from, const char *text, struct scanfix_outcome *out);

#endif
