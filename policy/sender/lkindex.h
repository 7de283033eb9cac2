/*
 * lkindex.h - the data structure under lookalike.c: records of folded
 * organisational domains, hashed under keyed hashes of their label, its
 * one-deletion variants and their exact name; an immutable base plus an
 * append-only delta.  Internal to lookalike.c and lkmerge.c (not part of
 * the policy API); the thread rule is lookalike.h's, detailed in
 * lkindex.c.
 */
#ifndef RW_LKINDEX_H
#define RW_LKINDEX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct orgdomain;

#define LABEL_CPS_MAX	64	/* code points of a label fold that get
				   deletion keys */
#define LCPS_LONG	255	/* lcps of a longer label */
#define PER_KEY_MAX	256	/* entries visited per key and part */
#define LKINDEX_KEYS_MAX (LABEL_CPS_MAX + 3)
#define DENT_BLOCK	4096	/* delta entries per block */
#define LKINDEX_LABEL_BYTES 512	/* a label fold (LKNAME_FOLD_BYTES) */

struct lkindex_rec {
	uint32_t off;			/* in pool: ascii, then fold */
	uint16_t flen, llen;		/* fold "label.suffix", its label */
	uint8_t alen, lcps;
};

struct lkindex_set {
	struct lkindex_rec *recs;
	atomic_uchar *flags;		/* LOOKALIKE_*; 0 = removed */
	char *pool;
	size_t n, cap, used, poolcap;
};

/* Immutable once published (but for flags). */
struct lkindex_base {
	struct lkindex_set set;
	uint32_t mask;			/* buckets - 1 */
	uint32_t *start;		/* mask + 2 offsets into ids */
	uint32_t *ids;
	size_t nkeys;
};

struct lkindex_dent {
	uint32_t lo, hi, id, next;
};

/* Append-only, fixed capacity: nothing in it ever moves, so readers need
 * no lock against the writer that appends. */
struct lkindex_delta {
	struct lkindex_set set;
	uint32_t mask;
	atomic_uint *head;		/* mask + 1 entry numbers */
	struct lkindex_dent **blocks;	/* nblocks, filled on demand */
	size_t nblocks, nents;
};

struct lookalike_index {
	pthread_mutex_t wlock;		/* writers */
	pthread_rwlock_t lock;		/* readers; writers only to swap base
					   and delta */
	struct lkindex_base *base;	/* never NULL */
	struct lkindex_delta *delta;	/* never NULL */
	struct orgdomain *orgdomain;
	unsigned min_edit_protected, min_edit_known, min_edit_min;
	unsigned min_embedded, min_tld_known, min_hyphen_known;
	uint64_t k0, k1;		/* hash key */
	unsigned merges, rebuilds;
	size_t live;			/* records with a flag (wlock) */
};

/* One record as a reader sees it (borrowed until the read lock goes). */
struct lkindex_ref {
	const struct lkindex_set *set;
	uint32_t id;
};

struct lkindex_view {
	const char *ascii, *fold;
	size_t alen, flen, llen;
	unsigned lcps, flags;
};

struct lkindex_budget {
	unsigned left;			/* entries still to visit */
	int truncated;
};

/* A domain to insert. */
struct lkindex_entry {
	const char *ascii, *fold;
	size_t alen, flen, llen;
	unsigned lcps, flags;
};

typedef void lkindex_visit(void *arg, const struct lkindex_ref *);

int lkindex_init(struct lookalike_index *);
void lkindex_destroy(struct lookalike_index *);

void lkindex_read_lock(struct lookalike_index *);
void lkindex_read_unlock(struct lookalike_index *);

/* Keyed hashes of a label fold (or deletion) and of an exact name. */
uint64_t lkindex_hash(const struct lookalike_index *, const char *, size_t);
uint64_t lkindex_hash_exact(const struct lookalike_index *, const char *,
    size_t);

/* The keys of one record (at most LKINDEX_KEYS_MAX); returns the
 * count.  A label of two hyphens or more also gets the key of its fold
 * without hyphens ("nameauditgroup" for "name-audit-group"; with one
 * hyphen that is a deletion key already), for display names that spell
 * it as words (lookalike_find_label). */
unsigned lkindex_keys(const struct lookalike_index *, const char *ascii,
    size_t alen, const char *fold, size_t llen, unsigned lcps,
    uint64_t *keys);

/* Calls fn for each entry (base, then delta) stored under hash h, while
 * the budget lasts (and at most PER_KEY_MAX).  Caller holds the read lock
 * or the writer mutex. */
void lkindex_probe(struct lookalike_index *, uint64_t h, lkindex_visit *fn,
    void *arg, struct lkindex_budget *);

/* 0 and v filled, or -1 when the record has no flag left. */
int lkindex_view(const struct lkindex_ref *, struct lkindex_view *);

/* Sets or clears flags of an existing record (writer mutex held). */
void lkindex_set_flags(const struct lkindex_ref *, unsigned set,
    unsigned clear);

/* Appends a record to the delta (writer mutex held), merging first when
 * the delta is full.  0 or -1 when out of memory. */
int lkindex_insert(struct lookalike_index *, const struct lkindex_entry *);

/* Appends a record to a set that has room; returns its id. */
uint32_t lkindex_append(struct lkindex_set *, const char *ascii,
    size_t alen, const char *fold, size_t flen, size_t llen,
    unsigned lcps, unsigned flags);

/* An empty delta sized for a base of nbase records; NULL when out of
 * memory. */
struct lkindex_delta *lkindex_delta_new(size_t nbase);
void lkindex_delta_free(struct lkindex_delta *);
void lkindex_base_free(struct lkindex_base *);

/* Records, keys and heap bytes (writer mutex held). */
void lkindex_count(const struct lookalike_index *, size_t *base,
    size_t *delta, size_t *keys, size_t *bytes);

/* UTF-8 (valid, from ICU) to code points; returns the count, or
 * LCPS_LONG when over LABEL_CPS_MAX. */
unsigned lkindex_decode(const char *, size_t, uint32_t *cps);

/* The fold s (n bytes) without '-' into out (n bytes at least);
 * returns the length. */
size_t lkindex_dehyphen(const char *s, size_t n, char *out);

/* s without its i-th code point, into out (n bytes at least); returns
 * the length. */
size_t lkindex_delete(const char *s, size_t n, unsigned i, char *out);

/* 1 when a and b differ by exactly one insertion, deletion,
 * substitution or transposition of adjacent code points. */
int lkindex_within1(const uint32_t *a, unsigned na, const uint32_t *b,
    unsigned nb);

#endif
