/*
 * lkname.c - reduces a domain for the lookalike index (lkname.h): IDNA
 * to A-labels, the organisational domain (PSL), and the UTS #39 fold of
 * its registrable label and public suffix; and finds a reduced name's
 * own record.
 *
 * Exports lkname_*.  Pure over the index's PSL copy and hash key; any
 * thread (lkname_find under the index's read lock or writer mutex).
 * Caps: names at CONFUSABLE_DOMAIN_MAX bytes, folds at
 * LKNAME_FOLD_BYTES, LABEL_CPS_MAX code points decoded.
 */
#include <string.h>

#include "util/arena.h"
#include "util/confusable.h"
#include "mail/orgdomain.h"
#include "sender/lookalike.h"
#include "sender/lkindex.h"
#include "sender/lkname.h"

int
lkname_seqfold(char *s, int len, size_t cap)
{
	char tmp[LKNAME_FOLD_BYTES];
	size_t i, o = 0;

	if (len < 0 || (size_t)len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, (size_t)len);
	for (i = 0; i < (size_t)len; i++) {
		const char *rep = tmp[i] == 'w' ? "vv" : tmp[i] == 'd' ?
		    "cl" : NULL;

		if (o + (rep != NULL ? 2 : 1) >= cap)
			return -1;
		if (rep != NULL) {
			s[o++] = rep[0];
			s[o++] = rep[1];
		} else
			s[o++] = tmp[i];
	}
	s[o] = '\0';
	return (int)o;
}

int
lkname_reduce(struct lookalike_index *ix, const char *domain, int prefix,
    struct lkname *n, const char **why)
{
	char uni[2 * LKNAME_FOLD_BYTES];
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
	    sizeof(n->fold) - 1)) <= 0 || (len = lkname_seqfold(n->fold, len,
	    sizeof(n->fold) - 1)) <= 0)
		return -1;
	n->llen = (size_t)len;
	n->fold[n->llen] = '.';
	if ((len = confusable_fold(dot + 1, (size_t)(uni + ulen - dot - 1),
	    n->fold + n->llen + 1, sizeof(n->fold) - n->llen - 1)) < 0 ||
	    (len = lkname_seqfold(n->fold + n->llen + 1, len,
	    sizeof(n->fold) - n->llen - 1)) < 0)
		return -1;
	n->flen = n->llen + 1 + (size_t)len;
	n->lcps = lkindex_decode(n->fold, n->llen, n->cps);
	if (prefix && n->alen > n->olen) {
		ulen = confusable_domain_unicode(n->ascii, n->alen - n->olen -
		    1, uni, sizeof(uni), &e2);
		n->idna_error |= e2;
		len = ulen < 0 ? -1 : confusable_fold(uni, (size_t)ulen,
		    n->pfold, sizeof(n->pfold));
		len = lkname_seqfold(n->pfold, len, sizeof(n->pfold));
		n->plen = len < 0 ? 0 : (size_t)len;
	}
	return 0;
}

struct exact {
	const struct lkname *n;
	struct lkindex_ref ref;
	unsigned flags;
	int found;
};

static void
visit_exact(void *arg, const struct lkindex_ref *r)
{
	struct exact *x = arg;
	struct lkindex_view v;

	if (lkindex_view(r, &v) == 0 && v.alen == x->n->olen &&
	    memcmp(v.ascii, x->n->org, v.alen) == 0) {
		x->flags |= v.flags;
		x->ref = *r;
		x->found = 1;
	}
}

int
lkname_find(struct lookalike_index *ix, const struct lkname *n,
    struct lkindex_ref *out, unsigned *flags)
{
	struct lkindex_budget b = { LOOKALIKE_MAX_PROBES, 0 };
	struct exact x;

	memset(&x, 0, sizeof(x));
	x.n = n;
	lkindex_probe(ix, lkindex_hash_exact(ix, n->org, n->olen),
	    visit_exact, &x, &b);
	if (!x.found)
		return -1;
	if (out != NULL)
		*out = x.ref;
	if (flags != NULL)
		*flags = x.flags;
	return 0;
}
