/*
 * lookalike.h - is a From domain made to look like a domain we know?  An
 * index of organisational domains - the protected ones from the policy
 * and the known correspondents (sender domains with authenticated
 * history, up to millions) - and a check of one candidate against it.
 *
 * Kinds, closest first (a candidate with the same organisational domain
 * as an indexed one is never a lookalike of it):
 *   confusable  same UTS #39 skeleton of the IDNA-decoded name, case and
 *               diacritics folded: "paypa1.com", "xn--pypal-4ve.com",
 *               "pаypal.com" (Cyrillic a), "paypäl.com" for paypal.com;
 *   tld         the same registrable label under another public suffix:
 *               "example.co", "example.com.co" for example.com;
 *   edit        the registrable labels (skeletons) at edit distance 1 -
 *               one insertion, deletion, substitution or transposition -
 *               when the indexed label is long enough (options);
 *   embedded    an indexed name inside the candidate: "example.com" as
 *               labels ("example.com.evil.net") or hyphen-joined parts
 *               ("example-com.net") of another domain; a protected
 *               domain's bare label also counts ("paypal.evil.net",
 *               "paypal-login.net"), and any indexed label as a run of
 *               hyphen-joined parts of the candidate's label, a word
 *               added before or after it ("name-billing.com",
 *               "secure-name-audit.net" for name.com and name-audit.com).
 * Confusable sequences of ASCII letters ("rn" for m, "vv" for w, "cl" for
 * d) are in the UTS #39 skeleton: "rnicrosoft.com" is confusable.
 *
 * A candidate that is itself a protected domain (or a subdomain of one)
 * is never a lookalike; one that is itself a known correspondent is only
 * compared with protected domains that are not partners, so that two
 * legitimate correspondents (or a correspondent and a partner) that
 * happen to look alike do not accuse each other forever.  Against known
 * correspondents, edit needs a label of at least min_edit_known code
 * points, tld and embedded names min_tld_known, hyphen additions
 * min_hyphen_known, and an edit of digits alone ("shop24" / "shop25")
 * does not count: a million correspondents hold many short names one
 * edit apart.
 *
 * Thread rule: any number of threads may call lookalike_check,
 * lookalike_lookup and lookalike_find_label while others add or remove
 * domains.  Writers (add, remove, merge) are serialised by a mutex.  The
 * index is an immutable base plus an append-only delta; readers hold a
 * writer-preferring rwlock for one call (microseconds) that writers take
 * only to swap in a merged base, once per merge (every 4,096 to 65,536
 * additions, an eighth of the base).  Appending to the delta never
 * blocks readers.  The merge (well under a second at a million domains)
 * runs in the writer's thread with readers going on; the add that fills
 * the delta pays for it, so add from a refresher thread, not from a
 * milter callback.
 *
 * Memory: about 140 bytes per indexed domain with labels of ten letters,
 * and twice the base for a moment during a merge (measured by
 * tests/bench/bench_lookalike.c).
 */
#ifndef RW_LOOKALIKE_H
#define RW_LOOKALIKE_H

#include <stddef.h>

struct arena;
struct lookalike_index;

/* Why a domain is in the index (bits; a domain may have both). */
#define LOOKALIKE_PROTECTED	0x01u	/* from the policy */
#define LOOKALIKE_KNOWN		0x02u	/* a known correspondent */
#define LOOKALIKE_PARTNER	0x04u	/* a declared partner (with
					   PROTECTED) */

enum lookalike_kind {
	LOOKALIKE_NONE = 0,
	LOOKALIKE_EMBEDDED,
	LOOKALIKE_EDIT,
	LOOKALIKE_TLD,
	LOOKALIKE_CONFUSABLE,
};

struct lookalike_options {
	const char *psl_file;		/* NULL: Debian's list */
	unsigned min_edit_protected;	/* shortest protected label (code
					   points of its skeleton) for edit
					   distance; 0: 4 */
	unsigned min_edit_known;	/* the same for known
					   correspondents, also for their
					   TLD swaps and embeddings; 0: 8
					   (a million correspondents hold
					   many short names one edit
					   apart) */
	unsigned min_embedded;		/* shortest protected label matched
					   bare inside another name; 0: 4 */
	unsigned min_tld_known;		/* shortest known label for TLD
					   swaps and embedded names; 0: 8
					   (a synthetic million holds a TLD
					   twin for 11% of fresh names at
					   6, 2% at 8: bench_lookalike) */
	unsigned min_hyphen_known;	/* shortest known label matched as
					   hyphen-joined parts; 0: 6 */
};

