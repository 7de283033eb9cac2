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

#include "attach/arch.h"
#include "attach/attach.h"
#include "util/deadline.h"

struct config;
struct mime_part;

#define MAGIC_POOL	32	/* handles kept; more threads make more */
/* What bounds libmagic's work on one part or member (attach.c sets them
 * on every handle): the bytes we hand it, the bytes it may look at, and
 * its recursion and ELF walks.  Its text and encoding tests are off (a
 * 40 KB run of newlines cost them 50-200 ms); attype_sniff says text,
 * HTML and SVG instead. */
#define ATTSCAN_MAGIC_BYTES	16384
#define ATTSCAN_MAGIC_FLAGS	(MAGIC_MIME_TYPE | MAGIC_ERROR | \
	MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_TEXT | \
	MAGIC_NO_CHECK_ENCODING | MAGIC_NO_CHECK_CSV | MAGIC_NO_CHECK_JSON | \
	MAGIC_NO_CHECK_TOKENS | MAGIC_NO_CHECK_APPTYPE)
#define ATTSCAN_MAGIC_INDIR	15	/* libmagic: 50 */
#define ATTSCAN_MAGIC_NAME	30	/* libmagic: 50 */
#define ATTSCAN_MAGIC_ELF_PHNUM	128	/* libmagic: 2048 */
#define ATTSCAN_MAGIC_ELF_SHNUM	256	/* libmagic: 32768 */
#define ATTSCAN_MAGIC_ELF_NOTES	64	/* libmagic: 256 */
#define ATTSCAN_MAGIC_REGEX	1024	/* libmagic: 8192 */
#define ATTSCAN_MAGIC_ENCODING	4096	/* libmagic: 65536 */

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
	enum verdict_action incomplete;	/* attach_incomplete_action */
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
	struct deadline dl;		/* expensive checks: wall time and
					   the CPU budget */
	struct deadline hard;		/* everything: wall time and twice
					   the CPU budget */
	struct arch_limits alim;
	struct arch_state ast;
	struct attach_results *out;
	unsigned char *sniff;		/* ARCH_HEAD bytes */
	struct {
		unsigned count;
		const char *detail;
	} tally[RULE_COUNT];		/* attachment rules raised */
	int failed;
};

/* mime_part_fn: judges one MIME part or uuencoded block (and, through
 * arch_walk, its members).  arg is the struct attscan. */
int attscan_part(void *arg, const struct mime_part *);

/* Message-level reasons: limits hit ("a,b") and malformed MIME. */
void attscan_truncated(struct attscan *, const char *limits);
void attscan_malformed(struct attscan *, const char *what);

/* attpolicy.c: a policy key (".ext" or "type/sub") matches the item
 * (ext: its extension, aext: the extension the rules saw); the
 * attach_allow_senders list exempts it for the scan's From domain. */
int attscan_key_match(const char *key, const struct attach_item *it,
    const char *ext, const char *aext);
int attscan_allowed(const struct attscan *, const struct attach_item *it,
    const char *ext, const char *aext);

/* Raises each rule raised, once, on v (verdict_raise: scores and dry
 * run from the config).  0 or -1 when out of memory. */
int attscan_reasons(struct attscan *, struct verdict *v);

#endif
