/*
 * lookalike.c - lookalike domains: an index of protected domains and
 * known correspondents, and the check of one From domain against it.
 *
 * Exports lookalike_*.  Owns the index: its PSL copy, and through
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

#define FOLD_BYTES		512	/* one folded name */
#define PREFIX_LABELS_MAX	32
#define HYPHEN_PARTS_MAX	16

/* A candidate or a domain to add, reduced for comparison. */
struct name {
	char ascii[CONFUSABLE_DOMAIN_MAX + 1];
	size_t alen;
	const char *org;		/* points into ascii */
	size_t olen;
	char fold[FOLD_BYTES];		/* "label.suffix" folded */
	size_t flen, llen;
	uint32_t cps[LABEL_CPS_MAX];
	unsigned lcps;			/* LCPS_LONG when over the cap */
	char pfold[FOLD_BYTES];		/* labels before org, folded */
	size_t plen;			/* 0: none, or did not fold */
	int idna_error;
};

/* Reduces domain to n; with prefix, also folds the labels before the
 * organisational domain.  0, or -1 when it is not a domain, is a public
 * suffix or does not fold (reason in why). */
static int
name_reduce(struct lookalike_index *ix, const char *domain, int prefix,
    struct name *n, const char **why)
{
	char uni[2 * FOLD_BYTES];
	const char *o, *dot;
	struct arena *a;
	int len, ulen, e2 = 0;

	memset(n, 0, sizeof(*n));
	*why = "not a domain name";
	len = confusable_domain_ascii(domain, strlen(domain), n->ascii,
	    sizeof(n->ascii), &n->idna_error);
	if (len < 0)
		return -1;
	n->alen = (size_t)len;
	if ((a = arena_new()) == NULL) {
		*why = "out of memory";
		return -1;
	}
	o = orgdomain_get(ix->orgdomain, n->ascii, a);
	if (o == NULL || strlen(o) > n->alen || strcmp(o, n->ascii + n->alen -
	    strlen(o)) != 0) {
		arena_free(a);
		*why = "a public suffix or not a domain name";
		return -1;
	}
	n->olen = strlen(o);
	n->org = n->ascii + n->alen - n->olen;
	arena_free(a);
	*why = "name too long to fold";
	ulen = confusable_domain_unicode(n->org, n->olen, uni, sizeof(uni),
	    &e2);
	if (ulen < 0 || (dot = memchr(uni, '.', (size_t)ulen)) == NULL)
		return -1;
	n->idna_error |= e2;
	/* a label of marks alone folds to nothing: no name to compare */
	if ((len = confusable_fold(uni, (size_t)(dot - uni), n->fold,
	    sizeof(n->fold) - 1)) <= 0)
		return -1;
	n->llen = (size_t)len;
	n->fold[n->llen] = '.';
	if ((len = confusable_fold(dot + 1, (size_t)(uni + ulen - dot - 1),
	    n->fold + n->llen + 1, sizeof(n->fold) - n->llen - 1)) < 0)
		return -1;
	n->flen = n->llen + 1 + (size_t)len;
	n->lcps = lkindex_decode(n->fold, n->llen, n->cps);
	if (prefix && n->alen > n->olen) {
		ulen = confusable_domain_unicode(n->ascii, n->alen - n->olen -
		    1, uni, sizeof(uni), &e2);
		n->idna_error |= e2;
		len = ulen < 0 ? -1 : confusable_fold(uni, (size_t)ulen,
		    n->pfold, sizeof(n->pfold));
		n->plen = len < 0 ? 0 : (size_t)len;
	}
	return 0;
}

