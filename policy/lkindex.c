/*
 * lkindex.c - records and hash tables of the lookalike index: an
 * immutable base (bucket offsets and a flat array of record ids, built in
 * one go by lkindex_merge) and a small chained delta for new domains.
 *
 * Exports lkindex_* to lookalike.c only.  Owns the base and the delta.
 * Thread rule: lookalike.h's.  Readers hold ix->lock for reading; writers
 * hold ix->wlock, and ix->lock for writing only while they append to the
 * delta or swap base and delta (the rebuild itself runs outside it).
 * Record flags are atomics: a writer may set or clear them in place while
 * readers look, which is how a flag is added to, or a domain removed
 * from, the immutable base.
 * Caps: LOOKALIKE_MAX_DOMAINS records (lookalike.c), PER_KEY_MAX entries
 * per probe, the caller's budget per check.
 *
 * Keys: SipHash-2-4 with a random 128-bit key per index (the published
 * algorithm; written here from its description), so that whoever
 * chooses domain names cannot aim them at one bucket.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lkindex.h"
#include "lookalike.h"

#define NONE		UINT32_MAX
#define DELTA_MIN	4096
#define DELTA_MAX	65536

struct lkindex_base {
	struct lkindex_set set;
	uint32_t mask;			/* buckets - 1 */
	uint32_t *start;		/* mask + 2 offsets into ids */
	uint32_t *ids;
	size_t nkeys;
};

struct dent {
	uint32_t lo, hi, id, next;
};

struct lkindex_delta {
	struct lkindex_set set;
	uint32_t mask;			/* valid when head != NULL */
	uint32_t *head;
	struct dent *ents;
	size_t nents, entcap;
};

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
 * distance.  Returns the count (at most LKINDEX_KEYS_MAX). */
