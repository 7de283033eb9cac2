/*
 * lkindex.c - records and hash tables of the lookalike index: an
 * immutable base (bucket offsets and a flat array of record ids, 4 bytes
 * a key; built by lkmerge.c) and an append-only delta for new domains.
 *
 * Exports lkindex_* to lookalike.c and lkmerge.c only.  Owns the base and
 * the delta.  Thread rule (lookalike.h's, in detail):
 * - readers (checks) hold ix->lock for reading during one call;
 * - writers (add, remove, merge) hold ix->wlock, one at a time;
 * - the delta never moves: records, pool and entry blocks are allocated
 *   at their full size when the delta is made, so a writer appends
 *   without any lock readers would see, and publishes each hash entry
 *   with a release store of its bucket head (readers load it with
 *   acquire): a reader sees an entry only after its record is complete;
 * - record flags are atomics, set and cleared in place: that is how a
 *   flag is added to, or a domain removed from, the immutable base;
 * - a merge builds the new base and an empty delta without any lock, then
 *   takes ix->lock for writing only to swap the two pointers, and frees
 *   the old ones after releasing it.
 * Caps: the delta's capacity (DELTA_MIN..DELTA_MAX records, an eighth of
 * the base; a full delta is merged before the next insert), PER_KEY_MAX
 * entries per probe, the caller's budget per check.
 *
 * Keys: SipHash-2-4 with a random 128-bit key per index (the published
 * algorithm, written here from its description), so that whoever chooses
 * domain names cannot aim them at one bucket.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sender/lkindex.h"
#include "sender/lkmerge.h"
#include "sender/lookalike.h"

#define NONE		UINT32_MAX
#define DELTA_MIN	4096
#define DELTA_MAX	65536
#define DELTA_POOL	48	/* pool bytes a delta record, average */
#define DELTA_LOAD	8	/* delta buckets a record */

/* SipHash-2-4 (Aumasson and Bernstein), 64-bit result. */
#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
siphash(uint64_t k0, uint64_t k1, const unsigned char *p, size_t n)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t m;
	size_t i, j;

	for (i = 0; i + 8 <= n; i += 8) {
		for (m = 0, j = 0; j < 8; j++)
			m |= (uint64_t)p[i + j] << (8 * j);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (m = (uint64_t)(n & 0xff) << 56, j = 0; i + j < n; j++)
		m |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= m;
	SIPROUND;
	SIPROUND;
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t
lkindex_hash(const struct lookalike_index *ix, const char *s, size_t n)
{
	return siphash(ix->k0, ix->k1, (const unsigned char *)s, n);
}

uint64_t
lkindex_hash_exact(const struct lookalike_index *ix, const char *s,
    size_t n)
{
	/* another key: exact names and label folds never share a bucket
	 * on purpose */
	return siphash(ix->k1, ix->k0 ^ 0x5a5a5a5a5a5a5a5aULL,
	    (const unsigned char *)s, n);
}

unsigned
lkindex_decode(const char *s, size_t n, uint32_t *cps)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	unsigned count = 0;
	uint32_t c;

	while (i < n) {
		if (count == LABEL_CPS_MAX)
			return LCPS_LONG;
		c = p[i];
		k = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		if (k > 0)
			c &= 0x3f >> k;
		for (i++; k > 0 && i < n && (p[i] & 0xc0) == 0x80; k--, i++)
			c = (c << 6) | (p[i] & 0x3f);
		cps[count++] = c;
	}
	return count;
}

size_t
lkindex_delete(const char *s, size_t n, unsigned i, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t at = 0, len;
	unsigned k;

	for (k = 0; k < i && at < n; k++)
		for (at++; at < n && (p[at] & 0xc0) == 0x80; at++)
			;
	if (at >= n)
		return 0;
	for (len = 1; at + len < n && (p[at + len] & 0xc0) == 0x80; len++)
		;
	memcpy(out, s, at);
	memcpy(out + at, s + at + len, n - at - len);
	return n - len;
}

