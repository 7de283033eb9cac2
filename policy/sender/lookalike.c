/*
 * lookalike.c - lookalike domains: an index of protected domains and
 * known correspondents, and the check of one From domain against it.
 *
 * Exports lookalike_* (lookalike_check is in lkcheck.c, the reduction
 * of a name in lkname.c).  Owns the index: its PSL copy, and through
 * lkindex.c and lkmerge.c its records and hash tables.  Thread rule
 * (lookalike.h, in detail in lkindex.c): readers hold ix->lock for
 * reading during one call; writers take ix->wlock for the whole
 * operation, append to the delta without blocking readers, and take
 * ix->lock for writing only to swap in a merged base.  Record flags are
 * atomics changed in place, so adding a flag never needs a rebuild.
 * Caps: LOOKALIKE_MAX_DOMAINS records; LOOKALIKE_MAX_PROBES entries
 * compared per check and PER_KEY_MAX per hash key; LABEL_CPS_MAX code
 * points of a label for edit distance; PREFIX_LABELS_MAX labels and
 * HYPHEN_PARTS_MAX hyphen parts searched for embedded names; input text
 * at CONFUSABLE_TEXT_MAX bytes.
 *
 * How: every domain is reduced to its organisational domain (PSL), whose
 * IDNA-decoded form is folded (confusable_fold): the registrable label's
 * fold and the public suffix's fold.  A record is indexed under a keyed
 * hash (SipHash-2-4, random key per index, so that nobody can aim
 * domains at one bucket) of its label fold, and - SymSpell-style - of
 * each string obtained by deleting one code point from it.  Two labels
 * are at edit distance at most 1 (with transpositions) exactly when the
 * sets {label} + deletions(label) of both share a string, so a check
 * computes its own set (length + 1 keys) and verifies what those keys
 * hold: constant work per check, whatever the size of the index.
 * Also keyed: the exact organisational domain, which tells a candidate
 * whether it is itself indexed.  The base is a compressed table (bucket
 * offsets and a flat id array, 4 bytes a key); new domains go to an
 * append-only delta, folded into a new base when it fills (an eighth of
 * the base; lkmerge.c).  Protected records come first in every bucket,
 * so the per-key cap never hides one behind correspondents.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/confusable.h"
#include "mail/orgdomain.h"
#include "sender/lookalike.h"
#include "sender/lkindex.h"
#include "sender/lkmerge.h"
#include "sender/lkname.h"

struct lookalike_index *
lookalike_index_new(const struct lookalike_options *opt, char *err,
    size_t errlen)
{
	struct lookalike_options o = { NULL, 0, 0, 0, 0, 0 };
	struct lookalike_index *ix;
	char probe[8];
	uint64_t key[2];

	if (opt != NULL)
		o = *opt;
	if (confusable_fold("a", 1, probe, sizeof(probe)) != 1) {
		snprintf(err, errlen, "lookalike: ICU data unavailable");
		return NULL;
	}
	if ((ix = calloc(1, sizeof(*ix))) == NULL) {
		snprintf(err, errlen, "lookalike: out of memory");
		return NULL;
	}
	ix->min_edit_protected = o.min_edit_protected ? o.min_edit_protected :
	    4;
	ix->min_edit_known = o.min_edit_known ? o.min_edit_known : 8;
	ix->min_embedded = o.min_embedded ? o.min_embedded : 4;
	ix->min_tld_known = o.min_tld_known ? o.min_tld_known : 8;
	ix->min_hyphen_known = o.min_hyphen_known ? o.min_hyphen_known : 6;
	ix->min_edit_min = ix->min_edit_protected < ix->min_edit_known ?
	    ix->min_edit_protected : ix->min_edit_known;
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
		/* no entropy yet: still unpredictable enough to spread
		 * buckets, and the per-key cap bounds the rest */
		key[0] = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		key[1] = (uint64_t)(uintptr_t)ix ^ (uint64_t)clock();
	}
	ix->k0 = key[0];
	ix->k1 = key[1];
	if ((ix->orgdomain = orgdomain_new(o.psl_file, err, errlen)) ==
	    NULL) {
		free(ix);
		return NULL;
	}
	if (lkindex_init(ix) == -1) {
		orgdomain_free(ix->orgdomain);
		free(ix);
		snprintf(err, errlen, "lookalike: out of memory");
		return NULL;
	}
	return ix;
}

void
lookalike_index_free(struct lookalike_index *ix)
{
	if (ix == NULL)
		return;
	lkindex_destroy(ix);
	orgdomain_free(ix->orgdomain);
	free(ix);
}

