/*
 * lkmerge.c - folds the lookalike index's delta into a new base.
 *
 * Exports lkmerge_run to lookalike.c and lkindex.c.  Runs in the writer's
 * thread with ix->wlock held; builds everything aside, then takes
 * ix->lock for writing only to swap the base and delta pointers (see
 * lkindex.c for the whole thread rule).
 *
 * Two ways:
 * - incremental (the usual one): the old records, pool and flags are
 *   copied as they are, the delta's live records appended, and each
 *   bucket's old ids copied in one sequential pass with the delta's ids
 *   slotted in (sorted by bucket beforehand) - memory bandwidth, not
 *   cache misses, so about 0.1 s for a million domains;
 * - full rebuild, when the buckets are too loaded (more than REBUILD_LOAD
 *   keys a bucket on average), when removed records make up over a
 *   quarter of the base, or for the first base: records are renumbered
 *   (removed ones dropped), buckets sized to one or two keys each, and
 *   filled by counting then placing back to front.
 * Both keep protected records' ids first in every bucket, so the per-key
 * cap of a probe never hides a protected domain behind correspondents.
 * Buckets only double in a full rebuild, so the full rebuilds of a
 * growing index cost about twice its final size in all.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sender/lkindex.h"
#include "sender/lkmerge.h"
#include "sender/lookalike.h"

#define REBUILD_LOAD	4

static unsigned
flags_of(const struct lkindex_set *s, size_t i)
{
	return atomic_load_explicit(&s->flags[i], memory_order_relaxed);
}

static unsigned
rec_keys(const struct lookalike_index *ix, const struct lkindex_set *s,
    size_t i, uint64_t *keys)
{
	const struct lkindex_rec *r = &s->recs[i];

	return lkindex_keys(ix, s->pool + r->off, r->alen, s->pool + r->off +
	    r->alen, r->llen, r->lcps, keys);
}

static int
set_alloc(struct lkindex_set *s, size_t n, size_t pool)
{
	s->cap = n > 0 ? n : 1;
	s->poolcap = pool > 0 ? pool : 1;
	s->recs = malloc(s->cap * sizeof(*s->recs));
	s->flags = malloc(s->cap * sizeof(*s->flags));
	s->pool = malloc(s->poolcap);
	return s->recs == NULL || s->flags == NULL || s->pool == NULL ? -1 : 0;
}

/* Appends the live records of src with (or without) the protected flag
 * to dst, which has room. */
static void
copy_live(struct lkindex_set *dst, const struct lkindex_set *src,
    int protected)
{
	const struct lkindex_rec *r;
	unsigned f;
	size_t i;

	for (i = 0; i < src->n; i++) {
		f = flags_of(src, i);
		if (f == 0 || !(f & LOOKALIKE_PROTECTED) != !protected)
			continue;
		r = &src->recs[i];
		lkindex_append(dst, src->pool + r->off, r->alen, src->pool +
		    r->off + r->alen, r->flen, r->llen, r->lcps, f);
	}
}

/* Fills nb's buckets from its records: count, prefix sums, then place
 * ids back to front so each bucket keeps record order. */
static int
build_table(const struct lookalike_index *ix, struct lkindex_base *nb)
{
	uint64_t keys[LKINDEX_KEYS_MAX];
	const struct lkindex_set *s = &nb->set;
	size_t i, total = 0, buckets = 16;
	unsigned k, j;

	for (i = 0; i < s->n; i++)
		total += rec_keys(ix, s, i, keys);
	if (total >= UINT32_MAX)
		return -1;
	while (buckets < total / 2)
		buckets *= 2;
	nb->start = calloc(buckets + 1, sizeof(*nb->start));
	nb->ids = malloc((total > 0 ? total : 1) * sizeof(*nb->ids));
	if (nb->start == NULL || nb->ids == NULL)
		return -1;
	nb->mask = (uint32_t)(buckets - 1);
	nb->nkeys = total;
	for (i = 0; i < s->n; i++) {
		k = rec_keys(ix, s, i, keys);
		for (j = 0; j < k; j++)
			nb->start[(uint32_t)keys[j] & nb->mask]++;
	}
	for (i = 1; i <= buckets; i++)
		nb->start[i] += nb->start[i - 1];
	/* start[b] is now the end of bucket b */
	for (i = s->n; i-- > 0;) {
		k = rec_keys(ix, s, i, keys);
		for (j = k; j-- > 0;)
			nb->ids[--nb->start[(uint32_t)keys[j] & nb->mask]] =
			    (uint32_t)i;
	}
	nb->start[buckets] = (uint32_t)total;
	return 0;
}

static int
full_rebuild(const struct lookalike_index *ix, struct lkindex_base *nb,
    size_t n, size_t pool)
{
	const struct lkindex_set *parts[2] = { &ix->base->set,
	    &ix->delta->set };
	int p;

	if (set_alloc(&nb->set, n, pool) == -1)
		return -1;
	for (p = 0; p < 2; p++)
		copy_live(&nb->set, parts[p], 1);
	for (p = 0; p < 2; p++)
		copy_live(&nb->set, parts[p], 0);
	return build_table(ix, nb);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Pair order: bucket, then protected before the rest, then id. */
#define PAIR(bucket, prot, id)	(((uint64_t)(bucket) << 33) | \
	((uint64_t)!(prot) << 32) | (uint64_t)(id))