int
lkindex_within1(const uint32_t *a, unsigned na, const uint32_t *b,
    unsigned nb)
{
	unsigned i = 0;

	if (na == nb) {
		while (i < na && a[i] == b[i])
			i++;
		if (i == na)
			return 0;		/* equal */
		if (memcmp(a + i + 1, b + i + 1, (na - i - 1) *
		    sizeof(*a)) == 0)
			return 1;		/* substitution */
		return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    memcmp(a + i + 2, b + i + 2, (na - i - 2) *
		    sizeof(*a)) == 0;		/* transposition */
	}
	if (na + 1 == nb)
		return lkindex_within1(b, nb, a, na);
	if (na != nb + 1)
		return 0;
	/* a is b with one code point inserted */
	while (i < nb && a[i] == b[i])
		i++;
	return memcmp(a + i + 1, b + i, (nb - i) * sizeof(*a)) == 0;
}

/* The keys of one record: its exact name, its label fold, and the
 * label's one-deletion variants when it is long enough for edit
 * distance. */
size_t
lkindex_dehyphen(const char *s, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		if (s[i] != '-')
			out[o++] = s[i];
	return o;
}

unsigned
lkindex_keys(const struct lookalike_index *ix, const char *ascii, size_t alen,
    const char *fold, size_t llen, unsigned lcps, uint64_t *keys)
{
	uint32_t cps[LABEL_CPS_MAX];
	char del[4 * LABEL_CPS_MAX], del2[LKINDEX_LABEL_BYTES];
	unsigned k = 0, i;
	size_t dl;

	keys[k++] = lkindex_hash_exact(ix, ascii, alen);
	keys[k++] = lkindex_hash(ix, fold, llen);
	dl = llen <= sizeof(del2) ? lkindex_dehyphen(fold, llen, del2) :
	    llen;
	if (llen - dl >= 2 || (llen - dl == 1 && (lcps == LCPS_LONG ||
	    lcps < ix->min_edit_min)))
		keys[k++] = lkindex_hash(ix, del2, dl);
	if (lcps == LCPS_LONG || lcps < ix->min_edit_min)
		return k;
	lkindex_decode(fold, llen, cps);
	for (i = 0; i < lcps; i++) {
		if (i > 0 && cps[i] == cps[i - 1])
			continue;		/* same variant as i - 1 */
		dl = lkindex_delete(fold, llen, i, del);
		keys[k++] = lkindex_hash(ix, del, dl);
	}
	return k;
}

static void
set_free(struct lkindex_set *s)
{
	free(s->recs);
	free(s->flags);
	free(s->pool);
}

void
lkindex_base_free(struct lkindex_base *b)
{
	if (b == NULL)
		return;
	set_free(&b->set);
	free(b->start);
	free(b->ids);
	free(b);
}

void
lkindex_delta_free(struct lkindex_delta *d)
{
	size_t i;

	if (d == NULL)
		return;
	set_free(&d->set);
	free(d->head);
	for (i = 0; d->blocks != NULL && i < d->nblocks; i++)
		free(d->blocks[i]);
	free(d->blocks);
	free(d);
}

struct lkindex_delta *
lkindex_delta_new(size_t nbase)
{
	struct lkindex_delta *d;
	size_t cap = nbase / 8, nb = 1024, i;

	if (cap < DELTA_MIN)
		cap = DELTA_MIN;
	if (cap > DELTA_MAX)
		cap = DELTA_MAX;
	while (nb < cap * DELTA_LOAD)
		nb *= 2;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->set.cap = cap;
	d->set.poolcap = cap * DELTA_POOL;
	d->set.recs = malloc(cap * sizeof(*d->set.recs));
	d->set.flags = malloc(cap * sizeof(*d->set.flags));
	d->set.pool = malloc(d->set.poolcap);
	d->mask = (uint32_t)(nb - 1);
	d->head = malloc(nb * sizeof(*d->head));
	d->nblocks = (cap * LKINDEX_KEYS_MAX + DENT_BLOCK - 1) / DENT_BLOCK;
	d->blocks = calloc(d->nblocks, sizeof(*d->blocks));
	if (d->set.recs == NULL || d->set.flags == NULL ||
	    d->set.pool == NULL || d->head == NULL || d->blocks == NULL) {
		lkindex_delta_free(d);
		return NULL;
	}
	for (i = 0; i < nb; i++)
		atomic_init(&d->head[i], NONE);
	return d;
}