struct lookalike_match {
	enum lookalike_kind kind;	/* the closest match, or NONE */
	unsigned kinds;			/* 1u << kind for every kind seen */
	const char *domain;		/* the candidate's organisational
					   domain, A-labels (arena), or NULL
					   when it is not a domain */
	const char *target;		/* the indexed domain it resembles
					   (arena), or NULL */
	unsigned target_flags;		/* LOOKALIKE_* of target */
	unsigned self_flags;		/* LOOKALIKE_* of the candidate's
					   own organisational domain */
	int idna_error;			/* an xn-- label that does not
					   decode */
	int truncated;			/* a per-check cap was reached:
					   some comparisons were skipped */
	const char *detail;		/* one short line (arena), e.g.
					   "confusable with paypal.com";
					   NULL when kind is NONE */
};

struct lookalike_stats {
	size_t domains;			/* live domains */
	size_t base, delta;		/* records in each part (removed ones
					   included until the next full
					   rebuild) */
	size_t keys;			/* hash entries */
	size_t bytes;			/* heap held by the index */
	unsigned merges;		/* deltas merged so far */
	unsigned rebuilds;		/* of which full rebuilds */
};

/* A new empty index (options may be NULL).  NULL with a reason in err
 * (PSL unreadable, ICU data missing, out of memory). */
struct lookalike_index *lookalike_index_new(const struct lookalike_options *,
    char *err, size_t errlen);
/* lookalike_index_free(NULL) does nothing.  No other thread may use the
 * index any more. */
void lookalike_index_free(struct lookalike_index *);

/* Adds the organisational domain of domain (A- or U-labels, any case)
 * with flags, or adds flags to it when present.  0, or -1 with a reason:
 * not a domain, a public suffix, index full (LOOKALIKE_MAX_DOMAINS), out
 * of memory. */
#define LOOKALIKE_MAX_DOMAINS	(16u * 1024 * 1024)
int lookalike_index_add(struct lookalike_index *, const char *domain,
    unsigned flags, char *err, size_t errlen);

/* Clears flags from domain's organisational domain; a domain left with
 * no flag is no longer matched, and is dropped at the next merge.  0
 * (also when it was absent), -1 when it is not a domain. */
int lookalike_index_remove(struct lookalike_index *, const char *domain,
    unsigned flags);

/* Folds the delta into a rebuilt base now (adds do it when the delta
 * fills: after a bulk load, call it once).  0, or -1 with a reason. */
int lookalike_index_merge(struct lookalike_index *, char *err,
    size_t errlen);

void lookalike_index_stats(struct lookalike_index *,
    struct lookalike_stats *);

/* Checks one candidate domain (From domain: A- or U-labels).  Fills out
 * (arena strings); kind NONE when nothing resembles it or it is not a
 * domain.  Bounded work whatever the input: at most LOOKALIKE_MAX_PROBES
 * index entries are compared (out->truncated says when the cap was hit).
 * 0, or -1 when out of memory. */
#define LOOKALIKE_MAX_PROBES	4096
int lookalike_check(struct lookalike_index *, const char *domain,
    struct arena *, struct lookalike_match *out);

/* LOOKALIKE_* flags of domain's organisational domain; 0 when absent or
 * not a domain.  *org, when not NULL, gets that organisational domain
 * (arena) or NULL. */
unsigned lookalike_lookup(struct lookalike_index *, const char *domain,
    struct arena *, const char **org);

/* An indexed domain, with one of the flags in mask, whose registrable
 * label folds (confusable_fold) to the same string as word, hyphens
 * left out of both: "PayPal" finds paypal.com, "NameAudit" and
 * "Name-Audit" find name-audit.com.  word is matched whole after
 * folding; spaces are not removed.  Returns the domain (arena) or
 * NULL. */
const char *lookalike_find_label(struct lookalike_index *, const char *word,
    unsigned mask, struct arena *);

/* "confusable", "tld", "edit", "embedded", "none". */
const char *lookalike_kind_name(enum lookalike_kind);

#endif