#define PAIR_BUCKET(p)		((uint32_t)((p) >> 33))
#define PAIR_PROT(p)		(!(((p) >> 32) & 1))

static int
incremental(const struct lookalike_index *ix, struct lkindex_base *nb,
    size_t dkeys)
{
	uint64_t keys[LKINDEX_KEYS_MAX], *pairs;
	const struct lkindex_base *ob = ix->base;
	const struct lkindex_set *ds = &ix->delta->set;
	const struct lkindex_rec *r;
	size_t i, np = 0, o = 0, p = 0, cnt, dpool = 0;
	uint32_t b, id, f;
	unsigned k, j;

	for (i = 0; i < ds->n; i++)
		if (flags_of(ds, i) != 0)
			dpool += ds->recs[i].alen + ds->recs[i].flen;
	if (ob->nkeys + dkeys >= UINT32_MAX ||
	    set_alloc(&nb->set, ob->set.n + ds->n, ob->set.used + dpool) ==
	    -1 || (pairs = malloc((dkeys > 0 ? dkeys : 1) *
	    sizeof(*pairs))) == NULL)
		return -1;
	memcpy(nb->set.recs, ob->set.recs, ob->set.n * sizeof(*ob->set.recs));
	memcpy(nb->set.pool, ob->set.pool, ob->set.used);
	for (i = 0; i < ob->set.n; i++)
		atomic_init(&nb->set.flags[i], (unsigned char)flags_of(&ob->set,
		    i));
	nb->set.n = ob->set.n;
	nb->set.used = ob->set.used;
	for (i = 0; i < ds->n; i++) {
		if ((f = flags_of(ds, i)) == 0)
			continue;
		r = &ds->recs[i];
		id = lkindex_append(&nb->set, ds->pool + r->off, r->alen,
		    ds->pool + r->off + r->alen, r->flen, r->llen, r->lcps, f);
		k = rec_keys(ix, ds, i, keys);
		for (j = 0; j < k; j++)
			pairs[np++] = PAIR((uint32_t)keys[j] & ob->mask,
			    f & LOOKALIKE_PROTECTED, id);
	}
	qsort(pairs, np, sizeof(*pairs), cmp_u64);
	nb->mask = ob->mask;
	nb->nkeys = ob->nkeys + np;
	nb->start = malloc(((size_t)nb->mask + 2) * sizeof(*nb->start));
	nb->ids = malloc((nb->nkeys > 0 ? nb->nkeys : 1) * sizeof(*nb->ids));
	if (nb->start == NULL || nb->ids == NULL) {
		free(pairs);
		return -1;
	}
	for (b = 0;; b++) {
		nb->start[b] = (uint32_t)o;
		for (; p < np && PAIR_BUCKET(pairs[p]) == b &&
		    PAIR_PROT(pairs[p]); p++)
			nb->ids[o++] = (uint32_t)pairs[p];
		cnt = ob->start[b + 1] - ob->start[b];
		memcpy(nb->ids + o, ob->ids + ob->start[b], cnt *
		    sizeof(*nb->ids));
		o += cnt;
		for (; p < np && PAIR_BUCKET(pairs[p]) == b; p++)
			nb->ids[o++] = (uint32_t)pairs[p];
		if (b == nb->mask)
			break;
	}
	nb->start[(size_t)nb->mask + 1] = (uint32_t)o;
	free(pairs);
	return 0;
}

int
lkmerge_run(struct lookalike_index *ix)
{
	uint64_t keys[LKINDEX_KEYS_MAX];
	const struct lkindex_set *bs = &ix->base->set, *ds = &ix->delta->set;
	struct lkindex_base *nb, *old;
	struct lkindex_delta *nd, *oldd;
	size_t i, live = 0, pool = 0, dead = 0, dkeys = 0;
	int rc;

	for (i = 0; i < bs->n; i++) {
		if (flags_of(bs, i) == 0)
			dead++;
		else
			pool += bs->recs[i].alen + bs->recs[i].flen;
	}
	for (i = 0; i < ds->n; i++)
		if (flags_of(ds, i) != 0) {
			live++;
			pool += ds->recs[i].alen + ds->recs[i].flen;
			dkeys += rec_keys(ix, ds, i, keys);
		}
	live += bs->n - dead;
	/* records address the pool with 32-bit offsets */
	if (bs->used + pool > UINT32_MAX || (nb = calloc(1, sizeof(*nb))) ==
	    NULL)
		return -1;
	if (ix->base->nkeys == 0 || dead * 4 > bs->n ||
	    ix->base->nkeys + dkeys > REBUILD_LOAD * ((size_t)ix->base->mask +
	    1)) {
		rc = full_rebuild(ix, nb, live, pool);
		ix->rebuilds++;
	} else
		rc = incremental(ix, nb, dkeys);
	if (rc == -1 || (nd = lkindex_delta_new(nb->set.n)) == NULL) {
		lkindex_base_free(nb);
		return -1;
	}
	pthread_rwlock_wrlock(&ix->lock);
	old = ix->base;
	oldd = ix->delta;
	ix->base = nb;
	ix->delta = nd;
	pthread_rwlock_unlock(&ix->lock);
	lkindex_base_free(old);
	lkindex_delta_free(oldd);
	ix->merges++;
	return 0;
}
