/*
 * lkcheck.c - the check of one candidate domain against the lookalike
 * index (lookalike_check, lookalike_kind_name; see lookalike.h for the
 * kinds and lookalike.c for how the index is keyed).
 *
 * Exports lookalike_check and lookalike_kind_name.  Holds the index's
 * read lock for one call; any thread.  Caps: LOOKALIKE_MAX_PROBES
 * entries compared per check and PER_KEY_MAX per hash key;
 * LABEL_CPS_MAX code points of a label for edit distance;
 * PREFIX_LABELS_MAX labels and HYPHEN_PARTS_MAX hyphen parts searched
 * for embedded names.
 */
#include <stdint.h>
#include <string.h>

#include "util/arena.h"
#include "util/confusable.h"
#include "sender/lookalike.h"
#include "sender/lkindex.h"
#include "sender/lkname.h"

#define PREFIX_LABELS_MAX	32
#define HYPHEN_PARTS_MAX	16

/* The best match so far, one per target class. */
struct found {
	enum lookalike_kind kind;
	struct lkindex_ref ref;
	unsigned flags;
};

struct check {
	struct lookalike_index *ix;
	const struct lkname *n;
	unsigned self;
	unsigned kinds_prot, kinds_known;
	struct found prot, known;
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

	/* A known correspondent that looks like a partner is two
	 * correspondents of ours that look alike, not an imitation: only
	 * our own protected names are defended against it. */
	if ((flags & LOOKALIKE_PARTNER) && (c->self & LOOKALIKE_KNOWN))
		flags &= ~(LOOKALIKE_PROTECTED | LOOKALIKE_PARTNER);
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

/* Only the flags for which a record's label (lcps code points, or
 * LCPS_LONG) is long enough. */
static unsigned
long_enough(unsigned flags, unsigned lcps, unsigned min_protected,
    unsigned min_known)
{
	unsigned out = flags & LOOKALIKE_PARTNER;

	if ((flags & LOOKALIKE_PROTECTED) && lcps >= min_protected)
		out |= LOOKALIKE_PROTECTED;
	if ((flags & LOOKALIKE_KNOWN) && lcps >= min_known)
		out |= LOOKALIKE_KNOWN;
	return out;
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
	const struct lkname *n = c->n;
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
			consider(c, r, long_enough(v.flags, v.lcps, 0,
			    c->ix->min_tld_known), LOOKALIKE_TLD);
		return;
	}
	if (v.lcps == LCPS_LONG || n->lcps == LCPS_LONG)
		return;
	m = lkindex_decode(v.fold, v.llen, cps);
	if (!lkindex_within1(n->cps, n->lcps, cps, m))
		return;
	flags = long_enough(v.flags, v.lcps, c->ix->min_edit_protected,
	    c->ix->min_edit_known);
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
		consider(c, r, long_enough(v.flags, v.lcps, 0,
		    c->ix->min_tld_known), LOOKALIKE_EMBEDDED);
	else if (c->hyphen)
		/* a word added with a hyphen: "name-billing", "secure-name";
		 * bare labels of known correspondents only here, not as
		 * labels of a subdomain ("www", "mail" are labels too) */
		consider(c, r, long_enough(v.flags, v.lcps,
		    c->ix->min_embedded, c->ix->min_hyphen_known),
		    LOOKALIKE_EMBEDDED);
	else
		consider(c, r, long_enough(v.flags & ~LOOKALIKE_KNOWN,
		    v.lcps, c->ix->min_embedded, 0), LOOKALIKE_EMBEDDED);
}

/* Labels before the organisational domain: "paypal.com.evil.net". */
static void
check_prefix(struct check *c, struct lkindex_budget *b)
{
	const struct lkname *n = c->n;
	char all[2 * LKNAME_FOLD_BYTES + 1];	/* prefix "." org, all folded */
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

/* Runs of hyphen parts of the registrable label, each part alone and
 * consecutive parts joined: "example-com.net" (a name and its suffix),
 * "name-billing.com", "name-audit-invoices.com" (a name with a word
 * added, the name itself hyphenated).  The whole label is the label
 * check's. */
static void
check_hyphens(struct check *c, struct lkindex_budget *b)
{
	const struct lkname *n = c->n;
	const char *end = n->fold + n->llen, *p, *h;
	const char *start[HYPHEN_PARTS_MAX], *stop[HYPHEN_PARTS_MAX];
	unsigned np = 0, i, j;

	if (memchr(n->fold, '-', n->llen) == NULL)
		return;
	for (p = n->fold; np < HYPHEN_PARTS_MAX; p = h + 1) {
		if ((h = memchr(p, '-', (size_t)(end - p))) == NULL)
			h = end;
		start[np] = p;
		stop[np++] = h;
		if (h == end)
			break;
	}
	c->hyphen = 1;
	for (i = 0; i < np; i++)
		for (j = i; j < np; j++) {
			if (i == 0 && stop[j] == end)
				continue;	/* the whole label */
			c->part = start[i];
			c->partlen = (size_t)(stop[j] - start[i]);
			c->rest = stop[j] < end ? stop[j] + 1 : end;
			c->restlen = stop[j] < end ? (size_t)(end -
			    stop[j] - 1) : 0;
			if (stop[i] > start[i] && stop[j] > start[j])
				lkindex_probe(c->ix, lkindex_hash(c->ix,
				    c->part, c->partlen), visit_embedded, c,
				    b);
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
	    out->target, f->flags & LOOKALIKE_PARTNER ? " (partner)" :
	    f->flags & LOOKALIKE_PROTECTED ? " (protected)" : "")) == NULL)
		return -1;
	return 0;
}

int
lookalike_check(struct lookalike_index *ix, const char *domain,
    struct arena *a, struct lookalike_match *out)
{
	char del[LKNAME_FOLD_BYTES];
	struct lkindex_budget b = { LOOKALIKE_MAX_PROBES, 0 };
	struct check c;
	struct lkname n;
	const char *why;
	size_t dl;
	unsigned i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (domain == NULL || lkname_reduce(ix, domain, 1, &n, &why) == -1)
		return strcmp(why, "out of memory") == 0 ? -1 : 0;
	out->idna_error = n.idna_error;
	if ((out->domain = arena_strndup(a, n.org, n.olen)) == NULL)
		return -1;
	memset(&c, 0, sizeof(c));
	c.ix = ix;
	c.n = &n;
	lkindex_read_lock(ix);
	(void)lkname_find(ix, &n, NULL, &c.self);
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