int
lkindex_init(struct lookalike_index *ix)
{
	pthread_rwlockattr_t ra;
	int rc;

	ix->base = calloc(1, sizeof(*ix->base));
	ix->delta = lkindex_delta_new(0);
	if (ix->base == NULL || ix->delta == NULL)
		goto fail;
	if (pthread_rwlockattr_init(&ra) != 0)
		goto fail;
#if defined(__GLIBC__)
	/* glibc prefers readers by default: a steady stream of checks
	 * could starve the refresher. */
	pthread_rwlockattr_setkind_np(&ra,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
	rc = pthread_rwlock_init(&ix->lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	if (rc != 0)
		goto fail;
	if (pthread_mutex_init(&ix->wlock, NULL) != 0) {
		pthread_rwlock_destroy(&ix->lock);
		goto fail;
	}
	return 0;
fail:
	lkindex_base_free(ix->base);
	lkindex_delta_free(ix->delta);
	ix->base = NULL;
	ix->delta = NULL;
	return -1;
}

void
lkindex_destroy(struct lookalike_index *ix)
{
	lkindex_base_free(ix->base);
	lkindex_delta_free(ix->delta);
	pthread_rwlock_destroy(&ix->lock);
	pthread_mutex_destroy(&ix->wlock);
}

void
lkindex_read_lock(struct lookalike_index *ix)
{
	pthread_rwlock_rdlock(&ix->lock);
}

void
lkindex_read_unlock(struct lookalike_index *ix)
{
	pthread_rwlock_unlock(&ix->lock);
}

static int
take(struct lkindex_budget *b, unsigned *per)
{
	if (b->left == 0 || *per == 0) {
		b->truncated = 1;
		return 0;
	}
	b->left--;
	(*per)--;
	return 1;
}

void
lkindex_probe(struct lookalike_index *ix, uint64_t h, lkindex_visit *fn,
    void *arg, struct lkindex_budget *b)
{
	const struct lkindex_base *base = ix->base;
	const struct lkindex_delta *d = ix->delta;
	const struct lkindex_dent *de;
	struct lkindex_ref r;
	unsigned per = PER_KEY_MAX;
	uint32_t i, e, bk;

	if (base->nkeys > 0) {
		bk = (uint32_t)h & base->mask;
		r.set = &base->set;
		for (i = base->start[bk]; i < base->start[bk + 1]; i++) {
			if (!take(b, &per))
				return;
			r.id = base->ids[i];
			fn(arg, &r);
		}
	}
	r.set = &d->set;
	for (e = atomic_load_explicit(&d->head[(uint32_t)h & d->mask],
	    memory_order_acquire); e != NONE; e = de->next) {
		de = &d->blocks[e / DENT_BLOCK][e % DENT_BLOCK];
		if (de->hi != (uint32_t)(h >> 32))
			continue;
		if (!take(b, &per))
			return;
		r.id = de->id;
		fn(arg, &r);
	}
}

int
lkindex_view(const struct lkindex_ref *r, struct lkindex_view *v)
{
	const struct lkindex_rec *rec = &r->set->recs[r->id];

	v->flags = atomic_load_explicit(&r->set->flags[r->id],
	    memory_order_relaxed);
	if (v->flags == 0)
		return -1;
	v->ascii = r->set->pool + rec->off;
	v->alen = rec->alen;
	v->fold = v->ascii + rec->alen;
	v->flen = rec->flen;
	v->llen = rec->llen;
	v->lcps = rec->lcps;
	return 0;
}

void
lkindex_set_flags(const struct lkindex_ref *r, unsigned set, unsigned clear)
{
	atomic_uchar *f = &r->set->flags[r->id];

	atomic_fetch_or_explicit(f, (unsigned char)set, memory_order_relaxed);
	atomic_fetch_and_explicit(f, (unsigned char)~clear,
	    memory_order_relaxed);
}

uint32_t
lkindex_append(struct lkindex_set *s, const char *ascii, size_t alen,
    const char *fold, size_t flen, size_t llen, unsigned lcps,
    unsigned flags)
{
	struct lkindex_rec *r = &s->recs[s->n];

	r->off = (uint32_t)s->used;
	r->alen = (uint8_t)alen;
	r->flen = (uint16_t)flen;
	r->llen = (uint16_t)llen;
	r->lcps = (uint8_t)lcps;
	memcpy(s->pool + s->used, ascii, alen);
	memcpy(s->pool + s->used + alen, fold, flen);
	s->used += alen + flen;
	/* no reader reaches this record before an entry naming it is
	 * published (release), so a plain initialisation is enough */
	atomic_init(&s->flags[s->n], (unsigned char)flags);
	return (uint32_t)s->n++;
}

/* 1 when the delta can take a record of bytes pool bytes and k keys. */
static int
delta_room(const struct lkindex_delta *d, size_t bytes, unsigned k)
{
	return d->set.n < d->set.cap && d->set.used + bytes <=
	    d->set.poolcap && d->nents + k <= d->nblocks * DENT_BLOCK;
}

int
lkindex_insert(struct lookalike_index *ix, const struct lkindex_entry *in)
{
	uint64_t keys[LKINDEX_KEYS_MAX];
	struct lkindex_delta *d = ix->delta;
	struct lkindex_dent *e;
	size_t bytes = in->alen + in->flen, blk;
	uint32_t id, b;
	unsigned k, i;

	k = lkindex_keys(ix, in->ascii, in->alen, in->fold, in->llen,
	    in->lcps, keys);
	if (!delta_room(d, bytes, k)) {
		if (lkmerge_run(ix) == -1)
			return -1;
		d = ix->delta;
		if (!delta_room(d, bytes, k))
			return -1;
	}
	for (blk = d->nents / DENT_BLOCK; blk <= (d->nents + k - 1) /
	    DENT_BLOCK; blk++)
		if (d->blocks[blk] == NULL && (d->blocks[blk] =
		    malloc(DENT_BLOCK * sizeof(**d->blocks))) == NULL)
			return -1;
	id = lkindex_append(&d->set, in->ascii, in->alen, in->fold, in->flen,
	    in->llen, in->lcps, in->flags);
	for (i = 0; i < k; i++) {
		e = &d->blocks[d->nents / DENT_BLOCK][d->nents % DENT_BLOCK];
		e->lo = (uint32_t)keys[i];
		e->hi = (uint32_t)(keys[i] >> 32);
		e->id = id;
		b = e->lo & d->mask;
		e->next = atomic_load_explicit(&d->head[b],
		    memory_order_relaxed);
		atomic_store_explicit(&d->head[b], (uint32_t)d->nents++,
		    memory_order_release);
	}
	return 0;
}

void
lkindex_count(const struct lookalike_index *ix, size_t *base,
    size_t *delta, size_t *keys, size_t *bytes)
{
	const struct lkindex_base *b = ix->base;
	const struct lkindex_delta *d = ix->delta;
	size_t per = sizeof(struct lkindex_rec) + sizeof(atomic_uchar), i;

	*base = b->set.n;
	*delta = d->set.n;
	*keys = b->nkeys + d->nents;
	*bytes = sizeof(*ix) + sizeof(*b) + sizeof(*d) +
	    b->set.cap * per + b->set.poolcap +
	    (b->start != NULL ? ((size_t)b->mask + 2) * sizeof(uint32_t) : 0) +
	    b->nkeys * sizeof(uint32_t) +
	    d->set.cap * per + d->set.poolcap +
	    ((size_t)d->mask + 1) * sizeof(*d->head) +
	    d->nblocks * sizeof(*d->blocks);
	for (i = 0; i < d->nblocks; i++)
		if (d->blocks[i] != NULL)
			*bytes += DENT_BLOCK * sizeof(**d->blocks);
}
