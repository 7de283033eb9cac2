/*
 * attscan.h - internal to the attachment policy, shared by attach.c (the
 * context and the entry point) and attscan.c (the rules applied to each
 * part and archive member).  Not an API for other modules: use attach.h.
 * Thread rule: a struct attscan is one message on one thread; struct
 * attach_ctx as attach.h says.
 */
#ifndef RW_ATTSCAN_H
#define RW_ATTSCAN_H

#include <pthread.h>
#include <stddef.h>

#include <magic.h>

#include "arch.h"
#include "attach.h"
#include "deadline.h"

struct config;
struct mime_part;

#define MAGIC_POOL	32	/* handles kept; more threads make more */
#define ATTSCAN_NRULES	13	/* rules in attscan.c */

struct override {
	char *key;			/* ".ext" or "type/sub" */
	enum verdict_action action;
};

struct allow {
	char *domain;			/* without a leading dot */
	int subdomains;
	char **keys;
	size_t nkeys;
};

struct attach_ctx {
	const struct config *cfg;
	char *words;			/* banned extensions, NUL-separated */
	const char **banned;
	size_t nbanned;
	struct override *ovr;
	size_t novr;
	struct allow *allow;
	size_t nallow;
	pthread_mutex_t mu;		/* guards pool */
	magic_t pool[MAGIC_POOL];
	size_t npool;
};

/* One message's scan. */
struct attscan {
	struct attach_ctx *ctx;
	const struct config *cfg;
	struct arena *a;
	const char *from;
	magic_t magic;
	struct deadline dl;
	struct arch_limits alim;
	struct arch_state ast;
	struct attach_results *out;
	unsigned char *sniff;		/* ARCH_HEAD bytes */
	struct {
		unsigned count;
		const char *detail;
	} tally[ATTSCAN_NRULES];
	int failed;
};

/* mime_part_fn: judges one MIME part or uuencoded block (and, through
 * arch_walk, its members).  arg is the struct attscan. */
int attscan_part(void *arg, const struct mime_part *);

/* Message-level reasons: limits hit ("a,b") and malformed MIME. */
void attscan_truncated(struct attscan *, const char *limits);
void attscan_malformed(struct attscan *, const char *what);

/* Adds each rule raised, once, to v (scores from the config).  0 or -1
 * when out of memory. */
int attscan_reasons(struct attscan *, struct verdict *v);

#endif
