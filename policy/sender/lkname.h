/*
 * lkname.h - one domain reduced for the lookalike index: its A-label
 * form, organisational domain, folded label and suffix (confusable_fold,
 * then lkname_seqfold) and the label's code points.  Internal to lookalike.c and lkcheck.c.
 */
#ifndef RW_LKNAME_H
#define RW_LKNAME_H

#include <stddef.h>
#include <stdint.h>

#include "util/confusable.h"
#include "sender/lkindex.h"

#define LKNAME_FOLD_BYTES	512	/* one folded name */

/* A candidate or a domain to add, reduced for comparison. */
struct lkname {
	char ascii[CONFUSABLE_DOMAIN_MAX + 1];
	size_t alen;
	const char *org;		/* points into ascii */
	size_t olen;
	char fold[LKNAME_FOLD_BYTES];	/* "label.suffix" folded */
	size_t flen, llen;
	uint32_t cps[LABEL_CPS_MAX];
	unsigned lcps;			/* LCPS_LONG when over the cap */
	char pfold[LKNAME_FOLD_BYTES];	/* labels before org, folded */
	size_t plen;			/* 0: none, or did not fold */
	int idna_error;
};

/* The letter sequences UTS #39 leaves out, in place on a fold of len
 * bytes (cap with its NUL): 'w' becomes "vv" and 'd' "cl", as the
 * skeleton already makes 'm' "rn", so that "northvvind" and "northwind",
 * "clataforge" and "dataforge" compare equal.  New length, or -1 when
 * it does not fit (or len is -1). */
int lkname_seqfold(char *s, int len, size_t cap);

/* Reduces domain to n; with prefix, also folds the labels before the
 * organisational domain.  0, or -1 when it is not a domain, is a public
 * suffix or does not fold (reason in why: "out of memory" when that). */
int lkname_reduce(struct lookalike_index *, const char *domain, int prefix,
    struct lkname *n, const char **why);

/* The live record of n's organisational domain: 0 with *out and *flags,
 * or -1 when it is not indexed.  Caller holds the read lock or the
 * writer mutex. */
int lkname_find(struct lookalike_index *, const struct lkname *n,
    struct lkindex_ref *out, unsigned *flags);

#endif