int
lookalike_index_add(struct lookalike_index *ix, const char *domain,
    unsigned flags, char *err, size_t errlen)
{
	struct lkindex_entry e;
	struct lkindex_ref r;
	struct lkname n;
	const char *why = "no LOOKALIKE_ flag given";
	int rc = -1;

	flags &= LOOKALIKE_PROTECTED | LOOKALIKE_KNOWN | LOOKALIKE_PARTNER;
	if (flags == 0 || domain == NULL ||
	    lkname_reduce(ix, domain, 0, &n, &why) == -1) {
		snprintf(err, errlen, "lookalike: %s", why);
		return -1;
	}
	pthread_mutex_lock(&ix->wlock);
	if (lkname_find(ix, &n, &r, NULL) == 0) {
		lkindex_set_flags(&r, flags, 0);
		rc = 0;
	} else if (ix->live >= LOOKALIKE_MAX_DOMAINS) {
		snprintf(err, errlen, "lookalike: index full (%u domains)",
		    LOOKALIKE_MAX_DOMAINS);
	} else {
		e.ascii = n.org;
		e.alen = n.olen;
		e.fold = n.fold;
		e.flen = n.flen;
		e.llen = n.llen;
		e.lcps = n.lcps;
		e.flags = flags;
		if (lkindex_insert(ix, &e) == -1)
			snprintf(err, errlen, "lookalike: out of memory (or "
			    "4 GB of names)");
		else {
			ix->live++;
			rc = 0;
		}
	}
	pthread_mutex_unlock(&ix->wlock);
	return rc;
}

int
lookalike_index_remove(struct lookalike_index *ix, const char *domain,
    unsigned flags)
{
	struct lkindex_view v;
	struct lkindex_ref r;
	struct lkname n;
	const char *why;

	if (domain == NULL || lkname_reduce(ix, domain, 0, &n, &why) == -1)
		return -1;
	pthread_mutex_lock(&ix->wlock);
	if (lkname_find(ix, &n, &r, NULL) == 0) {
		lkindex_set_flags(&r, 0, flags);
		if (lkindex_view(&r, &v) == -1)
			ix->live--;
	}
	pthread_mutex_unlock(&ix->wlock);
	return 0;
}

int
lookalike_index_merge(struct lookalike_index *ix, char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&ix->wlock);
	rc = lkmerge_run(ix);
	pthread_mutex_unlock(&ix->wlock);
	if (rc == -1)
		snprintf(err, errlen, "lookalike: out of memory");
	return rc;
}

void
lookalike_index_stats(struct lookalike_index *ix, struct lookalike_stats *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&ix->wlock);
	lkindex_count(ix, &st->base, &st->delta, &st->keys, &st->bytes);
	st->domains = ix->live;
	st->merges = ix->merges;
	st->rebuilds = ix->rebuilds;
	pthread_mutex_unlock(&ix->wlock);
}


unsigned
lookalike_lookup(struct lookalike_index *ix, const char *domain,
    struct arena *a, const char **org)
{
	struct lkname n;
	const char *why;
	unsigned flags = 0;

	if (org != NULL)
		*org = NULL;
	if (domain == NULL || lkname_reduce(ix, domain, 0, &n, &why) == -1)
		return 0;
	if (org != NULL)
		*org = arena_strndup(a, n.org, n.olen);
	lkindex_read_lock(ix);
	if (lkname_find(ix, &n, NULL, &flags) == -1)
		flags = 0;
	lkindex_read_unlock(ix);
	return flags;
}

struct find {
	const char *fold;
	size_t len;
	unsigned mask;
	struct lkindex_ref ref;
	int found;
};

/* A record whose label, without its hyphens, is the word: "nameaudit"
 * finds name-audit.example. */
static void
visit_find(void *arg, const struct lkindex_ref *r)
{
	struct find *f = arg;
	struct lkindex_view v;
	char bare[LKINDEX_LABEL_BYTES];

	if (f->found || lkindex_view(r, &v) == -1 || !(v.flags & f->mask) ||
	    v.llen > sizeof(bare) || lkindex_dehyphen(v.fold, v.llen, bare) !=
	    f->len || memcmp(bare, f->fold, f->len) != 0)
		return;
	f->ref = *r;
	f->found = 1;
}

const char *
lookalike_find_label(struct lookalike_index *ix, const char *word,
    unsigned mask, struct arena *a)
{
	struct lkindex_budget b = { LOOKALIKE_MAX_PROBES, 0 };
	char fold[LKNAME_FOLD_BYTES], bare[LKNAME_FOLD_BYTES];
	const char *out = NULL;
	struct lkindex_view v;
	struct find f;
	int len;

	if (word == NULL || (len = confusable_fold(word, strlen(word), fold,
	    sizeof(fold))) <= 0 || (len = lkname_seqfold(fold, len,
	    sizeof(fold))) <= 0)
		return NULL;
	memset(&f, 0, sizeof(f));
	f.fold = bare;
	f.len = lkindex_dehyphen(fold, (size_t)len, bare);
	f.mask = mask;
	if (f.len == 0)
		return NULL;
	lkindex_read_lock(ix);
	lkindex_probe(ix, lkindex_hash(ix, bare, f.len), visit_find, &f, &b);
	if (f.found && lkindex_view(&f.ref, &v) == 0)
		out = arena_strndup(a, v.ascii, v.alen);
	lkindex_read_unlock(ix);
	return out;
}