struct lookalike_index *
lookalike_index_new(const struct lookalike_options *opt, char *err,
    size_t errlen)
{
	struct lookalike_options o = { NULL, 0, 0, 0 };
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

/* The live record of n's organisational domain (writer mutex held). */
static int
find_exact(struct lookalike_index *ix, const struct name *n,
    struct lkindex_ref *out);

int
lookalike_index_add(struct lookalike_index *ix, const char *domain,
    unsigned flags, char *err, size_t errlen)
{
	struct lkindex_entry e;
	struct lkindex_ref r;
	struct name n;
	const char *why = "no LOOKALIKE_ flag given";
	int rc = -1;

	flags &= LOOKALIKE_PROTECTED | LOOKALIKE_KNOWN;
	if (flags == 0 || domain == NULL ||
	    name_reduce(ix, domain, 0, &n, &why) == -1) {
		snprintf(err, errlen, "lookalike: %s", why);
		return -1;
	}
	pthread_mutex_lock(&ix->wlock);
	if (find_exact(ix, &n, &r) == 0) {
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
	struct name n;
	const char *why;

	if (domain == NULL || name_reduce(ix, domain, 0, &n, &why) == -1)
		return -1;
	pthread_mutex_lock(&ix->wlock);
	if (find_exact(ix, &n, &r) == 0) {
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

/* The best match so far, one per target class. */
struct found {
	enum lookalike_kind kind;
	struct lkindex_ref ref;
	unsigned flags;
};

struct check {
	struct lookalike_index *ix;
	const struct name *n;
	unsigned self;
	unsigned kinds_prot, kinds_known;
	struct found prot, known;
	struct lkindex_ref self_ref;	/* the candidate's own record */
	int self_found;
	const char *part;		/* embedded: the label or part */
	size_t partlen;
	const char *rest;		/* what follows it */
	size_t restlen;
	int hyphen;			/* rest is hyphen-separated */
};

static void
consider(struct check *c, const struct lkindex_ref *r, unsigned flags,
    enum lookalike_kind kind)
{
	struct found *f;

	if (flags & LOOKALIKE_PROTECTED) {
		f = &c->prot;
		c->kinds_prot |= 1u << kind;
	} else if (flags & LOOKALIKE_KNOWN) {
		f = &c->known;
		c->kinds_known |= 1u << kind;
	} else
		return;
	if (kind > f->kind) {
		f->kind = kind;
		f->ref = *r;
		f->flags = flags;
	}
}

/* Only the flags for which a record's label is long enough. */
static unsigned
long_enough(const struct lookalike_index *ix, unsigned flags, unsigned lcps,
    unsigned min_protected)
{
	unsigned out = 0;

	if ((flags & LOOKALIKE_PROTECTED) && lcps >= min_protected)
		out |= LOOKALIKE_PROTECTED;
	if ((flags & LOOKALIKE_KNOWN) && lcps >= ix->min_edit_known)
		out |= LOOKALIKE_KNOWN;
	return out;
}

/* A record reached through the candidate's exact key. */
static void
visit_exact(void *arg, const struct lkindex_ref *r)
{
	struct check *c = arg;
	struct lkindex_view v;

	if (lkindex_view(r, &v) == 0 && v.alen == c->n->olen &&
	    memcmp(v.ascii, c->n->org, v.alen) == 0) {
		c->self |= v.flags;
		c->self_ref = *r;
		c->self_found = 1;
	}
}

static int
find_exact(struct lookalike_index *ix, const struct name *n,
    struct lkindex_ref *out)
{
	struct lkindex_budget b = { LOOKALIKE_MAX_PROBES, 0 };
	struct check c;

	memset(&c, 0, sizeof(c));
	c.ix = ix;
	c.n = n;
	lkindex_probe(ix, lkindex_hash_exact(ix, n->org, n->olen),
	    visit_exact, &c, &b);
	if (!c.self_found)
		return -1;
	*out = c.self_ref;
	return 0;
}

/* 1 when a and b (one edit apart) are the same once ASCII digits are
 * taken out: the edit touched digits only. */
static int
digits_only_edit(const uint32_t *a, unsigned na, const uint32_t *b,
    unsigned nb)
{
	unsigned i = 0, j = 0;

	for (;;) {
		while (i < na && a[i] >= '0' && a[i] <= '9')
			i++;
		while (j < nb && b[j] >= '0' && b[j] <= '9')
			j++;
		if (i == na || j == nb)
			return i == na && j == nb;
		if (a[i++] != b[j++])
			return 0;
	}
}

/* A record reached through one of the candidate's label keys. */
static void
visit_label(void *arg, const struct lkindex_ref *r)
{
	struct check *c = arg;
	const struct name *n = c->n;
	struct lkindex_view v;
	uint32_t cps[LABEL_CPS_MAX];
	unsigned m, flags;

	if (lkindex_view(r, &v) == -1 || (v.alen == n->olen &&
	    memcmp(v.ascii, n->org, n->olen) == 0))
		return;
	if (v.llen == n->llen && memcmp(v.fold, n->fold, n->llen) == 0) {
		if (v.flen == n->flen && memcmp(v.fold, n->fold, n->flen) ==
		    0)
			consider(c, r, v.flags, LOOKALIKE_CONFUSABLE);
		else
			consider(c, r, long_enough(c->ix, v.flags, v.lcps, 0),
			    LOOKALIKE_TLD);
		return;
	}
	if (v.lcps == LCPS_LONG || n->lcps == LCPS_LONG)
		return;
	m = lkindex_decode(v.fold, v.llen, cps);
	if (!lkindex_within1(n->cps, n->lcps, cps, m))
		return;
	flags = long_enough(c->ix, v.flags, v.lcps, c->ix->min_edit_protected);
	/* "shop24" and "shop25" are two shops: numbers tell correspondents
	 * apart, so a digit-only edit does not make a lookalike of one (of a
	 * protected name it still does: "paypal1") */
	if (digits_only_edit(n->cps, n->lcps, cps, m))
		flags &= ~LOOKALIKE_KNOWN;
	consider(c, r, flags, LOOKALIKE_EDIT);
}

/* 1 when rest begins with suffix fold s as whole labels (a hyphen in
 * rest standing for a dot when c->hyphen). */
static int
suffix_follows(const struct check *c, const char *s, size_t slen)
{
	size_t i;

	if (slen > c->restlen)
		return 0;
	for (i = 0; i < slen; i++) {
		char x = c->rest[i];

		if (c->hyphen && x == '-')
			x = '.';
		if (x != s[i])
			return 0;
	}
	return slen == c->restlen || c->rest[slen] == '.' ||
	    (c->hyphen && c->rest[slen] == '-');
}

/* A record reached through a label (or hyphen part) before the
 * candidate's registrable label. */
static void
visit_embedded(void *arg, const struct lkindex_ref *r)
{
	struct check *c = arg;
	struct lkindex_view v;

	if (lkindex_view(r, &v) == -1 || v.llen != c->partlen ||
	    memcmp(v.fold, c->part, c->partlen) != 0)
		return;
	if (v.alen == c->n->olen && memcmp(v.ascii, c->n->org, v.alen) == 0)
		return;
	if (v.flen > v.llen && suffix_follows(c, v.fold + v.llen + 1,
	    v.flen - v.llen - 1))
		consider(c, r, long_enough(c->ix, v.flags, v.lcps, 0),
		    LOOKALIKE_EMBEDDED);
	else if (v.lcps != LCPS_LONG && v.lcps >= c->ix->min_embedded)
		consider(c, r, v.flags & LOOKALIKE_PROTECTED,
		    LOOKALIKE_EMBEDDED);
}

/* Labels before the organisational domain: "paypal.com.evil.net". */
static void
check_prefix(struct check *c, struct lkindex_budget *b)
{
	const struct name *n = c->n;
	char all[2 * FOLD_BYTES + 1];	/* prefix "." org, all folded */
	const char *p = all, *end = all + n->plen, *dot;
	size_t total = n->plen + 1 + n->flen;
	unsigned i;

	memcpy(all, n->pfold, n->plen);
	all[n->plen] = '.';
	memcpy(all + n->plen + 1, n->fold, n->flen);
	for (i = 0; p < end && i < PREFIX_LABELS_MAX; i++, p = dot + 1) {
		if ((dot = memchr(p, '.', (size_t)(end - p))) == NULL)
			dot = end;
		c->part = p;
		c->partlen = (size_t)(dot - p);
		/* what follows: the rest of the name, org included, so that
		 * a suffix may run into it ("paypal.co" + "uk.net") */
		c->rest = dot + 1;
		c->restlen = total - (size_t)(dot + 1 - all);
		c->hyphen = 0;
		if (c->partlen > 0)
			lkindex_probe(c->ix, lkindex_hash(c->ix, p, c->partlen),
			    visit_embedded, c, b);
	}
}

/* Hyphen parts of the registrable label: "example-com.net". */
static void
check_hyphens(struct check *c, struct lkindex_budget *b)
{
	const struct name *n = c->n;
	const char *p = n->fold, *end = n->fold + n->llen, *h;
	unsigned i;

	if (memchr(p, '-', n->llen) == NULL)
		return;
	for (i = 0; p < end && i < HYPHEN_PARTS_MAX; i++, p = h + 1) {
		if ((h = memchr(p, '-', (size_t)(end - p))) == NULL)
			h = end;
		c->part = p;
		c->partlen = (size_t)(h - p);
		c->rest = h < end ? h + 1 : end;
		c->restlen = h < end ? (size_t)(end - h - 1) : 0;
		c->hyphen = 1;
		if (c->partlen > 0)
			lkindex_probe(c->ix, lkindex_hash(c->ix, p, c->partlen),
			    visit_embedded, c, b);
		if (h == end)
			break;
	}
}

const char *
lookalike_kind_name(enum lookalike_kind k)
{
	switch (k) {
	case LOOKALIKE_CONFUSABLE:
		return "confusable";
	case LOOKALIKE_TLD:
		return "tld";
	case LOOKALIKE_EDIT:
		return "edit";
	case LOOKALIKE_EMBEDDED:
		return "embedded";
	default:
		return "none";
	}
}

static const char *const kind_text[] = {
	"", "embeds", "one edit from", "another TLD of", "confusable with",
};

/* Chooses the closest match allowed by the candidate's own flags:
 * protected targets before known correspondents, then the closest
 * kind. */
static int
finish(struct check *c, struct arena *a, struct lookalike_match *out)
{
	const struct found *f = NULL;
	struct lkindex_view v;

	out->self_flags = c->self;
	if (c->self & LOOKALIKE_PROTECTED)
		return 0;
	out->kinds = c->kinds_prot;
	if (!(c->self & LOOKALIKE_KNOWN))
		out->kinds |= c->kinds_known;
	if (c->prot.kind != LOOKALIKE_NONE)
		f = &c->prot;
	else if (!(c->self & LOOKALIKE_KNOWN) &&
	    c->known.kind != LOOKALIKE_NONE)
		f = &c->known;
	if (f == NULL || lkindex_view(&f->ref, &v) == -1)
		return 0;
	out->kind = f->kind;
	out->target_flags = f->flags;
	if ((out->target = arena_strndup(a, v.ascii, v.alen)) == NULL ||
	    (out->detail = arena_printf(a, "%s %s%s", kind_text[f->kind],
	    out->target, f->flags & LOOKALIKE_PROTECTED ? " (protected)" :
	    "")) == NULL)
		return -1;
	return 0;
}

int
lookalike_check(struct lookalike_index *ix, const char *domain,
    struct arena *a, struct lookalike_match *out)
{
	char del[FOLD_BYTES];
	struct lkindex_budget b = { LOOKALIKE_MAX_PROBES, 0 };
	struct check c;
	struct name n;
	const char *why;
	size_t dl;
	unsigned i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (domain == NULL || name_reduce(ix, domain, 1, &n, &why) == -1)
		return strcmp(why, "out of memory") == 0 ? -1 : 0;
	out->idna_error = n.idna_error;
	if ((out->domain = arena_strndup(a, n.org, n.olen)) == NULL)
		return -1;
	memset(&c, 0, sizeof(c));
	c.ix = ix;
	c.n = &n;
	lkindex_read_lock(ix);
	lkindex_probe(ix, lkindex_hash_exact(ix, n.org, n.olen), visit_exact,
	    &c, &b);
	lkindex_probe(ix, lkindex_hash(ix, n.fold, n.llen), visit_label, &c,
	    &b);
	if (n.lcps != LCPS_LONG && n.lcps >= ix->min_edit_min)
		for (i = 0; i < n.lcps; i++) {
			if (i > 0 && n.cps[i] == n.cps[i - 1])
				continue;	/* same string as i - 1 */
			dl = lkindex_delete(n.fold, n.llen, i, del);
			lkindex_probe(ix, lkindex_hash(ix, del, dl),
			    visit_label, &c, &b);
		}
	if (n.plen > 0)
		check_prefix(&c, &b);
	check_hyphens(&c, &b);
	rc = finish(&c, a, out);
	lkindex_read_unlock(ix);
	out->truncated = b.truncated;
	return rc;
}

unsigned
lookalike_lookup(struct lookalike_index *ix, const char *domain,
    struct arena *a, const char **org)
{
	struct lkindex_budget b = { LOOKALIKE_MAX_PROBES, 0 };
	struct check c;
	struct name n;
	const char *why;

	if (org != NULL)
		*org = NULL;
	if (domain == NULL || name_reduce(ix, domain, 0, &n, &why) == -1)
		return 0;
	if (org != NULL)
		*org = arena_strndup(a, n.org, n.olen);
	memset(&c, 0, sizeof(c));
	c.ix = ix;
	c.n = &n;
	lkindex_read_lock(ix);
	lkindex_probe(ix, lkindex_hash_exact(ix, n.org, n.olen), visit_exact,
	    &c, &b);
	lkindex_read_unlock(ix);
	return c.self;
}

struct find {
	const char *fold;
	size_t len;
	unsigned mask;
	struct lkindex_ref ref;
	int found;
};

static void
visit_find(void *arg, const struct lkindex_ref *r)
{
	struct find *f = arg;
	struct lkindex_view v;

	if (f->found || lkindex_view(r, &v) == -1 || !(v.flags & f->mask) ||
	    v.llen != f->len || memcmp(v.fold, f->fold, f->len) != 0)
		return;
	f->ref = *r;
	f->found = 1;
}

const char *
lookalike_find_label(struct lookalike_index *ix, const char *word,
    unsigned mask, struct arena *a)
{
	struct lkindex_budget b = { LOOKALIKE_MAX_PROBES, 0 };
	char fold[FOLD_BYTES];
	const char *out = NULL;
	struct lkindex_view v;
	struct find f;
	int len;

	if (word == NULL || (len = confusable_fold(word, strlen(word), fold,
	    sizeof(fold))) <= 0)
		return NULL;
	memset(&f, 0, sizeof(f));
	f.fold = fold;
	f.len = (size_t)len;
	f.mask = mask;
	lkindex_read_lock(ix);
	lkindex_probe(ix, lkindex_hash(ix, fold, f.len), visit_find, &f, &b);
	if (f.found && lkindex_view(&f.ref, &v) == 0)
		out = arena_strndup(a, v.ascii, v.alen);
	lkindex_read_unlock(ix);
	return out;
}