static unsigned
rec_keys(const struct lookalike_index *ix, const char *ascii, size_t alen,
    const char *fold, size_t llen, unsigned lcps, uint64_t *keys)
{
	uint32_t cps[LABEL_CPS_MAX];
	char del[4 * LABEL_CPS_MAX];
	unsigned k = 0, i;
	size_t dl;

	keys[k++] = lkindex_hash_exact(ix, ascii, alen);
	keys[k++] = lkindex_hash(ix, fold, llen);
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

static void
base_free(struct lkindex_base *b)
{
	if (b == NULL)
		return;
	set_free(&b->set);
	free(b->start);
	free(b->ids);
	free(b);
}

static void
delta_free(struct lkindex_delta *d)
{
	if (d == NULL)
		return;
	set_free(&d->set);
	free(d->head);
	free(d->ents);
	free(d);
}

int
lkindex_init(struct lookalike_index *ix)
{
	pthread_rwlockattr_t ra;
	int rc;

	ix->base = calloc(1, sizeof(*ix->base));
	ix->delta = calloc(1, sizeof(*ix->delta));
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
	base_free(ix->base);
	delta_free(ix->delta);
	ix->base = NULL;
	ix->delta = NULL;
	return -1;
}

void
lkindex_destroy(struct lookalike_index *ix)
{
	base_free(ix->base);
	delta_free(ix->delta);
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
	if (d->head == NULL)
		return;
	r.set = &d->set;
	for (e = d->head[(uint32_t)h & d->mask]; e != NONE;
	    e = d->ents[e].next) {
		if (d->ents[e].hi != (uint32_t)(h >> 32))
			continue;
		if (!take(b, &per))
			return;
		r.id = d->ents[e].id;
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

/* Room for one more record of extra pool bytes; 0 or -1. */
static int
set_reserve(struct lkindex_set *s, size_t extra)
{
	struct lkindex_rec *r;
	atomic_uchar *f;
	char *p;
	size_t cap, pc;

	if (s->n == s->cap) {
		cap = s->cap == 0 ? 64 : s->cap * 2;
		if ((r = realloc(s->recs, cap * sizeof(*r))) == NULL)
			return -1;
		s->recs = r;
		if ((f = realloc(s->flags, cap * sizeof(*f))) == NULL)
			return -1;
		s->flags = f;
		s->cap = cap;
	}
	if (s->used + extra > s->poolcap) {
		pc = s->poolcap == 0 ? 4096 : s->poolcap * 2;
		while (pc < s->used + extra)
			pc *= 2;
		if (pc > UINT32_MAX || (p = realloc(s->pool, pc)) == NULL)
			return -1;
		s->pool = p;
		s->poolcap = pc;
	}
	return 0;
}

static uint32_t
set_append(struct lkindex_set *s, const char *ascii, size_t alen,
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
	atomic_init(&s->flags[s->n], (unsigned char)flags);
	return (uint32_t)s->n++;
}

/* Doubles the delta's buckets (write lock held); 0 or -1. */
static int
delta_grow(struct lkindex_delta *d, size_t need)
{
	uint32_t *head, nb, e;
	struct dent *ents;
	size_t cap;

	if (d->nents + need > d->entcap) {
		cap = d->entcap == 0 ? 1024 : d->entcap * 2;
		while (cap < d->nents + need)
			cap *= 2;
		if ((ents = realloc(d->ents, cap * sizeof(*ents))) == NULL)
			return -1;
		d->ents = ents;
		d->entcap = cap;
	}
	if (d->head != NULL && d->nents + need <= (size_t)d->mask + 1)
		return 0;
	nb = d->head == NULL ? 1024 : (d->mask + 1) * 2;
	while (nb < d->nents + need)
		nb *= 2;
	if ((head = malloc(nb * sizeof(*head))) == NULL)
		return -1;
	memset(head, 0xff, nb * sizeof(*head));
	for (e = 0; e < d->nents; e++) {
		d->ents[e].next = head[d->ents[e].lo & (nb - 1)];
		head[d->ents[e].lo & (nb - 1)] = e;
	}
	free(d->head);
	d->head = head;
	d->mask = nb - 1;
	return 0;
}

int
lkindex_insert(struct lookalike_index *ix, const struct lkindex_entry *in)
{
	uint64_t keys[LKINDEX_KEYS_MAX];
	struct lkindex_delta *d = ix->delta;
	struct dent *e;
	uint32_t id;
	unsigned k, i;
	int rc = -1;

	k = rec_keys(ix, in->ascii, in->alen, in->fold, in->llen, in->lcps,
	    keys);
	pthread_rwlock_wrlock(&ix->lock);
	if (set_reserve(&d->set, in->alen + in->flen) == -1 ||
	    delta_grow(d, k) == -1)
		goto out;
	id = set_append(&d->set, in->ascii, in->alen, in->fold, in->flen,
	    in->llen, in->lcps, in->flags);
	for (i = 0; i < k; i++) {
		e = &d->ents[d->nents];
		e->lo = (uint32_t)keys[i];
		e->hi = (uint32_t)(keys[i] >> 32);
		e->id = id;
		e->next = d->head[e->lo & d->mask];
		d->head[e->lo & d->mask] = (uint32_t)d->nents++;
	}
	rc = 0;
out:
	pthread_rwlock_unlock(&ix->lock);
	return rc;
}

int
lkindex_merge_due(const struct lookalike_index *ix)
{
	size_t due = ix->base->set.n / 8;

	if (due < DELTA_MIN)
		due = DELTA_MIN;
	if (due > DELTA_MAX)
		due = DELTA_MAX;
	return ix->delta->set.n >= due;
}

/* Copies the live records of src with (or without) the protected flag
 * into dst, which has room. */
static void
copy_live(struct lkindex_set *dst, const struct lkindex_set *src,
    int protected)
{
	const struct lkindex_rec *r;
	unsigned f;
	size_t i;

	for (i = 0; i < src->n; i++) {
		f = atomic_load_explicit(&src->flags[i], memory_order_relaxed);
		if (f == 0 || !(f & LOOKALIKE_PROTECTED) != !protected)
			continue;
		r = &src->recs[i];
		set_append(dst, src->pool + r->off, r->alen, src->pool +
		    r->off + r->alen, r->flen, r->llen, r->lcps, f);
	}
}

/* Fills nb's buckets from its records: count, prefix sums, then place
 * ids back to front so each bucket keeps record order (protected
 * first). */
static int
build_table(const struct lookalike_index *ix, struct lkindex_base *nb)
{
	uint64_t keys[LKINDEX_KEYS_MAX];
	const struct lkindex_set *s = &nb->set;
	const struct lkindex_rec *r;
	size_t i, total = 0, want, buckets = 16;
	unsigned k, j;

	for (i = 0; i < s->n; i++) {
		r = &s->recs[i];
		total += rec_keys(ix, s->pool + r->off, r->alen, s->pool +
		    r->off + r->alen, r->llen, r->lcps, keys);
	}
	if (total >= UINT32_MAX)
		return -1;
	want = total / 2;
	while (buckets < want)
		buckets *= 2;
	nb->start = calloc(buckets + 1, sizeof(*nb->start));
	nb->ids = malloc((total > 0 ? total : 1) * sizeof(*nb->ids));
	if (nb->start == NULL || nb->ids == NULL)
		return -1;
	nb->mask = (uint32_t)(buckets - 1);
	nb->nkeys = total;
	for (i = 0; i < s->n; i++) {
		r = &s->recs[i];
		k = rec_keys(ix, s->pool + r->off, r->alen, s->pool + r->off +
		    r->alen, r->llen, r->lcps, keys);
		for (j = 0; j < k; j++)
			nb->start[(uint32_t)keys[j] & nb->mask]++;
	}
	for (i = 1; i <= buckets; i++)
		nb->start[i] += nb->start[i - 1];
	/* start[b] is now the end of bucket b */
	for (i = s->n; i-- > 0;) {
		r = &s->recs[i];
		k = rec_keys(ix, s->pool + r->off, r->alen, s->pool + r->off +
		    r->alen, r->llen, r->lcps, keys);
		for (j = k; j-- > 0;)
			nb->ids[--nb->start[(uint32_t)keys[j] & nb->mask]] =
			    (uint32_t)i;
	}
	nb->start[buckets] = (uint32_t)total;
	return 0;
}

int
lkindex_merge(struct lookalike_index *ix)
{
	const struct lkindex_set *parts[2] = { &ix->base->set,
	    &ix->delta->set };
	struct lkindex_base *nb, *old;
	struct lkindex_delta *nd, *oldd;
	size_t n = 0, pool = 0, i, p;

	for (p = 0; p < 2; p++)
		for (i = 0; i < parts[p]->n; i++)
			if (atomic_load_explicit(&parts[p]->flags[i],
			    memory_order_relaxed) != 0) {
				n++;
				pool += parts[p]->recs[i].alen +
				    parts[p]->recs[i].flen;
			}
	nb = calloc(1, sizeof(*nb));
	nd = calloc(1, sizeof(*nd));
	if (nb == NULL || nd == NULL || pool > UINT32_MAX)
		goto fail;
	nb->set.cap = n > 0 ? n : 1;
	nb->set.poolcap = pool > 0 ? pool : 1;
	nb->set.recs = malloc(nb->set.cap * sizeof(*nb->set.recs));
	nb->set.flags = malloc(nb->set.cap * sizeof(*nb->set.flags));
	nb->set.pool = malloc(nb->set.poolcap);
	if (nb->set.recs == NULL || nb->set.flags == NULL ||
	    nb->set.pool == NULL)
		goto fail;
	for (p = 0; p < 2; p++)
		copy_live(&nb->set, parts[p], 1);
	for (p = 0; p < 2; p++)
		copy_live(&nb->set, parts[p], 0);
	if (build_table(ix, nb) == -1)
		goto fail;
	pthread_rwlock_wrlock(&ix->lock);
	old = ix->base;
	oldd = ix->delta;
	ix->base = nb;
	ix->delta = nd;
	pthread_rwlock_unlock(&ix->lock);
	base_free(old);
	delta_free(oldd);
	ix->merges++;
	return 0;
fail:
	base_free(nb);
	delta_free(nd);
	return -1;
}

void
lkindex_count(const struct lookalike_index *ix, size_t *base,
    size_t *delta, size_t *keys, size_t *bytes)
{
	const struct lkindex_base *b = ix->base;
	const struct lkindex_delta *d = ix->delta;
	size_t per = sizeof(struct lkindex_rec) + sizeof(atomic_uchar);

	*base = b->set.n;
	*delta = d->set.n;
	*keys = b->nkeys + d->nents;
	*bytes = sizeof(*ix) + sizeof(*b) + sizeof(*d) +
	    b->set.cap * per + b->set.poolcap +
	    (b->start != NULL ? ((size_t)b->mask + 2) * sizeof(uint32_t) : 0) +
	    b->nkeys * sizeof(uint32_t) +
	    d->set.cap * per + d->set.poolcap +
	    (d->head != NULL ? ((size_t)d->mask + 1) * sizeof(uint32_t) : 0) +
	    d->entcap * sizeof(struct dent);
}
